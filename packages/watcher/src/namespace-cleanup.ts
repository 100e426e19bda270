/**
 * Namespace clean-up (`--delete-results-on-namespace-deletion`, upstream's
 * open PR #1411): when a namespace is deleted, its Results go through the
 * API's DeleteResult, which deletes each Result's records and stored logs
 * (the same deletion path as retention). A sweep on start and every
 * `sweepIntervalMs` deletes the Results of namespaces that no longer exist,
 * so a deletion missed while the watcher was down is not forgotten.
 *
 * One job runs at a time (a namespace's deletion, or a sweep); a failed job
 * is retried with backoff, and every list is paged.
 *
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { ResultsClient } from "@tekton-results/client";
import {
  noopLogger,
  systemClock,
  type Clock,
  type Logger,
  type TimerHandle,
} from "@tekton-results/runtime";
import { createBackoff, type Backoff } from "./backoff.js";
import { errorKind, errorMessage } from "./errors.js";
import type { WatcherMetrics } from "./metrics.js";
import type { NamespaceInfo, NamespaceLister } from "./namespaces.js";

/** The Results API calls of the clean-up. */
export type CleanupResultsClient = Pick<ResultsClient, "listResults" | "deleteResult">;

/** Results per ListResults page of the clean-up. */
export const CLEANUP_PAGE_SIZE = 100;

/** Default interval between sweeps: one hour. */
export const DEFAULT_SWEEP_INTERVAL_MS = 3_600_000;

/**
 * Default margin of a sweep: only Results created this long before the
 * namespaces were listed are candidates, so that a Result of a namespace
 * created just after the list (or a clock ahead of the API server's) is safe.
 */
export const DEFAULT_SWEEP_MARGIN_MS = 300_000;

/**
 * The longest `!(parent in [...])` a sweep sends to narrow ListResults to the
 * namespaces that are gone (the API takes filters up to 16 KiB); with more
 * namespaces than fit, the sweep walks every Result and checks each itself.
 */
export const MAX_EXCLUSION_FILTER = 12_000;

/** What deleted a namespace's Results: its deletion event, or a sweep. */
export type CleanupTrigger = "deleted" | "sweep";

/** Options of {@link createNamespaceCleaner}. */
export interface NamespaceCleanerOptions {
  results: CleanupResultsClient;
  /** A fresh list of the cluster's namespaces (of the scope only, when scoped). */
  listNamespaces: NamespaceLister;
  /** The informer's current view of a namespace: one recreated under a deleted name. */
  current?: (name: string) => NamespaceInfo | undefined;
  /** Only this namespace (`--namespace`); default every namespace. */
  scope?: string;
  clock?: Clock;
  logger?: Logger;
  metrics?: Pick<WatcherMetrics, "error" | "namespaceResultsDeleted">;
  /** Delay before retry n of a failed job. Default 1 s doubling up to 5 minutes. */
  backoff?: Backoff;
  /** Between sweeps; 0: only the one at start. Default {@link DEFAULT_SWEEP_INTERVAL_MS}. */
  sweepIntervalMs?: number;
  /** Default {@link DEFAULT_SWEEP_MARGIN_MS}. */
  sweepMarginMs?: number;
  /** Default {@link CLEANUP_PAGE_SIZE}. */
  pageSize?: number;
}

/** The namespace clean-up; see {@link createNamespaceCleaner}. */
export interface NamespaceCleaner {
  /** A namespace was deleted (its informer's DELETE): delete its Results. */
  namespaceDeleted(name: string): void;
  /** Start working: a sweep now, then every `sweepIntervalMs`; queued deletions run. */
  start(): void;
  /** Queue a sweep now. */
  sweep(): void;
  /** Stop working (jobs stay queued for a later `start`); resolves when the current call ends. */
  stop(): Promise<void>;
  /** True when no job is queued or running. */
  idle(): boolean;
}

/** A queued job: `ns:<name>` deletes a namespace's Results, `sweep` sweeps. */
interface Job {
  failures: number;
  dueAt: number;
}

const SWEEP = "sweep";

/** The namespace of a Result name `{namespace}/results/{id}`. */
function parentOf(resultName: string): string {
  return resultName.split("/")[0] ?? "";
}

/** A CEL string literal (JSON's escapes are CEL's). */
function celString(value: string): string {
  return JSON.stringify(value);
}

/** `create_time < timestamp(...)` for `before`. */
function createdBefore(before: Date): string {
  return `create_time < timestamp(${celString(before.toISOString())})`;
}

