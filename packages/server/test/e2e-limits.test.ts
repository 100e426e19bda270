/**
 * End-to-end, the server program on a real port over SQLite and PostgreSQL:
 * every limit of a request is configurable and answers as documented —
 * filter length and depth (a filter of 1,000 levels, or of 1,000 list items,
 * never reaches the database as an Internal error, on any RPC that takes a
 * filter), page size in bytes (two 10 MB records make two pages, each with
 * the token of the next), record and annotation sizes, concurrent HTTP/2
 * streams, the HTTP/1.1 head and request timeouts (a slow client is cut), and
 * the HTTP/2 request body deadline, and the per-request deadline of a unary
 * RPC (on a store that hangs).
 */
import * as http2 from "node:http2";
import * as net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Logs, Results } from "@tekton-results/proto";
import { startTestPostgres, stopTestPostgres } from "../../storage-pg/test/support/postgres.js";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createResultsRoutes } from "../src/routes.js";
import { createResultsServer, type ResultsServer } from "../src/server.js";
import { startMain, type Running } from "./support/program.js";

const MB = 1_000_000;
const LIMIT_FLAGS = [
  "--max-filter-length=12000",
  "--max-filter-depth=60",
  "--max-record-bytes=10500000",
  "--max-annotations-bytes=2048",
];
const CONNECTION_FLAGS = [
  "--max-concurrent-streams=5",
  "--headers-timeout-ms=600",
  "--request-timeout-ms=1500",
];
const dir = mkdtempSync(join(tmpdir(), "results-e2e-limits-"));

afterAll(async () => {
  await stopTestPostgres();
  rmSync(dir, { recursive: true, force: true });
});

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/** The code of what `call` rejects with, or "ok". */
async function codeOf(call: () => Promise<unknown>): Promise<Code | "ok"> {
  try {
    await call();
    return "ok";
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

async function messageOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (err) {
    return ConnectError.from(err).rawMessage;
  }
  throw new Error("expected the call to fail");
}

/** Connect, send `bytes`, and resolve to how long (ms) until the server closed the socket. */
function closedAfter(url: string, bytes: string, limitMs: number): Promise<number | "open"> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    const limit = setTimeout(() => {
      socket.destroy();
      resolve("open");
    }, limitMs);
    socket.on("close", () => {
      clearTimeout(limit);
      resolve(Date.now() - started);
    });
  });
}

const backends: [string, () => Promise<string[]>][] = [
  ["SQLite", () => Promise.resolve(["--database", join(dir, "results.db")])],
  ["PostgreSQL", async () => ["--database", (await startTestPostgres()).url]],
];

