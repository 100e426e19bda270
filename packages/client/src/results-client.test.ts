import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import {
  RecordSchema,
  ResultSchema,
  Results,
  type ListRecordsRequest,
  type ListResultsRequest,
  type Record,
  type Result,
} from "@tekton-results/proto";
import { describe, expect, it } from "vitest";
import { createResultsClient } from "./results-client.js";

/** A fake Results service holding `count` results and records, paging by offset tokens. */
function createFake(
  count: number,
  options: { stuckToken?: boolean; onList?: () => Promise<void> } = {},
) {
  const results: Result[] = Array.from({ length: count }, (_, i) =>
    create(ResultSchema, { name: `ns/results/r${String(i).padStart(2, "0")}` }),
  );
  const records: Record[] = Array.from({ length: count }, (_, i) =>
    create(RecordSchema, { name: `ns/results/r/records/x${String(i).padStart(2, "0")}` }),
  );
  const resultRequests: ListResultsRequest[] = [];
  const recordRequests: ListRecordsRequest[] = [];
  function page<T>(items: T[], req: { pageSize: number; pageToken: string }) {
    const size = req.pageSize === 0 ? 50 : req.pageSize;
    const start = req.pageToken === "" ? 0 : Number(req.pageToken);
    const end = Math.min(start + size, items.length);
    const next =
      end < items.length ? (options.stuckToken ? req.pageToken || "0" : String(end)) : "";
    return { items: items.slice(start, end), next };
  }
  const transport = createRouterTransport((router) => {
    router.service(Results, {
      async listResults(req) {
        resultRequests.push(req);
        await options.onList?.();
        const { items, next } = page(results, req);
        return { results: items, nextPageToken: next };
      },
      async listRecords(req) {
        recordRequests.push(req);
        await options.onList?.();
        const { items, next } = page(records, req);
        return { records: items, nextPageToken: next };
      },
    });
  });
  return { transport, results, records, resultRequests, recordRequests };
}

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

describe("createResultsClient", () => {
  it("exposes the unary RPCs of the Results service", async () => {
    const fake = createFake(3);
    const client = createResultsClient(fake.transport);
    const res = await client.listResults({ parent: "ns", pageSize: 2 });
    expect(res.results.map((r) => r.name)).toEqual(["ns/results/r00", "ns/results/r01"]);
    expect(res.nextPageToken).toBe("2");
  });
});

