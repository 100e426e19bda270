/**
 * For the export/import tests: Results API servers over SQLite and over PostgreSQL (embedded,
 * through storage-pg's test support), built like `startSeededServer`; a clock the test sets (so
 * records get the create_time it wants); a store that can be slowed down (so a test can kill a
 * process in the middle of its work); and a snapshot of everything a server holds, to compare
 * two servers record by record.
 */
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  createLogsClient,
  createResultsClient,
  isNotFound,
  logNameOfRecord,
  RECORD_TYPES,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { createResultsRoutes, createResultsServer } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import {
  createTestStore,
  destroyTestStore,
  stopTestPostgres,
} from "../../../storage-pg/test/support/postgres.js";

/** The storage port the server runs on. */
type ResultsStore = Parameters<typeof createResultsRoutes>[0]["store"];

/** A running server of the tests. */
export interface TestServer {
  url: string;
  client: ResultsClient;
  logs: LogsClient;
  /** The time the server stamps on what it creates (ms); `undefined`: the wall clock. */
  setNow(ms: number | undefined): void;
  /** Milliseconds each store call waits before it runs (0: none). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** The store, with every call waiting `delay()` milliseconds first. */
function slowed(store: ResultsStore, delay: () => number): ResultsStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || key === "close") return value;
      return async (...args: unknown[]) => {
        const ms = delay();
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function serve(store: ResultsStore, close: () => Promise<void>): Promise<TestServer> {
  let now: number | undefined;
  let delay = 0;
  const slow = slowed(store, () => delay);
  const server = createResultsServer({
    routes: createResultsRoutes({
      store: slow,
      logs: createMemoryLogStore(),
      clock: {
        now: () => now ?? Date.now(),
        setTimer(fn, ms) {
          const handle = setTimeout(fn, Math.max(0, ms));
          handle.unref();
          return { cancel: () => clearTimeout(handle) };
        },
      },
    }),
    store,
  });
  const { url } = await server.listen(0, "127.0.0.1");
  const transport = createGrpcTransport({ baseUrl: url });
  return {
    url,
    client: createResultsClient(transport),
    logs: createLogsClient(transport),
    setNow: (ms) => void (now = ms),
    setDelay: (ms) => void (delay = ms),
    close: async () => {
      await server.close();
      await close();
    },
  };
}

/** A server over an in-memory SQLite store. */
export async function startSqliteServer(): Promise<TestServer> {
  const store = await createSqliteStore({ filename: ":memory:" });
  return serve(store, () => store.close());
}

/** A server over PostgreSQL: a schema of its own in the test file's (embedded) database. */
export async function startPgServer(): Promise<TestServer> {
  const store = await createTestStore();
  return serve(store, () => destroyTestStore(store));
}

/** Stop the test file's PostgreSQL (after its last server closed). */
export const stopPostgres = stopTestPostgres;

/** Everything a server holds that an import keeps: by name, in name order. */
export interface Snapshot {
  results: Map<string, { annotations: Record<string, string>; summary: unknown }>;
  records: Map<string, { type: string; data: Buffer }>;
  /** The stored log of each Log record that has one. */
  logs: Map<string, Buffer>;
}

/** Read every Result, Record and log of a server. */
export async function snapshot(server: TestServer): Promise<Snapshot> {
  const results: Snapshot["results"] = new Map();
  for await (const r of server.client.listAllResults({ parent: "-" }, { pageSize: 1000 })) {
    results.set(r.name, { annotations: { ...r.annotations }, summary: r.summary });
  }
  const records: Snapshot["records"] = new Map();
  const logs: Snapshot["logs"] = new Map();
  for await (const r of server.client.listAllRecords(
    { parent: "-/results/-" },
    { pageSize: 1000 },
  )) {
    records.set(r.name, { type: r.data?.type ?? "", data: Buffer.from(r.data?.value ?? []) });
    if (r.data?.type !== RECORD_TYPES.LOG) continue;
    try {
      logs.set(r.name, Buffer.from(await server.logs.readLog(logNameOfRecord(r.name))));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const sorted = <V>(m: Map<string, V>) => new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { results: sorted(results), records: sorted(records), logs: sorted(logs) };
}
