import { describe, expect, it } from "vitest";
import { createFakeClock } from "../test/fake-clock.js";
import { createFakeKube } from "../test/fake-kube-client.js";
import { createLeaderElector, leaseAvailable } from "./leader-election.js";

function elector(identity: string, kube = createFakeKube(), clock = createFakeClock()) {
  const events: string[] = [];
  const e = createLeaderElector({
    kube,
    clock,
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
  it("takes over an expired lease", async () => {
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
  it("leaseAvailable: unheld, ours, or expired", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(leaseAvailable({ spec: {} }, "a", now)).toBe(true);
    expect(leaseAvailable({ spec: { holderIdentity: "a" } }, "a", now)).toBe(true);
    const held = {
      spec: { holderIdentity: "b", leaseDurationSeconds: 10, renewTime: new Date(now - 5_000) },
    };
    expect(leaseAvailable(held, "a", now)).toBe(false);
    expect(leaseAvailable(held, "a", now + 5_001)).toBe(true);
  });
});