describe.each(backends)("limits on %s", (_name, databaseArgs) => {
  let running: Running;
  let results: Client<typeof Results>;
  let logs: Client<typeof Logs>;

  beforeAll(async () => {
    running = await startMain([
      ...(await databaseArgs()),
      "--logs-dir",
      join(dir, "logs"),
      ...LIMIT_FLAGS,
    ]);
    const transport = createGrpcTransport({ baseUrl: running.url });
    results = createClient(Results, transport);
    logs = createClient(Logs, transport);
    await results.createResult({
      parent: "ns",
      result: { name: "ns/results/r", annotations: { a: "7" } },
    });
    for (const i of [1, 2, 3]) {
      await results.createRecord({
        parent: "ns/results/r",
        record: {
          name: `ns/results/r/records/x${i}`,
          data: { type: "tekton.dev/v1.TaskRun", value: json({ a: i }) },
        },
      });
    }
  }, 180_000);

  afterAll(async () => {
    running?.child.kill("SIGTERM");
    await running?.exit;
  });

  /** Every RPC that takes a filter, with it. */
  function filtered(records: string, resultsFilter: string): [string, () => Promise<unknown>][] {
    const parent = "ns/results/-";
    return [
      ["ListResults", () => results.listResults({ parent: "ns", filter: resultsFilter })],
      ["ListRecords", () => results.listRecords({ parent, filter: records })],
      ["ListLogs", () => logs.listLogs({ parent, filter: records })],
      [
        "GetRecordListSummary",
        () => results.getRecordListSummary({ parent, filter: records, summary: "total" }),
      ],
      [
        "GetRecordListSummary by namespace",
        () =>
          results.getRecordListSummary({
            parent,
            filter: records,
            summary: "total",
            groupBy: "namespace",
          }),
      ],
    ];
  }

  it("answers a filter nested 1,000 deep with InvalidArgument on every RPC, naming the limit", async () => {
    const deep = (inner: string) => `${"(".repeat(1000)}${inner}${")".repeat(1000)}`;
    const chain = (term: string) => Array(1000).fill(term).join("+");
    for (const [records, resultsFilter] of [
      [deep("data.a == 1"), deep('annotations["a"] == "7"')],
      [`${chain("data.a")} == 1.0`, `${chain("parent")} == "7"`],
    ]) {
      for (const [rpc, call] of filtered(records!, resultsFilter!)) {
        const message = await messageOf(call);
        expect([rpc, message]).toEqual([rpc, expect.stringMatching(/nested too deeply|too long/)]);
        expect(await codeOf(call)).toBe(Code.InvalidArgument);
      }
    }
    const depth = (n: number) => `${Array(n).fill("data.a").join(" + ")} == 6.0`;
    expect(
      await messageOf(() => results.listRecords({ parent: "ns/results/-", filter: depth(70) })),
    ).toContain("at most 60 levels of operators");
    expect(
      await codeOf(() => results.listRecords({ parent: "ns/results/-", filter: depth(50) })),
    ).toBe("ok");
  });

  it("answers a list of 1,000 items (SQLite's expression depth before) with the right rows", async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i + 3).join(",");
    const values = Array.from({ length: 1000 }, (_, i) => `"${i + 7}"`).join(",");
    for (const [rpc, call] of filtered(`data.a in [${items}]`, `annotations["a"] in [${values}]`)) {
      expect([rpc, await codeOf(call)]).toEqual([rpc, "ok"]);
    }
    const list = await results.listRecords({
      parent: "ns/results/-",
      filter: `data.a in [${items}]`,
    });
    expect(list.records.map((r) => r.name)).toEqual(["ns/results/r/records/x3"]);
    const some = await results.listResults({
      parent: "ns",
      filter: `annotations["a"] in [${values}]`,
    });
    expect(some.results.map((r) => r.name)).toEqual(["ns/results/r"]);
    const summary = await results.getRecordListSummary({
      parent: "ns/results/-",
      filter: `data.a in [${items}] || data.a == 1`,
      summary: "total",
    });
    expect(summary.summary).toEqual([{ total: 2 }]);
  });

  it("refuses a filter longer than --max-filter-length, and a long order_by", async () => {
    const long = `data.a == "${"x".repeat(12000)}"`;
    for (const [rpc, call] of filtered(long, long.replace("data.a", "parent"))) {
      expect([rpc, await messageOf(call)]).toEqual([
        rpc,
        `filter is too long: ${long.length} characters, at most 12000`,
      ]);
    }
    const orderBy = Array(1000).fill("create_time desc").join(", ");
    for (const call of [
      () => results.listRecords({ parent: "ns/results/-", orderBy }),
      () => results.listResults({ parent: "ns", orderBy }),
    ]) {
      expect(await codeOf(call)).toBe(Code.InvalidArgument);
    }
  });

  it("refuses a record over --max-record-bytes and annotations over --max-annotations-bytes", async () => {
    const big = {
      name: "ns/results/r/records/big",
      data: { type: "t", value: json({ pad: "p".repeat(10_600_000) }) },
    };
    expect(
      await messageOf(() => results.createRecord({ parent: "ns/results/r", record: big })),
    ).toMatch(/record data.value is \d+ bytes, more than the limit of 10500000/);
    const annotations = { k: "v".repeat(2048) };
    expect(
      await messageOf(() =>
        results.createResult({ parent: "ns", result: { name: "ns/results/big", annotations } }),
      ),
    ).toBe("result.annotations: keys and values exceed 2048 bytes in total");
    expect(await codeOf(() => results.getResult({ name: "ns/results/big" }))).toBe(Code.NotFound);
  });

  it("sends two 10 MB records as two pages, each with the token of the next", async () => {
    await results.createResult({ parent: "big", result: { name: "big/results/r" } });
    for (const i of [1, 2]) {
      await results.createRecord({
        parent: "big/results/r",
        record: {
          name: `big/results/r/records/m${i}`,
          data: { type: "t", value: json({ i, pad: "p".repeat(10 * MB) }) },
        },
      });
    }
    const first = await results.listRecords({ parent: "big/results/r", pageSize: 10 });
    expect(first.records.map((r) => r.name)).toEqual(["big/results/r/records/m1"]);
    expect(first.nextPageToken).not.toBe("");
    const second = await results.listRecords({
      parent: "big/results/r",
      pageSize: 10,
      pageToken: first.nextPageToken,
    });
    expect(second.records.map((r) => r.name)).toEqual(["big/results/r/records/m2"]);
    expect(second.nextPageToken).toBe("");
    expect(second.records[0]!.data!.value.length).toBeGreaterThan(10 * MB);
  }, 60_000);
});

