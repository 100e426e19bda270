/**
 * The reconciler tests' fixtures (vitest `test.extend`): an in-process Results
 * API, a fake Kubernetes client whose runs are also the informers' cache, a
 * fake clock at 2026-01-01T00:01:00Z, fresh metrics, the keys the reconciler
 * queued, a `reconciler(settings)` over all of them, and `stored(kind, run)`:
 * the run as the fake cluster holds it now.
 *
 * @module
 */
/* eslint-disable no-empty-pattern -- vitest fixtures without dependencies destructure `{}` */
import { test } from "vitest";
import { createWatcherMetrics, type WatcherMetrics } from "../src/metrics.js";
import { type Reconciler, type ReconcilerSettings } from "../src/reconciler.js";
import { RUN_KINDS, type RunKind } from "../src/run-kinds.js";
import type { TektonRun } from "../src/run.js";
import { createFakeClock, type FakeClock } from "./fake-clock.js";
import { createFakeKube, type FakeKube } from "./fake-kube-client.js";
import { testReconciler } from "./reconciler-harness.js";
import { createTestResultsApi, type TestResultsApi } from "./results-api.js";

/** What {@link reconcilerTest} hands each test. */
export interface ReconcilerFixtures {
  api: TestResultsApi;
  kube: FakeKube;
  clock: FakeClock;
  metrics: WatcherMetrics;
  /** The keys the reconciler queued, in order. */
  enqueued: string[];
  /** A reconciler over the fixtures, with the default settings overridden by `settings`. */
  reconciler: (settings?: Partial<ReconcilerSettings>) => Reconciler;
  /** The run as the fake cluster holds it now (undefined once deleted). */
  stored: (kind: RunKind, run: TektonRun) => TektonRun | undefined;
}

/** `it` with the reconciler fixtures; see the module comment. */
export const reconcilerTest = test.extend<ReconcilerFixtures>({
  api: async ({}, use) => {
    const api = await createTestResultsApi();
    await use(api);
    await api.close();
  },
  kube: async ({}, use) => use(createFakeKube()),
  clock: async ({}, use) => use(createFakeClock(Date.parse("2026-01-01T00:01:00Z"))),
  metrics: async ({}, use) => use(createWatcherMetrics()),
  enqueued: async ({}, use) => use([]),
  reconciler: async ({ api, kube, clock, metrics, enqueued }, use) =>
    use((settings = {}) =>
      testReconciler({
        kube,
        api,
        clock,
        metrics,
        enqueue: (key) => enqueued.push(key),
        get: (kind, ns, name) => kube.runs.get(`${kind.plural}/${ns}/${name}`),
        childrenOf: (ns, uid) =>
          [...kube.runs.entries()]
            .filter(
              ([, r]) =>
                r.metadata?.namespace === ns &&
                r.metadata.ownerReferences?.some((o) => o.uid === uid),
            )
            .map(([k, run]) => ({
              kind: RUN_KINDS.find((kd) => k.startsWith(`${kd.plural}/`))!,
              run,
            })),
        settings,
      }),
    ),
  stored: async ({ kube }, use) =>
    use((kind, run) =>
      kube.runs.get(`${kind.plural}/${run.metadata!.namespace}/${run.metadata!.name}`),
    ),
});
