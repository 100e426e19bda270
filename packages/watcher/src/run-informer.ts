/**
 * An informer of one run kind behind a small interface: a cache of the runs
 * and their add/update/delete events, over client-node's `makeInformer`
 * (list, then watch from the list's resourceVersion; relist on 410 Gone).
 * A stopped informer (watch failure, connection refused, failed relist) is
 * restarted with exponential backoff.
 *
 * @module
 */
import {
  ListWatch,
  Watch,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from "@kubernetes/client-node";
import { createBackoff, type Backoff } from "./backoff.js";
import {
  systemClock,
  type Clock,
  type TimerHandle,
  noopLogger,
  type Logger,
} from "@tekton-results/runtime";
import { trimForCache } from "./cache-trim.js";
import { errorMessage, KubernetesError, kubeStatusCode } from "./errors.js";
import type { KubeClient, RunList } from "./kube-client.js";
import type { RunKind } from "./run-kinds.js";
import type { TektonRun } from "./run.js";

/** A run event: added, updated or deleted (with the last known state). */
export type RunEventType = "add" | "update" | "delete";

/**
 * The informer of one run kind (or, with `K`, of another kind of object the
 * watcher follows: namespaces, whose events carry them in place of runs).
 */
export interface RunInformer<K extends InformedKind = RunKind> {
  readonly kind: K;
  /** Start listing and watching; resolves after the first attempt (it keeps retrying). */
  start(): Promise<void>;
  /** Stop watching (no more events, no restart). */
  stop(): Promise<void>;
  /** The cached run `namespace/name`. */
  get(namespace: string, name: string): TektonRun | undefined;
  /** Every cached run. */
  list(): readonly TektonRun[];
  /**
   * True once a list has succeeded (the cache is complete). It stays true
   * through later failures and relists (after a 410 Gone, the cache is the
   * last complete list until the new one replaces it).
   */
  hasSynced(): boolean;
  /**
   * Resolves once a list has succeeded ({@link RunInformer.hasSynced}), or
   * when the informer is stopped before that (check `hasSynced()`).
   */
  synced(): Promise<void>;
  /** Subscribe to events. */
  onEvent(handler: (type: RunEventType, run: TektonRun) => void): void;
}

/** What client-node's informers provide (`makeInformer`'s result). */
export type InformerSource = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/** What an informer is of: a run kind, or another kind named by `kind`. */
export interface InformedKind {
  /** The kind's name, in log lines. */
  readonly kind: string;
}

/** Makes the underlying informer of a kind. */
export type InformerFactory<K extends InformedKind = RunKind> = (kind: K) => InformerSource;

/** Runs per list request of {@link createInformerFactory} (client-go's pager default). */
export const LIST_PAGE_SIZE = 500;

/**
 * A client-node `Watch` that asks for bookmarks (`allowWatchBookmarks=true`)
 * and whose events carry runs trimmed for the cache ({@link trimForCache}):
 * the ListWatch caches what the watch callback gets. client-node's ListWatch
 * does not ask for bookmarks itself, but takes the resourceVersion of every
 * event, BOOKMARK included: with a namespace or a label selector, most
 * changes in the cluster never reach the watch, and without bookmarks the
 * resourceVersion stays at the last list, so that a watch restarted after the
 * history was compacted fails with 410 Gone and relists everything.
 */
class TrimmingWatch extends Watch {
  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true },
      (phase, apiObj, watchObj) => {
        if (phase === "ADDED" || phase === "MODIFIED" || phase === "DELETED") {
          trimForCache(apiObj);
        }
        callback(phase, apiObj, watchObj);
      },
      done,
    );
  }
}

/** The HTTP status of a failed Kubernetes call. */
function statusOf(err: unknown): number | undefined {
  return err instanceof KubernetesError ? err.status : kubeStatusCode(err);
}

/**
 * List every run of `kind` page by page ({@link LIST_PAGE_SIZE} per request,
 * one consistent snapshot), trimming each page's runs before the next is
 * fetched, so the peak is one page of JSON, not the whole list. When a
 * continue token has expired (410), the list is taken again in one request,
 * like client-go's pager.
 */
