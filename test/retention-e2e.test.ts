/**
 * Retention end to end, on a log directory and on S3 (the fake S3 server of
 * `@tekton-results/log-store/testing`: real HTTP, every request's signature
 * checked): a Results server on SQLite stores runs with their logs uploaded
 * through UpdateLog, as the watcher does; `tekton-results-retention --once`
 * (the built command, its own process) runs a policy that deletes some.
 * Afterwards every log object left belongs to a Log record left, every
 * deleted run's logs are gone, and the dry run's figures are what was
 * deleted: Results, Records, logs and log bytes, counted in the reports and
 * measured in the database and in the directory or the bucket.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createLogsClient, createResultsClient, recordData } from "@tekton-results/client";
import {
  createDirectoryLogStore,
  createS3LogStore,
  type LogStore,
} from "@tekton-results/log-store";
import { startFakeS3, type FakeS3 } from "@tekton-results/log-store/testing";
import { RECORD_TYPES } from "@tekton-results/proto";
import { createResultsRoutes, createResultsServer } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "packages/server/bin/tekton-results-retention.js");
const DAY = 86_400_000;
/** Runs per namespace, completed 4, 8, ... days ago (less an hour). */
const RUNS = 12;

const POLICY = `apiVersion: v1
kind: ConfigMap
metadata:
  name: tekton-results-config-results-retention-policy
data:
  defaultRetention: "30d"
  policies: |
    - name: ci
      selector:
        matchNamespaces: [ci]
      retention: 7d
`;

/** Where the logs are: the server's store, the command's flags, and what is stored. */
interface Backend {
  logs: LogStore;
  flags: string[];
  env: Record<string, string>;
  /** Every stored log object: its key (a Log record's `status.path`) and size. */
  objects(): Map<string, number>;
  close(): Promise<void>;
}

async function directoryBackend(dir: string): Promise<Backend> {
  const logsDir = join(dir, "logs");
  return {
    logs: createDirectoryLogStore({ dir: logsDir }),
    flags: ["--logs-dir", logsDir],
    env: {},
    objects() {
      const out = new Map<string, number>();
      let entries;
      try {
        entries = readdirSync(logsDir, { recursive: true, withFileTypes: true });
      } catch {
        return out;
      }
      for (const e of entries.filter((x) => x.isFile())) {
        const path = join(e.parentPath, e.name);
        out.set(path.slice(logsDir.length + 1), statSync(path).size);
      }
      return out;
    },
    close: async () => {},
  };
}

async function s3Backend(): Promise<Backend> {
  const s3: FakeS3 = await startFakeS3();
  const keyPrefix = "tekton/results/";
  return {
    logs: createS3LogStore({
      endpoint: s3.url,
      bucket: s3.bucket,
      keyPrefix,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    }),
    flags: [
      "--logs-type",
      "S3",
      "--s3-endpoint",
      s3.url,
      "--s3-bucket",
      s3.bucket,
      "--s3-key-prefix",
      keyPrefix,
    ],
    env: { S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
    objects: () => new Map([...s3.objects].map(([key, data]) => [key, data.byteLength])),
    close: () => s3.close(),
  };
}

/** A Results server on the SQLite file `db` with `logs`, and clients of it. */
async function serve(db: string, logs: LogStore) {
  const store = await createSqliteStore({ filename: db });
  const server = createResultsServer({ routes: createResultsRoutes({ store, logs }), store });
  const { url } = await server.listen(0, "127.0.0.1");
  const sessions = new Http2SessionManager(url);
  const transport = createGrpcTransport({ baseUrl: url, sessionManager: sessions });
  return {
    results: createResultsClient(transport),
    logs: createLogsClient(transport),
    async close() {
      sessions.abort();
      await server.close({ deadlineMs: 1000 });
      await store.close();
    },
  };
}

type Api = Awaited<ReturnType<typeof serve>>;

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/**
 * Store a run as the watcher does: its record, a Log record (`{uid}-log`)
 * and the log itself through UpdateLog, in chunks.
 */
async function storeRun(
  api: Api,
  result: string,
  run: { kind: "PipelineRun" | "TaskRun"; name: string; namespace: string; uid: string },
  completion: Date,
  logLines: number,
): Promise<void> {
  const type = run.kind === "PipelineRun" ? RECORD_TYPES.PIPELINE_RUN : RECORD_TYPES.TASK_RUN;
  const { name, namespace, uid } = run;
  await api.results.createRecord({
    parent: result,
    record: {
      name: `${result}/records/${uid}`,
      data: {
        type,
        value: encode({
          apiVersion: "tekton.dev/v1",
          kind: run.kind,
          metadata: { name, namespace, uid },
          status: {
            completionTime: completion.toISOString(),
            conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }],
          },
        }),
      },
    },
  });
  await api.results.createRecord({
    parent: result,
    record: {
      name: `${result}/records/${uid}-log`,
      data: {
        type: RECORD_TYPES.LOG,
        value: encode({
          kind: "Log",
          apiVersion: "results.tekton.dev/v1alpha3",
          metadata: { name: `${name}-log`, namespace, uid: `${uid}-log` },
          spec: { resource: { kind: run.kind, namespace, name, uid }, type: "File" },
        }),
      },
    },
  });
  const lines = Array.from({ length: logLines }, (_, i) => `[${name} : step] line ${i}\n`);
  const summary = await api.logs.uploadLog(
    `${result}/logs/${uid}-log`,
    // In chunks of ten lines, as a stream from a pod arrives.
    Array.from({ length: Math.ceil(lines.length / 10) }, (_, i) =>
      lines.slice(i * 10, i * 10 + 10).join(""),
    ),
  );
  expect(Number(summary.bytesReceived)).toBe(lines.join("").length);
}

