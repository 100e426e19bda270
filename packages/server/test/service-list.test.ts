/**
 * ListResults and ListRecords over the real client: wildcards, order_by,
 * page sizes, page tokens (binding, garbling, walking), filters; and
 * GetRecordListSummary's validation and Unimplemented answer (its results are
 * in service-summary.test.ts).
 */
import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { RecordSummary_Status } from "@tekton-results/proto";
import { compileFilter, type RecordListQuery, type ResultListQuery } from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import {
  createHarness,
  errorOf,
  json,
  T0,
  withoutSummaries,
  type Harness,
} from "./service-harness.js";

async function expectCode(
  promise: Promise<unknown>,
  code: Code,
  message?: string | RegExp,
): Promise<ConnectError> {
  const err = await errorOf(promise);
  expect(err).toBeInstanceOf(ConnectError);
  const ce = err as ConnectError;
  expect(Code[ce.code]).toBe(Code[code]);
  if (typeof message === "string") expect(ce.rawMessage).toBe(message);
  else if (message) expect(ce.rawMessage).toMatch(message);
  return ce;
}

/** Results ns-a/r0..r{n-1} and ns-b/..., one second apart, each with one record. */
async function seed(h: Harness, perNamespace = 3): Promise<void> {
  for (const ns of ["ns-a", "ns-b"]) {
    for (let i = 0; i < perNamespace; i++) {
      h.clock.tick(1_000);
      await h.client.createResult({ parent: ns, result: { name: `${ns}/results/r${i}` } });
      await h.client.createRecord({
        parent: `${ns}/results/r${i}`,
        record: { name: `${ns}/results/r${i}/records/x`, data: { type: "t", value: json({ i }) } },
      });
    }
  }
}

