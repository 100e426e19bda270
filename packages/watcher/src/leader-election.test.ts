import { describe, expect, it } from "vitest";
import { createFakeClock, type FakeClock } from "../test/fake-clock.js";
import { createFakeKube } from "../test/fake-kube-client.js";
import type { Clock } from "@tekton-results/runtime";
import { createLeaderElector, leaseAvailable, leaseRecordKey } from "./leader-election.js";

/** `clock` as seen by a replica whose clock is `skewMs` ahead (negative: behind). */
function skewed(clock: FakeClock, skewMs: number): Clock {
  return { now: () => clock.now() + skewMs, setTimer: (fn, ms) => clock.setTimer(fn, ms) };
}

function elector(
  identity: string,
  kube = createFakeKube(),
  clock = createFakeClock(),
  own: Clock = clock,
) {
  const events: string[] = [];
  const e = createLeaderElector({
    kube,
    clock: own,
    identity,
    leaseName: "watcher",
    leaseNamespace: "ns",
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    onStartedLeading: () => events.push("start"),
    onStoppedLeading: () => events.push("stop"),
  });
  return { e, events, kube, clock };
}

describe("leader election", () => {
  it("acquires an unheld lease, renews it, and keeps another replica out", async () => {
    const a = elector("a");
    const b = elector("b", a.kube, a.clock);
    a.e.start();
    await a.clock.advance(0);
    expect(a.e.isLeader()).toBe(true);
    expect(a.events).toEqual(["start"]);
    b.e.start();
    await a.clock.advance(0);
    expect(b.e.isLeader()).toBe(false);
    const before = a.kube.leases.get("ns/watcher")!.spec!.renewTime;
    await a.clock.advance(2_000);
    const after = a.kube.leases.get("ns/watcher")!.spec!.renewTime;
    expect(new Date(after!).getTime()).toBeGreaterThan(new Date(before!).getTime());
    await a.clock.advance(60_000);
    expect(b.e.isLeader()).toBe(false);
    expect(a.e.isLeader()).toBe(true);
    await b.e.stop();
    await a.e.stop();
  });
  it("takes over a lease not renewed for its duration, counted from when this replica first saw it", async () => {
    const a = elector("a");
    a.kube.leases.set("ns/watcher", {
      metadata: { name: "watcher", namespace: "ns", resourceVersion: "1" },
      spec: {
        holderIdentity: "dead",
        leaseDurationSeconds: 15,
        renewTime: new Date(a.clock.now() - 16_000),
      },
    });
    a.e.start();
    await a.clock.advance(0);
    // Its renewTime is 16 s old, but this replica has not seen it unchanged for 15 s yet.
    expect(a.e.isLeader()).toBe(false);
    await a.clock.advance(14_000);
    expect(a.e.isLeader()).toBe(false);
    await a.clock.advance(2_000);
    expect(a.e.isLeader()).toBe(true);
    const spec = a.kube.leases.get("ns/watcher")!.spec!;
    expect(spec.holderIdentity).toBe("a");
    expect(spec.leaseTransitions).toBe(1);
    await a.e.stop();
  });
  it("loses leadership when renewing fails past the renew deadline", async () => {
    const a = elector("a");
    a.e.start();
    await a.clock.advance(0);
    expect(a.e.isLeader()).toBe(true);
    a.kube.failNext("readLease", 500, 100);
    await a.clock.advance(8_000);
    expect(a.e.isLeader()).toBe(true);
    await a.clock.advance(4_000);
    expect(a.e.isLeader()).toBe(false);
    expect(a.events).toEqual(["start", "stop"]);
    a.kube.failNext("readLease", 500, 0);
    await a.clock.advance(2_000);
    expect(a.e.isLeader()).toBe(true);
    await a.e.stop();
  });
  it("a conflicting write (409) means another replica won", async () => {
    const a = elector("a");
    a.kube.failNext("createLease", 409);
    a.e.start();
    await a.clock.advance(0);
    expect(a.e.isLeader()).toBe(false);
    await a.clock.advance(2_000);
    expect(a.e.isLeader()).toBe(true);
    await a.e.stop();
  });
  it("releases the lease on stop so another replica takes over at once", async () => {
    const a = elector("a");
    const b = elector("b", a.kube, a.clock);
    a.e.start();
    await a.clock.advance(0);
    b.e.start();
    await a.clock.advance(0);
    await a.e.stop();
    expect(a.events).toEqual(["start", "stop"]);
    expect(a.kube.leases.get("ns/watcher")!.spec!.holderIdentity).toBe("");
    await a.clock.advance(2_000);
    expect(b.e.isLeader()).toBe(true);
    await b.e.stop();
  });
  it("a holder whose clock is behind is not taken for dead: never two leaders", async () => {
    const clock = createFakeClock();
    const a = elector("a", createFakeKube(), clock, skewed(clock, -60_000));
    const b = elector("b", a.kube, clock);
    a.e.start();
    await clock.advance(0);
    expect(a.e.isLeader()).toBe(true);
    b.e.start();
    for (let t = 0; t < 60_000; t += 500) {
      await clock.advance(500);
      expect(a.e.isLeader() && b.e.isLeader()).toBe(false);
      expect(a.e.isLeader()).toBe(true);
    }
    await b.e.stop();
    await a.e.stop();
  });
  it("a holder whose clock is ahead, once dead, is taken over a lease duration later", async () => {
    const clock = createFakeClock();
    const b = elector("b", createFakeKube(), clock);
    // The last renewal of a replica an hour ahead, which then died without releasing.
    b.kube.leases.set("ns/watcher", {
      metadata: { name: "watcher", namespace: "ns", resourceVersion: "1" },
      spec: {
        holderIdentity: "dead",
        leaseDurationSeconds: 15,
        renewTime: new Date(clock.now() + 3_600_000),
      },
    });
    b.e.start();
    await clock.advance(14_000);
    expect(b.e.isLeader()).toBe(false);
    await clock.advance(4_000);
    expect(b.e.isLeader()).toBe(true);
    await b.e.stop();
  });
  it("a live holder whose clock is ahead keeps the lease against a candidate whose clock is behind", async () => {
    const clock = createFakeClock();
    const a = elector("a", createFakeKube(), clock, skewed(clock, 3_600_000));
    const b = elector("b", a.kube, clock, skewed(clock, -5_000));
    a.e.start();
    await clock.advance(0);
    b.e.start();
    for (let t = 0; t < 60_000; t += 1_000) {
      await clock.advance(1_000);
      expect(a.e.isLeader()).toBe(true);
      expect(b.e.isLeader()).toBe(false);
    }
    await b.e.stop();
    await a.e.stop();
  });
  it("leaseAvailable: unheld, ours, or unchanged for its duration since this replica saw it", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(leaseAvailable({ spec: {} }, "a", now, now)).toBe(true);
    expect(leaseAvailable({ spec: { holderIdentity: "a" } }, "a", now, now)).toBe(true);
    // The holder's renewTime says nothing: an hour old, yet observed only 5 s ago.
    const held = {
      spec: { holderIdentity: "b", leaseDurationSeconds: 10, renewTime: new Date(now - 3_600_000) },
    };
    expect(leaseAvailable(held, "a", now, now - 5_000)).toBe(false);
    expect(leaseAvailable(held, "a", now + 5_000, now - 5_000)).toBe(true);
  });
  it("leaseRecordKey changes with every renewal and write", () => {
    const lease = {
      metadata: { resourceVersion: "1" },
      spec: { holderIdentity: "b", renewTime: new Date(1_000) },
    };
    const key = leaseRecordKey(lease);
    expect(leaseRecordKey(structuredClone(lease))).toBe(key);
    expect(
      leaseRecordKey({ ...lease, spec: { ...lease.spec, renewTime: new Date(2_000) } }),
    ).not.toBe(key);
    expect(leaseRecordKey({ ...lease, metadata: { resourceVersion: "2" } })).not.toBe(key);
    expect(leaseRecordKey({ ...lease, spec: { ...lease.spec, holderIdentity: "c" } })).not.toBe(
      key,
    );
  });
});