export async function listAllRuns(
  kube: KubeClient,
  kind: RunKind,
  options: { namespace?: string; labelSelector?: string; pageSize?: number } = {},
): Promise<RunList> {
  const base = {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
  };
  const limit = options.pageSize ?? LIST_PAGE_SIZE;
  const items: TektonRun[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  do {
    let page: RunList;
    try {
      page = await kube.listRuns(kind, {
        ...base,
        limit,
        ...(continueToken ? { continue: continueToken } : {}),
      });
    } catch (err) {
      if (continueToken === undefined || statusOf(err) !== 410) throw err;
      const full = await kube.listRuns(kind, base);
      for (const run of full.items) trimForCache(run);
      return full;
    }
    for (const run of page.items) items.push(trimForCache(run));
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return { items, metadata: resourceVersion === undefined ? {} : { resourceVersion } };
}

/**
 * The factory over client-node's ListWatch (what `makeInformer` makes): list
 * through `kube` (CustomObjectsApi) in pages, watch
 * `/apis/{group}/{version}[/namespaces/{ns}]/{plural}`; listed and watched
 * runs are trimmed ({@link trimForCache}) before they are cached.
 */
export function createInformerFactory(
  kc: KubeConfig,
  kube: KubeClient,
  options: { namespace?: string; labelSelector?: string } = {},
): InformerFactory {
  return (kind) => {
    const scope = options.namespace ? `/namespaces/${encodeURIComponent(options.namespace)}` : "";
    const path = `/apis/${kind.group}/${kind.version}${scope}/${kind.plural}`;
    const listFn = async () =>
      (await listAllRuns(kube, kind, options)) as unknown as KubernetesListObject<KubernetesObject>;
    return new ListWatch<KubernetesObject>(
      path,
      new TrimmingWatch(kc),
      listFn,
      false,
      options.labelSelector || undefined,
    );
  };
}

/** Options of {@link createRunInformer}. */
export interface RunInformerOptions<K extends InformedKind = RunKind> {
  kind: K;
  factory: InformerFactory<K>;
  clock?: Clock;
  /** Delay before restart n. Default 100 ms doubling up to 30 s. */
  backoff?: Backoff;
  logger?: Logger;
  /** Called with every failure of the underlying informer. */
  onError?: (err: unknown) => void;
  /** Called whenever the informer (re)connects: a list or a new watch follows. */
  onConnect?: () => void;
}

/** Create the informer of one kind, restarted with backoff whenever it stops on an error. */
export function createRunInformer<K extends InformedKind = RunKind>(
  options: RunInformerOptions<K>,
): RunInformer<K> {
  const { kind } = options;
  const clock = options.clock ?? systemClock;
  const backoff = options.backoff ?? createBackoff({ baseMs: 100, maxMs: 30_000 });
  const logger = options.logger ?? noopLogger;
  const source = options.factory(kind);
  const handlers: ((type: RunEventType, run: TektonRun) => void)[] = [];
  let stopped = true;
  let synced = false;
  let failures = 0;
  let restartTimer: TimerHandle | undefined;
  let failedDuringStart = false;
  let announceSynced!: () => void;
  const syncedOrStopped = new Promise<void>((resolve) => {
    announceSynced = resolve;
  });

  const emit = (type: RunEventType) => (obj: KubernetesObject) => {
    for (const h of handlers) h(type, obj as TektonRun);
  };
  source.on("add", emit("add"));
  source.on("update", emit("update"));
  source.on("delete", emit("delete"));
  source.on("connect", () => {
    if (!stopped) options.onConnect?.();
  });
  source.on("error", (err?: unknown) => {
    if (stopped) return;
    failedDuringStart = true;
    failures++;
    options.onError?.(err);
    const delay = backoff(failures);
    logger.warn(
      { kind: kind.kind, error: errorMessage(err), retryInMs: Math.round(delay) },
      "informer stopped, restarting",
    );
    restartTimer?.cancel();
    restartTimer = clock.setTimer(() => {
      restartTimer = undefined;
      void attempt();
    }, delay);
  });

  async function attempt(): Promise<void> {
    if (stopped) return;
    failedDuringStart = false;
    try {
      await source.start();
    } catch (err) {
      // start() reports through "error" in client-node; a throw is handled the same way.
      if (!failedDuringStart && !stopped) {
        failedDuringStart = true;
        failures++;
        options.onError?.(err);
        restartTimer = clock.setTimer(() => void attempt(), backoff(failures));
      }
      return;
    }
    if (!failedDuringStart) {
      synced = true;
      failures = 0;
      announceSynced();
    }
  }

  return {
    kind,
    async start() {
      if (!stopped) return;
      stopped = false;
      await attempt();
    },
    async stop() {
      stopped = true;
      announceSynced();
      restartTimer?.cancel();
      restartTimer = undefined;
      await source.stop();
    },
    get: (namespace, name) => source.get(name, namespace) as TektonRun | undefined,
    list: () => source.list() as readonly TektonRun[],
    hasSynced: () => synced,
    synced: () => syncedOrStopped,
    onEvent(handler) {
      handlers.push(handler);
    },
  };
}
