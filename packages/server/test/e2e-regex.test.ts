/**
 * End-to-end, on a real port with SQLite: `matches()` is RE2, so a pattern
 * that backtracks exponentially in a JavaScript engine answers at once and
 * `/healthz` is answered meanwhile; a pattern RE2 refuses is InvalidArgument.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { Results } from "@tekton-results/proto";
import { createSqliteStore, type SqliteStore } from "@tekton-results/storage-sqlite";
import { createResultsRoutes } from "../src/routes.js";
import { createResultsServer, type ResultsServer } from "../src/server.js";

describe("matches() on SQLite over HTTP", () => {
  let store: SqliteStore;
  let server: ResultsServer;
  let url: string;
  let session: Http2SessionManager;
  let results: Client<typeof Results>;

  beforeAll(async () => {
    store = await createSqliteStore({ filename: ":memory:" });
    server = createResultsServer({
      routes: createResultsRoutes({ store, logs: createMemoryLogStore(), logChunkSize: 2048 }),
      store,
    });
    ({ url } = await server.listen(0, "127.0.0.1"));
    session = new Http2SessionManager(url);
    results = createClient(Results, createGrpcTransport({ baseUrl: url, sessionManager: session }));
    await results.createResult({ parent: "p", result: { name: "p/results/r" } });
    for (const [name, a] of [
      ["slow", `${"a".repeat(30)}b`],
      ["plain", "aaaa"],
    ] as const) {
      await results.createRecord({
        parent: "p/results/r",
        record: {
          name: `p/results/r/records/${name}`,
          data: {
            type: "tekton.dev/v1.TaskRun",
            value: new TextEncoder().encode(JSON.stringify({ kind: "TaskRun", a })),
          },
        },
      });
    }
  });

  afterAll(async () => {
    session?.abort();
    await server?.close({ deadlineMs: 1000 });
    await store?.close();
  });

  it('answers data.a.matches("^(a+)+$") on a 31-character value at once, and /healthz meanwhile', async () => {
    const started = performance.now();
    let healthAt = 0;
    const list = results.listRecords({
      parent: "p/results/-",
      filter: 'data.a.matches("^(a+)+$")',
    });
    const health = fetch(`${url}/healthz`).then((res) => {
      healthAt = performance.now() - started;
      return res.status;
    });
    const [page, status] = await Promise.all([list, health]);
    const listAt = performance.now() - started;
    expect(page.records.map((r) => r.name)).toEqual(["p/results/r/records/plain"]);
    expect(status).toBe(200);
    expect(listAt).toBeLessThan(1000);
    expect(healthAt).toBeLessThan(1000);
  });

  it("answers InvalidArgument, naming the problem, for a pattern RE2 refuses", async () => {
    for (const [pattern, problem] of [
      ["(a)\\\\1", "invalid escape sequence"],
      ["(?=a)", "invalid or unsupported Perl syntax"],
      ["a++", "invalid nested repetition operator"],
    ]) {
      let err: unknown;
      try {
        await results.listRecords({
          parent: "p/results/-",
          filter: `data.a.matches("${pattern}")`,
        });
      } catch (e) {
        err = e;
      }
      expect(err, pattern).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code, pattern).toBe(Code.InvalidArgument);
      expect((err as ConnectError).rawMessage, pattern).toContain(problem);
      expect((err as ConnectError).rawMessage, pattern).not.toMatch(/select|\n/i);
    }
  });
});
