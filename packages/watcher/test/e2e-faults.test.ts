/**
 * Faults end to end: "never lose a run" while the Kubernetes API server, the
 * Results API server, the watches or the watcher itself fail. The cluster is
 * kube-fake, the API the real server on SQLite; the last two tests run the
 * watcher as real processes (the `tekton-results-watcher` command) and kill
 * them with SIGKILL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import type { KubeFake, KubeObject } from "@tekton-results/kube-fake";
import { recordData, timestampDate, type Record as ApiRecord } from "@tekton-results/client";
import { createBackoff } from "../src/backoff.js";
import type { TektonRun } from "../src/run.js";
import {
  childTaskRunObject,
  collect,
  pipelineRunObject,
  setStatus,
  startStack,
  waitFor,
  type Stack,
} from "./stack.js";

const STORED = "results.tekton.dev/stored";
const PR = "PipelineRun";
const TR = "TaskRun";

let stack: Stack | undefined;
let dir: string | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  // Only the processes this file started, by their handle.
  await Promise.all(children.splice(0).map((c) => killed(c)));
  await stack?.close();
  stack = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const fastRetry = { backoff: createBackoff({ baseMs: 20, maxMs: 300 }) };

// ---- Cluster helpers ----

function getRun(kube: KubeFake, kind: string, name: string): KubeObject | undefined {
  return kube.get("tekton.dev/v1", kind, "ns", name);
}

/** True when every run named carries the `results.tekton.dev/stored: "true"` annotation. */
function allStored(kube: KubeFake, runs: readonly { kind: string; name: string }[]): boolean {
  return runs.every((r) => getRun(kube, r.kind, r.name)?.metadata.annotations?.[STORED] === "true");
}

/** A TaskRun without owners. */
function soloTaskRunObject(name: string): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: TR,
    metadata: { name, namespace: "ns" },
    spec: { taskRef: { name: "lint" } },
  } as KubeObject;
}

/** A PipelineRun created already finished (direct creates keep `status`). */
function finishedPipelineRun(kube: KubeFake, name: string): KubeObject {
  const now = new Date().toISOString();
  return kube.create({
    ...pipelineRunObject(name),
    status: {
      startTime: now,
      completionTime: now,
      conditions: [
        {
          type: "Succeeded",
          status: "True",
          reason: "Succeeded",
          lastTransitionTime: now,
        },
      ],
    },
  } as KubeObject);
}

const reasonOf = (run: TektonRun | KubeObject | undefined): string | undefined =>
  (run as TektonRun | undefined)?.status?.conditions?.find((c) => c.type === "Succeeded")?.reason;

const hasOurFinalizer = (obj: KubeObject | undefined): boolean =>
  obj?.metadata.finalizers?.some((f) => f.startsWith("results.tekton.dev/")) ?? false;

// ---- Results API helpers ----

/** Every Record of namespace `ns`, grouped by the uid of the run in its value. */
async function recordsByRunUid(stack: Stack): Promise<Map<string, ApiRecord[]>> {
  const records = await collect(stack.client.listAllRecords({ parent: "ns/results/-" }));
  const byUid = new Map<string, ApiRecord[]>();
  for (const record of records) {
    const uid = recordData<TektonRun>(record)?.metadata?.uid ?? `(no uid: ${record.name})`;
    byUid.set(uid, [...(byUid.get(uid) ?? []), record]);
  }
  return byUid;
}

/**
 * Every run `uid` has exactly one Record, and no other Record exists; returns
 * the runs' values by uid.
 */
async function expectOneRecordPerRun(
  stack: Stack,
  uids: readonly string[],
): Promise<Map<string, { record: ApiRecord; run: TektonRun }>> {
  const byUid = await recordsByRunUid(stack);
  expect([...byUid.keys()].sort()).toEqual([...uids].sort());
  const out = new Map<string, { record: ApiRecord; run: TektonRun }>();
  for (const [uid, records] of byUid) {
    expect(records, `records of run ${uid}`).toHaveLength(1);
    out.set(uid, { record: records[0]!, run: recordData<TektonRun>(records[0]!)! });
  }
  return out;
}

const count = (calls: readonly string[], method: string) =>
  calls.filter((c) => c === method).length;

// ---- Process helpers ----

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const binPath = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

