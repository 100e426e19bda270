/**
 * Upsert a run's Result and Record through the Results API with the fewest
 * calls: reads first, writes only when something changed, and a cache of what
 * was last written per run uid so that a resync with no change makes no call.
 *
 * Shortcuts that keep those rules: a run no watcher has seen yet (no
 * `results.tekton.dev/*` annotation or finalizer) is created without reading
 * first (AlreadyExists falls back to read-then-update); a Result this process
 * created or read is not read again for a child run; a Record this process
 * wrote is updated with the etag it got back (a stale etag falls back to
 * read-then-update).
 *
 * @module
 */
import {
  create,
  isAlreadyExists,
  isFailedPrecondition,
  isNotFound,
  jsonRecordData,
  parseResultName,
  recordData,
  RecordSummarySchema,
  timestampDate,
  timestampFromDate,
  type Record as ApiRecord,
  type RecordSummary,
  type Result,
  type ResultsClient,
} from "@tekton-results/client";
import { hashOf, recordFingerprint } from "./record-value.js";
import type { DesiredSummary } from "./summary.js";

/** What one run should look like in the Results API. */
export interface ArchivePlan {
  /** The run's uid (the cache key). */
  uid: string;
  resultName: string;
  recordName: string;
  /** Record data type, e.g. `tekton.dev/v1.TaskRun`. */
  recordType: string;
  /** The record's JSON value (the cleaned run). */
  value: unknown;
  /** For a top-level run: the Result summary. */
  summary?: DesiredSummary;
  /** For a top-level run: annotations merged into the Result's. */
  resultAnnotations?: Record<string, string>;
}

/** What an upsert did. */
export interface UpsertOutcome {
  /** Results API calls that wrote (create/update). */
  writes: number;
  /** Results API calls that read. */
  reads: number;
}

/** Upserts runs; see {@link createUpserter}. */
export interface Upserter {
  /** Make the Result and Record of `plan` match it. */
  upsert(plan: ArchivePlan): Promise<UpsertOutcome>;
  /** Forget what was written for `uid` (the run is gone). */
  forget(uid: string): void;
  /** True when the last upsert of `uid` wrote exactly what `plan` asks for (no call needed). */
  isCurrent(plan: ArchivePlan): boolean;
}

/** How many times a write that lost a race (etag, AlreadyExists) is retried at once. */
const MAX_RACE_RETRIES = 5;

/** Result names remembered as existing (oldest forgotten first). */
const KNOWN_RESULTS_LIMIT = 50_000;

interface Written {
  result: string;
  record: string;
  /** The etag of the Record as this process last wrote it. */
  recordEtag?: string;
}

/**
 * True when no watcher has written back to the run yet: none of the
 * annotations it writes and none of its finalizers. Its Result and Record
 * most likely do not exist, so they are created without reading first.
 */
function unseenByWatchers(value: unknown): boolean {
  const metadata = (value as { metadata?: { annotations?: unknown; finalizers?: unknown } } | null)
    ?.metadata;
  const annotations = (metadata?.annotations ?? {}) as Record<string, unknown>;
  if (Object.keys(annotations).some((k) => k.startsWith("results.tekton.dev/"))) return false;
  const finalizers = Array.isArray(metadata?.finalizers) ? (metadata.finalizers as unknown[]) : [];
  return !finalizers.some((f) => typeof f === "string" && f.startsWith("results.tekton.dev/"));
}

/** Options of {@link createUpserter}. */
export interface UpserterOptions {
  /**
   * Create the Result and Record of a run no watcher has written back to
   * without reading first (default true). Turn it off when write-back is
   * disabled: runs then never show that a watcher has seen them.
   */
  createFirst?: boolean;
}

/**
 * Create an upserter over `client`. It keeps, per run uid, the hash of the
 * Result and Record it last wrote or found current, and skips every call
 * when a plan matches them.
 */
