/**
 * Reconcile one run: store it through the Results API, store its logs when
 * finished (optional), write annotations and the finalizer back, release the
 * finalizer once stored or at the store deadline, and delete it after the
 * grace period. Idempotent: run it as often as you like.
 *
 * The writes to runs and the recognition of their watch events are
 * `run-writer.ts`'s; the deletion after the grace period is
 * `grace-deletion.ts`'s.
 *
 * @module
 */
import { noopLogger, systemClock, type Clock, type Logger } from "@tekton-results/runtime";
import {
  errorMessage,
  isUnimplementedError,
  LogUploadError,
  PermanentError,
  RetryBefore,
} from "./errors.js";
import { createGraceDeletion } from "./grace-deletion.js";
import type { KubeClient } from "./kube-client.js";
import type { LogUploader } from "./log-uploader.js";
import type { WatcherMetrics } from "./metrics.js";
import { recordNameOf, resultNameOf } from "./naming.js";
import { hashOf, recordValueOf } from "./record-value.js";
import { ANNOTATIONS, PIPELINE_RUN, TRIGGERS_EVENT_ID_LABEL, type RunKind } from "./run-kinds.js";
import { createRunWriter } from "./run-writer.js";
import {
  completionTime,
  hasFinalizer,
  isDeleting,
  isFinished,
  isManagedBy,
  parseRunKey,
  parseTime,
  pipelineRunOwner,
  runKey,
  type TektonRun,
} from "./run.js";
import { resultAnnotationsOf, setsResultSummary, summaryOf } from "./summary.js";
import type { ArchivePlan, Upserter } from "./upsert.js";

/** Looks runs up in the informers' caches. */
export interface RunIndex {
  /** The cached run, if any. */
  get(kind: RunKind, namespace: string, name: string): TektonRun | undefined;
  /** The cached TaskRuns and CustomRuns a PipelineRun (`uid`) owns. */
  childrenOf(namespace: string, uid: string): { kind: RunKind; run: TektonRun }[];
}

/** What the reconciler is told about the watcher's settings. */
export interface ReconcilerSettings {
  /** Extra accepted `spec.managedBy` values. */
  managedBy: readonly string[];
  /** Run labels copied to Result annotations. */
  summaryLabels: readonly string[];
  /** Write annotations and finalizers back. */
  writeBack: boolean;
  /** How long after completion the finalizer waits for the run to be stored. */
  storeDeadlineMs: number;
  /** 0 never deletes; negative deletes once stored; positive that long after completion. */
  completedRunGracePeriodMs: number;
  /** Only runs matching this label selector are deleted after the grace period (default: all). */
  deletionLabelSelector?: string;
}

/** What {@link Reconciler.reconcile} asks of the queue. */
export interface ReconcileOutcome {
  /** Process the key again after this many milliseconds. */
  requeueAfterMs?: number;
}

/** Dependencies of {@link createReconciler}. */
export interface ReconcilerDeps {
  kube: KubeClient;
  upserter: Upserter;
  index: RunIndex;
  settings: ReconcilerSettings;
  metrics: WatcherMetrics;
  /** Stores logs; omitted when logs are disabled. */
  logs?: LogUploader;
  clock?: Clock;
  logger?: Logger;
  /** Queue another key (a parent when its child got stored). */
  enqueue: (key: string) => void;
}

/** Reconciles run keys; see {@link createReconciler}. */
export interface Reconciler {
  /** Bring the run `key` (`namespace/Kind/name`) in step. Throws to ask for a retry with backoff. */
  reconcile(key: string): Promise<ReconcileOutcome>;
  /** Remember the last known state of a deleted run so that it is stored once more. */
  tombstone(key: string, run: TektonRun): void;
  /**
   * Take the delete event of a run while this replica does not lead: the
   * last state of a run that may not be stored is remembered (a tombstone,
   * reconciled once this replica leads); a run already stored (or another
   * controller's) is forgotten at once.
   */
  tombstoneIfUnstored(key: string, run: TektonRun): void;
  /** The keys of the deleted runs whose last state is still to be stored. */
  tombstoneKeys(): string[];
  /** True when the run with `uid` was stored by this process. */
  isStored(uid: string): boolean;
  /**
   * Take a watch event of `run` that may echo this process's own write-back
   * or finalizer release; true when it needs no reconcile. An event of
   * exactly the version our last write produced is absorbed (that reconcile
   * saw the state it wrote; a change by someone else in between came with a
   * version of its own). An event arriving while our write to the run is
   * still in flight (its watch event often comes before the write's reply)
   * is absorbed too and decided when the reply comes: the run is queued
   * again unless the event was our write's.
   */
  absorbOwnEcho(run: TektonRun): boolean;
}

