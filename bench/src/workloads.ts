/**
 * The workloads B1 (ingest), B3 (filtered lists), B4 (page walk) and B5
 * (summaries), each measured through the real API server and next to its
 * hand-written SQL peer on the same data, in the same run.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { AnySchema, RecordSchema } from "@tekton-results/proto";
import { startApiServer, type ResultsClient } from "./api-harness.js";
import {
  apiQuery,
  type BenchBackend,
  type KeysetPosition,
  type QueryCase,
  type SummaryCase,
} from "./backend.js";
import type { DataGenerator, GeneratedRecord, GeneratedResult } from "./generate.js";
import { compare, type Comparison } from "./report.js";
import { measure, summarize, type Measurement } from "./stats.js";

const encoder = new TextEncoder();

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

function recordName(r: GeneratedRecord): string {
  return `${r.parent}/results/${r.resultName}/records/${r.name}`;
}

function apiRecord(r: GeneratedRecord, data: string) {
  return create(RecordSchema, {
    name: recordName(r),
    data: create(AnySchema, { type: r.type, value: encoder.encode(data) }),
  });
}

/**
 * B1: CreateRecord then UpdateRecord of `ingestRecords` records through the
 * API at each concurrency, vs single-row INSERT / UPDATE of the same rows at
 * the same concurrency. Each side writes into its own fresh database.
 */
export async function runIngest(
  backend: BenchBackend,
  gen: DataGenerator,
  sizes: WorkloadSizes,
  sink: WorkloadSink,
): Promise<void> {
  const resultCount = Math.max(1, Math.ceil(sizes.ingestRecords / 5));
  const results: GeneratedResult[] = [];
  for (let i = 0; i < resultCount; i++) results.push(gen.result(i));
  const records = results.flatMap((r) => r.records).slice(0, sizes.ingestRecords);
  for (const clients of sizes.ingestClients) {
    // Ours: the full server over a fresh store.
    const fresh = await backend.freshStore();
    const server = await startApiServer(fresh.store, clients);
    let oursCreate: Measurement;
    let oursUpdate: Measurement;
    try {
      for (const r of results) {
        await fresh.store.createResult({
          parent: r.parent,
          name: r.name,
          uid: r.uid,
          annotations: r.annotations,
          createTime: r.createTime,
          updateTime: r.createTime,
          etag: `${r.uid}-0`,
        });
      }
      const c = server.clients;
      oursCreate = await measure({ ops: records.length, concurrency: clients }, (i, w) => {
        const rec = records[i]!;
        return c[w]!.createRecord({
          parent: `${rec.parent}/results/${rec.resultName}`,
          record: apiRecord(rec, rec.runningData),
        });
      });
      oursUpdate = await measure({ ops: records.length, concurrency: clients }, (i, w) =>
        c[w]!.updateRecord({ record: apiRecord(records[i]!, records[i]!.data) }),
      );
    } finally {
      await server.close();
      await fresh.close();
    }
    // The peer: raw single-row statements.
    const raw = await backend.freshRaw();
    let rawCreate: Measurement;
    let rawUpdate: Measurement;
    try {
      for (const r of results) await raw.insertResult(r);
      rawCreate = await measure({ ops: records.length, concurrency: clients }, (i) =>
        raw.insertRecord(records[i]!, records[i]!.runningData),
      );
      rawUpdate = await measure({ ops: records.length, concurrency: clients }, (i) =>
        raw.updateRecord(records[i]!, records[i]!.data),
      );
    } finally {
      await raw.close();
    }
    const goal = { kind: "throughput", ratio: 0.8 } as const;
    sink.add(
      compare(
        {
          id: "B1",
          backend: backend.name,
          workload: `CreateRecord, ${clients} client${clients > 1 ? "s" : ""}`,
          peer: `${backend.peer} INSERT`,
          ours: oursCreate,
          baseline: rawCreate,
        },
        goal,
      ),
    );
    sink.add(
      compare(
        {
          id: "B1",
          backend: backend.name,
          workload: `UpdateRecord, ${clients} client${clients > 1 ? "s" : ""}`,
          peer: `${backend.peer} UPDATE`,
          ours: oursUpdate,
          baseline: rawUpdate,
        },
        goal,
      ),
    );
    sink.log(`B1 ${backend.name} ${clients} clients done`);
  }
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
  const server = await startApiServer(backend.store, 1);
  const client = server.clients[0]!;
  try {
    for (const { label, query } of queryCases(gen)) {
      const { parent, filter } = apiQuery(query);
      const list = () =>
        client.listRecords({ parent, filter, pageSize: PAGE, orderBy: "create_time desc" });
      const [apiPage, sqlUids] = [await list(), await backend.listSql(query, PAGE)];
      const apiUids = apiPage.records.map((r) => r.uid);
      if (apiUids.join(",") !== sqlUids.join(",")) {
        throw new Error(
          `B3 ${backend.name} "${label}": the API returned ${apiUids.length} records, the SQL ${sqlUids.length}, or in another order`,
        );
      }
      // Ten unmeasured calls first, so that the first question does not pay for JIT warm-up.
      const bounds = { ops: sizes.queryRepeats, warmup: 10, maxMs: sizes.queryMaxMs };
      const ours = await measure(bounds, list);
      const baseline = await measure(bounds, () => backend.listSql(query, PAGE));
      const noMatch = label === "matches nothing";
      sink.add(
        compare(
          {
            id: "B3",
            backend: backend.name,
            workload: `ListRecords ${label} (${apiUids.length} rows)`,
            peer: `${backend.peer} SELECT`,
            ours,
            baseline,
          },
          { kind: "latency", ratio: 1.3, slackMs: 1 },
          noMatch ? { goal: "p50 < 50 ms", met: ours.p50Ms < 50 } : undefined,
        ),
      );
    }
  } finally {
    await server.close();
  }
  sink.log(`B3 ${backend.name} done`);
}

