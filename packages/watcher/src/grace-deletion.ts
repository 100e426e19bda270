/**
 * Deleting finished runs once stored and past their grace period
 * (`--completed-run-grace-period`), never before their children are stored.
 *
 * @module
 */
import type { Clock, Logger } from "@tekton-results/runtime";
import type { KubeClient } from "./kube-client.js";
import { parseLabelSelector } from "./label-selector.js";
import type { WatcherMetrics } from "./metrics.js";
import type { ReconcileOutcome, ReconcilerSettings, RunIndex } from "./reconciler.js";
import { ANNOTATIONS, CUSTOM_RUN, TASK_RUN, type RunKind } from "./run-kinds.js";
import { hasNoOwners, isDeleting, type TektonRun } from "./run.js";

/** How often a parent waiting for its children to be stored is looked at again. */
export const CHILDREN_RECHECK_MS = 5_000;

/** Dependencies of {@link createGraceDeletion}. */
export interface GraceDeletionDeps {
  kube: KubeClient;
  index: RunIndex;
  settings: ReconcilerSettings;
  metrics: WatcherMetrics;
  clock: Clock;
  logger: Logger;
  /** True when this process stored the final state of the run `uid`. */
  isStored: (uid: string) => boolean;
}

/**
 * Create the grace deletion: given a finished, stored run and its completion
 * time, it deletes the run when the grace period is over (only runs without
 * owners that match `--deletion-label-selector`), or says when to look again.
 */
export function createGraceDeletion(
  deps: GraceDeletionDeps,
): (run: TektonRun, kind: RunKind, completedAt: Date | undefined) => Promise<ReconcileOutcome> {
  const { kube, index, settings, metrics, clock, logger } = deps;
  const deletable = parseLabelSelector(settings.deletionLabelSelector ?? "");

  /** True when the final state of `child` is stored (by this process or, per its annotation, by any). */
  function childStored(child: TektonRun): boolean {
    return (
      child.metadata?.annotations?.[ANNOTATIONS.stored] === "true" ||
      deps.isStored(child.metadata?.uid ?? "")
    );
  }

  /**
   * The names of the children of the PipelineRun `parent` (`uid`) not stored
   * yet, which hold its deletion (deleting it garbage-collects them). The
   * children are those the cache holds with `parent` as owner, and those its
   * `status.childReferences` names (as upstream reads them; a reference
   * without a kind is a TaskRun). A referenced child the cache does not hold
   * (the informers run separately: the child may not have reached its cache
   * yet) counts as not stored, until the store deadline after the parent's
   * completion has passed: by then a child that existed has been stored or
   * given up on (its finalizer released), so one still absent is gone.
   */
  function childrenNotStored(
    parent: TektonRun,
    namespace: string,
    uid: string,
    completedAt: Date | undefined,
  ): string[] {
    const waiting: string[] = [];
    const seen = new Set<string>();
    for (const { kind, run: child } of index.childrenOf(namespace, uid)) {
      seen.add(`${kind.kind}/${child.metadata?.name ?? ""}`);
      if (!childStored(child)) waiting.push(child.metadata?.name ?? "");
    }
    const refs = parent.status?.["childReferences"];
    if (!Array.isArray(refs)) return waiting;
    const pastDeadline =
      clock.now() >= (completedAt?.getTime() ?? clock.now()) + settings.storeDeadlineMs;
    for (const ref of refs as { kind?: unknown; name?: unknown }[]) {
      const kind =
        !ref?.kind || ref.kind === "TaskRun"
          ? TASK_RUN
          : ref.kind === "CustomRun"
            ? CUSTOM_RUN
            : undefined;
      if (!kind || typeof ref.name !== "string" || seen.has(`${kind.kind}/${ref.name}`)) continue;
      // Held by this parent, it would have been among the children above.
      const child = index.get(kind, namespace, ref.name);
      const owned = child?.metadata?.ownerReferences?.some((o) => o.uid === uid) ?? false;
      if (owned && !childStored(child!)) waiting.push(ref.name);
      else if (!owned && !pastDeadline) waiting.push(ref.name);
    }
    return waiting;
  }

  return async function graceDeletion(run, kind, completedAt) {
    const grace = settings.completedRunGracePeriodMs;
    if (grace === 0 || !hasNoOwners(run) || isDeleting(run)) return {};
    if (!deletable.matches(run.metadata?.labels)) return {};
    const namespace = run.metadata?.namespace ?? "";
    const uid = run.metadata?.uid ?? "";
    if (grace > 0) {
      const due = (completedAt?.getTime() ?? clock.now()) + grace;
      const wait = due - clock.now();
      if (wait > 0) return { requeueAfterMs: wait };
    }
    const waiting = childrenNotStored(run, namespace, uid, completedAt);
    if (waiting.length > 0) {
      logger.debug(
        { namespace, name: run.metadata?.name, waiting: waiting.length },
        "grace period over; waiting for children to be stored",
      );
      return { requeueAfterMs: CHILDREN_RECHECK_MS };
    }
    const deleted = await kube.deleteRun(kind, namespace, run.metadata?.name ?? "", uid);
    if (deleted) {
      metrics.runDeleted(kind.kind);
      logger.info(
        { kind: kind.kind, namespace, name: run.metadata?.name },
        "deleted a stored run after its grace period",
      );
    }
    return {};
  };
}
