/**
 * The workloads B3 (filtered lists), B4 (page walk) and B5 (summaries), each
 * measured through the real API server and next to its hand-written SQL peer
 * on the same data, in the same run; B3 and B4 also next to the floor (the
 * bare RPC service over the same SQL, `floor-service.ts`). B1 is in `ingest.ts`.
 *
 * @module
 */
import { startApiServer, type ApiHarness, type ResultsClient } from "./api-harness.js";
import {
  apiQuery,
  keysetOf,
  type BenchBackend,
  type KeysetPosition,
  type QueryCase,
  type SummaryCase,
} from "./backend.js";
import { startFloorServer, WALK_REQUEST } from "./floor-service.js";
import type { DataGenerator } from "./generate.js";
import { compare, type Comparison } from "./report.js";
import { measure, summarize, type Measurement } from "./stats.js";

export { runIngest } from "./ingest.js";

/** Sizes of the workloads. */
export interface WorkloadSizes {
  /** Records written per B1 run (each concurrency level, each side). */
  ingestRecords: number;
  /** Client concurrency levels of B1. */
  ingestClients: readonly number[];
  /** Repetitions of each B3 query (per side). */
  queryRepeats: number;
  /** Time bound of the repetitions of one B3 query on one side, ms (at least one runs). */
  queryMaxMs: number;
  /** Page size of the B4 walk. */
  walkPageSize: number;
  /** Repetitions of the B4 first-page / late-page probes and of each B5 query. */
  probeRepeats: number;
}

/** Where a workload reports what it measured. */
export interface WorkloadSink {
  add(c: Comparison): void;
  note(text: string): void;
  log(text: string): void;
}

/** The B3 questions over a data set. */
export function queryCases(gen: DataGenerator): { label: string; query: QueryCase }[] {
  // A pipeline that has runs in the data set, and its namespace.
  const sample = gen.result(Math.floor(gen.results / 2));
  const ns = sample.parent;
  const pipeline = sample.pipeline;
  const mid = (gen.start.getTime() + gen.end.getTime()) / 2;
  const prefix = pipeline.split("-").slice(0, 2).join("-") + "-";
  return [
    { label: "namespace page", query: { kind: "namespace", namespace: ns } },
    { label: "label == in one namespace", query: { kind: "label", namespace: ns, pipeline } },
    { label: "label == across -", query: { kind: "label", pipeline } },
    { label: "status failed", query: { kind: "reason", reason: "Failed" } },
    { label: "matches nothing", query: { kind: "label", pipeline: "no-such-pipeline" } },
    {
      label: "1-day time range",
      query: { kind: "time", from: new Date(mid), to: new Date(mid + 86_400_000) },
    },
    { label: `name startsWith "${prefix}"`, query: { kind: "prefix", prefix } },
  ];
}

const PAGE = 50;

/**
 * B3: the first page (50, newest first) of each question through ListRecords
 * vs the hand-written SQL; both sides must return the same uids.
 */
export async function runQueries(
  backend: BenchBackend,
  gen: DataGenerator,
  sizes: WorkloadSizes,
  sink: WorkloadSink,
): Promise<void> {
  const cases = queryCases(gen);
  const server = await startApiServer(backend.store, 1);
  const floorServer = await startFloorServer({ backend, queries: cases.map((c) => c.query) }, 1);
  const client = server.clients[0]!;
  const floorClient = floorServer.clients[0]!;
  try {
    for (const { label, query } of cases) {
      const { parent, filter } = apiQuery(query);
      const request = { parent, filter, pageSize: PAGE, orderBy: "create_time desc" };
      const list = () => client.listRecords(request);
      const floorList = () => floorClient.listRecords(request);
      const apiUids = (await list()).records.map((r) => r.uid).join(",");
      const floorUids = (await floorList()).records.map((r) => r.uid).join(",");
      const sqlUids = (await backend.listSql(query, PAGE)).rows.map((r) => r.uid).join(",");
      if (apiUids !== sqlUids || floorUids !== sqlUids) {
        throw new Error(
          `B3 ${backend.name} "${label}": the API, the floor and the SQL returned other records (${apiUids.length}, ${floorUids.length}, ${sqlUids.length} chars of uids), or in another order`,
        );
      }
      // Ten unmeasured calls first, so that the first question does not pay for JIT warm-up.
      const bounds = { ops: sizes.queryRepeats, warmup: 10, maxMs: sizes.queryMaxMs };
      const ours = await measure(bounds, list);
      const floor = await measure(bounds, floorList);
      const baseline = await measure(bounds, () => backend.listSql(query, PAGE));
      const rows = apiUids === "" ? 0 : apiUids.split(",").length;
      const noMatch = label === "matches nothing";
      sink.add(
        compare(
          {
            id: "B3",
            backend: backend.name,
            workload: `ListRecords ${label} (${rows} rows)`,
            peer: `${backend.peer} SELECT`,
            floorPeer: "bare RPC + SELECT",
            ours,
            floor,
            baseline,
          },
          { kind: "latency", ratio: 1.3, slackMs: 1 },
          noMatch ? { goal: "p50 < 50 ms", met: ours.p50Ms < 50 } : undefined,
        ),
      );
    }
  } finally {
    await server.close();
    await floorServer.close();
  }
  sink.log(`B3 ${backend.name} done`);
}

