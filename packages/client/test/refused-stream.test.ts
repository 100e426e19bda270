/**
 * `retryRefusedStreams` against the real server asking its connections to
 * go every ~200 ms (`maxConnectionAgeMs`): four callers sharing one
 * connect-node transport send calls back to back; the calls refused at a
 * GOAWAY (`REFUSED_STREAM`, never processed) are sent again, so none fails,
 * and writes are not doubled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  createResultsRoutes,
  createResultsServer,
  createServerMetrics,
  type ResultsServer,
  type ServerMetrics,
} from "@tekton-results/server";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createResultsClient, jsonRecordData } from "../src/index.js";
import { retryRefusedStreams } from "../src/node/index.js";

describe("retryRefusedStreams across a server's maximum connection age", () => {
  let server: ResultsServer;
  let metrics: ServerMetrics;
  let url: string;

  beforeAll(async () => {
    metrics = createServerMetrics();
    server = createResultsServer({
      routes: createResultsRoutes({ store: createMemoryStore() }),
      metrics,
      maxConnectionAgeMs: 200,
    });
    url = (await server.listen(0, "127.0.0.1")).url;
  });
  afterAll(() => server.close({ deadlineMs: 0 }));

  it("no call of four concurrent callers fails while connections are sent away, and each create happens once", async () => {
    const client = createResultsClient(
      createGrpcTransport({ baseUrl: url, interceptors: [retryRefusedStreams()] }),
    );
    await client.createResult({ parent: "ns", result: { name: "ns/results/a" } });
    const failures: unknown[] = [];
    let calls = 0;
    let created = 0;
    const until = Date.now() + 2500;
    await Promise.all(
      [0, 1, 2, 3].map(async (caller) => {
        for (let i = 0; Date.now() < until; i++) {
          try {
            if (i % 5 === 0) {
              await client.createRecord({
                parent: "ns/results/a",
                record: {
                  name: `ns/results/a/records/c${caller}-${i}`,
                  data: jsonRecordData("tekton.dev/v1.TaskRun", { caller, i }),
                },
              });
              created++;
            } else {
              await client.getResult({ name: "ns/results/a" });
            }
            calls++;
          } catch (err) {
            failures.push(err);
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(100);
    const goaways = /tekton_results_connections_closed_for_age_total\{http="2.0"\} (\d+)/.exec(
      await metrics.render(),
    );
    expect(Number(goaways?.[1] ?? 0)).toBeGreaterThanOrEqual(5);
    const records = await client.listRecords({ parent: "ns/results/a", pageSize: 1000 });
    expect(records.records).toHaveLength(created);
  }, 20_000);
});