/** Create the clean-up; nothing runs before {@link NamespaceCleaner.start}. */
export function createNamespaceCleaner(options: NamespaceCleanerOptions): NamespaceCleaner {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? noopLogger;
  const backoff = options.backoff ?? createBackoff({ baseMs: 1_000, maxMs: 300_000 });
  const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const margin = options.sweepMarginMs ?? DEFAULT_SWEEP_MARGIN_MS;
  const pageSize = options.pageSize ?? CLEANUP_PAGE_SIZE;
  const { results } = options;
  const jobs = new Map<string, Job>();
  let running = false;
  let started = false;
  let current: Promise<void> | undefined;
  let timer: TimerHandle | undefined;
  let sweepTimer: TimerHandle | undefined;

  function queue(key: string): void {
    const job = jobs.get(key);
    if (job) job.dueAt = Math.min(job.dueAt, clock.now());
    else jobs.set(key, { failures: 0, dueAt: clock.now() });
    schedule();
  }

  /** Run the next due job now, or set a timer for the earliest. */
  function schedule(): void {
    if (!started || running) return;
    timer?.cancel();
    timer = undefined;
    let next: [string, Job] | undefined;
    for (const entry of jobs) if (!next || entry[1].dueAt < next[1].dueAt) next = entry;
    if (!next) return;
    const wait = next[1].dueAt - clock.now();
    if (wait > 0) {
      timer = clock.setTimer(() => {
        timer = undefined;
        schedule();
      }, wait);
      return;
    }
    const [key, job] = next;
    running = true;
    current = run(key, job).finally(() => {
      running = false;
      current = undefined;
      schedule();
    });
  }

  async function run(key: string, job: Job): Promise<void> {
    try {
      if (key === SWEEP) await sweepOnce();
      else await cleanNamespace(key.slice(3));
      if (started) jobs.delete(key);
    } catch (err) {
      if (!started) return;
      job.failures++;
      const delay = backoff(job.failures);
      job.dueAt = clock.now() + delay;
      options.metrics?.error(errorKind(err));
      logger.warn(
        {
          job: key === SWEEP ? "sweep" : key.slice(3),
          error: errorMessage(err),
          failures: job.failures,
          retryInMs: Math.round(delay),
        },
        "namespace clean-up failed; retrying with backoff",
      );
    }
  }

  /**
   * Delete every Result of `parent` (`-`: of every namespace) matching
   * `filter` and not kept by `keep`, walking the pages once; returns the
   * count per namespace. Stops early when the cleaner is stopped.
   */
  async function deleteResults(
    parent: string,
    filter: string,
    keep: (namespace: string) => boolean,
    trigger: CleanupTrigger,
  ): Promise<Map<string, number>> {
    const deleted = new Map<string, number>();
    let pageToken = "";
    do {
      if (!started) throw new Error("stopped");
      const page = await results.listResults({ parent, filter, pageSize, pageToken });
      for (const result of page.results) {
        if (!started) throw new Error("stopped");
        const namespace = parentOf(result.name);
        if (keep(namespace)) continue;
        try {
          await results.deleteResult({ name: result.name });
        } catch (err) {
          // Deleted meanwhile (by retention, another replica): the goal holds.
          if (!(err instanceof ConnectError && err.code === Code.NotFound)) throw err;
        }
        deleted.set(namespace, (deleted.get(namespace) ?? 0) + 1);
        options.metrics?.namespaceResultsDeleted(trigger);
      }
      // The walk is keyset-paged: deleting what it passed leaves the next page as it was.
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return deleted;
  }

  /** The Results of a deleted namespace (older than a namespace recreated under its name). */
  async function cleanNamespace(name: string): Promise<void> {
    const recreated = options.current?.(name);
    if (recreated && !recreated.creationTimestamp) {
      // Recreated, but when is unknown: nothing tells the old Results from the new ones.
      logger.warn({ namespace: name }, "namespace deleted and recreated: its Results kept");
      return;
    }
    const filter = recreated?.creationTimestamp ? createdBefore(recreated.creationTimestamp) : "";
    const deleted = await deleteResults(name, filter, () => false, "deleted");
    logger.info(
      {
        namespace: name,
        results: deleted.get(name) ?? 0,
        ...(recreated ? { recreatedAt: recreated.creationTimestamp?.toISOString() } : {}),
      },
      "namespace deleted: its Results deleted",
    );
  }

  /** Delete the Results of every namespace that no longer exists. */
  async function sweepOnce(): Promise<void> {
    const listedAt = clock.now();
    const namespaces = await options.listNamespaces();
    const names = new Set(namespaces.map((n) => n.name));
    if (names.size === 0 && options.scope === undefined) {
      // A cluster always has namespaces (default, kube-system): an empty
      // answer is a fault, never "everything is gone".
      logger.warn({}, "namespace sweep skipped: the cluster listed no namespaces");
      return;
    }
    const before = createdBefore(new Date(listedAt - margin));
    let deleted: Map<string, number>;
    if (options.scope !== undefined) {
      if (names.has(options.scope)) return;
      deleted = await deleteResults(options.scope, before, () => false, "sweep");
    } else {
      const exclusion = `!(parent in [${[...names].map(celString).join(", ")}])`;
      const filter =
        before.length + exclusion.length + 4 <= MAX_EXCLUSION_FILTER
          ? `${before} && ${exclusion}`
          : before;
      deleted = await deleteResults("-", filter, (ns) => names.has(ns), "sweep");
    }
    const total = [...deleted.values()].reduce((a, b) => a + b, 0);
    logger.info(
      { namespaces: Object.fromEntries(deleted), results: total },
      total > 0
        ? "namespace sweep: Results of namespaces that no longer exist deleted"
        : "namespace sweep: no Results of namespaces that no longer exist",
    );
  }

  function scheduleSweeps(): void {
    if (interval <= 0 || !started) return;
    sweepTimer = clock.setTimer(() => {
      sweepTimer = undefined;
      queue(SWEEP);
      scheduleSweeps();
    }, interval);
  }

  return {
    namespaceDeleted(name) {
      if (options.scope !== undefined && name !== options.scope) return;
      jobs.set(`ns:${name}`, { failures: 0, dueAt: clock.now() });
      schedule();
    },
    start() {
      if (started) return;
      started = true;
      queue(SWEEP);
      scheduleSweeps();
    },
    sweep: () => queue(SWEEP),
    async stop() {
      started = false;
      timer?.cancel();
      timer = undefined;
      sweepTimer?.cancel();
      sweepTimer = undefined;
      await current;
    },
    idle: () => jobs.size === 0 && !running,
  };
}
