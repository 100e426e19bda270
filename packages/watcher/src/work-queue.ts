/**
 * A work queue of run keys, like client-go's rate-limited workqueue: a key is
 * queued at most once, never handed to two workers at the same time (a key
 * added while it is processed comes back after `done`), failed keys come back
 * after an exponential backoff, and keys can be scheduled for later.
 *
 * @module
 */
import { createBackoff, type Backoff } from "./backoff.js";
import { systemClock, type Clock, type TimerHandle } from "@tekton-results/runtime";

/** A queue of keys; see {@link createWorkQueue}. */
export interface WorkQueue {
  /** Queue `key` now (no-op when it is already queued). */
  add(key: string): void;
  /** Queue `key` after `ms` (the earliest of several pending schedules wins). */
  addAfter(key: string, ms: number): void;
  /** Queue `key` after its backoff, and count one more failure for it. */
  addRateLimited(key: string): void;
  /** Reset `key`'s failure count (after a success). */
  forget(key: string): void;
  /** Consecutive failures of `key`. */
  failures(key: string): number;
  /** The next key, waiting for one; `undefined` once the queue is shut down. */
  get(): Promise<string | undefined>;
  /** Mark `key` (from {@link WorkQueue.get}) processed. */
  done(key: string): void;
  /** Keys waiting (not counting scheduled or in-process ones). */
  len(): number;
  /** Keys being processed now. */
  processing(): number;
  /** Stop handing out keys: pending and future `get`s resolve `undefined`; timers are cancelled. */
  shutDown(): void;
  /** True after {@link WorkQueue.shutDown}. */
  isShutDown(): boolean;
}

/** Options of {@link createWorkQueue}. */
export interface WorkQueueOptions {
  clock?: Clock;
  /** Delay per consecutive failure. Default: 100 ms doubling up to 5 minutes. */
  backoff?: Backoff;
  /** Called whenever the number of waiting keys changes. */
  onDepth?: (depth: number) => void;
}

/** Create a work queue. */
export function createWorkQueue(options: WorkQueueOptions = {}): WorkQueue {
  const clock = options.clock ?? systemClock;
  const backoff = options.backoff ?? createBackoff();
  const onDepth = options.onDepth ?? (() => {});
  const queue: string[] = [];
  const dirty = new Set<string>();
  const active = new Set<string>();
  const failureCounts = new Map<string, number>();
  const scheduled = new Map<string, { at: number; timer: TimerHandle }>();
  const waiters: ((key: string | undefined) => void)[] = [];
  let shuttingDown = false;

  function add(key: string): void {
    if (shuttingDown || dirty.has(key)) return;
    dirty.add(key);
    if (active.has(key)) return;
    const waiter = waiters.shift();
    if (waiter) {
      dirty.delete(key);
      active.add(key);
      waiter(key);
      return;
    }
    queue.push(key);
    onDepth(queue.length);
  }

  function addAfter(key: string, ms: number): void {
    if (shuttingDown) return;
    if (ms <= 0) {
      add(key);
      return;
    }
    const at = clock.now() + ms;
    const pending = scheduled.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = clock.setTimer(() => {
      scheduled.delete(key);
      add(key);
    }, ms);
    scheduled.set(key, { at, timer });
  }

  return {
    add,
    addAfter,
    addRateLimited(key) {
      const n = (failureCounts.get(key) ?? 0) + 1;
      failureCounts.set(key, n);
      addAfter(key, backoff(n));
    },
    forget(key) {
      failureCounts.delete(key);
    },
    failures(key) {
      return failureCounts.get(key) ?? 0;
    },
    get() {
      if (shuttingDown) return Promise.resolve(undefined);
      const key = queue.shift();
      if (key !== undefined) {
        dirty.delete(key);
        active.add(key);
        onDepth(queue.length);
        return Promise.resolve(key);
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    done(key) {
      active.delete(key);
      if (dirty.has(key) && !shuttingDown) {
        dirty.delete(key);
        add(key);
      }
    },
    len: () => queue.length,
    processing: () => active.size,
    shutDown() {
      shuttingDown = true;
      for (const { timer } of scheduled.values()) timer.cancel();
      scheduled.clear();
      for (const waiter of waiters.splice(0)) waiter(undefined);
    },
    isShutDown: () => shuttingDown,
  };
}
