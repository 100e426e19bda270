import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { createResultsClient, type ResultsClient } from "@tekton-results/client";
import { createMemoryLogStore, type LogStore } from "@tekton-results/log-store";
import { formatLogName } from "@tekton-results/proto";
import { createResultsRoutes } from "@tekton-results/server";
import { createSqliteStore, type SqliteStore } from "@tekton-results/storage-sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeClock, type FakeClock } from "../test/fake-clock.js";
import { createWatcherMetrics, type WatcherMetrics } from "./metrics.js";
import {
  createNamespaceCleaner,
  MAX_EXCLUSION_FILTER,
  type CleanupResultsClient,
  type NamespaceCleanerOptions,
} from "./namespace-cleanup.js";
import type { NamespaceInfo } from "./namespaces.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

let store: SqliteStore;
let logs: LogStore;
let client: ResultsClient;
/** The API server's time (the Results' create_time). */
let serverNow: number;
let clock: FakeClock;
let metrics: WatcherMetrics;
/** Filters the cleaner sent to ListResults. */
let filters: string[];

beforeEach(async () => {
  store = await createSqliteStore({ filename: ":memory:" });
  logs = createMemoryLogStore();
  serverNow = T0;
  const serverClock = { now: () => serverNow, setTimer: () => ({ cancel() {} }) };
  filters = [];
  const transport = createRouterTransport(
    createResultsRoutes({ store, logs, clock: serverClock }),
    {
      router: {
        interceptors: [
          (next) => async (req) => {
            const message = req.message as { filter?: unknown };
            if (req.method.name === "ListResults") filters.push(String(message.filter));
            return next(req);
          },
        ],
      },
    },
  );
  client = createResultsClient(transport);
  clock = createFakeClock(T0);
  metrics = createWatcherMetrics();
});
afterEach(async () => {
  await store.close();
});

/** A Result `ns/results/name` created at `at` (server time), with a stored log. */
async function seed(ns: string, name: string, at = T0): Promise<void> {
  serverNow = at;
  await client.createResult({ parent: ns, result: { name: `${ns}/results/${name}` } });
  await logs.write(formatLogName(ns, name, `${name}-log`), [new TextEncoder().encode("log\n")]);
}

/** Every Result left, `ns/name`, sorted. */
async function remaining(): Promise<string[]> {
  const out: string[] = [];
  for await (const r of client.listAllResults({ parent: "-" })) {
    out.push(r.name.replace("/results/", "/"));
  }
  return out.sort();
}

async function hasLog(ns: string, name: string): Promise<boolean> {
  return logs.exists(formatLogName(ns, name, `${name}-log`));
}

function cleaner(
  namespaces: string[] | NamespaceInfo[],
  more: Partial<NamespaceCleanerOptions> = {},
) {
  const list = namespaces.map((n) => (typeof n === "string" ? { name: n } : n));
  return createNamespaceCleaner({
    results: client,
    listNamespaces: async () => list,
    clock,
    metrics,
    sweepIntervalMs: 0,
    sweepMarginMs: 0,
    ...more,
  });
}

