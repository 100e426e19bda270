/**
 * B1 (ingest): CreateRecord then UpdateRecord of the same records through the
 * real API server, through the floor service (bare connect-node + the same
 * single-row INSERT / UPDATE), and as those statements in process, at each
 * concurrency. Each side writes into its own fresh database.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { AnySchema, RecordSchema } from "@tekton-results/proto";
import type { ResultsStore } from "@tekton-results/storage";
import { startApiServer, type ResultsClient } from "./api-harness.js";
import { rawInput, rawUpdate, type BenchBackend } from "./backend.js";
import { startFloorServer } from "./floor-service.js";
import type { DataGenerator, GeneratedRecord, GeneratedResult } from "./generate.js";
import { compare } from "./report.js";
import { measure, type Measurement } from "./stats.js";
import type { WorkloadSink, WorkloadSizes } from "./workloads.js";

const encoder = new TextEncoder();

function recordName(r: GeneratedRecord): string {
  return `${r.parent}/results/${r.resultName}/records/${r.name}`;
}

function apiRecord(r: GeneratedRecord, data: string) {
  return create(RecordSchema, {
    name: recordName(r),
    data: create(AnySchema, { type: r.type, value: encoder.encode(data) }),
  });
}

/** Create `results` in `store` directly (the set-up of an ingest through the API, not timed). */
export async function createResults(
  store: ResultsStore,
  results: readonly GeneratedResult[],
): Promise<void> {
  for (const r of results) {
    await store.createResult({
      parent: r.parent,
      name: r.name,
      uid: r.uid,
      annotations: r.annotations,
      createTime: r.createTime,
      updateTime: r.createTime,
      etag: `${r.uid}-0`,
    });
  }
}

/** Creates then updates of `records` by `clients` (ours or the floor's), one client per worker. */
async function rpcIngest(
  clients: readonly ResultsClient[],
  records: readonly GeneratedRecord[],
): Promise<[Measurement, Measurement]> {
  const concurrency = clients.length;
  const created = await measure({ ops: records.length, concurrency }, (i, w) => {
    const rec = records[i]!;
    return clients[w]!.createRecord({
      parent: `${rec.parent}/results/${rec.resultName}`,
      record: apiRecord(rec, rec.runningData),
    });
  });
  const updated = await measure({ ops: records.length, concurrency }, (i, w) =>
    clients[w]!.updateRecord({ record: apiRecord(records[i]!, records[i]!.data) }),
  );
  return [created, updated];
}

/**
 * B1: CreateRecord then UpdateRecord of `ingestRecords` records through the
 * API and through the floor at each concurrency, vs single-row INSERT /
 * UPDATE of the same rows at the same concurrency.
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
    let ours: [Measurement, Measurement];
    try {
      await createResults(fresh.store, results);
      ours = await rpcIngest(server.clients, records);
    } finally {
      await server.close();
      await fresh.close();
    }
    // The floor: the bare service whose handlers run the peer's statements.
    const floorDb = await backend.freshRaw();
    let floor: [Measurement, Measurement];
    try {
      for (const r of results) await floorDb.insertResult(r);
      const floorServer = await startFloorServer({ ingest: floorDb }, clients);
      try {
        floor = await rpcIngest(floorServer.clients, records);
      } finally {
        await floorServer.close();
      }
    } finally {
      await floorDb.close();
    }
    // The peer: raw single-row statements in process.
    const raw = await backend.freshRaw();
    let rawCreate: Measurement;
    let rawUpdate_: Measurement;
    try {
      for (const r of results) await raw.insertResult(r);
      rawCreate = await measure({ ops: records.length, concurrency: clients }, (i) =>
        raw.insertRecord(rawInput(records[i]!, records[i]!.runningData)),
      );
      rawUpdate_ = await measure({ ops: records.length, concurrency: clients }, (i) =>
        raw.updateRecord(rawUpdate(records[i]!, records[i]!.data)),
      );
    } finally {
      await raw.close();
    }
    const goal = { kind: "throughput", ratio: 0.8 } as const;
    const label = `${clients} client${clients > 1 ? "s" : ""}`;
    const sides = [
      ["CreateRecord", "INSERT", ours[0], floor[0], rawCreate],
      ["UpdateRecord", "UPDATE", ours[1], floor[1], rawUpdate_],
    ] as const;
    for (const [rpc, statement, o, f, b] of sides) {
      sink.add(
        compare(
          {
            id: "B1",
            backend: backend.name,
            workload: `${rpc}, ${label}`,
            peer: `${backend.peer} ${statement}`,
            floorPeer: `bare RPC + ${statement}`,
            ours: o,
            floor: f,
            baseline: b,
          },
          goal,
        ),
      );
    }
    sink.log(`B1 ${backend.name} ${clients} clients done`);
  }
}
