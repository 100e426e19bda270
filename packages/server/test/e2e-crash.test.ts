/**
 * Crashes, end to end: the server program is SIGKILLed in the middle of an
 * UpdateLog stream and in the middle of write transactions, on SQLite and on
 * PostgreSQL, and started again on the same database and log directory.
 * After the restart every acknowledged write is there, byte for byte; no
 * record is torn (each one reads back as exactly one of the values written to
 * it); no partial log is served (the previous log is, whole); a Result deleted
 * in a transaction is either all there or all gone; and the interrupted
 * upload, retried, stores the new log.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Logs, Results } from "@tekton-results/proto";
import { startTestPostgres, stopTestPostgres } from "../../storage-pg/test/support/postgres.js";
import { startMain, type Running } from "./support/program.js";

const LOG_TYPE = "results.tekton.dev/v1alpha3.Log";
const dir = mkdtempSync(join(tmpdir(), "results-e2e-crash-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

afterAll(async () => {
  await stopTestPostgres();
  rmSync(dir, { recursive: true, force: true });
});

interface Server {
  running: Running;
  results: Client<typeof Results>;
  logs: Client<typeof Logs>;
}

async function start(args: string[]): Promise<Server> {
  const running = await startMain(args);
  const transport = createGrpcTransport({ baseUrl: running.url });
  return {
    running,
    results: createClient(Results, transport),
    logs: createClient(Logs, transport),
  };
}

async function kill(server: Server): Promise<void> {
  server.running.child.kill("SIGKILL");
  expect(await server.running.exit).toBeNull();
}

/** The whole text GetLog serves for `name`. */
async function logText(server: Server, name: string): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of server.logs.getLog({ name })) parts.push(chunk.data);
  return Buffer.concat(parts).toString("utf8");
}

/** `size` bytes of log text from `seed`, in lines. */
function logOf(seed: string, size: number): string {
  let out = "";
  for (let i = 0; out.length < size; i++) out += `${seed} line ${i} ${"x".repeat(60)}\n`;
  return out.slice(0, size);
}

function upload(server: Server, name: string, text: string, chunkBytes = 64 * 1024) {
  return server.logs.updateLog(
    (async function* () {
      for (let i = 0; i < text.length; i += chunkBytes) {
        yield { name, data: new TextEncoder().encode(text.slice(i, i + chunkBytes)) };
      }
    })(),
  );
}

