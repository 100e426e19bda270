/**
 * B10: `tekton-results-retention --once` (the real command, its own process and connections)
 * deleting the older half of the loaded data set while the API serves ListRecords from it.
 * Reported: the run's time, what it deleted, the longest single store call it made (a page query,
 * or one Result's delete transaction: the longest it held the database), and ListRecords p50/p99
 * during the deletion next to the same requests without it (goal: at most 2x). Destructive: it
 * runs last on its backend.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startApiServer, type ResultsClient } from "./api-harness.js";
import type { BenchBackend } from "./backend.js";
import type { DataGenerator } from "./generate.js";
import { compare } from "./report.js";
import { summarize, type Measurement } from "./stats.js";
import type { WorkloadSink } from "./workloads.js";

/** The built command (`npm ci` builds it; the bench runs after). */
const COMMAND = resolve(
  fileURLToPath(new URL("../../packages/server/dist/retention-bin.js", import.meta.url)),
);
const HOUR_MS = 3_600_000;

/** What the command's `--output json` says. */
interface CommandReport {
  seconds: number;
  policies: { policy: string; results: number; records: number }[];
  failures: unknown[];
  longestStoreCall: { method: string; ms: number };
}

/** ListRecords of one namespace, newest first, until `until.done` or `ms` pass. */
async function listLoop(
  client: ResultsClient,
  namespace: string,
  until: { done: boolean },
  ms: number,
): Promise<Measurement> {
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (!until.done && performance.now() - t0 < ms) {
    const s = performance.now();
    await client.listRecords({
      parent: `${namespace}/results/-`,
      orderBy: "create_time desc",
      pageSize: 50,
    });
    latencies.push(performance.now() - s);
  }
  const cpu = process.cpuUsage(cpu0);
  return summarize(latencies, performance.now() - t0, cpu.user + cpu.system);
}

/** Run the command to its end; its JSON report. */
async function retentionCommand(args: string[]): Promise<CommandReport> {
  const child = spawn(process.execPath, [COMMAND, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RESULTS_CONFIG: "", LOG_LEVEL: "warn" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  if (code !== 0) throw new Error(`tekton-results-retention exited ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout) as CommandReport;
}

/** B10 on `backend` (destroys half of its data). */
export async function runRetentionBench(
  backend: BenchBackend,
  gen: DataGenerator,
  dir: string,
  smoke: boolean,
  sink: WorkloadSink,
): Promise<void> {
  const server = await startApiServer(backend.store, 1);
  try {
    const client = server.clients[0]!;
    const namespace = gen.namespaces[0]!;
    const baselineMs = smoke ? 2000 : 15_000;
    sink.log(`B10 ${backend.name}: ListRecords alone for ${baselineMs / 1000} s`);
    const alone = await listLoop(client, namespace, { done: false }, baselineMs);
    // The runs span the 90 days before the data set's end: keep the newer 45 of them.
    const keepHours = Math.round((Date.now() - gen.end.getTime()) / HOUR_MS) + 45 * 24;
    const config = join(dir, `b10-${backend.name}.yaml`);
    writeFileSync(config, `defaultRetention: ${keepHours}h\n`);
    sink.log(
      `B10 ${backend.name}: tekton-results-retention on the older half, ListRecords alongside`,
    );
    const until = { done: false };
    const deleting = retentionCommand([
      "--config",
      config,
      "--once",
      "--output",
      "json",
      ...backend.databaseArgs(),
    ]).finally(() => {
      until.done = true;
    });
    const during = await listLoop(client, namespace, until, Number.POSITIVE_INFINITY);
    const report = await deleting;
    const results = report.policies.reduce((n, r) => n + r.results, 0);
    const records = report.policies.reduce((n, r) => n + r.records, 0);
    const { method, ms } = report.longestStoreCall;
    sink.note(
      `B10 ${backend.name}: tekton-results-retention deleted ${results} Results (${records} records) in ${report.seconds.toFixed(1)} s ` +
        `(${Math.round(records / report.seconds)} records/s); its longest store call: ${method} ${ms} ms; ` +
        `failures: ${report.failures.length}; ListRecords ran ${during.ops} times alongside.`,
    );
    if (report.failures.length > 0 || results === 0) {
      throw new Error(
        `B10 ${backend.name}: ${results} Results deleted, ${report.failures.length} failures`,
      );
    }
    sink.add(
      compare(
        {
          id: "B10",
          backend: backend.name,
          workload: `ListRecords (a namespace, page 50) while retention deletes ${records} records`,
          peer: "the same requests without retention",
          ours: during,
          baseline: alone,
        },
        { kind: "latency", ratio: 2, slackMs: 0 },
      ),
    );
  } finally {
    await server.close();
  }
}