/** Spawn the `tekton-results-watcher` command; its log is printed if the test fails. */
function spawnWatcher(args: readonly string[], label: string): ChildProcess {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "NODE_OPTIONS" || k.startsWith("WATCHER_") || k.startsWith("RESULTS_")) continue;
    env[k] = v;
  }
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", binPath, ...args],
    { cwd: repoRoot, env, stdio: ["ignore", "ignore", "pipe"] },
  );
  children.push(child);
  const lines: string[] = [];
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => {
    lines.push(...text.split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  });
  onTestFailed(() => {
    console.error(`--- watcher ${label} (pid ${child.pid}) log ---\n${lines.join("\n")}`);
  });
  return child;
}

/** SIGKILL `child` (if alive) and wait for it to be gone. */
async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await exited;
}

/** A TCP port free right now on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `watcher_is_leader` of the process serving metrics on `port`; undefined when unreachable. */
async function isLeaderMetric(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = /^watcher_is_leader (\d+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function readyz(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

describe("e2e faults: never lose a run", () => {
  it("Kubernetes API server down: runs created and finished meanwhile are each stored exactly once", async () => {
    stack = await startStack(fastRetry);
    const { kube, watcher } = stack;
    await watcher.start();
    await waitFor(() => watcher.ready(), "informers synced");
    const early = kube.create(pipelineRunObject("early"));
    setStatus(kube, early);
    await waitFor(
      () => getRun(kube, PR, "early")?.metadata.annotations?.["results.tekton.dev/record"],
      "the running run archived",
    );

    await kube.stop();
    // Three watches break (one per run kind), then reconnecting is refused.
    await waitFor(
      () => watcher.metrics.counter("watcher_errors_total", { kind: "kubernetes" }) >= 4,
      "the informers failing to reconnect",
    );
    // Meanwhile (in-process writes work while the HTTP side is down):
    setStatus(kube, early, "Succeeded");
    const runs: { kind: string; name: string; uid: string }[] = [
      { kind: PR, name: "early", uid: early.metadata.uid! },
    ];
    for (let i = 0; i < 3; i++) {
      const pr = kube.create(pipelineRunObject(`down-${i}`));
      const child = kube.create(childTaskRunObject(`down-${i}-build`, pr));
      setStatus(kube, child, "Succeeded");
      setStatus(kube, pr, i === 2 ? "Failed" : "Succeeded");
      runs.push({ kind: PR, name: pr.metadata.name!, uid: pr.metadata.uid! });
      runs.push({ kind: TR, name: child.metadata.name!, uid: child.metadata.uid! });
    }
    const solo = kube.create(soloTaskRunObject("down-solo"));
    setStatus(kube, solo, "Succeeded");
    runs.push({ kind: TR, name: "down-solo", uid: solo.metadata.uid! });
    const createsBefore = count(stack.calls, "CreateRecord");
    expect(createsBefore).toBe(1); // only "early", while it ran

    await kube.start();
    await waitFor(() => allStored(kube, runs), "every run stored", 20_000);
    await waitFor(() => watcher.idle(), "idle");

    const stored = await expectOneRecordPerRun(
      stack,
      runs.map((r) => r.uid),
    );
    for (const r of runs) {
      expect(reasonOf(stored.get(r.uid)!.run), r.name).toBe(reasonOf(getRun(kube, r.kind, r.name)));
    }
    // Each Record was created once (no AlreadyExists retry, no second copy).
    expect(count(stack.calls, "CreateRecord")).toBe(runs.length);
    const results = await collect(stack.client.listAllResults({ parent: "ns" }));
    expect(results).toHaveLength(5); // early, 3 PipelineRuns (with their child), the solo TaskRun
    expect(watcher.metrics.counter("watcher_runs_stored_total", { kind: PR })).toBe(4);
    expect(watcher.metrics.counter("watcher_runs_stored_total", { kind: TR })).toBe(4);
  });

  it("Results API server down: retried with backoff, finalizers held, all stored once it is back", async () => {
    dir = await mkdtemp(join(tmpdir(), "watcher-faults-"));
    stack = await startStack(fastRetry, { filename: join(dir, "results.db") });
    const { kube, watcher } = stack;
    await watcher.start();
    const warm = kube.create(pipelineRunObject("warm"));
    setStatus(kube, warm, "Succeeded");
    await waitFor(() => allStored(kube, [{ kind: PR, name: "warm" }]), "warm stored");

    const downAt = Date.now();
    await stack.stopApi();
    const errorsBefore = watcher.metrics.counter("watcher_errors_total", {
      kind: "api_unavailable",
    });
    const runs: { kind: string; name: string; uid: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const pr = kube.create(pipelineRunObject(`off-${i}`));
      const child = kube.create(childTaskRunObject(`off-${i}-test`, pr));
      setStatus(kube, child, "Succeeded");
      setStatus(kube, pr, "Succeeded");
      runs.push({ kind: PR, name: pr.metadata.name!, uid: pr.metadata.uid! });
      runs.push({ kind: TR, name: child.metadata.name!, uid: child.metadata.uid! });
    }
    const doomed = kube.create(pipelineRunObject("doomed"));
    setStatus(kube, doomed, "Failed");

    // The finalizer is added even though the run cannot be stored yet.
    await waitFor(
      () => hasOurFinalizer(getRun(kube, PR, "doomed")),
      "the finalizer on a run not stored",
    );
    const deleting = kube.delete("tekton.dev/v1", PR, "ns", "doomed");
    expect(deleting?.metadata.deletionTimestamp).toBeDefined();
    const tracked = runs.length + 1;
    await waitFor(
      () =>
        runs.every((r) => hasOurFinalizer(getRun(kube, r.kind, r.name))) &&
        watcher.metrics.counter("watcher_errors_total", { kind: "api_unavailable" }) -
          errorsBefore >=
          6 * tracked,
      "every run held and retried while the API is down",
    );
    const elapsed = Date.now() - downAt;
    const retries =
      watcher.metrics.counter("watcher_errors_total", { kind: "api_unavailable" }) - errorsBefore;
    // Backoff (20 ms doubling to 300 ms), not a hot loop: a few failures per run
    // for the doubling, one per 300 ms after it, a few for the runs' own updates.
    expect(retries).toBeLessThanOrEqual(tracked * (10 + elapsed / 300));
    for (const r of runs) {
      const obj = getRun(kube, r.kind, r.name);
      expect(hasOurFinalizer(obj), `${r.name} finalizer`).toBe(true);
      expect(obj?.metadata.annotations?.[STORED], `${r.name} stored`).toBeUndefined();
    }
    const held = getRun(kube, PR, "doomed");
    expect(held?.metadata.deletionTimestamp).toBeDefined();
    expect(hasOurFinalizer(held)).toBe(true);

    await stack.startApi();
    await waitFor(() => allStored(kube, runs), "every run stored", 20_000);
    await waitFor(() => getRun(kube, PR, "doomed") === undefined, "the held deletion completes");
    await waitFor(() => watcher.idle(), "idle");
    for (const r of runs) {
      expect(hasOurFinalizer(getRun(kube, r.kind, r.name)), `${r.name} released`).toBe(false);
    }
    const stored = await expectOneRecordPerRun(stack, [
      warm.metadata.uid!,
      doomed.metadata.uid!,
      ...runs.map((r) => r.uid),
    ]);
    expect(reasonOf(stored.get(doomed.metadata.uid!)!.run)).toBe("Failed");
    for (const r of runs) expect(reasonOf(stored.get(r.uid)!.run)).toBe("Succeeded");
  });

  it("watch drops, without and with compaction (410 Gone): every change made meanwhile is stored", async () => {
    stack = await startStack(fastRetry);
    const { kube, watcher } = stack;
    await watcher.start();
    const names = ["w-0", "w-1", "w-2", "w-3"];
    const uids = new Map<string, string>();
    for (const name of names) {
      const pr = kube.create(pipelineRunObject(name));
      setStatus(kube, pr);
      uids.set(name, pr.metadata.uid!);
    }
    await waitFor(
      () => names.every((n) => hasOurFinalizer(getRun(kube, PR, n))),
      "the running runs archived",
    );
    await waitFor(() => watcher.idle(), "idle");

    // 1. The watches end cleanly: the informers watch again from where they were.
    const lists = () =>
      (kube.requestCounts()["list pipelineruns"] ?? 0) +
      (kube.requestCounts()["list taskruns"] ?? 0);
    const watches = () => kube.requestCounts()["watch pipelineruns"] ?? 0;
    const listsBefore = lists();
    const watchesBefore = watches();
    kube.dropWatches();
    setStatus(kube, getRun(kube, PR, "w-0")!, "Succeeded");
    setStatus(kube, getRun(kube, PR, "w-1")!, "PipelineRunTimeout");
    const late = kube.create(pipelineRunObject("w-late"));
    setStatus(kube, late, "Succeeded");
    uids.set("w-late", late.metadata.uid!);
    await waitFor(
      () =>
        allStored(kube, [
          { kind: PR, name: "w-0" },
          { kind: PR, name: "w-1" },
          { kind: PR, name: "w-late" },
        ]),
      "the changes after the drop stored",
      15_000,
    );
    expect(watches()).toBeGreaterThan(watchesBefore);
    expect(lists()).toBe(listsBefore); // resumed, not relisted

    // 2. The watches end and the history is compacted meanwhile: 410 Gone, relist.
    await waitFor(() => watcher.idle(), "idle");
    const listsBeforeCompaction = lists();
    kube.dropWatches();
    setStatus(kube, getRun(kube, PR, "w-2")!, "Cancelled");
    kube.patch(
      "tekton.dev/v1",
      PR,
      "ns",
      "w-3",
      { metadata: { labels: { stage: "final" } } },
      { type: "merge" },
    );
    setStatus(kube, getRun(kube, PR, "w-3")!, "Failed");
    kube.delete("tekton.dev/v1", PR, "ns", "w-3"); // held by the finalizer
    const relisted = kube.create(pipelineRunObject("w-relisted"));
    setStatus(kube, relisted, "Succeeded");
    uids.set("w-relisted", relisted.metadata.uid!);
    kube.compact();
    await waitFor(
      () =>
        allStored(kube, [
          { kind: PR, name: "w-2" },
          { kind: PR, name: "w-relisted" },
        ]) && getRun(kube, PR, "w-3") === undefined,
      "the changes before the compaction stored",
      15_000,
    );
    expect(lists()).toBeGreaterThan(listsBeforeCompaction);
    await waitFor(() => watcher.idle(), "idle");

    const stored = await expectOneRecordPerRun(stack, [...uids.values()]);
    const want: Record<string, string> = {
      "w-0": "Succeeded",
      "w-1": "PipelineRunTimeout",
      "w-2": "Cancelled",
      "w-3": "Failed",
      "w-late": "Succeeded",
      "w-relisted": "Succeeded",
    };
    for (const [name, reason] of Object.entries(want)) {
      expect(reasonOf(stored.get(uids.get(name)!)!.run), name).toBe(reason);
    }
    const w3 = stored.get(uids.get("w-3")!)!.run;
    expect(w3.metadata?.labels?.["stage"]).toBe("final");
    expect(w3.metadata?.deletionTimestamp).toBeDefined();
  });

  it("watcher process SIGKILLed mid-work and restarted: every run stored once with its final state, stored Records untouched", async () => {
    stack = await startStack();
    const { kube } = stack;
    dir = await mkdtemp(join(tmpdir(), "watcher-faults-"));
    const kubeconfig = join(dir, "kubeconfig");
    await kube.writeKubeconfig(kubeconfig);
    const args = [
      "--api-url",
      stack.apiUrl,
      "--kubeconfig",
      kubeconfig,
      "--namespace",
      "ns",
      "--leader-elect=false",
      "--metrics-addr=",
      "--workers",
      "2",
      // About ten runs a second (four calls each): slow enough to be killed mid-work.
      "--qps",
      "40",
      "--burst",
      "1",
      "--log-level",
      "warn",
    ];
    const runs = new Map<string, string>(); // name -> uid
    // Two runs still running (they sort first, so they are archived early) and
    // 30 finished ones.
    const live = ["a-live-0", "a-live-1"];
    for (const name of live) {
      const pr = kube.create(pipelineRunObject(name));
      setStatus(kube, pr);
      runs.set(name, pr.metadata.uid!);
    }
    for (let i = 0; i < 30; i++) {
      const pr = finishedPipelineRun(kube, `k-${String(i).padStart(2, "0")}`);
      runs.set(pr.metadata.name!, pr.metadata.uid!);
    }
    const storedNames = () =>
      [...runs.keys()].filter(
        (n) => getRun(kube, PR, n)?.metadata.annotations?.[STORED] === "true",
      );

    const first = spawnWatcher(args, "first");
    await waitFor(
      () => storedNames().length >= 5 && live.every((n) => hasOurFinalizer(getRun(kube, PR, n))),
      "the running runs held and some runs stored",
      20_000,
    );
    await killed(first);
    const storedBeforeKill = storedNames();
    expect(storedBeforeKill.length).toBeLessThan(30); // killed mid-work
    const liveUids = new Set(live.map((n) => runs.get(n)!));
    const snapshot = new Map<string, { updateTime: number; etag: string }>();
    for (const [uid, records] of await recordsByRunUid(stack)) {
      expect(records, `records of run ${uid}`).toHaveLength(1);
      if (liveUids.has(uid)) continue; // these change while the watcher is dead
      const record = records[0]!;
      snapshot.set(uid, {
        updateTime: timestampDate(record.updateTime!).getTime(),
        etag: record.etag,
      });
    }
    for (const name of storedBeforeKill) expect(snapshot.has(runs.get(name)!)).toBe(true);

    // While no watcher runs: the running runs finish, one is deleted (the
    // finalizer holds it), and more runs come.
    setStatus(kube, getRun(kube, PR, "a-live-0")!, "Succeeded");
    setStatus(kube, getRun(kube, PR, "a-live-1")!, "Failed");
    expect(
      kube.delete("tekton.dev/v1", PR, "ns", "a-live-1")?.metadata.deletionTimestamp,
    ).toBeDefined();
    for (let i = 30; i < 40; i++) {
      const pr = finishedPipelineRun(kube, `k-${i}`);
      runs.set(pr.metadata.name!, pr.metadata.uid!);
    }
    spawnWatcher(args, "second");
    const survivors = [...runs.keys()].filter((n) => n !== "a-live-1");
    await waitFor(
      () =>
        allStored(
          kube,
          survivors.map((name) => ({ kind: PR, name })),
        ) && getRun(kube, PR, "a-live-1") === undefined,
      "every run stored, the deleted one released",
      25_000,
    );

    const stored = await expectOneRecordPerRun(stack, [...runs.values()]);
    expect(reasonOf(stored.get(runs.get("a-live-0")!)!.run)).toBe("Succeeded");
    expect(reasonOf(stored.get(runs.get("a-live-1")!)!.run)).toBe("Failed");
    for (const [uid, before] of snapshot) {
      const { record } = stored.get(uid)!;
      expect(timestampDate(record.updateTime!).getTime(), `record of ${uid} rewritten`).toBe(
        before.updateTime,
      );
      expect(record.etag).toBe(before.etag);
    }
    // Only the two runs that finished while the watcher was dead were updated.
    expect(count(stack.calls, "UpdateRecord")).toBe(2);
    const results = await collect(stack.client.listAllResults({ parent: "ns" }));
    expect(results).toHaveLength(42);
    expect(new Set(results.map((r) => r.name)).size).toBe(42);
  }, 40_000);

  it("two replicas: one leader at a time; a SIGKILLed leader's lease expires and the other takes over", async () => {
    stack = await startStack();
    const { kube } = stack;
    dir = await mkdtemp(join(tmpdir(), "watcher-faults-"));
    const kubeconfig = join(dir, "kubeconfig");
    await kube.writeKubeconfig(kubeconfig);
    const leaseDurationMs = 2_000;
    const retryPeriodMs = 200;
    const replica = async (id: "a" | "b") => {
      const tokenFile = join(dir!, `token-${id}`);
      await writeFile(tokenFile, `token-${id}\n`);
      const port = await freePort();
      const child = spawnWatcher(
        [
          "--api-url",
          stack!.apiUrl,
          "--api-token-file",
          tokenFile,
          "--kubeconfig",
          kubeconfig,
          "--namespace",
          "ns",
          "--identity",
          id,
          "--lease-name",
          "watcher",
          "--lease-namespace",
          "tekton-pipelines",
          "--lease-duration",
          `${leaseDurationMs}ms`,
          "--renew-deadline",
          "1500ms",
          "--retry-period",
          `${retryPeriodMs}ms`,
          "--metrics-addr",
          `127.0.0.1:${port}`,
          "--log-level",
          "warn",
        ],
        id,
      );
      return { id, port, child };
    };
    const holder = () =>
      (
        kube.get("coordination.k8s.io/v1", "Lease", "tekton-pipelines", "watcher")?.["spec"] as
          { holderIdentity?: string } | undefined
      )?.holderIdentity;
    const [a, b] = await Promise.all([replica("a"), replica("b")]);
    const leaderOf = await waitFor(
      async () => {
        const [la, lb] = await Promise.all([isLeaderMetric(a.port), isLeaderMetric(b.port)]);
        if (la === undefined || lb === undefined || !(await readyz(a.port))) return undefined;
        if (!(await readyz(b.port))) return undefined;
        return la + lb === 1 ? (la === 1 ? a : b) : undefined;
      },
      "both replicas up, one leading",
      20_000,
    );
    const leader = leaderOf;
    const follower = leader === a ? b : a;

    /** Exactly one replica reports watcher_is_leader 1, and it holds the Lease. */
    const sample = async (alive: (typeof a)[]) => {
      const values = await Promise.all(alive.map((r) => isLeaderMetric(r.port)));
      const leading = alive.filter((_, i) => values[i] === 1);
      expect(
        leading.map((r) => r.id),
        "replicas reporting watcher_is_leader 1",
      ).toHaveLength(1);
      expect(holder()).toBe(leading[0]!.id);
      return leading[0]!;
    };

    const before: { name: string; uid: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const pr = finishedPipelineRun(kube, `before-${i}`);
      before.push({ name: pr.metadata.name!, uid: pr.metadata.uid! });
    }
    let samples = 0;
    while (
      !allStored(
        kube,
        before.map((r) => ({ kind: PR, name: r.name })),
      )
    ) {
      expect((await sample([a, b])).id).toBe(leader.id);
      samples++;
      expect(samples, "runs stored in time").toBeLessThan(400);
    }
    // A few more samples once idle: still exactly one leader, the same.
    for (let i = 0; i < 5; i++) expect((await sample([a, b])).id).toBe(leader.id);
    // Only the leader talked to the Results API.
    const tokenOf = (id: string) => `Bearer token-${id}`;
    expect(stack.authorizations.length).toBeGreaterThan(0);
    expect(new Set(stack.authorizations)).toEqual(new Set([tokenOf(leader.id)]));

    // SIGKILL: no graceful stop, the lease is not released.
    const callsAtKill = stack.authorizations.length;
    await killed(leader.child);
    const killedAt = Date.now();
    const lease = kube.get("coordination.k8s.io/v1", "Lease", "tekton-pipelines", "watcher");
    const spec = lease?.["spec"] as { holderIdentity?: string; renewTime?: string } | undefined;
    expect(spec?.holderIdentity).toBe(leader.id);
    const lastRenewal = Date.parse(spec?.renewTime ?? "");
    expect(lastRenewal).toBeLessThanOrEqual(killedAt);
    const after: { name: string; uid: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const pr = finishedPipelineRun(kube, `after-${i}`);
      after.push({ name: pr.metadata.name!, uid: pr.metadata.uid! });
    }
    await waitFor(
      async () => (await isLeaderMetric(follower.port)) === 1,
      "the other replica takes over",
      leaseDurationMs + 5_000,
    );
    const tookOverAt = Date.now();
    // Not before the lease expired (it was not released), and soon after the kill.
    expect(tookOverAt).toBeGreaterThan(lastRenewal + leaseDurationMs);
    expect(tookOverAt - killedAt).toBeLessThan(leaseDurationMs + 2_500);
    expect((await sample([follower])).id).toBe(follower.id);

    await waitFor(
      () =>
        allStored(
          kube,
          after.map((r) => ({ kind: PR, name: r.name })),
        ),
      "runs created after the kill stored by the new leader",
      15_000,
    );
    expect((await sample([follower])).id).toBe(follower.id);
    // Nothing from the killed replica after its death; the new leader did the work.
    const since = stack.authorizations.slice(callsAtKill);
    expect(since.length).toBeGreaterThan(0);
    expect(new Set(since)).toEqual(new Set([tokenOf(follower.id)]));
    await expectOneRecordPerRun(
      stack,
      [...before, ...after].map((r) => r.uid),
    );
  }, 40_000);
});
