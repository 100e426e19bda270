/**
 * A retention run: for each rule (the policies in order, then the default), the Results it lets
 * go, each deleted with all its Records and every stored log; or, dry, only counted.
 *
 * It works in batches of {@link DEFAULT_BATCH_SIZE} Results by default, gathered from keyset
 * pages of as many candidate runs (a PipelineRun's TaskRuns are runs too, so a page gives fewer
 * Results). The logs of each Result of a batch are deleted first; then every Result of the batch
 * whose logs went is deleted, with its Records, in one transaction (the store's `deleteResults`,
 * whose statements each name a bounded number of Results). A Result whose logs could not be
 * deleted stays, named in the report's failures, and the next run tries again.
 * The run can be stopped between batches with an `AbortSignal`; a kill at any moment leaves
 * each Result's rows whole or gone, and at most one batch of Results without some of their log
 * bytes and still selected, so the next run finishes them.
 *
 * @module
 */
import type { LogStore } from "@tekton-results/log-store";
import { formatLogName, formatResultName, RECORD_TYPES } from "@tekton-results/proto";
import { type Cursor, type ResultsStore, type StoredRecord } from "@tekton-results/storage";
import type { RetentionConfig } from "./policy.js";
import { ageOf, compileRules, decidedBy, resultKey, type Rule } from "./selection.js";

/** Results deleted in one transaction (at most), and candidate runs per page. */
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
   * The longest single call the run made to the store (a page query, or one batch's delete
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
  /**
   * Results deleted in one transaction (at most), and candidate runs per page. Default
   * {@link DEFAULT_BATCH_SIZE}.
   */
  batchSize?: number;
  /** Stops the run between two batches. */
  signal?: AbortSignal;
  /** Called after each Result (deleted, when its batch's transaction committed, or counted). */
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

/**
 * Walk rule `index`'s candidates in keyset pages of `batch` runs, gathering the Results they
 * decide until there are `batch` of them, and let each such batch go; false when stopped by the
 * signal (checked before each page: the Results gathered and not yet let go are untouched).
 */
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
  // The Results gathered and not let go yet. A dry run remembers every Result it counted (they
  // stay, and their runs come again on later pages); a real one only those not deleted yet.
  const seen = o.dryRun ? judged : new Set<string>();
  let pending: StoredRecord[] = [];
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
    for (const run of await decidedBy(o.store, rules, index, page.items)) {
      const key = resultKey(run);
      if (seen.has(key)) continue;
      seen.add(key);
      pending.push(run);
    }
    while (pending.length >= batch || (after === undefined && pending.length > 0)) {
      const runs = pending.slice(0, batch);
      pending = pending.slice(batch);
      await letGo(o, runs, r, report);
      if (!o.dryRun) for (const run of runs) seen.delete(resultKey(run));
      if (pending.length > 0 && o.signal?.aborted) return false;
    }
  } while (after);
  return true;
}

/** A Result of a batch, counted. */
interface Counted {
  run: StoredRecord;
  name: string;
  records: number;
  logs: number;
  logBytes: number;
}

/** Count the Result of `run`: its records, its stored logs and their bytes. */
async function count(o: RetentionOptions, run: StoredRecord): Promise<Counted> {
  const name = formatResultName(run.parent, run.resultName);
  const { records, logNames } = await contents(o.store, run.parent, run.resultName);
  const stored = o.logs ? await storedBytes(o.logs, logNames) : { count: 0, bytes: 0 };
  return { run, name, records, logs: stored.count, logBytes: stored.bytes };
}

/**
 * Count, and unless dry delete, the Results of `runs` (one batch) with their records and logs:
 * the logs of each first, then every Result whose logs went, in one transaction.
 */
async function letGo(
  o: RetentionOptions,
  runs: readonly StoredRecord[],
  r: RuleReport,
  report: RetentionReport,
): Promise<void> {
  const fail = (name: string, err: unknown) =>
    report.failures.push({ result: name, policy: r.policy, error: describe(err) });
  let going: Counted[] = [];
  for (const run of runs) {
    try {
      const counted = await count(o, run);
      // Logs first: if they cannot go, the Result stays and is tried again next time.
      if (!o.dryRun) await o.logs?.deletePrefix(counted.name);
      going.push(counted);
    } catch (err) {
      fail(formatResultName(run.parent, run.resultName), err);
    }
  }
  if (!o.dryRun && going.length > 0) {
    try {
      // One transaction for the batch. A Result deleted meanwhile (the API, another runner) is
      // skipped: what was to happen has happened.
      await o.store.deleteResults(
        going.map((c) => ({ parent: c.run.parent, name: c.run.resultName })),
      );
    } catch (err) {
      for (const c of going) fail(c.name, err);
      going = [];
    }
  }
  for (const c of going) {
    r.results++;
    r.records += c.records;
    r.logs += c.logs;
    r.logBytes += c.logBytes;
    const age = ageOf(c.run, o.config.age);
    if (r.oldest === undefined || age < r.oldest) r.oldest = age;
    if (r.newest === undefined || age > r.newest) r.newest = age;
    o.onResult?.({ rule: r.policy, result: c.name, records: c.records, logBytes: c.logBytes });
  }
}