async function settle(c: { idle(): boolean }): Promise<void> {
  for (let i = 0; i < 200 && !c.idle(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(c.idle()).toBe(true);
}

describe("namespace clean-up", () => {
  it("a deleted namespace's Results go with their logs; other namespaces' stay", async () => {
    for (const n of ["a", "b", "c"]) await seed("gone", n);
    await seed("kept", "k");
    const c = cleaner(["kept", "gone"]); // the start sweep sees "gone" still there
    c.start();
    await settle(c);
    expect(await remaining()).toEqual(["gone/a", "gone/b", "gone/c", "kept/k"]);

    c.namespaceDeleted("gone");
    await settle(c);
    expect(await remaining()).toEqual(["kept/k"]);
    expect(await hasLog("gone", "a")).toBe(false);
    expect(await hasLog("kept", "k")).toBe(true);
    expect(metrics.counter("watcher_namespace_results_deleted_total", { trigger: "deleted" })).toBe(
      3,
    );
    await c.stop();
  });

  it("pages through a namespace with more Results than a page", async () => {
    for (let i = 0; i < 25; i++) await seed("gone", `r${i}`);
    await seed("kept", "k");
    const c = cleaner(["kept", "gone"], { pageSize: 4 });
    c.start();
    c.namespaceDeleted("gone");
    await settle(c);
    expect(await remaining()).toEqual(["kept/k"]);
    await c.stop();
  });

  it("a namespace recreated under the deleted name keeps the Results created since", async () => {
    await seed("ns", "old", T0);
    await seed("ns", "new", T0 + 2 * HOUR);
    const c = cleaner(["ns"], {
      current: (name) =>
        name === "ns" ? { name, creationTimestamp: new Date(T0 + HOUR) } : undefined,
    });
    c.start();
    c.namespaceDeleted("ns");
    await settle(c);
    expect(await remaining()).toEqual(["ns/new"]);
  });

  it("the sweep deletes the Results of namespaces that no longer exist, but not those newer than its margin", async () => {
    await seed("gone-1", "a", T0 - 2 * HOUR);
    await seed("gone-2", "b", T0 - 2 * HOUR);
    await seed("gone-2", "fresh", T0 - 60_000); // created a minute before the list
    await seed("kept", "k", T0 - 2 * HOUR);
    const c = cleaner(["kept", "default"], { sweepMarginMs: 300_000 });
    c.start();
    await settle(c);
    expect(await remaining()).toEqual(["gone-2/fresh", "kept/k"]);
    expect(await hasLog("gone-1", "a")).toBe(false);
    expect(metrics.counter("watcher_namespace_results_deleted_total", { trigger: "sweep" })).toBe(
      2,
    );
    // The exclusion is asked of the server: only the gone namespaces' Results were listed.
    expect(filters[0]).toBe(
      `create_time < timestamp("${new Date(T0 - 300_000).toISOString()}") && !(parent in ["kept", "default"])`,
    );
    await c.stop();
  });

  it("with more namespaces than an exclusion filter holds, the sweep checks each Result itself", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `namespace-with-a-long-name-${i}`);
    await seed(many[7]!, "kept", T0 - HOUR);
    await seed("gone", "x", T0 - HOUR);
    const c = cleaner(many);
    c.start();
    await settle(c);
    expect(await remaining()).toEqual([`${many[7]}/kept`]);
    expect(filters[0]!.length).toBeLessThan(MAX_EXCLUSION_FILTER);
    expect(filters[0]).not.toContain("parent in");
  });

  it("a cluster listing no namespaces is a fault: the sweep deletes nothing", async () => {
    await seed("ns", "a");
    const c = cleaner([]);
    c.start();
    await settle(c);
    expect(await remaining()).toEqual(["ns/a"]);
  });

  it("sweeps again every interval", async () => {
    const namespaces = ["ns", "other"];
    await seed("other", "o", T0 - HOUR);
    const c = createNamespaceCleaner({
      results: client,
      listNamespaces: async () => namespaces.map((name) => ({ name })),
      clock,
      sweepIntervalMs: HOUR,
      sweepMarginMs: 0,
    });
    c.start();
    await settle(c);
    namespaces.pop(); // "other" deleted while nothing watched it
    expect(await remaining()).toEqual(["other/o"]);
    await clock.advance(HOUR);
    await settle(c);
    expect(await remaining()).toEqual([]);
    await c.stop();
  });

  it("scoped to one namespace (--namespace): only its Results, only when it is gone", async () => {
    await seed("mine", "a", T0 - HOUR);
    await seed("theirs", "b", T0 - HOUR);
    const c = cleaner([], { scope: "mine" });
    c.namespaceDeleted("theirs"); // not ours: ignored
    c.start();
    await settle(c);
    expect(await remaining()).toEqual(["theirs/b"]);
  });

  it("a failed call is retried with growing backoff until it succeeds", async () => {
    await seed("gone", "a");
    let failures = 3;
    const flaky: CleanupResultsClient = {
      listResults: (async (req: Parameters<ResultsClient["listResults"]>[0]) => {
        if (failures-- > 0) throw new ConnectError("down", Code.Unavailable);
        return client.listResults(req);
      }) as ResultsClient["listResults"],
      deleteResult: client.deleteResult.bind(client),
    };
    const errors = () => metrics.counter("watcher_errors_total", { kind: "api_unavailable" });
    const tick = () => new Promise((r) => setTimeout(r, 20));
    // The sweep (which keeps "gone": still listed) fails too, once.
    const c = cleaner(["gone"], { results: flaky, backoff: (n) => n * 1000 });
    c.namespaceDeleted("gone");
    c.start();
    await tick();
    expect(errors()).toBe(2); // the deletion and the sweep
    await clock.advance(1000);
    await tick();
    expect(errors()).toBe(3); // the deletion again (next in 2 s); the sweep went through
    await clock.advance(1000);
    await tick();
    expect(await remaining()).toEqual(["gone/a"]);
    await clock.advance(1000);
    await settle(c);
    expect(await remaining()).toEqual([]);
  });

  it("deletions queued before start (a standby replica) run once it starts", async () => {
    await seed("gone", "a");
    const c = cleaner(["gone"]);
    c.namespaceDeleted("gone");
    await new Promise((r) => setTimeout(r, 10));
    expect(await remaining()).toEqual(["gone/a"]);
    c.start();
    await settle(c);
    expect(await remaining()).toEqual([]);
  });
});