describe("listAllRecords", () => {
  it("walks 23 records with page size 5 in 5 requests, each record once and in order", async () => {
    const fake = createFake(23);
    const client = createResultsClient(fake.transport);
    const names = (
      await collect(
        client.listAllRecords({ parent: "ns/results/-", filter: "true" }, { pageSize: 5 }),
      )
    ).map((r) => r.name);
    expect(names).toEqual(fake.records.map((r) => r.name));
    expect(new Set(names).size).toBe(23);
    expect(fake.recordRequests).toHaveLength(5);
    expect(fake.recordRequests.map((r) => r.pageToken)).toEqual(["", "5", "10", "15", "20"]);
    for (const req of fake.recordRequests) {
      expect(req.parent).toBe("ns/results/-");
      expect(req.filter).toBe("true");
      expect(req.pageSize).toBe(5);
    }
  });

  it("uses the request's page size and order when no option overrides it", async () => {
    const fake = createFake(7);
    const client = createResultsClient(fake.transport);
    const all = await collect(
      client.listAllRecords({ parent: "ns/results/r", pageSize: 3, orderBy: "create_time desc" }),
    );
    expect(all).toHaveLength(7);
    expect(fake.recordRequests.map((r) => r.pageSize)).toEqual([3, 3, 3]);
    expect(fake.recordRequests.every((r) => r.orderBy === "create_time desc")).toBe(true);
  });

  it("lets options.pageSize override the request's page size", async () => {
    const fake = createFake(7);
    const client = createResultsClient(fake.transport);
    await collect(client.listAllRecords({ parent: "ns/results/r", pageSize: 3 }, { pageSize: 4 }));
    expect(fake.recordRequests.map((r) => r.pageSize)).toEqual([4, 4]);
  });

  it("starts at the request's page token", async () => {
    const fake = createFake(12);
    const client = createResultsClient(fake.transport);
    const all = await collect(
      client.listAllRecords({ parent: "ns/results/r", pageToken: "10" }, { pageSize: 5 }),
    );
    expect(all.map((r) => r.name)).toEqual(fake.records.slice(10).map((r) => r.name));
    expect(fake.recordRequests).toHaveLength(1);
  });

  it("makes one request for an empty list", async () => {
    const fake = createFake(0);
    const client = createResultsClient(fake.transport);
    expect(await collect(client.listAllRecords({ parent: "ns/results/r" }))).toEqual([]);
    expect(fake.recordRequests).toHaveLength(1);
    expect(fake.recordRequests[0]?.pageSize).toBe(0);
  });

  it("requests a page only when the previous one has been consumed", async () => {
    const fake = createFake(23);
    const client = createResultsClient(fake.transport);
    const iter = client.listAllRecords({ parent: "ns/results/-" }, { pageSize: 5 });
    for (let i = 0; i < 5; i++) await iter.next();
    expect(fake.recordRequests).toHaveLength(1);
    await iter.next();
    expect(fake.recordRequests).toHaveLength(2);
    await iter.return();
    expect(fake.recordRequests).toHaveLength(2);
  });

  it("stops with Canceled when the signal is aborted between items, without requesting more pages", async () => {
    const fake = createFake(23);
    const client = createResultsClient(fake.transport);
    const controller = new AbortController();
    const seen: string[] = [];
    const walk = async () => {
      for await (const r of client.listAllRecords(
        { parent: "ns/results/-" },
        { pageSize: 5, signal: controller.signal },
      )) {
        seen.push(r.name);
        if (seen.length === 7) controller.abort();
      }
    };
    const err: unknown = await walk().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Canceled);
    expect(seen).toHaveLength(7);
    expect(fake.recordRequests).toHaveLength(2);
  });

  it("does not send any request when the signal is already aborted", async () => {
    const fake = createFake(5);
    const client = createResultsClient(fake.transport);
    const err: unknown = await collect(
      client.listAllRecords({ parent: "ns/results/-" }, { signal: AbortSignal.abort() }),
    ).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.Canceled);
    expect(fake.recordRequests).toHaveLength(0);
  });

  it("cancels a page request in flight when the signal is aborted", async () => {
    const controller = new AbortController();
    let release: () => void = () => undefined;
    const fake = createFake(5, {
      onList: () =>
        new Promise<void>((resolve) => {
          release = resolve;
          controller.abort();
        }),
    });
    const client = createResultsClient(fake.transport);
    const err: unknown = await collect(
      client.listAllRecords({ parent: "ns/results/-" }, { signal: controller.signal }),
    ).catch((e: unknown) => e);
    release();
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Canceled);
  });

  it("fails with Internal instead of looping when the server repeats a page token", async () => {
    const fake = createFake(10, { stuckToken: true });
    const client = createResultsClient(fake.transport);
    const err: unknown = await collect(
      client.listAllRecords({ parent: "ns/results/-" }, { pageSize: 2 }),
    ).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.Internal);
    expect(fake.recordRequests).toHaveLength(2);
  });

  it("rejects a negative or fractional page size before any request", async () => {
    const fake = createFake(5);
    const client = createResultsClient(fake.transport);
    await expect(
      collect(client.listAllRecords({ parent: "ns/results/-" }, { pageSize: -1 })),
    ).rejects.toThrow(RangeError);
    await expect(
      collect(client.listAllRecords({ parent: "ns/results/-" }, { pageSize: 1.5 })),
    ).rejects.toThrow(RangeError);
    expect(fake.recordRequests).toHaveLength(0);
  });

  it("passes server errors through unchanged", async () => {
    const transport = createRouterTransport((router) => {
      router.service(Results, {
        listRecords() {
          throw new ConnectError("invalid filter", Code.InvalidArgument);
        },
      });
    });
    const client = createResultsClient(transport);
    const err: unknown = await collect(
      client.listAllRecords({ parent: "ns/results/-", filter: "(" }),
    ).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toBe("invalid filter");
  });
});

describe("listAllResults", () => {
  it("walks 23 results with page size 5 in 5 requests, each result once and in order", async () => {
    const fake = createFake(23);
    const client = createResultsClient(fake.transport);
    const names = (
      await collect(client.listAllResults({ parent: "ns", filter: "true" }, { pageSize: 5 }))
    ).map((r) => r.name);
    expect(names).toEqual(fake.results.map((r) => r.name));
    expect(fake.resultRequests).toHaveLength(5);
    expect(fake.resultRequests.every((r) => r.parent === "ns" && r.filter === "true")).toBe(true);
  });

  it("stops with Canceled when the signal is aborted", async () => {
    const fake = createFake(23);
    const client = createResultsClient(fake.transport);
    const controller = new AbortController();
    let n = 0;
    const err: unknown = await (async () => {
      for await (const _ of client.listAllResults(
        { parent: "ns" },
        { pageSize: 5, signal: controller.signal },
      )) {
        n++;
        if (n === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.Canceled);
    expect(n).toBe(3);
    expect(fake.resultRequests).toHaveLength(1);
  });
});
