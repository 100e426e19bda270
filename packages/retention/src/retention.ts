/**
 * A retention run: for each rule (the policies in order, then the default), the Results it lets
 * go, each deleted with all its Records and every stored log; or, dry, only counted.
 *
 * A Result's logs are deleted before the Result: when that fails the Result stays, named in the
 * report's failures, and the next run tries again; a run stopped at any moment leaves each
 * Result either whole, gone, or (stopped between the two steps) without some log bytes and
 * still selected, so the next run finishes it. Each Result is deleted in a transaction of its
 * own (the store's `deleteResult`), pages are a bounded number of Results, and the run can be
 * stopped between any two Results with an `AbortSignal`.
 *
 * @module
 */
import type { LogStore } from "@tekton-results/log-store";
import { formatLogName, formatResultName, RECORD_TYPES } from "@tekton-results/proto";
import {
  isStorageError,
  type Cursor,
  type ResultsStore,
  type StoredRecord,
} from "@tekton-results/storage";
import type { RetentionConfig } from "./policy.js";
import { ageOf, compileRules, decidedBy, resultKey, type Rule } from "./selection.js";

/** Results per page of candidates (each deleted in its own transaction). */
export const DEFAULT_BATCH_SIZE = 200;

/** What one rule let go (or, dry, would). */
export interface RuleReport {
  /** The policy's name, or `default`. */
  policy: string;
  /** Its retention as written. */
  retention: string;
  /** Runs older than this were selected. */
  cutoff: Date;
  results: number;
  records: number;
  /** Stored logs, and their bytes. */
  logs: number;
  logBytes: number;
  /** The ages (completion or update times) of the oldest and newest run selected. */
  oldest?: Date;
  newest?: Date;
}

/** A Result that could not be deleted, and why (it stays, and the next run tries again). */
export interface RetentionFailure {
  result: string;
  policy: string;
  error: string;
}

/** What a run did. */
export interface RetentionReport {
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  rules: RuleReport[];
  failures: RetentionFailure[];
  /** Set when the run was stopped before its end (by its signal). */
  stopped: boolean;
  /**
   * The longest single call the run made to the store (a page query, or one Result's delete
   * transaction), and which method it was: what the run held the database for at most.
   */
  longestStoreCall: { method: string; ms: number };
}

/** What a run needs. */
export interface RetentionOptions {
  store: ResultsStore;
  /** Where the logs are; without it, only database rows are deleted (and no bytes counted). */
  logs?: LogStore;
  config: RetentionConfig;
  /** Count, do not delete. */
  dryRun?: boolean;
  /** The time the retentions count back from. Default: now. */
  now?: Date;
  /** Candidates per page. Default {@link DEFAULT_BATCH_SIZE}. */
  batchSize?: number;
  /** Stops the run between two Results. */
  signal?: AbortSignal;
  /** Called after each Result (deleted or counted), for progress and metrics. */
  onResult?: (event: { rule: string; result: string; records: number; logBytes: number }) => void;
}

/** The records of a Result: how many, and its Log records' names. */
async function contents(
  store: ResultsStore,
  parent: string,
  resultName: string,
): Promise<{ records: number; logNames: string[] }> {
  let records = 0;
  const logNames: string[] = [];
  let after: Cursor | undefined;
  do {
    const page = await store.listRecords({
      parent,
      resultName,
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 1000,
      ...(after ? { after } : {}),
    });
    records += page.items.length;
    for (const r of page.items) {
      if (r.type === RECORD_TYPES.LOG) logNames.push(formatLogName(parent, resultName, r.name));
    }
    after = page.next;
  } while (after);
  return { records, logNames };
}

/** The bytes of the stored logs among `names` (a Log record whose log was never stored: none). */
async function storedBytes(
  logs: LogStore,
  names: string[],
): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for (const name of names) {
    if (!(await logs.exists(name))) continue;
    count++;
    bytes += await logs.size(name);
  }
  return { count, bytes };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `store`, recording in `longest` its slowest call. */
