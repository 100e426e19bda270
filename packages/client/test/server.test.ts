/**
 * The client against the real Results routes of `@tekton-results/server`
 * (over the in-memory reference store), on real sockets: gRPC and Connect
 * over HTTP/2 with connect-node, Connect and gRPC-Web over HTTP/1.1 with the
 * fetch-based transports of connect-web (what browsers use).
 */
import {
  createConnectTransport as createNodeConnectTransport,
  createGrpcTransport,
} from "@connectrpc/connect-node";
import {
  createConnectTransport as createWebConnectTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-web";
import type { Transport } from "@connectrpc/connect";
import { createResultsRoutes } from "@tekton-results/server";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createResultsClient,
  formatRecordName,
  formatResultName,
  isAlreadyExists,
  isFailedPrecondition,
  isInvalidArgument,
  isNotFound,
  jsonRecordData,
  parseRecordName,
  RECORD_TYPES,
  recordData,
  RecordSummary_Status,
  type ResultsClient,
} from "../src/index.js";
import { serveHttp1, serveHttp2, type TestServer } from "./support/serve.js";

interface PipelineRunDoc {
  kind: string;
  metadata: { name: string; namespace: string; labels: { [key: string]: string } };
  status: { conditions: { reason: string }[] };
}

function pipelineRun(name: string, pipeline: string, reason: string): PipelineRunDoc {
  return {
    kind: "PipelineRun",
    metadata: { name, namespace: "team-a", labels: { "tekton.dev/pipeline": pipeline } },
    status: { conditions: [{ reason }] },
  };
}

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

/** The same scenario over every transport. */
function scenario(label: string, makeTransport: (h2: TestServer, h1: TestServer) => Transport) {
  describe(`over ${label}`, () => {
    let h2: TestServer;
    let h1: TestServer;
    let client: ResultsClient;

    beforeAll(async () => {
      const routes = createResultsRoutes({ store: createMemoryStore() });
      h2 = await serveHttp2(routes);
      h1 = await serveHttp1(routes);
      client = createResultsClient(makeTransport(h2, h1));
    });

    afterAll(async () => {
      await h2?.close();
      await h1?.close();
    });

    it("creates, reads, updates and deletes a Result and its Records", async () => {
      const name = formatResultName("team-a", "build-1");
      const created = await client.createResult({
        parent: "team-a",
        result: { name, annotations: { repo: "example" } },
      });
      expect(created.name).toBe(name);
      expect(created.uid).not.toBe("");
      expect(created.etag.startsWith(`${created.uid}-`)).toBe(true);
      expect((await client.getResult({ name })).annotations).toEqual({ repo: "example" });

      const err: unknown = await client
        .createResult({ parent: "team-a", result: { name } })
        .catch((e: unknown) => e);
      expect(isAlreadyExists(err)).toBe(true);

      const recordName = formatRecordName("team-a", "build-1", "run-1");
      const doc = pipelineRun("run-1", "build", "Succeeded");
      const record = await client.createRecord({
        parent: name,
        record: { name: recordName, data: jsonRecordData(RECORD_TYPES.PIPELINE_RUN, doc) },
      });
      expect(parseRecordName(record.name)).toEqual({
        parent: "team-a",
        result: "build-1",
        record: "run-1",
      });
      expect(record.data?.type).toBe(RECORD_TYPES.PIPELINE_RUN);
      expect(recordData<PipelineRunDoc>(await client.getRecord({ name: recordName }))).toEqual(doc);

      const updated = await client.updateResult({
        name,
        etag: created.etag,
        result: {
          name,
          annotations: { repo: "example", stage: "done" },
          summary: {
            record: recordName,
            type: RECORD_TYPES.PIPELINE_RUN,
            status: RecordSummary_Status.SUCCESS,
          },
        },
      });
      expect(updated.etag).not.toBe(created.etag);
      expect(updated.summary?.status).toBe(RecordSummary_Status.SUCCESS);
      const stale: unknown = await client
        .updateResult({ name, etag: created.etag, result: { name } })
        .catch((e: unknown) => e);
      expect(isFailedPrecondition(stale)).toBe(true);

      await client.deleteResult({ name });
      expect(isNotFound(await client.getResult({ name }).catch((e: unknown) => e))).toBe(true);
      expect(
        isNotFound(await client.getRecord({ name: recordName }).catch((e: unknown) => e)),
      ).toBe(true);
    });

    it("walks every page of a filtered record list across results", async () => {
      for (const result of ["walk-1", "walk-2"]) {
        await client.createResult({
          parent: "team-b",
          result: { name: formatResultName("team-b", result) },
        });
        for (let i = 0; i < 6; i++) {
          const reason = i % 3 === 0 ? "Failed" : "Succeeded";
          await client.createRecord({
            parent: formatResultName("team-b", result),
            record: {
              name: formatRecordName("team-b", result, `run-${i}`),
              data: jsonRecordData(
                RECORD_TYPES.PIPELINE_RUN,
                pipelineRun(`run-${i}`, result, reason),
              ),
            },
          });
        }
      }
      const all = await collect(
        client.listAllRecords({ parent: "team-b/results/-" }, { pageSize: 5 }),
      );
      expect(all).toHaveLength(12);
      expect(new Set(all.map((r) => r.name)).size).toBe(12);

      const succeeded = await collect(
        client.listAllRecords(
          {
            parent: "team-b/results/-",
            filter: `data_type == PIPELINE_RUN && data.status.conditions[0].reason == "Succeeded"`,
          },
          { pageSize: 3 },
        ),
      );
      expect(succeeded).toHaveLength(8);
      expect(
        succeeded.every(
          (r) => recordData<PipelineRunDoc>(r)?.status.conditions[0]?.reason === "Succeeded",
        ),
      ).toBe(true);

      const results = await collect(client.listAllResults({ parent: "team-b" }, { pageSize: 1 }));
      expect(results.map((r) => r.name).sort()).toEqual([
        "team-b/results/walk-1",
        "team-b/results/walk-2",
      ]);
    });

    it("reports a malformed filter as InvalidArgument", async () => {
      const err: unknown = await collect(
        client.listAllRecords({ parent: "team-b/results/-", filter: "data.status ==" }),
      ).catch((e: unknown) => e);
      expect(isInvalidArgument(err)).toBe(true);
    });
  });
}

scenario("gRPC on HTTP/2 (connect-node)", (h2) => createGrpcTransport({ baseUrl: h2.baseUrl }));
scenario("Connect on HTTP/2 (connect-node)", (h2) =>
  createNodeConnectTransport({ baseUrl: h2.baseUrl, httpVersion: "2" }),
);
scenario("Connect on fetch (connect-web, as in a browser)", (_h2, h1) =>
  createWebConnectTransport({ baseUrl: h1.baseUrl }),
);
scenario("gRPC-Web on fetch (connect-web, as in a browser)", (_h2, h1) =>
  createGrpcWebTransport({ baseUrl: h1.baseUrl }),
);