describe("connection limits of the server program", () => {
  let running: Running;

  beforeAll(async () => {
    running = await startMain([
      "--database",
      join(dir, "conn.db"),
      "--no-logs",
      ...CONNECTION_FLAGS,
    ]);
  }, 60_000);

  afterAll(async () => {
    running?.child.kill("SIGTERM");
    await running?.exit;
  });

  it("announces --max-concurrent-streams: a sixth request waits until one of five ends", async () => {
    const session = http2.connect(running.url);
    session.on("error", () => undefined);
    await new Promise<void>((r) => session.once("remoteSettings", () => r()));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(5);
    const open = (): http2.ClientHttp2Stream => {
      const stream = session.request({
        ":method": "POST",
        ":path": "/tekton.results.v1alpha2.Results/GetResult",
        "content-type": "application/json",
      });
      stream.on("error", () => undefined);
      return stream;
    };
    // Five requests whose bodies never end hold every stream the server allows.
    const held = Array.from({ length: 5 }, open);
    const sixth = open();
    let answeredAt = 0;
    sixth.on("response", () => (answeredAt = Date.now()));
    const closed = new Promise<number>((r) => sixth.once("close", () => r(sixth.rstCode)));
    sixth.end('{"name":"ns/results/missing"}');
    sixth.resume();
    await new Promise((r) => setTimeout(r, 500));
    expect(answeredAt).toBe(0);
    const freedAt = Date.now();
    held[0]!.close(http2.constants.NGHTTP2_CANCEL);
    expect(await closed).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect(answeredAt).toBeGreaterThanOrEqual(freedAt);
    session.destroy();
  });

  it("cuts an HTTP/1.1 request whose head stops halfway after --headers-timeout-ms", async () => {
    const half = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    const after = await closedAfter(running.url, half, 5_000);
    expect(after).not.toBe("open");
    expect(after).toBeGreaterThanOrEqual(550);
    expect(after).toBeLessThan(2_600);
  });

  it("cuts the second request of a keep-alive connection whose head stops halfway", async () => {
    const first = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const second = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    const after = await closedAfter(running.url, first + second, 5_000);
    expect(after).not.toBe("open");
    expect(after).toBeGreaterThanOrEqual(550);
    expect(after).toBeLessThan(2_600);
  });

  it("cuts an HTTP/1.1 request whose body stops halfway after --request-timeout-ms", async () => {
    const head =
      "POST /tekton.results.v1alpha2.Results/GetResult HTTP/1.1\r\nHost: x\r\n" +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":';
    const after = await closedAfter(running.url, head, 6_000);
    expect(after).not.toBe("open");
    expect(after).toBeGreaterThanOrEqual(1_400);
    expect(after).toBeLessThan(3_600);
  });

  it("cancels an HTTP/2 stream whose body stops halfway after --request-timeout-ms", async () => {
    const session = http2.connect(running.url);
    session.on("error", () => undefined);
    const started = Date.now();
    const stream = session.request({
      ":method": "POST",
      ":path": "/tekton.results.v1alpha2.Results/GetResult",
      "content-type": "application/json",
    });
    stream.write('{"name":');
    const code = await new Promise<number>((r) => stream.on("close", () => r(stream.rstCode)));
    const after = Date.now() - started;
    session.destroy();
    expect(code).toBe(http2.constants.NGHTTP2_CANCEL);
    expect(after).toBeGreaterThanOrEqual(1_400);
    expect(after).toBeLessThan(3_600);
  });
});

describe("the per-request deadline (--request-timeout-ms)", () => {
  let server: ResultsServer;
  let url = "";

  beforeAll(async () => {
    const store = createMemoryStore();
    // A store whose reads of one result hang (a stuck database).
    const slow = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "getResult" || typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          const name = JSON.stringify(args);
          if (name.includes("stuck")) await new Promise((r) => setTimeout(r, 5_000));
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    server = createResultsServer({
      routes: createResultsRoutes({ store: slow }),
      requestTimeoutMs: 400,
    });
    url = (await server.listen(0, "127.0.0.1")).url;
  });

  afterAll(async () => {
    await server?.close({ deadlineMs: 0 });
  });

  it("answers DeadlineExceeded (REST: 504) when a unary RPC runs past it, and serves the next", async () => {
    const client = createClient(Results, createGrpcTransport({ baseUrl: url }));
    const started = Date.now();
    const stuck = await messageOf(() => client.getResult({ name: "ns/results/stuck" }));
    const took = Date.now() - started;
    expect(stuck).toBe("the request ran longer than the server's limit of 400 ms");
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(2_000);
    expect(await codeOf(() => client.getResult({ name: "ns/results/stuck" }))).toBe(
      Code.DeadlineExceeded,
    );
    const rest = await fetch(`${url}/apis/results.tekton.dev/v1alpha2/parents/ns/results/stuck`);
    expect(rest.status).toBe(504);
    expect(await codeOf(() => client.getResult({ name: "ns/results/fine" }))).toBe(Code.NotFound);
  });
});