/** Walk every record through `client` with page tokens: the pages' latencies, the tokens seen. */
async function walkRpc(
  client: ResultsClient,
  pageSize: number,
): Promise<{ measurement: Measurement; total: number; tokens: string[] }> {
  const tokens: string[] = [""];
  const latencies: number[] = [];
  let total = 0;
  let token = "";
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    const s = performance.now();
    const page = await client.listRecords({ ...WALK_REQUEST, pageSize, pageToken: token });
    latencies.push(performance.now() - s);
    total += page.records.length;
    token = page.nextPageToken;
    if (token) tokens.push(token);
  } while (token);
  const cpu = process.cpuUsage(cpu0);
  return {
    measurement: summarize(latencies, performance.now() - t0, cpu.user + cpu.system),
    total,
    tokens,
  };
}

/**
 * B4: walk every record with page tokens, through the API and through the
 * floor, vs a SQL keyset walk (same page size, same order), then the page at
 * 90% of the walk vs page 1.
 */
export async function runWalk(
  backend: BenchBackend,
  sizes: WorkloadSizes,
  sink: WorkloadSink,
): Promise<void> {
  const server = await startApiServer(backend.store, 1);
  let floorServer: ApiHarness | undefined;
  const client = server.clients[0]!;
  const pageSize = sizes.walkPageSize;
  const request = { ...WALK_REQUEST, pageSize };
  try {
    const { measurement: ours, total, tokens } = await walkRpc(client, pageSize);
    floorServer = await startFloorServer({ backend }, 1);
    const floorWalk = await walkRpc(floorServer.clients[0]!, pageSize);
    // The peer.
    const sqlLatencies: number[] = [];
    let sqlTotal = 0;
    let after: KeysetPosition | undefined;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (;;) {
      const s = performance.now();
      const page = await backend.walkSql(after, pageSize);
      sqlLatencies.push(performance.now() - s);
      sqlTotal += page.rows.length;
      if (!page.more) break;
      after = keysetOf(page.rows[page.rows.length - 1]!);
    }
    const cpu = process.cpuUsage(cpu0);
    const baseline = summarize(sqlLatencies, performance.now() - t0, cpu.user + cpu.system);
    if (total !== sqlTotal || floorWalk.total !== sqlTotal) {
      throw new Error(
        `B4 ${backend.name}: the API walk saw ${total} records, the floor's ${floorWalk.total}, the SQL walk ${sqlTotal}`,
      );
    }
    sink.add(
      compare(
        {
          id: "B4",
          backend: backend.name,
          workload: `walk ${total} records, page ${pageSize}`,
          peer: `${backend.peer} keyset`,
          floorPeer: "bare RPC + keyset",
          ours,
          floor: floorWalk.measurement,
          baseline,
        },
        { kind: "wall", ratio: 1.5, slackMs: 0 },
      ),
    );
    // Page 1 vs the page at 90% of the walk.
    const late = Math.max(0, Math.floor(tokens.length * 0.9) - 1);
    const lateToken = tokens[late]!;
    const first = await measure({ ops: sizes.probeRepeats, warmup: 2 }, () =>
      client.listRecords({ ...request, pageToken: "" }),
    );
    const lateM = await measure({ ops: sizes.probeRepeats, warmup: 2 }, () =>
      client.listRecords({ ...request, pageToken: lateToken }),
    );
    sink.add(
      compare(
        {
          id: "B4",
          backend: backend.name,
          workload: `page ${late + 1} of ${tokens.length} vs page 1`,
          peer: "page 1 (ours)",
          ours: lateM,
          baseline: first,
        },
        { kind: "latency", ratio: 1.2, slackMs: 1 },
      ),
    );
  } finally {
    await server.close();
    await floorServer?.close();
  }
  sink.log(`B4 ${backend.name} done`);
}

/** The GetRecordListSummary request of each B5 question. */
export function summaryRequest(query: SummaryCase) {
  return {
    parent: "-/results/-",
    summary: "total,succeeded,failed,cancelled,avg_duration,max_duration",
    filter: "data_type == PIPELINE_RUN",
    groupBy: query === "ungrouped" ? "" : query === "pipeline" ? "pipeline" : "day",
    orderBy: "",
  };
}

/**
 * B5: GetRecordListSummary (ungrouped, by pipeline, by day) vs SQL over the
 * same rows; false (nothing ran) when the store or the peer has no summaries.
 */
export async function runSummaries(
  backend: BenchBackend,
  sizes: WorkloadSizes,
  sink: WorkloadSink,
): Promise<boolean> {
  const sql = backend.summarySql?.bind(backend);
  const store = backend.store as { summarizeRecords?: unknown };
  if (
    sql === undefined ||
    !backend.store.capabilities.recordListSummary ||
    typeof store.summarizeRecords !== "function"
  ) {
    return false;
  }
  const server = await startApiServer(backend.store, 1);
  const client: ResultsClient = server.clients[0]!;
  try {
    for (const query of ["ungrouped", "pipeline", "day"] as const) {
      const request = summaryRequest(query);
      const apiRows = (await client.getRecordListSummary(request)).summary.length;
      const sqlRows = (await sql(query)).length;
      if (apiRows !== sqlRows) {
        throw new Error(
          `B5 ${backend.name} ${query}: the API returned ${apiRows} groups, the SQL ${sqlRows}`,
        );
      }
      const ours = await measure({ ops: sizes.probeRepeats, warmup: 1 }, () =>
        client.getRecordListSummary(request),
      );
      const baseline = await measure({ ops: sizes.probeRepeats, warmup: 1 }, () => sql(query));
      sink.add(
        compare(
          {
            id: "B5",
            backend: backend.name,
            workload: `summary ${query === "ungrouped" ? "ungrouped" : `group_by ${query}`} (${apiRows} rows)`,
            peer: `${backend.peer} GROUP BY`,
            ours,
            baseline,
          },
          { kind: "latency", ratio: 1.5, slackMs: 0 },
        ),
      );
    }
  } finally {
    await server.close();
  }
  sink.log(`B5 ${backend.name} done`);
  return true;
}