export function createUpserter(client: ResultsClient, options: UpserterOptions = {}): Upserter {
  const createFirst = options.createFirst ?? true;
  const written = new Map<string, Written>();
  /** Results this process created or read (a child run need not read them again). */
  const knownResults = new Set<string>();
  const knowResult = (name: string) => {
    if (knownResults.has(name)) return;
    if (knownResults.size >= KNOWN_RESULTS_LIMIT) {
      const oldest = knownResults.values().next().value;
      if (oldest !== undefined) knownResults.delete(oldest);
    }
    knownResults.add(name);
  };

  function resultHash(plan: ArchivePlan): string {
    return hashOf({
      name: plan.resultName,
      summary: plan.summary ?? null,
      annotations: plan.resultAnnotations ?? null,
    });
  }
  function recordHash(plan: ArchivePlan, fingerprint = recordFingerprint(plan.value)): string {
    return hashOf({ name: plan.recordName, type: plan.recordType, fingerprint });
  }

  async function upsertResult(
    plan: ArchivePlan,
    outcome: UpsertOutcome,
    unseen: boolean,
  ): Promise<void> {
    const name = plan.resultName;
    const { parent } = parseResultName(name);
    const bare = plan.summary === undefined && plan.resultAnnotations === undefined;
    // A child only needs its Result to exist.
    if (bare && knownResults.has(name)) return;
    const createResult = () =>
      client.createResult({
        parent,
        result: {
          name,
          annotations: plan.resultAnnotations ?? {},
          ...(plan.summary ? { summary: toApiSummary(plan.summary) } : {}),
        },
      });
    if (unseen && !bare) {
      outcome.writes++;
      try {
        await createResult();
        knowResult(name);
        return;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    for (let attempt = 0; ; attempt++) {
      let existing: Result | undefined;
      outcome.reads++;
      try {
        existing = await client.getResult({ name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (existing === undefined) {
        outcome.writes++;
        try {
          await createResult();
          knowResult(name);
          return;
        } catch (err) {
          if (isAlreadyExists(err) && attempt < MAX_RACE_RETRIES) continue;
          throw err;
        }
      }
      knowResult(name);
      const annotations = { ...existing.annotations, ...(plan.resultAnnotations ?? {}) };
      const annotationsChanged = !sameStringMap(annotations, existing.annotations);
      const summaryChanged =
        plan.summary !== undefined && !sameSummary(plan.summary, existing.summary);
      if (!annotationsChanged && !summaryChanged) return;
      outcome.writes++;
      try {
        await client.updateResult({
          name,
          etag: existing.etag,
          result: {
            name,
            annotations,
            ...(plan.summary
              ? { summary: toApiSummary(plan.summary) }
              : existing.summary
                ? { summary: existing.summary }
                : {}),
          },
        });
        return;
      } catch (err) {
        if ((isFailedPrecondition(err) || isNotFound(err)) && attempt < MAX_RACE_RETRIES) continue;
        throw err;
      }
    }
  }

  /** Make the Record match `plan`; resolves with its etag. */
  async function upsertRecord(
    plan: ArchivePlan,
    outcome: UpsertOutcome,
    fingerprint: string,
    unseen: boolean,
    lastEtag: string | undefined,
  ): Promise<string> {
    const name = plan.recordName;
    const data = jsonRecordData(plan.recordType, plan.value);
    const createRecord = async () => {
      try {
        return (await client.createRecord({ parent: plan.resultName, record: { name, data } }))
          .etag;
      } catch (err) {
        // The Result is gone (deleted behind our back): check it again next time.
        if (isNotFound(err)) knownResults.delete(plan.resultName);
        throw err;
      }
    };
    if (lastEtag) {
      // This process wrote the Record: update it with the etag it got back.
      outcome.writes++;
      try {
        return (await client.updateRecord({ record: { name, data }, etag: lastEtag })).etag;
      } catch (err) {
        if (!isFailedPrecondition(err) && !isNotFound(err)) throw err;
      }
    } else if (unseen) {
      outcome.writes++;
      try {
        return await createRecord();
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    for (let attempt = 0; ; attempt++) {
      let existing: ApiRecord | undefined;
      outcome.reads++;
      try {
        existing = await client.getRecord({ name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (existing === undefined) {
        outcome.writes++;
        try {
          return await createRecord();
        } catch (err) {
          if (isAlreadyExists(err) && attempt < MAX_RACE_RETRIES) continue;
          throw err;
        }
      }
      if (existing.data?.type === plan.recordType && storedFingerprint(existing) === fingerprint) {
        return existing.etag;
      }
      outcome.writes++;
      try {
        return (await client.updateRecord({ record: { name, data }, etag: existing.etag })).etag;
      } catch (err) {
        if ((isFailedPrecondition(err) || isNotFound(err)) && attempt < MAX_RACE_RETRIES) continue;
        throw err;
      }
    }
  }

  return {
    isCurrent(plan) {
      const last = written.get(plan.uid);
      return last?.result === resultHash(plan) && last.record === recordHash(plan);
    },
    async upsert(plan) {
      const outcome: UpsertOutcome = { writes: 0, reads: 0 };
      const last = written.get(plan.uid);
      const unseen = createFirst && last === undefined && unseenByWatchers(plan.value);
      const wantResult = resultHash(plan);
      const fingerprint = recordFingerprint(plan.value);
      const wantRecord = recordHash(plan, fingerprint);
      if (last?.result !== wantResult) {
        await upsertResult(plan, outcome, unseen);
        written.set(plan.uid, {
          result: wantResult,
          record: last?.record ?? "",
          ...(last?.recordEtag !== undefined ? { recordEtag: last.recordEtag } : {}),
        });
      }
      if (last?.record !== wantRecord) {
        let etag: string;
        try {
          etag = await upsertRecord(plan, outcome, fingerprint, unseen, last?.recordEtag);
        } catch (err) {
          // The Result may be gone: upsert it again next time.
          if (isNotFound(err)) written.delete(plan.uid);
          throw err;
        }
        written.set(plan.uid, { result: wantResult, record: wantRecord, recordEtag: etag });
      }
      return outcome;
    },
    forget(uid) {
      written.delete(uid);
    },
  };
}

/** The fingerprint of a stored Record's data; `""` when it is not JSON. */
function storedFingerprint(record: ApiRecord): string {
  try {
    return recordFingerprint(recordData(record));
  } catch {
    return "";
  }
}

/** The API message of a desired summary. */
export function toApiSummary(summary: DesiredSummary): RecordSummary {
  return create(RecordSummarySchema, {
    record: summary.record,
    type: summary.type,
    status: summary.status,
    annotations: summary.annotations,
    ...(summary.startTime ? { startTime: timestampFromDate(summary.startTime) } : {}),
    ...(summary.endTime ? { endTime: timestampFromDate(summary.endTime) } : {}),
  });
}

/** True when the stored summary says what `want` says. */
export function sameSummary(want: DesiredSummary, have: RecordSummary | undefined): boolean {
  if (have === undefined) return false;
  return (
    have.record === want.record &&
    have.type === want.type &&
    have.status === want.status &&
    sameTime(want.startTime, have.startTime ? timestampDate(have.startTime) : undefined) &&
    sameTime(want.endTime, have.endTime ? timestampDate(have.endTime) : undefined) &&
    sameStringMap(want.annotations, have.annotations)
  );
}

function sameTime(a: Date | undefined, b: Date | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.getTime() === b.getTime();
}

function sameStringMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