function timedStore(store: ResultsStore, longest: { method: string; ms: number }): ResultsStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          const ms = performance.now() - t0;
          if (ms > longest.ms) {
            longest.method = prop;
            longest.ms = ms;
          }
        }
      };
    },
  });
}

/** Run retention once, with `config`'s rules, and report what went (or would). */
export async function runRetention(options: RetentionOptions): Promise<RetentionReport> {
  const rules = compileRules(options.config);
  const now = options.now ?? new Date();
  const batch = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const report: RetentionReport = {
    dryRun: options.dryRun === true,
    startedAt: new Date(),
    finishedAt: new Date(),
    rules: [],
    failures: [],
    stopped: false,
    longestStoreCall: { method: "", ms: 0 },
  };
  const o = { ...options, store: timedStore(options.store, report.longestStoreCall) };
  // A Result is judged once: by the first rule that decides one of its top-level runs.
  const judged = new Set<string>();
  for (const [index, rule] of rules.entries()) {
    const cutoff = new Date(now.getTime() - rule.retentionMs);
    const r: RuleReport = {
      policy: rule.name,
      retention: rule.retention,
      cutoff,
      results: 0,
      records: 0,
      logs: 0,
      logBytes: 0,
    };
    report.rules.push(r);
    if (!(await walkRule(o, rules, index, cutoff, batch, judged, r, report))) {
      report.stopped = true;
      break;
    }
  }
  report.finishedAt = new Date();
  return report;
}

/** Walk rule `index`'s candidates; false when stopped by the signal. */
async function walkRule(
  o: RetentionOptions,
  rules: readonly Rule[],
  index: number,
  cutoff: Date,
  batch: number,
  judged: Set<string>,
  r: RuleReport,
  report: RetentionReport,
): Promise<boolean> {
  const rule = rules[index]!;
  const filter = rule.candidates(cutoff);
  let after: Cursor | undefined;
  do {
    if (o.signal?.aborted) return false;
    const page = await o.store.listRecords({
      filter,
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: batch,
      ...(after ? { after } : {}),
    });
    after = page.next;
    // A deleted Result's runs are gone from later pages; a dry run must remember them all.
    const seen = o.dryRun ? judged : new Set<string>();
    for (const run of await decidedBy(o.store, rules, index, page.items)) {
      const key = resultKey(run);
      if (seen.has(key)) continue;
      seen.add(key);
      if (o.signal?.aborted) return false;
      await letGo(o, run, r, report);
    }
  } while (after);
  return true;
}

/** Count, and unless dry delete, the Result of `run` with its records and logs. */
async function letGo(
  o: RetentionOptions,
  run: StoredRecord,
  r: RuleReport,
  report: RetentionReport,
): Promise<void> {
  const name = formatResultName(run.parent, run.resultName);
  try {
    const { records, logNames } = await contents(o.store, run.parent, run.resultName);
    const stored = o.logs ? await storedBytes(o.logs, logNames) : { count: 0, bytes: 0 };
    if (!o.dryRun) {
      // Logs first: if they cannot go, the Result stays and is tried again next time.
      await o.logs?.deletePrefix(name);
      try {
        await o.store.deleteResult(run.parent, run.resultName);
      } catch (err) {
        // Deleted meanwhile (the API, another runner): what was to happen has happened.
        if (!isStorageError(err, "not_found")) throw err;
      }
    }
    r.results++;
    r.records += records;
    r.logs += stored.count;
    r.logBytes += stored.bytes;
    const age = ageOf(run, o.config.age);
    if (r.oldest === undefined || age < r.oldest) r.oldest = age;
    if (r.newest === undefined || age > r.newest) r.newest = age;
    o.onResult?.({ rule: r.policy, result: name, records, logBytes: stored.bytes });
  } catch (err) {
    report.failures.push({ result: name, policy: r.policy, error: describe(err) });
  }
}
