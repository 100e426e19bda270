import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { Logs, RecordSchema, type ListRecordsRequest } from "@tekton-results/proto";
import { describe, expect, it } from "vitest";
import { createLogsClient } from "./logs-client.js";

const NAME = "ns/results/r/logs/x";

function createFakeLogs() {
  const stored = new Map<string, Uint8Array[]>();
  const listRequests: ListRecordsRequest[] = [];
  const transport = createRouterTransport((router) => {
    router.service(Logs, {
      async *getLog(req) {
        const chunks = stored.get(req.name);
        if (chunks === undefined) throw new ConnectError("log not found", Code.NotFound);
        for (const data of chunks) yield { contentType: "text/plain", data };
      },
      async updateLog(reqs) {
        let name = "";
        let bytes = 0n;
        const chunks: Uint8Array[] = [];
        for await (const req of reqs) {
          if (name === "") name = req.name;
          if (req.name !== name) throw new ConnectError("name changed", Code.InvalidArgument);
          chunks.push(req.data);
          bytes += BigInt(req.data.byteLength);
        }
        stored.set(name, chunks);
        return { record: name.replace("/logs/", "/records/"), bytesReceived: bytes };
      },
      listLogs(req) {
        listRequests.push(req);
        const start = req.pageToken === "" ? 0 : Number(req.pageToken);
        const records = [start, start + 1]
          .filter((i) => i < 3)
          .map((i) => create(RecordSchema, { name: `ns/results/r/records/l${i}` }));
        return { records, nextPageToken: start + 2 < 3 ? String(start + 2) : "" };
      },
    });
  });
  return { transport, stored, listRequests };
}

describe("createLogsClient", () => {
  it("uploads a log in chunks and reads it back whole", async () => {
    const fake = createFakeLogs();
    const client = createLogsClient(fake.transport);
    const summary = await client.uploadLog(NAME, [
      "hello ",
      new TextEncoder().encode("wörld"),
      "\n",
    ]);
    expect(summary.record).toBe("ns/results/r/records/x");
    expect(summary.bytesReceived).toBe(
      BigInt(new TextEncoder().encode("hello wörld\n").byteLength),
    );
    expect(fake.stored.get(NAME)).toHaveLength(3);
    expect(await client.readLogText(NAME)).toBe("hello wörld\n");
    expect(await client.readLog(NAME)).toEqual(new TextEncoder().encode("hello wörld\n"));
  });

  it("accepts an async iterable of chunks", async () => {
    const fake = createFakeLogs();
    const client = createLogsClient(fake.transport);
    async function* chunks() {
      yield "a";
      yield "b";
    }
    await client.uploadLog(NAME, chunks());
    expect(await client.readLogText(NAME)).toBe("ab");
  });

  it("reads an empty stored log as empty bytes and a missing one as NotFound", async () => {
    const fake = createFakeLogs();
    fake.stored.set(NAME, []);
    const client = createLogsClient(fake.transport);
    expect((await client.readLog(NAME)).byteLength).toBe(0);
    const err: unknown = await client.readLog("ns/results/r/logs/missing").catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });

  it("walks every page of ListLogs", async () => {
    const fake = createFakeLogs();
    const client = createLogsClient(fake.transport);
    const names: string[] = [];
    for await (const r of client.listAllLogs({ parent: "ns/results/r" }, { pageSize: 2 }))
      names.push(r.name);
    expect(names).toEqual([
      "ns/results/r/records/l0",
      "ns/results/r/records/l1",
      "ns/results/r/records/l2",
    ]);
    expect(fake.listRequests.map((r) => r.pageToken)).toEqual(["", "2"]);
  });
});
