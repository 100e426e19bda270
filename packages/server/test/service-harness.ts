/**
 * Test wiring for the Results service: the real generated client over an
 * in-process router transport, a fake clock, sequential uids, a recording
 * authorizer and logger, and a store spy.
 */
import { createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { Results } from "@tekton-results/proto";
import type { ResultsStore } from "@tekton-results/storage";
import type { AuthRequest, Authorizer } from "../src/auth.js";
import type { Clock, Logger } from "@tekton-results/runtime";
import type { IdGenerator } from "../src/deps.js";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createResultsRoutes } from "../src/routes.js";

/** 2024-01-15T10:00:00Z */
export const T0 = Date.UTC(2024, 0, 15, 10, 0, 0, 0);

export interface FakeClock extends Clock {
  /** Move the clock forward. */
  tick(ms: number): void;
  set(ms: number): void;
}

export function createFakeClock(start = T0): FakeClock {
  let now = start;
  return {
    now: () => now,
    setTimer: () => {
      // The services read the time only; none of them sets a timer.
      throw new Error("the services' fake clock has no timers");
    },
    tick: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}

/** The n-th uid handed out by {@link createSequentialIds} (1-based). */
export function seqUid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

export function createSequentialIds(): IdGenerator {
  let n = 0;
  return { uid: () => seqUid(++n) };
}

export interface LogEntry {
  level: string;
  obj: object;
  msg: string;
}

export function createRecordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: string) => (obj: object, msg: string) => {
    entries.push({ level, obj, msg });
  };
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Wrap a store to record every method call (name and arguments). */
export function spyStore(store: ResultsStore): {
  store: ResultsStore;
  calls: { method: string; args: unknown[] }[];
} {
  const calls: { method: string; args: unknown[] }[] = [];
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        calls.push({ method: prop, args });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/** A store like `store` that does not advertise or offer record summaries. */
export function withoutSummaries(store: ResultsStore): ResultsStore {
  const capabilities = { ...store.capabilities, recordListSummary: false };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "capabilities") return capabilities;
      if (prop === "summarizeRecords") return undefined;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

export interface Harness {
  client: Client<typeof Results>;
  /** The spied store the service uses. */
  store: ResultsStore;
  /** Store calls made through the service. */
  calls: { method: string; args: unknown[] }[];
  clock: FakeClock;
  logger: Logger & { entries: LogEntry[] };
  /** Every authorization request, in order. */
  authRequests: AuthRequest[];
}

export interface HarnessOptions {
  store?: ResultsStore;
  authorizer?: Authorizer;
  maxPageSize?: number;
  /** The routes' `maxPageBytes`. */
  maxPageBytes?: number;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const { store, calls } = spyStore(options.store ?? createMemoryStore());
  const clock = createFakeClock();
  const logger = createRecordingLogger();
  const authRequests: AuthRequest[] = [];
  const inner = options.authorizer;
  const authorizer: Authorizer = {
    async authorize(request) {
      authRequests.push(request);
      if (inner) await inner.authorize(request);
    },
  };
  const routes = createResultsRoutes({
    store,
    authorizer,
    clock,
    ids: createSequentialIds(),
    logger,
    ...(options.maxPageSize !== undefined ? { maxPageSize: options.maxPageSize } : {}),
    ...(options.maxPageBytes !== undefined ? { maxPageBytes: options.maxPageBytes } : {}),
  });
  const client = createClient(Results, createRouterTransport(routes));
  return { client, store, calls, clock, logger, authRequests };
}

const encoder = new TextEncoder();

/** `data.value` bytes for a JSON value. */
export function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Resolve to the error a promise rejects with (fails when it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}
