/**
 * Upsert a run's Result and Record through the Results API with the fewest
 * calls: reads first, writes only when something changed, and a cache of what
 * was last written per run uid so that a resync with no change makes no call.
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

interface Written {
  result: string;
  record: string;
}

/**
 * Create an upserter over `client`. It keeps, per run uid, the hash of the
 * Result and Record it last wrote or found current, and skips every call
 * when a plan matches them.
 */
export function createUpserter(client: ResultsClient): Upserter {
  const written = new Map<string, Written>();

  function resultHash(plan: ArchivePlan): string {
    return hashOf({
      name: plan.resultName,
      summary: plan.summary ?? null,
      annotations: plan.resultAnnotations ?? null,
    });
  }
  function recordHash(plan: ArchivePlan): string {
    return hashOf({
      name: plan.recordName,
      type: plan.recordType,
      fingerprint: recordFingerprint(plan.value),
    });
  }

  async function upsertResult(plan: ArchivePlan, outcome: UpsertOutcome): Promise<void> {
    const name = plan.resultName;
    const { parent } = parseResultName(name);
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
          await client.createResult({
            parent,
            result: {
              name,
              annotations: plan.resultAnnotations ?? {},
              ...(plan.summary ? { summary: toApiSummary(plan.summary) } : {}),
            },
          });
          return;
        } catch (err) {
          if (isAlreadyExists(err) && attempt < MAX_RACE_RETRIES) continue;
          throw err;
        }
      }
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

  async function upsertRecord(plan: ArchivePlan, outcome: UpsertOutcome): Promise<void> {
    const name = plan.recordName;
    const fingerprint = recordFingerprint(plan.value);
    for (let attempt = 0; ; attempt++) {
      let existing: ApiRecord | undefined;
      outcome.reads++;
      try {
        existing = await client.getRecord({ name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const data = jsonRecordData(plan.recordType, plan.value);
      if (existing === undefined) {
        outcome.writes++;
        try {
          await client.createRecord({ parent: plan.resultName, record: { name, data } });
          return;
        } catch (err) {
          if (isAlreadyExists(err) && attempt < MAX_RACE_RETRIES) continue;
          throw err;
        }
      }
      if (existing.data?.type === plan.recordType && storedFingerprint(existing) === fingerprint) {
        return;
      }
      outcome.writes++;
      try {
        await client.updateRecord({ record: { name, data }, etag: existing.etag });
        return;
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
      const wantResult = resultHash(plan);
      const wantRecord = recordHash(plan);
      if (last?.result !== wantResult) {
        await upsertResult(plan, outcome);
        written.set(plan.uid, { result: wantResult, record: last?.record ?? "" });
      }
      if (last?.record !== wantRecord) {
        await upsertRecord(plan, outcome);
        written.set(plan.uid, { result: wantResult, record: wantRecord });
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