async function codeOf(p: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

const backends: [string, () => Promise<string>][] = [
  ["SQLite", () => Promise.resolve(join(dir, "results.db"))],
  ["PostgreSQL", async () => (await startTestPostgres()).url],
];

describe.each(backends)("the server SIGKILLed on %s", (name, database) => {
  let args: string[];

  beforeAll(async () => {
    args = [
      "--database",
      await database(),
      "--logs-dir",
      join(dir, `logs-${name}`),
      "--logs-fsync",
    ];
  }, 120_000);

  it("in the middle of an UpdateLog: the previous log is served whole, and the upload can be retried", async () => {
    let server = await start(args);
    const result = "crash/results/log";
    await server.results.createResult({ parent: "crash", result: { name: result } });
    const logData = {
      kind: "Log",
      apiVersion: "results.tekton.dev/v1alpha3",
      metadata: { name: "l", namespace: "crash" },
      spec: {
        resource: { kind: "TaskRun", namespace: "crash", name: "t", uid: "u" },
        type: "File",
      },
    };
    await server.results.createRecord({
      parent: result,
      record: { name: `${result}/records/l`, data: { type: LOG_TYPE, value: json(logData) } },
    });
    const logName = `${result}/logs/l`;
    const first = logOf("first", 300_000);
    expect((await upload(server, logName, first)).bytesReceived).toBe(BigInt(first.length));

    // The second upload sends 1 MiB, then waits: the server is killed mid-stream.
    let sent = 0;
    const stuck = server.logs.updateLog(
      (async function* () {
        const chunk = new TextEncoder().encode(logOf("second", 64 * 1024));
        for (let i = 0; i < 16; i++) {
          sent += chunk.length;
          yield { name: logName, data: chunk };
        }
        await new Promise(() => undefined);
      })(),
    );
    const outcome = codeOf(stuck);
    while (sent < 16 * 64 * 1024) await sleep(20);
    await sleep(300);
    await kill(server);
    expect(await outcome).not.toBe("ok");

    server = await start(args);
    try {
      const served = await logText(server, logName);
      expect(served.length).toBe(first.length);
      expect(sha(served)).toBe(sha(first));
      const record = await server.results.getRecord({ name: `${result}/records/l` });
      const status = (
        JSON.parse(new TextDecoder().decode(record.data!.value)) as {
          status: { size: number; isStored: boolean };
        }
      ).status;
      expect(status).toMatchObject({ size: first.length, isStored: true });

      const second = logOf("second", 700_000);
      expect((await upload(server, logName, second)).bytesReceived).toBe(BigInt(second.length));
      expect(sha(await logText(server, logName))).toBe(sha(second));
    } finally {
      await kill(server);
    }
  }, 120_000);

  it("in the middle of write transactions: every acknowledged write is there, no record torn, a deleted Result all there or all gone", async () => {
    let server = await start(args);
    const parent = "crash/results/w";
    await server.results.createResult({ parent: "crash", result: { name: parent } });
    // A Result of 300 records, to be deleted (one transaction) as the server dies.
    const doomed = "crash/results/doomed";
    await server.results.createResult({ parent: "crash", result: { name: doomed } });
    for (let i = 0; i < 300; i++) {
      await server.results.createRecord({
        parent: doomed,
        record: { name: `${doomed}/records/d${i}`, data: { type: "t", value: json({ i }) } },
      });
    }

    // Writers create records and rewrite one record with large values until the kill.
    const acknowledged = new Map<string, string>();
    // Every value written to each record, in order (one writer per record).
    const written = new Map<string, string[]>();
    let stop = false;
    const value = (writer: number, n: number) =>
      JSON.stringify({ writer, n, pad: `${writer}-${n}-`.repeat(20_000) });
    async function writer(w: number): Promise<void> {
      for (let n = 0; !stop; n++) {
        const record = `${parent}/records/w${w}-${n % 3 === 0 ? "shared" : n}`;
        const text = value(w, n);
        written.set(record, [...(written.get(record) ?? []), text]);
        const data = { type: "t", value: new TextEncoder().encode(text) };
        try {
          if (n % 3 === 0 && n > 0) {
            await server.results.updateRecord({ record: { name: record, data } });
          } else {
            await server.results.createRecord({ parent, record: { name: record, data } });
          }
          acknowledged.set(record, text);
        } catch {
          return; // the server is gone
        }
      }
    }
    const writers = [0, 1, 2, 3].map(writer);
    await sleep(700);
    const deleting = codeOf(server.results.deleteResult({ name: doomed }));
    await sleep(5);
    await kill(server);
    stop = true;
    await Promise.all(writers);
    const deleteOutcome = await deleting;
    expect(acknowledged.size).toBeGreaterThan(4);
    // The writes in flight when the server died (sent, never answered): the crash points.
    let inFlight = 0;
    for (const [record, values] of written) {
      const acked = acknowledged.get(record);
      inFlight += values.length - 1 - (acked === undefined ? -1 : values.indexOf(acked));
    }
    expect(inFlight).toBeGreaterThanOrEqual(1);

    server = await start(args);
    try {
      // Every acknowledged write is there: its value, or one written after it.
      for (const [record, text] of acknowledged) {
        const got = await server.results.getRecord({ name: record });
        const stored = new TextDecoder().decode(got.data!.value);
        const values = written.get(record)!;
        expect(values.indexOf(stored), record).toBeGreaterThanOrEqual(values.indexOf(text));
      }
      // No record is torn: each reads back as one of the values written to it.
      let pageToken = "";
      let seen = 0;
      do {
        const page = await server.results.listRecords({ parent, pageSize: 20, pageToken });
        for (const r of page.records) {
          const stored = new TextDecoder().decode(r.data!.value);
          expect(written.get(r.name)?.includes(stored), r.name).toBe(true);
          seen++;
        }
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      expect(seen).toBeGreaterThanOrEqual(acknowledged.size);
      // The deleted Result: all there, or all gone.
      const left = await server.results.listRecords({ parent: doomed, pageSize: 1000 });
      const resultLeft = await codeOf(server.results.getResult({ name: doomed }));
      if (resultLeft === "ok") expect(left.records).toHaveLength(300);
      else expect([resultLeft, left.records.length]).toEqual([Code.NotFound, 0]);
      console.log(
        `${name}: killed with ${inFlight} writes in flight (${acknowledged.size} acknowledged); ` +
          `DeleteResult ${deleteOutcome === "ok" ? "answered" : "cut"}, the Result ${resultLeft === "ok" ? "all there" : "all gone"}`,
      );
    } finally {
      await kill(server);
    }
  }, 120_000);
});
