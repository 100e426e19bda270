/**
 * B8: `tkn-results export` and `tkn-results import`, the real CLI processes, on one namespace of
 * the loaded data set, each next to its peer from the same run:
 *
 * - export (the CLI writing the NDJSON stream of the namespace's Results and Records) against the
 *   SDK fetching the same Results and Records in the same pages in process;
 * - import (the CLI loading that stream into a fresh, empty store of the same backend) against the
 *   SDK creating the same Results and Records one call at a time into another fresh store.
 *
 * Both CLI figures include the process's start, measured alone (`tkn-results --help`) and allowed
 * on top of the goal of 3x the peer's time; the imported store is checked to hold every record,
 * byte for byte.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Record as ResultRecord, Result } from "@tekton-results/proto";
import type { ResultsStore } from "@tekton-results/storage";
import { startApiServer, type ResultsClient } from "./api-harness.js";
import type { BenchBackend } from "./backend.js";
import type { DataGenerator } from "./generate.js";
import { compare } from "./report.js";
import { summarize, type Measurement } from "./stats.js";
import type { WorkloadSink } from "./workloads.js";

/** The built CLI (`npm ci` builds it; the bench runs after). */
const CLI = resolve(fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url)));

/** Records per page, the export's default. */
const PAGE = 100;

/** Run the CLI to its end; its wall time, or an error with its standard error. */
async function runCli(args: string[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, KUBECONFIG: "", NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  if (code !== 0) throw new Error(`tkn-results ${args[0]} exited ${code}: ${stderr.trim()}`);
  return performance.now() - t0;
}

/**
 * A wall-time measurement of `ops` items done in `wallMs` (one "latency": the whole run). CPU is
 * not measured (NaN, shown as –): the CLI's is in its own process, the server's in this one.
 */
function wall(ops: number, wallMs: number): Measurement {
  const m = summarize([wallMs], wallMs, 0);
  return { ...m, ops, opsPerSec: wallMs > 0 ? (ops * 1000) / wallMs : 0, cpuUsPerOp: NaN };
}

/** The CLI's start and exit alone: the median of three `tkn-results --help`. */
async function startCost(): Promise<number> {
  const times = [];
  for (let i = 0; i < 3; i++) times.push(await runCli(["--help"]));
  return times.sort((a, b) => a - b)[1]!;
}

/** The namespace's Results and Records, fetched in pages as the export fetches them. */
async function fetchNamespace(
  client: ResultsClient,
  namespace: string,
): Promise<{ results: Result[]; records: ResultRecord[] }> {
  const results: Result[] = [];
  const records: ResultRecord[] = [];
  let token = "";
  do {
    const page = await client.listResults({ parent: namespace, pageSize: PAGE, pageToken: token });
    results.push(...page.results);
    token = page.nextPageToken;
  } while (token !== "");
  do {
    const page = await client.listRecords({
      parent: `${namespace}/results/-`,
      pageSize: PAGE,
      pageToken: token,
    });
    records.push(...page.records);
    token = page.nextPageToken;
  } while (token !== "");
  return { results, records };
}

/** Every record of `namespace` in `store`, by name, to compare an import with its source. */
async function recordsOf(client: ResultsClient, namespace: string): Promise<Map<string, string>> {
  const { records } = await fetchNamespace(client, namespace);
  return new Map(
    records.map((r) => [r.name, `${r.data?.type}\n${Buffer.from(r.data?.value ?? []).toString()}`]),
  );
}

async function withServer<T>(
  store: ResultsStore,
  body: (url: string, client: ResultsClient) => Promise<T>,
): Promise<T> {
  const server = await startApiServer(store, 1);
  try {
    return await body(server.url, server.clients[0]!);
  } finally {
    await server.close();
  }
}

/** B8 on `backend`: export then import one namespace through the CLI, next to the SDK. */
export async function runTransfer(
  backend: BenchBackend,
  gen: DataGenerator,
  dir: string,
  sink: WorkloadSink,
): Promise<void> {
  const namespace = gen.namespaces[0]!;
  const file = join(dir, `b8-${backend.name}.ndjson`);
  // The goals allow the process's start on top of 3x the peer's time.
  const startMs = await startCost();
  const goal = { kind: "wall", ratio: 3, slackMs: Math.ceil(startMs) } as const;
  sink.note(
    `B8 ${backend.name}: the CLI's start and exit alone (tkn-results --help) took ${Math.round(startMs)} ms.`,
  );
  const source = await withServer(backend.store, async (url, client) => {
    sink.log(`B8 ${backend.name}: export of namespace ${namespace}`);
    const peerStart = performance.now();
    const data = await fetchNamespace(client, namespace);
    const peerMs = performance.now() - peerStart;
    const oursMs = await runCli(["export", namespace, "--host", url, "--output", file, "-q"]);
    const records = data.records.length;
    sink.add(
      compare(
        {
          id: "B8",
          backend: backend.name,
          workload: `tkn-results export: ${records} records, ${data.results.length} results (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB NDJSON)`,
          peer: "SDK ListResults + ListRecords, same pages",
          ours: wall(records, oursMs),
          baseline: wall(records, peerMs),
          unit: "records",
        },
        goal,
      ),
    );
    return { data, expected: await recordsOf(client, namespace) };
  });

  const { records, results } = source.data;
  sink.log(`B8 ${backend.name}: import of ${records.length} records`);
  const ours = await backend.freshStore();
  const peer = await backend.freshStore();
  try {
    const oursMs = await withServer(ours.store, async (url, client) => {
      const ms = await runCli(["import", file, "--host", url, "-q"]);
      const got = await recordsOf(client, namespace);
      const same = [...source.expected].every(([name, data]) => got.get(name) === data);
      if (got.size !== source.expected.size || !same) {
        throw new Error(
          `B8 ${backend.name}: the import holds ${got.size} records of ${source.expected.size}, or other data`,
        );
      }
      return ms;
    });
    const peerMs = await withServer(peer.store, async (_url, client) => {
      const t0 = performance.now();
      for (const result of results) {
        await client.createResult({ parent: namespace, result: { name: result.name } });
      }
      for (const record of records) {
        const parent = record.name.slice(0, record.name.indexOf("/records/"));
        await client.createRecord({ parent, record: { name: record.name, data: record.data } });
      }
      return performance.now() - t0;
    });
    sink.add(
      compare(
        {
          id: "B8",
          backend: backend.name,
          workload: `tkn-results import: ${records.length} records, ${results.length} results, into an empty store`,
          peer: "SDK CreateResult + CreateRecord, one at a time",
          ours: wall(records.length, oursMs),
          baseline: wall(records.length, peerMs),
          unit: "records",
        },
        goal,
      ),
    );
  } finally {
    await ours.close();
    await peer.close();
  }
}
