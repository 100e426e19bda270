/**
 * The {@link RunIndex} over the informers' caches: a run by kind, namespace
 * and name, and a PipelineRun's children by its uid. The children are kept
 * in an index by owner uid, maintained from the TaskRun and CustomRun
 * informers' events (an owner added, changed or removed by an update moves
 * the child), so that looking a parent's children up costs the number of its
 * children, not a scan of every cached run.
 *
 * @module
 */
import type { RunIndex } from "./reconciler.js";
import type { RunEventType, RunInformer } from "./run-informer.js";
import { CUSTOM_RUN, TASK_RUN, type RunKind, type RunKindName } from "./run-kinds.js";
import { isPipelineRunKind, type TektonRun } from "./run.js";

/** A child run in the index: where to find it in its informer's cache. */
interface ChildRef {
  kind: RunKind;
  namespace: string;
  name: string;
}

/** The uids of the PipelineRuns that own `run` (normally one). */
export function pipelineRunOwnerUids(run: TektonRun): string[] {
  const uids: string[] = [];
  for (const o of run.metadata?.ownerReferences ?? []) {
    if (isPipelineRunKind(o.kind) && o.uid && !uids.includes(o.uid)) uids.push(o.uid);
  }
  return uids;
}

/** Children by owner uid; see {@link createChildIndex}. */
export interface ChildIndex {
  /** Take an informer event of a run of `kind`. */
  observe(type: RunEventType, kind: RunKind, run: TektonRun): void;
  /** The children indexed under the PipelineRun `uid` (where to find them, not the runs). */
  childrenOf(uid: string): readonly ChildRef[];
  /** How many parents have indexed children. */
  size(): number;
}

/**
 * Create an index of child runs by the uid of their PipelineRun owner, fed
 * with {@link ChildIndex.observe}: an add or update (re)files the run under
 * its current owners, a delete removes it.
 */
export function createChildIndex(): ChildIndex {
  /** owner uid -> child key (`Kind/namespace/name`) -> where it is. */
  const byOwner = new Map<string, Map<string, ChildRef>>();
  /** child key -> the owner uids it is filed under. */
  const ownersOf = new Map<string, string[]>();

  function unfile(key: string): void {
    for (const uid of ownersOf.get(key) ?? []) {
      const children = byOwner.get(uid);
      children?.delete(key);
      if (children?.size === 0) byOwner.delete(uid);
    }
    ownersOf.delete(key);
  }

  return {
    observe(type, kind, run) {
      const namespace = run.metadata?.namespace ?? "";
      const name = run.metadata?.name ?? "";
      const key = `${kind.kind}/${namespace}/${name}`;
      unfile(key);
      if (type === "delete") return;
      const owners = pipelineRunOwnerUids(run);
      if (owners.length === 0) return;
      ownersOf.set(key, owners);
      for (const uid of owners) {
        let children = byOwner.get(uid);
        if (!children) byOwner.set(uid, (children = new Map()));
        children.set(key, { kind, namespace, name });
      }
    },
    childrenOf: (uid) => [...(byOwner.get(uid)?.values() ?? [])],
    size: () => byOwner.size,
  };
}

/**
 * The run index of the watcher over its informers: `get` reads the cache of
 * the kind; `childrenOf` reads the children index ({@link createChildIndex}),
 * kept up to date from the TaskRun and CustomRun informers' events, and
 * returns each child as its informer caches it now.
 */
export function createRunIndex(informers: ReadonlyMap<RunKindName, RunInformer>): RunIndex {
  const children = createChildIndex();
  for (const kind of [TASK_RUN, CUSTOM_RUN]) {
    informers.get(kind.kind)?.onEvent((type, run) => children.observe(type, kind, run));
  }
  const get = (kind: RunKind, namespace: string, name: string) =>
    informers.get(kind.kind)?.get(namespace, name);
  return {
    get,
    childrenOf(namespace, uid) {
      const out: { kind: RunKind; run: TektonRun }[] = [];
      for (const ref of children.childrenOf(uid)) {
        if (ref.namespace !== namespace) continue;
        const run = get(ref.kind, ref.namespace, ref.name);
        if (run && pipelineRunOwnerUids(run).includes(uid)) out.push({ kind: ref.kind, run });
      }
      return out;
    },
  };
}
