/**
 * The server under test: the real server program (`main` of
 * `@tekton-results/server`) run in this process on a port of its own, over
 * SQLite or PostgreSQL, with a log directory. The store it opens is captured
 * (to checksum the data set) and wrapped so that a fault can be injected: while
 * {@link Target.injectFault} is on, every store call fails as an unreachable
 * database does.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Logger } from "@tekton-results/server";
import { StorageError, type ResultsStore } from "@tekton-results/storage";
import { dataSetChecksum, type DataSetChecksum } from "./checksum.js";

/** Which database the target serves from. */
export type Backend = { kind: "sqlite" } | { kind: "postgres"; url: string };

/** One line the server logged at warn or error level. */
export interface LoggedProblem {
  level: "warn" | "error";
  msg: string;
  fields: object;
}

/** A running server under test. */
export interface Target {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The store the server opened (not wrapped: its calls never fail on purpose). */
  readonly store: ResultsStore;
  /** The directory of stored logs. */
  readonly logsDir: string;
  /** What the server logged at warn and error levels, oldest first. */
  readonly problems: LoggedProblem[];
  /** While true, every store call of the server fails with `unavailable`. */
  injectFault: boolean;
  /** The checksum of everything the store holds. */
  checksum(): Promise<DataSetChecksum>;
  /** Stop the server and remove its files. */
  close(): Promise<void>;
}

function capturingLogger(problems: LoggedProblem[]): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (fields, msg) => void problems.push({ level: "warn", msg, fields }),
    error: (fields, msg) => void problems.push({ level: "error", msg, fields }),
  };
}

/** A proxy over `store` whose methods fail while `faulty()` is true. */
function faultableStore<S extends object>(store: S, faulty: () => boolean): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || prop === "close") return value;
      return (...args: unknown[]) => {
        if (faulty()) {
          return Promise.reject(
            new StorageError("unavailable", "the database is unreachable (injected fault)"),
          );
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Start the server program on `backend`; resolves once it listens. */
export async function startTarget(backend: Backend): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "results-fuzz-"));
  const logsDir = join(dir, "logs");
  const problems: LoggedProblem[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let store: ResultsStore | undefined;
  const state = { injectFault: false };
  const database = backend.kind === "sqlite" ? join(dir, "results.db") : backend.url;
  let listening!: (url: string) => void;
  const address = new Promise<string>((r) => (listening = r));
  const exit = main(
    [
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--database",
      database,
      "--logs-dir",
      logsDir,
      "--ui=false",
      "--shutdown-timeout-ms",
      "2000",
    ],
    {},
    {
      logger: capturingLogger(problems),
      stop: stopped,
      onListening: (a) => listening(a.url),
      importAdapter: async (pkg) => {
        const adapter = (await import(pkg)) as Record<string, unknown>;
        const name = pkg.endsWith("sqlite") ? "createSqliteStore" : "createPgStore";
        const create = adapter[name] as (o: unknown) => Promise<ResultsStore>;
        return {
          ...adapter,
          [name]: async (options: unknown) => {
            store = await create(options);
            return faultableStore(store, () => state.injectFault);
          },
        };
      },
    },
  );
  const url = await Promise.race([
    address,
    exit.then((code) => {
      throw new Error(`the server exited with ${code}: ${JSON.stringify(problems)}`);
    }),
  ]);
  const opened = store!;
  return {
    url,
    store: opened,
    logsDir,
    problems,
    get injectFault() {
      return state.injectFault;
    },
    set injectFault(on: boolean) {
      state.injectFault = on;
    },
    checksum: () => dataSetChecksum(opened, logsDir),
    async close() {
      stop();
      await exit;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