/** `RUNS` PipelineRuns with a TaskRun each per namespace, all with logs. */
async function seed(api: Api): Promise<void> {
  let seq = 0;
  const uid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
  for (const namespace of ["ci", "prod"]) {
    for (let i = 1; i <= RUNS; i++) {
      const prUid = uid();
      const result = `${namespace}/results/${prUid}`;
      await api.results.createResult({ parent: namespace, result: { name: result } });
      const completion = new Date(Date.now() - i * 4 * DAY + 3_600_000);
      const pr = { kind: "PipelineRun" as const, name: `build-${i}`, namespace, uid: prUid };
      const tr = { kind: "TaskRun" as const, name: `build-${i}-compile`, namespace, uid: uid() };
      await storeRun(api, result, tr, completion, 5 + i * 7);
      await storeRun(api, result, pr, completion, 5 + i * 7 + 40);
    }
  }
}

/** What the database holds: Results, Records, and the Log records' paths and sizes. */
interface Snapshot {
  results: Set<string>;
  records: number;
  /** `status.path` -> `status.size` of every stored Log record. */
  logRecords: Map<string, number>;
  /** `status.path` -> its Result, of every stored Log record. */
  logResult: Map<string, string>;
}

async function snapshot(api: Api): Promise<Snapshot> {
  const results = new Set<string>();
  for await (const r of api.results.listAllResults({ parent: "-" })) results.add(r.name);
  let records = 0;
  const logRecords = new Map<string, number>();
  const logResult = new Map<string, string>();
  for await (const record of api.results.listAllRecords({ parent: "-/results/-" })) {
    records++;
    if (record.data?.type !== RECORD_TYPES.LOG) continue;
    const status = recordData<{ status?: { path: string; size: number; isStored: boolean } }>(
      record,
    )?.status;
    expect(status?.isStored, record.name).toBe(true);
    logRecords.set(status!.path, status!.size);
    logResult.set(status!.path, record.name.split("/records/")[0]!);
  }
  return { results, records, logRecords, logResult };
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function retention(args: string[], env: Record<string, string>): Promise<Outcome> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, RESULTS_CONFIG: "", LOG_LEVEL: "warn", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

interface PolicyFigures {
  policy: string;
  results: number;
  records: number;
  logs: number;
  logBytes: number;
}

function totals(policies: PolicyFigures[]) {
  const sum = (f: (p: PolicyFigures) => number) => policies.reduce((a, p) => a + f(p), 0);
  return {
    results: sum((p) => p.results),
    records: sum((p) => p.records),
    logs: sum((p) => p.logs),
    logBytes: sum((p) => p.logBytes),
  };
}

const sumOf = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

describe.each([
  ["a log directory", directoryBackend],
  ["S3", () => s3Backend()],
] as const)("retention end to end, logs in %s", (_, makeBackend) => {
  it("leaves no orphaned log, deletes every log of what it deletes, and deletes what the dry run said", async () => {
    const dir = mkdtempSync(join(tmpdir(), "retention-e2e-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const backend = await makeBackend(dir);
    cleanup.push(() => backend.close());
    const db = join(dir, "results.db");
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, POLICY);

    let api = await serve(db, backend.logs);
    await seed(api);
    const before = await snapshot(api);
    await api.close();
    const objectsBefore = backend.objects();
    expect(before.results.size).toBe(2 * RUNS);
    expect(before.records).toBe(2 * RUNS * 4);
    // Every log the server stored is an object, and every object a Log record's.
    expect(objectsBefore).toEqual(before.logRecords);

    const flags = ["--config", policy, "--database", db, ...backend.flags, "--once"];
    const dry = await retention([...flags, "--dry-run", "--output", "json"], backend.env);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    const dryReport = JSON.parse(dry.stdout) as { policies: PolicyFigures[] };
    // ci keeps 7 days (runs 2..12 go); prod the default 30 (runs 8..12 go).
    expect(dryReport.policies.map((p) => [p.policy, p.results])).toEqual([
      ["ci", RUNS - 1],
      ["default", RUNS - 7],
    ]);
    expect(backend.objects()).toEqual(objectsBefore); // a dry run deletes nothing

    const real = await retention([...flags, "--output", "json"], backend.env);
    expect(real.stderr).toBe("");
    expect(real.code).toBe(0);
    const realReport = JSON.parse(real.stdout) as {
      policies: PolicyFigures[];
      failures: unknown[];
    };
    expect(realReport.failures).toEqual([]);
    const said = totals(dryReport.policies);
    expect(totals(realReport.policies)).toEqual(said);

    api = await serve(db, backend.logs);
    const after = await snapshot(api);
    await api.close();
    const objectsAfter = backend.objects();

    // No orphan: every object left is a Log record's that is left, and the other way round.
    expect(objectsAfter).toEqual(after.logRecords);
    for (const path of objectsAfter.keys()) {
      expect(after.results.has(after.logResult.get(path)!), path).toBe(true);
    }
    // Every log of a deleted Result is gone.
    const deleted = [...before.results].filter((r) => !after.results.has(r));
    const deletedLogs = [...before.logResult].filter(([, r]) => deleted.includes(r));
    expect(deletedLogs).toHaveLength(2 * deleted.length);
    for (const [path] of deletedLogs) expect(objectsAfter.has(path), path).toBe(false);

    // The dry run's figures are what went, measured in the database and the log store.
    expect({
      results: before.results.size - after.results.size,
      records: before.records - after.records,
      logs: objectsBefore.size - objectsAfter.size,
      logBytes: sumOf(objectsBefore) - sumOf(objectsAfter),
    }).toEqual(said);
    expect(said.results).toBe(deleted.length);
    expect(said.logs).toBeGreaterThan(0);
  }, 120_000);
});