/** Create the reconciler. */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { kube, upserter, index, settings, metrics } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? noopLogger;
  const tombstones = new Map<string, TektonRun>();
  /** uid -> hash of the annotations behind the last reported permanent error. */
  const permanentReported = new Map<string, string>();
  /** Runs whose final state this process stored (uid). */
  const storedUids = new Set<string>();
  /** Runs counted in runs_not_stored (uid). */
  const notStoredCounted = new Set<string>();
  /** Log names of runs whose logs this process stored (uid -> log name). */
  const storedLogs = new Map<string, string>();
  const writer = createRunWriter({ kube, writeBack: settings.writeBack, enqueue: deps.enqueue });
  const graceDeletion = createGraceDeletion({
    kube,
    index,
    settings,
    metrics,
    clock,
    logger,
    isStored: (uid) => storedUids.has(uid),
  });
  /** When a missing Logs service was last reported. */
  let logsUnavailableWarned = false;

  function buildPlan(run: TektonRun, kind: RunKind): ArchivePlan {
    const resultName = resultNameOf(run);
    const recordName = recordNameOf(run, resultName);
    const plan: ArchivePlan = {
      uid: run.metadata?.uid ?? "",
      resultName,
      recordName,
      recordType: kind.recordType,
      value: recordValueOf(run, kind.apiVersion, kind.kind),
    };
    if (setsResultSummary(run)) {
      plan.summary = summaryOf(run, recordName, kind.recordType);
      plan.resultAnnotations = resultAnnotationsOf(run, settings.summaryLabels);
    }
    return plan;
  }

  async function reportPermanent(
    kind: RunKind,
    run: TektonRun,
    err: PermanentError,
  ): Promise<void> {
    const uid = run.metadata?.uid ?? "";
    // Reported once per content of the annotations that can be malformed.
    const a = run.metadata?.annotations ?? {};
    const version = hashOf([
      a[ANNOTATIONS.result],
      a[ANNOTATIONS.record],
      a[ANNOTATIONS.resultAnnotations],
      a[ANNOTATIONS.recordSummaryAnnotations],
      run.metadata?.labels?.[TRIGGERS_EVENT_ID_LABEL],
    ]);
    if (permanentReported.get(uid) === version) return;
    permanentReported.set(uid, version);
    metrics.error("permanent");
    logger.warn(
      {
        kind: kind.kind,
        namespace: run.metadata?.namespace,
        name: run.metadata?.name,
        reason: err.reason,
        error: err.message,
      },
      "run cannot be stored",
    );
    try {
      await kube.createEvent(kind, run, {
        type: "Warning",
        reason: err.reason,
        message: err.message,
      });
    } catch (eventErr) {
      logger.warn({ error: errorMessage(eventErr) }, "could not record an event");
    }
  }

  /** Store the logs of a finished run; `undefined` when they cannot be stored by this server. */
  async function storeLogs(
    run: TektonRun,
    kind: RunKind,
    plan: ArchivePlan,
  ): Promise<string | undefined> {
    if (!deps.logs || kind.podLabel === undefined) return undefined;
    const uid = plan.uid;
    const known = storedLogs.get(uid);
    if (known !== undefined) return known;
    const annotated = run.metadata?.annotations?.[ANNOTATIONS.log];
    if (annotated && run.metadata?.annotations?.[ANNOTATIONS.stored] === "true") {
      storedLogs.set(uid, annotated);
      return annotated;
    }
    try {
      const logName = await deps.logs.upload(run, kind, plan.resultName);
      storedLogs.set(uid, logName);
      return logName;
    } catch (err) {
      if (isUnimplementedError(err)) {
        if (!logsUnavailableWarned) {
          logsUnavailableWarned = true;
          logger.warn(
            { error: errorMessage(err) },
            "the Results API does not serve logs; runs are stored without logs",
          );
        }
        return undefined;
      }
      throw new LogUploadError(`storing the logs failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  async function reconcileTombstone(
    key: string,
    kind: RunKind,
    run: TektonRun,
  ): Promise<ReconcileOutcome> {
    const uid = run.metadata?.uid ?? "";
    if (isManagedBy(run, settings.managedBy) && !storedUids.has(uid)) {
      try {
        await upserter.upsert(buildPlan(run, kind));
      } catch (err) {
        if (!(err instanceof PermanentError)) throw err;
      }
    }
    tombstones.delete(key);
    forgetRun(uid);
    return {};
  }

  /** Drop what this process remembers of the run `uid` (it is gone). */
  function forgetRun(uid: string): void {
    upserter.forget(uid);
    storedUids.delete(uid);
    storedLogs.delete(uid);
    writer.forget(uid);
    permanentReported.delete(uid);
    notStoredCounted.delete(uid);
  }

  async function reconcile(key: string): Promise<ReconcileOutcome> {
    const parsed = parseRunKey(key);
    if (!parsed) return {};
    const { kind, namespace, name } = parsed;
    const run = index.get(kind, namespace, name);
    if (!run) {
      const tomb = tombstones.get(key);
      return tomb ? reconcileTombstone(key, kind, tomb) : {};
    }
    const tomb = tombstones.get(key);
    // A run deleted and created again under the same name: store the old one first.
    if (tomb && tomb.metadata?.uid !== run.metadata?.uid) await reconcileTombstone(key, kind, tomb);
    tombstones.delete(key);
    const uid = run.metadata?.uid ?? "";
    const ours = hasFinalizer(run, kind.finalizer);
    const deleting = isDeleting(run);
    // Runs of another controller are skipped, unless one being deleted still
    // carries our finalizer: it is processed so that the finalizer is released.
    if (!isManagedBy(run, settings.managedBy) && !(ours && deleting)) return {};

    let plan: ArchivePlan;
    try {
      plan = buildPlan(run, kind);
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err;
      await reportPermanent(kind, run, err);
      if (ours) await writer.releaseFinalizer(kind, run);
      return {};
    }

    const finished = isFinished(run);
    const final = finished || deleting;
    const completedAt =
      completionTime(run) ?? (deleting ? parseTime(run.metadata?.deletionTimestamp) : undefined);
    const alreadyStored = run.metadata?.annotations?.[ANNOTATIONS.stored] === "true";

    let logName: string | undefined;
    try {
      await upserter.upsert(plan);
      if (final) logName = await storeLogs(run, kind, plan);
    } catch (err) {
      // Not stored: past the deadline, stop holding the run's deletion (keep retrying).
      if (final && completedAt && clock.now() >= completedAt.getTime() + settings.storeDeadlineMs) {
        if (!notStoredCounted.has(uid)) {
          notStoredCounted.add(uid);
          metrics.runNotStored(kind.kind);
          logger.warn(
            { kind: kind.kind, namespace, name, error: errorMessage(err) },
            "store deadline passed: releasing the finalizer of a run not stored",
          );
        }
        if (ours) await writer.releaseFinalizer(kind, run);
        throw err;
      }
      // Before the deadline: hold the run's deletion until it is stored.
      if (settings.writeBack && !ours && !deleting && !alreadyStored) {
        try {
          await writer.writeBack(run, kind, plan, false, undefined);
        } catch (writeErr) {
          logger.warn(
            { namespace, name, error: errorMessage(writeErr) },
            "could not add the finalizer",
          );
        }
      }
      if (final && completedAt) {
        // Come back before the deadline, to release the finalizer in time.
        const left = completedAt.getTime() + settings.storeDeadlineMs - clock.now();
        throw new RetryBefore(err, Math.max(0, left));
      }
      throw err;
    }

    if (final && !storedUids.has(uid)) {
      storedUids.add(uid);
      if (!alreadyStored) {
        const latency = completedAt ? (clock.now() - completedAt.getTime()) / 1000 : undefined;
        metrics.runStored(kind.kind, latency);
      }
      const owner = pipelineRunOwner(run);
      if (owner?.name && settings.completedRunGracePeriodMs !== 0) {
        deps.enqueue(runKey(PIPELINE_RUN.kind, namespace, owner.name));
      }
    }

    await writer.writeBack(run, kind, plan, final, logName);

    if (final && finished) return graceDeletion(run, kind, completedAt);
    return {};
  }

  return {
    reconcile,
    tombstone(key, run) {
      tombstones.set(key, run);
    },
    tombstoneIfUnstored(key, run) {
      // A standby replica keeps no work queue: only runs whose last state
      // may not be stored are remembered, so that a takeover still stores
      // them. A run held by our finalizer is never deleted before it is
      // stored (the leader, or the next one after a takeover, finds it in
      // the cache with its deletionTimestamp); a run deleted without it
      // (deleted before any leader reconciled it, or while no leader was
      // running) has only this delete event left, so its tombstone is kept.
      // A run marked stored with no finalizer of ours was stored in that
      // state: nothing to do, and nothing to remember.
      const kind = parseRunKey(key)?.kind;
      const uid = run.metadata?.uid ?? "";
      const stored =
        run.metadata?.annotations?.[ANNOTATIONS.stored] === "true" &&
        kind !== undefined &&
        !hasFinalizer(run, kind.finalizer);
      if (kind && isManagedBy(run, settings.managedBy) && !stored) {
        tombstones.set(key, run);
        return;
      }
      if (tombstones.get(key)?.metadata?.uid === uid) tombstones.delete(key);
      // A former leader may remember things of the run: it is gone.
      forgetRun(uid);
    },
    tombstoneKeys: () => [...tombstones.keys()],
    isStored: (uid) => storedUids.has(uid),
    absorbOwnEcho: (run) => writer.absorbOwnEcho(run),
  };
}
