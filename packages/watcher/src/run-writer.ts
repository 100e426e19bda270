/**
 * The writes the reconciler makes to runs — the write-back patch (annotations
 * and the finalizer) and the finalizer's release — and the recognition of
 * their echoes: the watch events those writes cause, which need no reconcile.
 *
 * @module
 */
import { KubernetesError } from "./errors.js";
import type { KubeClient } from "./kube-client.js";
import { hashOf } from "./record-value.js";
import type { RunKind } from "./run-kinds.js";
import { isChild, isDeleting, isFinished, keyOfRun, type TektonRun } from "./run.js";
import type { ArchivePlan } from "./upsert.js";
import { removeFinalizerPatch, writeBackPatch, type JsonPatchOp } from "./write-back.js";

/** Dependencies of {@link createRunWriter}. */
export interface RunWriterDeps {
  kube: KubeClient;
  /** Write annotations and finalizers back (else only release finalizers). */
  writeBack: boolean;
  /** Queue a run again (another change showed up while our write was in flight). */
  enqueue: (key: string) => void;
}

/** Writes to runs; see {@link createRunWriter}. */
export interface RunWriter {
  /**
   * Write the annotations of `plan` (and `logName`) back to `run`, holding
   * our finalizer until it is `stored` and releasing it then. Without
   * write-back, only the release. A run deleted meanwhile is left alone.
   */
  writeBack(
    run: TektonRun,
    kind: RunKind,
    plan: ArchivePlan,
    stored: boolean,
    logName: string | undefined,
  ): Promise<void>;
  /** Remove our finalizer from `run` (nothing when it has none or is gone). */
  releaseFinalizer(kind: RunKind, run: TektonRun): Promise<void>;
  /** See {@link Reconciler.absorbOwnEcho}. */
  absorbOwnEcho(run: TektonRun): boolean;
  /** Drop what is remembered of the run `uid` (it is gone). */
  forget(uid: string): void;
}

/** Create the run writer. */
export function createRunWriter(deps: RunWriterDeps): RunWriter {
  const { kube } = deps;
  /** uid -> the last write-back patch (hash) and the run version it was computed from. */
  const lastApplied = new Map<string, { bodyHash: string; fromVersion: string }>();
  /** uid -> the resourceVersion our last write to the run produced, until its watch event comes. */
  const ownVersions = new Map<string, string>();
  /** uid -> versions of the watch events that came while our write to the run was in flight. */
  const inFlightWrites = new Map<string, string[]>();

  /**
   * Make one write to `run` (`write` resolves to the run as written),
   * noting the version it produced so that its watch event is absorbed, and
   * queueing the run again when another change showed up meanwhile.
   */
  async function ownWrite(
    run: TektonRun,
    kind: RunKind,
    write: () => Promise<TektonRun>,
  ): Promise<TektonRun> {
    const uid = run.metadata?.uid ?? "";
    const seen: string[] = [];
    if (uid) inFlightWrites.set(uid, seen);
    let version: string | undefined;
    try {
      const updated = await write();
      version = updated.metadata?.resourceVersion;
      return updated;
    } finally {
      if (uid && inFlightWrites.get(uid) === seen) inFlightWrites.delete(uid);
      if (uid && version) {
        if (seen.includes(version)) ownVersions.delete(uid);
        else ownVersions.set(uid, version);
      }
      // Another writer's change (or our write failed after events came): look again.
      if (seen.some((v) => v !== version)) deps.enqueue(keyOfRun(run, kind));
    }
  }

  /** Patch `run`; a run deleted meanwhile (404) is not an error. */
  async function patch(run: TektonRun, kind: RunKind, ops: JsonPatchOp[]): Promise<boolean> {
    const { namespace = "", name = "" } = run.metadata ?? {};
    try {
      await ownWrite(run, kind, () => kube.jsonPatchRun(kind, namespace, name, ops));
      return true;
    } catch (err) {
      if (err instanceof KubernetesError && err.status === 404) return false;
      throw err;
    }
  }

  async function releaseFinalizer(kind: RunKind, run: TektonRun): Promise<void> {
    const ops = removeFinalizerPatch(run, kind.finalizer);
    if (ops) await patch(run, kind, ops);
  }

  async function writeBack(
    run: TektonRun,
    kind: RunKind,
    plan: ArchivePlan,
    stored: boolean,
    logName: string | undefined,
  ): Promise<void> {
    if (!deps.writeBack) {
      if (stored) await releaseFinalizer(kind, run);
      return;
    }
    const holdFinalizer = !stored && !isDeleting(run);
    const body = writeBackPatch(run, kind, {
      resultName: plan.resultName,
      recordName: plan.recordName,
      ...(logName !== undefined ? { logName } : {}),
      stored,
      finishedChild: stored && isFinished(run) && isChild(run),
      holdFinalizer,
    });
    if (!body) return;
    // The informer may not have seen our last patch yet: the same patch made
    // to the same version it was computed from is not made again.
    const uid = run.metadata?.uid ?? "";
    const bodyHash = hashOf(body);
    const last = lastApplied.get(uid);
    if (last?.bodyHash === bodyHash && last.fromVersion === run.metadata?.resourceVersion) return;
    // A patch (never an apply): a run deleted meanwhile is not created again (404).
    if (await patch(run, kind, body)) {
      lastApplied.set(uid, { bodyHash, fromVersion: run.metadata?.resourceVersion ?? "" });
    }
  }

  return {
    writeBack,
    releaseFinalizer,
    absorbOwnEcho(run) {
      const uid = run.metadata?.uid;
      const version = run.metadata?.resourceVersion;
      if (!uid || !version) return false;
      // The echo of our previous write can come while the next one is in flight.
      if (ownVersions.get(uid) === version) {
        ownVersions.delete(uid);
        return true;
      }
      const seen = inFlightWrites.get(uid);
      if (!seen) return false;
      seen.push(version);
      return true;
    },
    forget(uid) {
      lastApplied.delete(uid);
      ownVersions.delete(uid);
    },
  };
}
