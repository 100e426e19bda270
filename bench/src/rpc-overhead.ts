/**
 * B7: GetRecord through the full server (validation, authorization, store,
 * conversion) vs a bare connect-node service on HTTP/2 that answers the same
 * RPC with a constant Record of the same size (the peer), and vs the floor:
 * the bare service reading the record with one hand-written SELECT, at the
 * same client concurrency.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { AnySchema, RecordSchema, Results, type Record as ApiRecord } from "@tekton-results/proto";
import { createClients, startApiServer } from "./api-harness.js";
import { startBareServer, startFloorServer, type BareServer } from "./floor-service.js";
import type { BenchBackend } from "./backend.js";
import type { DataGenerator } from "./generate.js";
import { compare } from "./report.js";
import { measure } from "./stats.js";
import type { WorkloadSink } from "./workloads.js";

/** Start a bare echo server: `Results.GetRecord` answers `record` and nothing else runs. */
function startEchoServer(record: ApiRecord): Promise<BareServer> {
  return startBareServer((router) => {
    router.service(Results, {
      getRecord: (req) => ({ ...record, name: req.name }),
    });
  });
}

/** Run B7 at each concurrency against the backend's loaded store. */
export async function runRpcOverhead(
  backend: BenchBackend,
  gen: DataGenerator,
  options: { ops: number; clients: readonly number[]; loadedResults: number },
  sink: WorkloadSink,
): Promise<void> {
  // Names of stored records, spread over the data set.
  const names: string[] = [];
  const sample = Math.min(200, options.loadedResults);
  for (let i = 0; i < sample; i++) {
    const r = gen.result(Math.floor((i * options.loadedResults) / sample));
    const rec = r.records[1 + (i % 4)]!;
    names.push(`${rec.parent}/results/${rec.resultName}/records/${rec.name}`);
  }
  const first = gen.result(0).records[1]!;
  const stored = await backend.store.getRecord(first.parent, first.resultName, first.name);
  const echoRecord = create(RecordSchema, {
    name: names[0]!,
    uid: stored.uid,
    id: stored.uid,
    etag: stored.etag,
    data: create(AnySchema, { type: stored.type, value: new TextEncoder().encode(stored.data) }),
  });
  const api = await startApiServer(backend.store, Math.max(...options.clients));
  const echo = await startEchoServer(echoRecord);
  const echoClients = createClients(echo.url, Math.max(...options.clients));
  const floor = await startFloorServer({ backend }, Math.max(...options.clients));
  try {
    const fromFloor = await floor.clients[0]!.getRecord({ name: names[0]! });
    const fromApi = await api.clients[0]!.getRecord({ name: names[0]! });
    if (
      fromFloor.uid !== fromApi.uid ||
      fromFloor.data?.value.length !== fromApi.data?.value.length
    ) {
      throw new Error(`B7 ${backend.name}: the API and the floor returned other records`);
    }
    for (const clients of options.clients) {
      const ours = await measure({ ops: options.ops, concurrency: clients, warmup: 20 }, (i, w) =>
        api.clients[w]!.getRecord({ name: names[i % names.length]! }),
      );
      const floorM = await measure({ ops: options.ops, concurrency: clients, warmup: 20 }, (i, w) =>
        floor.clients[w]!.getRecord({ name: names[i % names.length]! }),
      );
      const baseline = await measure(
        { ops: options.ops, concurrency: clients, warmup: 20 },
        (i, w) => echoClients[w]!.getRecord({ name: names[i % names.length]! }),
      );
      sink.add(
        compare(
          {
            id: "B7",
            backend: backend.name,
            workload: `GetRecord (~${Math.round(stored.data.length / 100) / 10} KB), ${clients} client${clients > 1 ? "s" : ""}`,
            peer: "connect-node echo",
            floorPeer: "bare RPC + SELECT",
            ours,
            floor: floorM,
            baseline,
          },
          { kind: "throughput", ratio: 0.7 },
        ),
      );
    }
  } finally {
    await api.close();
    await echo.close();
    await floor.close();
  }
  sink.log(`B7 ${backend.name} done`);
}
