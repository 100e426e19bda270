/**
 * Leader election with a `coordination.k8s.io/v1` Lease, like client-go's:
 * acquire the lease when it is unheld or expired, renew it every retry period, give up leadership
 * when renewing has failed for the renew deadline, and release it on a
 * graceful stop so another replica takes over at once. Writes use the lease's
 * resourceVersion (a 409 Conflict means another replica won: re-read).
 *
 * Expiry is judged on this replica's own clock, never from the holder's
 * `renewTime` (client-go's `observedTime` rule): a held lease is expired once
 * this replica has seen the same record (holder, renew and acquire times,
 * transitions, duration, resourceVersion) unchanged for the lease's
 * duration. So a holder whose clock is behind is not taken for dead while it
 * renews, and one whose clock is ahead is taken over a lease duration after
 * it stopped renewing, not when its (future) renewTime has passed.
 *
 * @module
 */
import type { V1Lease } from "@kubernetes/client-node";
import { sleep, systemClock, type Clock, noopLogger, type Logger } from "@tekton-results/runtime";
import { errorMessage, kubeStatusCode, KubernetesError } from "./errors.js";
import type { KubeClient } from "./kube-client.js";

/** Settings of {@link createLeaderElector}. */
export interface LeaderElectionOptions {
  kube: Pick<KubeClient, "readLease" | "createLease" | "replaceLease">;
  leaseName: string;
  leaseNamespace: string;
  /** This replica's identity (holderIdentity). */
  identity: string;
  /** How long a lease is valid after its last renewal. */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it gives up. */
  renewDeadlineMs: number;
  /** How often to try to acquire or renew. */
  retryPeriodMs: number;
  clock?: Clock;
  logger?: Logger;
  /** Called when this replica becomes the leader. */
  onStartedLeading: () => void;
  /** Called when this replica stops being the leader (lost or released). */
  onStoppedLeading: () => void;
}

/** A running election; see {@link createLeaderElector}. */
export interface LeaderElector {
  /** Start campaigning (returns at once; callbacks report leadership). */
  start(): void;
  /** Stop campaigning; when leading, release the lease. Resolves when done. */
  stop(): Promise<void>;
  /** True while this replica leads. */
  isLeader(): boolean;
}

/** The outcome of one acquire-or-renew attempt. */
export type LeaseAttempt = "acquired" | "renewed" | "held-by-other";

/** Milliseconds of a Kubernetes MicroTime (a `Date`, or a string from JSON). */
function timeMs(value: Date | string | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The identity of a lease record: any change (a renewal, a new holder, a
 * write) restarts the expiry count of an observer.
 */
export function leaseRecordKey(lease: V1Lease): string {
  const spec = lease.spec ?? {};
  return JSON.stringify([
    spec.holderIdentity ?? "",
    timeMs(spec.renewTime) ?? null,
    timeMs(spec.acquireTime) ?? null,
    spec.leaseTransitions ?? 0,
    spec.leaseDurationSeconds ?? 0,
    lease.metadata?.resourceVersion ?? "",
  ]);
}

/**
 * True when `lease` is free for `identity` at `now` (this replica's clock):
 * no holder, held by `identity`, or unchanged since `observedAt` (when this
 * replica first saw this very record, on its own clock) for the lease's
 * duration. The holder's `renewTime` is never compared with `now`.
 */
export function leaseAvailable(
  lease: V1Lease,
  identity: string,
  now: number,
  observedAt: number,
): boolean {
  const spec = lease.spec ?? {};
  const holder = spec.holderIdentity ?? "";
  if (holder === "" || holder === identity) return true;
  return observedAt + (spec.leaseDurationSeconds ?? 0) * 1000 <= now;
}

/** Create a leader elector. */
export function createLeaderElector(options: LeaderElectionOptions): LeaderElector {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? noopLogger;
  const { kube, identity, leaseName, leaseNamespace } = options;
  const durationSeconds = Math.max(1, Math.ceil(options.leaseDurationMs / 1000));
  let leader = false;
  let lastRenew = 0;
  /** The lease record last seen, and when (this replica's clock) it was first seen. */
  let observed: { key: string; at: number } | undefined;
  function observe(lease: V1Lease, now: number): number {
    const key = leaseRecordKey(lease);
    if (observed?.key !== key) observed = { key, at: now };
    return observed.at;
  }
  let loop: Promise<void> | undefined;
  let abort = new AbortController();

  async function tryAcquireOrRenew(): Promise<LeaseAttempt> {
    const now = clock.now();
    const stamp = new Date(now);
    const existing = await kube.readLease(leaseNamespace, leaseName);
    if (existing === undefined) {
      try {
        const created = await kube.createLease({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: leaseName, namespace: leaseNamespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: stamp,
            renewTime: stamp,
            leaseTransitions: 0,
          },
        });
        observe(created, now);
        return "acquired";
      } catch (err) {
        if (kubeStatusCode(err) === 409 || (err instanceof KubernetesError && err.status === 409)) {
          return "held-by-other";
        }
        throw err;
      }
    }
    if (!leaseAvailable(existing, identity, now, observe(existing, now))) return "held-by-other";
    const spec = existing.spec ?? {};
    const ours = spec.holderIdentity === identity;
    let written: V1Lease;
    try {
      written = await kube.replaceLease({
        ...existing,
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          renewTime: stamp,
          acquireTime: ours && spec.acquireTime ? spec.acquireTime : stamp,
          leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
        },
      });
    } catch (err) {
      if (kubeStatusCode(err) === 409 || (err instanceof KubernetesError && err.status === 409)) {
        return "held-by-other";
      }
      throw err;
    }
    observe(written, now);
    return ours && leader ? "renewed" : "acquired";
  }

  function setLeader(value: boolean): void {
    if (value === leader) return;
    leader = value;
    if (value) {
      logger.info({ lease: `${leaseNamespace}/${leaseName}`, identity }, "became the leader");
      options.onStartedLeading();
    } else {
      logger.warn({ lease: `${leaseNamespace}/${leaseName}`, identity }, "stopped leading");
      options.onStoppedLeading();
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const outcome = await tryAcquireOrRenew();
        if (signal.aborted) break;
        if (outcome === "held-by-other") {
          setLeader(false);
        } else {
          lastRenew = clock.now();
          setLeader(true);
        }
      } catch (err) {
        logger.warn({ error: errorMessage(err) }, "lease acquire or renew failed");
        if (leader && clock.now() - lastRenew >= options.renewDeadlineMs) setLeader(false);
      }
      if (leader && clock.now() - lastRenew >= options.renewDeadlineMs) setLeader(false);
      await sleep(clock, options.retryPeriodMs, signal);
    }
  }

  async function release(): Promise<void> {
    try {
      const lease = await kube.readLease(leaseNamespace, leaseName);
      if (lease?.spec?.holderIdentity !== identity) return;
      await kube.replaceLease({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "",
          leaseDurationSeconds: 1,
          renewTime: new Date(clock.now()),
        },
      });
      logger.info({ lease: `${leaseNamespace}/${leaseName}` }, "released the lease");
    } catch (err) {
      logger.warn({ error: errorMessage(err) }, "could not release the lease");
    }
  }

  return {
    start() {
      if (loop) return;
      abort = new AbortController();
      loop = run(abort.signal);
    },
    async stop() {
      if (!loop) return;
      abort.abort();
      await loop;
      loop = undefined;
      if (leader) {
        await release();
        setLeader(false);
      }
    },
    isLeader: () => leader,
  };
}
