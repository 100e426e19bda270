/**
 * createRestTransport against a real server's REST gateway: every kind of route (GET with a
 * query, POST and PATCH with a body field, DELETE, the summary), the log as a server stream of
 * HttpBody chunks, errors as the same codes as over gRPC, and the fallback of a method without a
 * route (the client stream UpdateLog).
 */
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  createResultsRoutes,
  createResultsServer,
  type ResultsServer,
} from "@tekton-results/server";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Code,
  ConnectError,
  createLogsClient,
  createRestFetchClient,
  createRestTransport,
  createResultsClient,
  jsonRecordData,
} from "../src/index.js";

let server: ResultsServer;
let url: string;
const paths: string[] = [];

beforeAll(async () => {
  server = createResultsServer({
    routes: createResultsRoutes({ store: createMemoryStore(), logs: createMemoryLogStore() }),
  });
  url = (await server.listen(0, "127.0.0.1")).url;
});
afterAll(async () => {
  await server?.close({ deadlineMs: 0 });
});

/** fetch, noting each request's method and path (what went over the wire). */
const recordingFetch: typeof fetch = (input, init) => {
  const req = new Request(input, init);
  paths.push(`${req.method} ${new URL(req.url).pathname}`);
  return fetch(req);
};

describe("createRestTransport", () => {
  it("creates, reads, updates, lists, summarizes and deletes over the REST paths", async () => {
    const transport = createRestTransport({
      baseUrl: url,
      httpClient: createRestFetchClient(recordingFetch),
    });
    const client = createResultsClient(transport);
    await client.createResult({ parent: "ns", result: { name: "ns/results/r1" } });
    const data = jsonRecordData("tekton.dev/v1.PipelineRun", {
      metadata: { name: "p" },
      status: { conditions: [{ reason: "Succeeded" }] },
    });
    await client.createRecord({
      parent: "ns/results/r1",
      record: { name: "ns/results/r1/records/x", data },
    });
    const got = await client.getRecord({ name: "ns/results/r1/records/x" });
    expect(new TextDecoder().decode(got.data?.value)).toContain('"name":"p"');
    const updated = await client.updateRecord({
      record: {
        ...got,
        data: jsonRecordData("tekton.dev/v1.PipelineRun", { metadata: { name: "q" } }),
      },
    });
    expect(new TextDecoder().decode(updated.data?.value)).toContain('"name":"q"');
    const listed = await client.listRecords({
      parent: "ns/results/-",
      filter: 'data.metadata.name == "q"',
      pageSize: 5,
    });
    expect(listed.records.map((r) => r.name)).toEqual(["ns/results/r1/records/x"]);
    const summary = await client.getRecordListSummary({ parent: "ns/results/-", summary: "total" });
    expect(summary.summary).toEqual([{ total: 1 }]);
    await client.deleteRecord({ name: "ns/results/r1/records/x" });
    expect(paths).toEqual([
      "POST /apis/results.tekton.dev/v1alpha2/parents/ns/results",
      "POST /apis/results.tekton.dev/v1alpha2/parents/ns/results/r1/records",
      "GET /apis/results.tekton.dev/v1alpha2/parents/ns/results/r1/records/x",
      "PATCH /apis/results.tekton.dev/v1alpha2/parents/ns/results/r1/records/x",
      "GET /apis/results.tekton.dev/v1alpha2/parents/ns/results/-/records",
      "GET /apis/results.tekton.dev/v1alpha2/parents/ns/results/-/records/summary",
      "DELETE /apis/results.tekton.dev/v1alpha2/parents/ns/results/r1/records/x",
    ]);
  });

  it("errors keep their code and message", async () => {
    const client = createResultsClient(createRestTransport({ baseUrl: url }));
    const err = await client
      .getRecord({ name: "ns/results/none/records/none" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
    const bad = await client
      .listRecords({ parent: "ns/results/-", filter: "data.(" })
      .catch((e: unknown) => e);
    expect((bad as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("reads a log as a stream of HttpBody chunks; UpdateLog goes to the fallback", async () => {
    const fallback = createGrpcTransport({ baseUrl: url });
    const transport = createRestTransport({ baseUrl: url, fallback });
    const results = createResultsClient(transport);
    const logs = createLogsClient(transport);
    await results.createResult({ parent: "ns", result: { name: "ns/results/r2" } });
    await results.createRecord({
      parent: "ns/results/r2",
      record: {
        name: "ns/results/r2/records/l",
        data: jsonRecordData("results.tekton.dev/v1alpha3.Log", { kind: "Log" }),
      },
    });
    const text = "line 1\n".repeat(20_000);
    await logs.uploadLog("ns/results/r2/logs/l", [text]);
    expect(await logs.readLogText("ns/results/r2/logs/l")).toBe(text);
    const without = createLogsClient(createRestTransport({ baseUrl: url }));
    await expect(without.uploadLog("ns/results/r2/logs/l", ["x"])).rejects.toThrow(
      /UpdateLog has no REST route/,
    );
  });
});