/**
 * B4: walk every record with page tokens vs a SQL keyset walk (same page
 * size, same order), then the page at 90% of the walk vs page 1.
 */
export async function runWalk(
  backend: BenchBackend,
  sizes: WorkloadSizes,
  sink: WorkloadSink,
): Promise<void> {
  const server = await startApiServer(backend.store, 1);
  const client = server.clients[0]!;
  const pageSize = sizes.walkPageSize;
  const request = { parent: "-/results/-", filter: "", pageSize, orderBy: "create_time asc" };
  try {
    // Ours.
    const tokens: string[] = [""];
    const latencies: number[] = [];
    let total = 0;
    let token = "";
    let cpu0 = process.cpuUsage();
    let t0 = performance.now();
    do {
      const s = performance.now();
      const page = await client.listRecords({ ...request, pageToken: token });
      latencies.push(performance.now() - s);
      total += page.records.length;
      token = page.nextPageToken;
      if (token) tokens.push(token);
    } while (token);
    let cpu = process.cpuUsage(cpu0);
    const ours = summarize(latencies, performance.now() - t0, cpu.user + cpu.system);
    // The peer.
    const sqlLatencies: number[] = [];
    let sqlTotal = 0;
    let after: KeysetPosition | undefined;
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    for (;;) {
      const s = performance.now();
      const rows = await backend.walkSql(after, pageSize);
      sqlLatencies.push(performance.now() - s);
      sqlTotal += rows.length;
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1];
    }
    cpu = process.cpuUsage(cpu0);
    const baseline = summarize(sqlLatencies, performance.now() - t0, cpu.user + cpu.system);
    if (total !== sqlTotal) {
      throw new Error(
        `B4 ${backend.name}: the API walk saw ${total} records, the SQL walk ${sqlTotal}`,
      );
    }
    sink.add(
      compare(
        {
          id: "B4",
          backend: backend.name,
          workload: `walk ${total} records, page ${pageSize}`,
          peer: `${backend.peer} keyset`,
          ours,
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
