/**
 * A reconciler for tests over a {@link KubeClient} and an in-process Results
 * API, with the default settings (each can be overridden) and an index that
 * reads runs from `get` (no children unless given).
 */
import type { KubeClient } from "../src/kube-client.js";
import { createWatcherMetrics } from "../src/metrics.js";
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
}): Reconciler {
  return createReconciler({
    kube: options.kube,
    upserter: createUpserter(options.api.client),
    metrics: createWatcherMetrics(),
    enqueue: () => {},
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