async function walkResults(
  h: Harness,
  parent: string,
  pageSizes: number[],
  orderBy = "",
): Promise<string[][]> {
  const pages: string[][] = [];
  let pageToken = "";
  for (let i = 0; ; i++) {
    const res = await h.client.listResults({
      parent,
      orderBy,
      pageToken,
      pageSize: pageSizes[i % pageSizes.length]!,
    });
    pages.push(res.results.map((r) => r.name));
    if (res.nextPageToken === "") return pages;
    expect(res.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
    pageToken = res.nextPageToken;
    if (i > 100) throw new Error("runaway walk");
  }
}

describe("ListResults", () => {
  it("lists one parent, or every parent with -", async () => {
    const h = createHarness();
    await seed(h, 2);
    const a = await h.client.listResults({ parent: "ns-a" });
    expect(a.results.map((r) => r.name)).toEqual(["ns-a/results/r0", "ns-a/results/r1"]);
    expect(a.nextPageToken).toBe("");
    const all = await h.client.listResults({ parent: "-" });
    expect(all.results.map((r) => r.name)).toEqual([
      "ns-a/results/r0",
      "ns-a/results/r1",
      "ns-b/results/r0",
      "ns-b/results/r1",
    ]);
    // Listed results carry every field, deprecated ones included.
    const first = all.results[0]!;
    expect(first.id).toBe(first.uid);
    expect(first.createdTime).toEqual(first.createTime);
    expect(first.updatedTime).toEqual(first.updateTime);
    expect((await h.client.listResults({ parent: "empty" })).results).toEqual([]);
  });

  it("rejects malformed parents", async () => {
    const h = createHarness();
    await expectCode(
      h.client.listResults({ parent: "" }),
      Code.InvalidArgument,
      "parent is required",
    );
    for (const parent of ["NS", "ns/results/-", "a.b", "x".repeat(64)]) {
      await expectCode(
        h.client.listResults({ parent }),
        Code.InvalidArgument,
        /^parent: invalid parent name/,
      );
    }
    expect(h.calls).toHaveLength(0);
  });

  it("orders by create_time asc by default and honours order_by", async () => {
    const h = createHarness();
    const summaryOf = (name: string, start: number) => ({
      record: `ns/results/${name}/records/x`,
      type: "t",
      status: RecordSummary_Status.SUCCESS,
      startTime: timestampFromDate(new Date(T0 + start * 1_000)),
    });
    for (const [name, start] of [
      ["a", 30],
      ["b", 10],
      ["c", 20],
    ] as const) {
      h.clock.tick(1_000);
      await h.client.createResult({
        parent: "ns",
        result: { name: `ns/results/${name}`, summary: summaryOf(name, start) },
      });
    }
    h.clock.tick(1_000);
    await h.client.updateResult({ name: "ns/results/a", result: { summary: summaryOf("a", 30) } });
    const names = async (orderBy: string) =>
      (await h.client.listResults({ parent: "ns", orderBy })).results
        .map((r) => r.name.slice(-1))
        .join("");
    expect(await names("")).toBe("abc");
    expect(await names("create_time")).toBe("abc");
    expect(await names("create_time desc")).toBe("cba");
    expect(await names("  update_time   DESC ")).toBe("acb");
    expect(await names("update_time asc")).toBe("bca");
    expect(await names("summary.start_time")).toBe("bca");
    expect(await names("summary.start_time Desc, create_time asc")).toBe("acb");
    expect(await names("summary.end_time asc,create_time desc")).toBe("cba");
    for (const bad of [
      "name",
      "create_time up",
      "create_time asc desc",
      "create_time,create_time desc",
      "create_time,",
      ",create_time",
      "Create_Time",
      "uid",
    ]) {
      await expectCode(
        h.client.listResults({ parent: "ns", orderBy: bad }),
        Code.InvalidArgument,
        /^invalid order_by /,
      );
    }
  });

  it("applies page_size: 0 is 50, 1-4 are fine, negative or above 10000 are rejected", async () => {
    const h = createHarness();
    for (let i = 0; i < 55; i++) {
      h.clock.tick(1);
      await h.client.createResult({ parent: "ns", result: { name: `ns/results/r${i}` } });
    }
    const dflt = await h.client.listResults({ parent: "ns" });
    expect(dflt.results).toHaveLength(50);
    expect(dflt.nextPageToken).not.toBe("");
    for (const size of [1, 2, 3, 4]) {
      const res = await h.client.listResults({ parent: "ns", pageSize: size });
      expect(res.results).toHaveLength(size);
    }
    expect((await h.client.listResults({ parent: "ns", pageSize: 10_000 })).results).toHaveLength(
      55,
    );
    expect((await h.client.listResults({ parent: "ns", pageSize: 10_000 })).nextPageToken).toBe("");
    for (const size of [-1, 10_001, -2147483648, 2147483647]) {
      await expectCode(
        h.client.listResults({ parent: "ns", pageSize: size }),
        Code.InvalidArgument,
        "page_size must be between 0 and 10000",
      );
    }
    const query = h.calls.find((c) => c.method === "listResults")!.args[0] as ResultListQuery;
    expect(query.pageSize).toBe(50);
    expect(query.orderBy).toEqual([{ field: "create_time", direction: "asc" }]);
    expect(query.parent).toBe("ns");
    expect(query.after).toBeUndefined();
    expect(query.filter).toBeUndefined();
  });

  it("honours a configured maxPageSize", async () => {
    const h = createHarness({ maxPageSize: 20 });
    await expectCode(
      h.client.listResults({ parent: "ns", pageSize: 21 }),
      Code.InvalidArgument,
      "page_size must be between 0 and 20",
    );
    await h.client.listResults({ parent: "ns", pageSize: 20 });
    await h.client.listResults({ parent: "ns" });
    expect(h.calls.map((c) => (c.args[0] as ResultListQuery).pageSize)).toEqual([20, 20]);
  });

  it("refuses a maxPageSize outside 1..10000 when the routes are created", () => {
    for (const maxPageSize of [0, -1, 10_001, 2.5]) {
      expect(() => createHarness({ maxPageSize })).toThrow(RangeError);
    }
  });

  it("walks every result exactly once, with page sizes that change between pages", async () => {
    const h = createHarness();
    await seed(h, 5);
    const expected = [0, 1, 2, 3, 4]
      .map((i) => `ns-a/results/r${i}`)
      .concat([0, 1, 2, 3, 4].map((i) => `ns-b/results/r${i}`));
    const pages = await walkResults(h, "-", [3]);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    expect(pages.flat()).toEqual(expected);
    const mixed = await walkResults(h, "-", [1, 4, 2]);
    expect(mixed.flat()).toEqual(expected);
    expect(mixed.map((p) => p.length)).toEqual([1, 4, 2, 1, 2]);
    const desc = await walkResults(h, "-", [4], "create_time desc");
    expect(desc.flat()).toEqual([...expected].reverse());
    // Exactly a page left: no token.
    const exact = await h.client.listResults({ parent: "ns-a", pageSize: 5 });
    expect(exact.results).toHaveLength(5);
    expect(exact.nextPageToken).toBe("");
  });

  it("sees every pre-existing result once while others are inserted during the walk", async () => {
    const h = createHarness();
    await seed(h, 4);
    const seen: string[] = [];
    let pageToken = "";
    let inserted = 0;
    do {
      const res = await h.client.listResults({ parent: "-", pageSize: 3, pageToken });
      seen.push(...res.results.map((r) => r.name));
      pageToken = res.nextPageToken;
      h.clock.tick(1_000);
      await h.client.createResult({
        parent: "ns-c",
        result: { name: `ns-c/results/new${inserted++}` },
      });
    } while (pageToken !== "");
    const old = seen.filter((n) => !n.startsWith("ns-c/"));
    expect(old).toHaveLength(8);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("binds page tokens to parent and order, and rejects garbled tokens", async () => {
    const h = createHarness();
    await seed(h, 3);
    const first = await h.client.listResults({ parent: "ns-a", pageSize: 1 });
    const token = first.nextPageToken;
    expect(token).not.toBe("");
    // Same list, another page size: fine.
    const next = await h.client.listResults({ parent: "ns-a", pageSize: 2, pageToken: token });
    expect(next.results.map((r) => r.name)).toEqual(["ns-a/results/r1", "ns-a/results/r2"]);
    // The normalized order is the same list.
    await h.client.listResults({ parent: "ns-a", pageToken: token, orderBy: " create_time  ASC " });
    for (const other of [
      { parent: "ns-b" },
      { parent: "-" },
      { parent: "ns-a", orderBy: "create_time desc" },
      { parent: "ns-a", orderBy: "update_time" },
      { parent: "ns-a", orderBy: "create_time, update_time" },
    ]) {
      await expectCode(
        h.client.listResults({ ...other, pageToken: token }),
        Code.InvalidArgument,
        "invalid page token",
      );
    }
    // A records token is not a results token.
    const recs = await h.client.listRecords({ parent: "ns-a/results/-", pageSize: 1 });
    await expectCode(
      h.client.listResults({
        parent: "ns-a/results/-".split("/")[0]!,
        pageToken: recs.nextPageToken,
      }),
      Code.InvalidArgument,
      "invalid page token",
    );
    const flipped = token.slice(0, 10) + (token[10] === "A" ? "B" : "A") + token.slice(11);
    const garbled = [
      "abc",
      "!!!!",
      "not a token",
      flipped,
      token.slice(0, -3),
      `${token}x`,
      Buffer.from("{}").toString("base64url"),
      Buffer.from("[1,2]").toString("base64url"),
      Buffer.from(JSON.stringify({ v: 2 })).toString("base64url"),
      "A".repeat(5000),
    ];
    for (const pageToken of garbled) {
      await expectCode(
        h.client.listResults({ parent: "ns-a", pageToken }),
        Code.InvalidArgument,
        "invalid page token",
      );
    }
  });

  it("passes the cursor of the token to the store", async () => {
    const h = createHarness();
    await seed(h, 2);
    const first = await h.client.listResults({
      parent: "ns-a",
      pageSize: 1,
      orderBy: "update_time desc",
    });
    await h.client.listResults({
      parent: "ns-a",
      pageSize: 1,
      orderBy: "update_time desc",
      pageToken: first.nextPageToken,
    });
    const queries = h.calls
      .filter((c) => c.method === "listResults")
      .map((c) => c.args[0] as ResultListQuery);
    const r1 = await h.store.getResult("ns-a", "r1");
    expect(queries[1]!.after).toEqual({ values: [r1.updateTime.getTime()], uid: r1.uid });
    expect(queries[1]!.orderBy).toEqual([{ field: "update_time", direction: "desc" }]);
  });
});

describe("ListRecords", () => {
  it("understands every wildcard form of the parent", async () => {
    const h = createHarness();
    await seed(h, 2);
    const names = async (parent: string) =>
      (await h.client.listRecords({ parent })).records.map((r) => r.name.replace("/records/x", ""));
    expect(await names("ns-a/results/r1")).toEqual(["ns-a/results/r1"]);
    expect(await names("ns-a/results/-")).toEqual(["ns-a/results/r0", "ns-a/results/r1"]);
    expect(await names("-/results/r0")).toEqual(["ns-a/results/r0", "ns-b/results/r0"]);
    expect(await names("-/results/-")).toEqual([
      "ns-a/results/r0",
      "ns-a/results/r1",
      "ns-b/results/r0",
      "ns-b/results/r1",
    ]);
    expect(await names("ns-a/results/missing")).toEqual([]);
    const queries = h.calls
      .filter((c) => c.method === "listRecords")
      .map((c) => c.args[0] as RecordListQuery);
    expect(queries.map((q) => [q.parent, q.resultName])).toEqual([
      ["ns-a", "r1"],
      ["ns-a", undefined],
      [undefined, "r0"],
      [undefined, undefined],
      ["ns-a", "missing"],
    ]);
  });

  it("rejects malformed parents, unknown order fields and bad page sizes", async () => {
    const h = createHarness();
    await expectCode(
      h.client.listRecords({ parent: "" }),
      Code.InvalidArgument,
      "parent is required",
    );
    for (const parent of [
      "ns",
      "-",
      "ns/records/x",
      "ns/results/r/records/x",
      "NS/results/-",
      "ns/results/R",
    ]) {
      await expectCode(
        h.client.listRecords({ parent }),
        Code.InvalidArgument,
        /^parent: invalid parent name/,
      );
    }
    await expectCode(
      h.client.listRecords({ parent: "-/results/-", orderBy: "summary.start_time" }),
      Code.InvalidArgument,
      /unknown field/,
    );
    await expectCode(
      h.client.listRecords({ parent: "-/results/-", pageSize: -5 }),
      Code.InvalidArgument,
    );
    expect(h.calls).toHaveLength(0);
  });

  it("walks pages and binds tokens to the parent", async () => {
    const h = createHarness();
    await seed(h, 4);
    const seen: string[] = [];
    let pageToken = "";
    do {
      const res = await h.client.listRecords({
        parent: "-/results/-",
        pageSize: 3,
        pageToken,
        orderBy: "update_time desc",
      });
      seen.push(...res.records.map((r) => r.name));
      pageToken = res.nextPageToken;
    } while (pageToken !== "");
    expect(seen).toHaveLength(8);
    expect(seen[0]).toBe("ns-b/results/r3/records/x");
    expect(new Set(seen).size).toBe(8);
    const page = await h.client.listRecords({ parent: "ns-a/results/-", pageSize: 1 });
    await expectCode(
      h.client.listRecords({ parent: "ns-b/results/-", pageToken: page.nextPageToken }),
      Code.InvalidArgument,
      "invalid page token",
    );
    await expectCode(
      h.client.listRecords({
        parent: "ns-a/results/-",
        pageToken: page.nextPageToken,
        orderBy: "update_time",
      }),
      Code.InvalidArgument,
      "invalid page token",
    );
  });
});

describe("filters", () => {
  it("rejects filters that do not compile with InvalidArgument and the compiler's message", async () => {
    const h = createHarness();
    await expectCode(
      h.client.listResults({ parent: "-", filter: "1 + 1" }),
      Code.InvalidArgument,
      "filter must be a boolean expression, got int",
    );
    await expectCode(
      h.client.listRecords({ parent: "-/results/-", filter: "parent ==" }),
      Code.InvalidArgument,
      /^syntax error/,
    );
    await expectCode(
      h.client.listResults({ parent: "-", filter: "data.i == 1" }),
      Code.InvalidArgument,
      /undeclared reference to "data"/,
    );
    await expectCode(
      h.client.listRecords({ parent: "-/results/-", filter: "summary.status == SUCCESS" }),
      Code.InvalidArgument,
      /undeclared reference to "summary"/,
    );
    expect(h.calls).toHaveLength(0);
  });

  it("treats a blank filter as no filter", async () => {
    const h = createHarness();
    await seed(h, 1);
    expect((await h.client.listResults({ parent: "-", filter: "   " })).results).toHaveLength(2);
    const q = h.calls.filter((c) => c.method === "listResults").at(-1)!.args[0] as ResultListQuery;
    expect(q.filter).toBeUndefined();
  });

  it("hands the compiled filter to the store and returns only matching items", async () => {
    const h = createHarness();
    await seed(h, 3);
    const results = await h.client.listResults({
      parent: "-",
      filter: 'parent == "ns-b" && uid != ""',
    });
    expect(results.results.map((r) => r.name)).toEqual([
      "ns-b/results/r0",
      "ns-b/results/r1",
      "ns-b/results/r2",
    ]);
    const rq = h.calls.filter((c) => c.method === "listResults").at(-1)!.args[0] as ResultListQuery;
    expect(rq.filter).toEqual(
      compileFilter('parent == "ns-b" && uid != ""', { target: "results" }),
    );

    const records = await h.client.listRecords({
      parent: "ns-a/results/-",
      filter: 'data.i >= 1 && data_type == "t"',
    });
    expect(records.records.map((r) => r.name)).toEqual([
      "ns-a/results/r1/records/x",
      "ns-a/results/r2/records/x",
    ]);
    expect(
      (await h.client.listRecords({ parent: "-/results/-", filter: "data.i == 2" })).records,
    ).toHaveLength(2);
  });

  it("filters on the summary of results", async () => {
    const h = createHarness();
    for (const [name, status] of [
      ["ok", RecordSummary_Status.SUCCESS],
      ["bad", RecordSummary_Status.FAILURE],
    ] as const) {
      await h.client.createResult({
        parent: "ns",
        result: {
          name: `ns/results/${name}`,
          summary: {
            record: `ns/results/${name}/records/pr`,
            type: "tekton.dev/v1.PipelineRun",
            status,
          },
        },
      });
    }
    await h.client.createResult({ parent: "ns", result: { name: "ns/results/none" } });
    const ok = await h.client.listResults({
      parent: "ns",
      filter: "summary.status == SUCCESS && summary.type == PIPELINE_RUN",
    });
    expect(ok.results.map((r) => r.name)).toEqual(["ns/results/ok"]);
  });

  it("binds page tokens to the filter and walks a filtered list", async () => {
    const h = createHarness();
    await seed(h, 5);
    const filter = 'parent == "ns-b"';
    const first = await h.client.listResults({ parent: "-", filter, pageSize: 2 });
    expect(first.results.map((r) => r.name)).toEqual(["ns-b/results/r0", "ns-b/results/r1"]);
    await expectCode(
      h.client.listResults({
        parent: "-",
        filter: 'parent == "ns-a"',
        pageToken: first.nextPageToken,
      }),
      Code.InvalidArgument,
      "invalid page token",
    );
    await expectCode(
      h.client.listResults({ parent: "-", pageToken: first.nextPageToken }),
      Code.InvalidArgument,
      "invalid page token",
    );
    const rest: string[] = [];
    let pageToken = first.nextPageToken;
    while (pageToken !== "") {
      // Spaces around the same filter do not change the list.
      const res = await h.client.listResults({
        parent: "-",
        filter: ` ${filter}  `,
        pageSize: 2,
        pageToken,
      });
      rest.push(...res.results.map((r) => r.name));
      pageToken = res.nextPageToken;
    }
    expect(rest).toEqual(["ns-b/results/r2", "ns-b/results/r3", "ns-b/results/r4"]);
  });
});

describe("GetRecordListSummary", () => {
  it("validates the request, then answers Unimplemented on a backend without summaries", async () => {
    const h = createHarness({ store: withoutSummaries(createMemoryStore()) });
    for (const parent of ["ns/results/r", "ns/results/-", "-/results/-"]) {
      await expectCode(
        h.client.getRecordListSummary({
          parent,
          summary: "total, succeeded,avg_duration",
          groupBy: "month startTime",
          orderBy: "total DESC",
        }),
        Code.Unimplemented,
        "GetRecordListSummary is not supported by this storage backend",
      );
    }
    await expectCode(
      h.client.getRecordListSummary({ parent: "ns" }),
      Code.InvalidArgument,
      /^parent: invalid parent name/,
    );
    await expectCode(
      h.client.getRecordListSummary({ parent: "" }),
      Code.InvalidArgument,
      "parent is required",
    );
    await expectCode(
      h.client.getRecordListSummary({ parent: "-/results/-", summary: "total,bogus" }),
      Code.InvalidArgument,
      /^summary: unknown field "bogus"/,
    );
    await expectCode(
      h.client.getRecordListSummary({ parent: "-/results/-", groupBy: "fortnight" }),
      Code.InvalidArgument,
      /^group_by: unknown grouping/,
    );
    await expectCode(
      h.client.getRecordListSummary({ parent: "-/results/-", groupBy: "day endTime" }),
      Code.InvalidArgument,
      /^group_by: expected/,
    );
    await expectCode(
      h.client.getRecordListSummary({ parent: "-/results/-", orderBy: "total ASC" }),
      Code.InvalidArgument,
      "order_by: only allowed with group_by",
    );
    await expectCode(
      h.client.getRecordListSummary({
        parent: "-/results/-",
        groupBy: "namespace",
        orderBy: "total sideways",
      }),
      Code.InvalidArgument,
      /^order_by: expected/,
    );
    await expectCode(
      h.client.getRecordListSummary({ parent: "-/results/-", filter: "((" }),
      Code.InvalidArgument,
    );
    expect(h.calls).toHaveLength(0);
  });
});
