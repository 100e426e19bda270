/**
 * A reconciler for tests over a {@link KubeClient} and an in-process Results
 * API, with the default settings (each can be overridden) and an index that
 * reads runs from `get` (no children unless given); a clock, metrics and the
 * queue's `enqueue` may be given too.
 */
import type { Clock } from "@tekton-results/runtime";
import type { KubeClient } from "../src/kube-client.js";
import { createWatcherMetrics, type WatcherMetrics } from "../src/metrics.js";
import {
  createReconciler,
  type Reconciler,
  type ReconcilerSettings,
  type RunIndex,
} from "../src/reconciler.js";
import { createUpserter } from "../src/upsert.js";
import type { TestResultsApi } from "./results-api.js";

/** Create the reconciler; see the module comment. */
export function testReconciler(options: {
  kube: KubeClient;
  api: TestResultsApi;
  get: RunIndex["get"];
  childrenOf?: RunIndex["childrenOf"];
  settings?: Partial<ReconcilerSettings>;
  clock?: Clock;
  metrics?: WatcherMetrics;
  enqueue?: (key: string) => void;
}): Reconciler {
  return createReconciler({
    kube: options.kube,
    upserter: createUpserter(options.api.client),
    ...(options.clock ? { clock: options.clock } : {}),
    metrics: options.metrics ?? createWatcherMetrics(),
    enqueue: options.enqueue ?? (() => {}),
    index: { get: options.get, childrenOf: options.childrenOf ?? (() => []) },
    settings: {
      managedBy: [],
      summaryLabels: ["tekton.dev/pipeline"],
      writeBack: true,
      storeDeadlineMs: 600_000,
      completedRunGracePeriodMs: 0,
      ...options.settings,
    },
  });
}
