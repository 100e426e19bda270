/**
 * Benchmark B2: the watcher's initial sync and keep-up, next to B1's direct
 * API ingest of the same records measured in the same run.
 *
 * The fake Kubernetes API server runs in the benchmark process; the API
 * server (`packages/server/src/bin.ts`, SQLite file) and the watcher
 * (`packages/watcher/src/bin.ts`) each run in their own process, so their
 * memory and CPU are their own (read from `/proc/<pid>`).
 *
 * - Initial sync: N finished runs (PipelineRuns of 4 TaskRuns) are in the
 *   cluster before the watcher starts; time until every run carries the
 *   `results.tekton.dev/stored` annotation, peak RSS, CPU, Kubernetes writes
 *   and Results API calls per run.
 * - B1 peer: the same records written straight through the API client
 *   (CreateResult + CreateRecord) by as many callers as the watcher has
 *   workers, into a fresh server of its own.
 * - Keep-up: runs created (running) and completed a second later at a rate
 *   rising 25% per step; per step the completion-to-stored p50/p99; the
 *   highest step rate whose p99 stays ≤ 5 s, as a ratio of B1's rate.
 * - Soak: half that rate for the soak's length, runs pruned once stored (so
 *   the cluster's size stays constant), the watcher's RSS sampled.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createResultsClient, jsonRecordData, type ResultsClient } from "@tekton-results/client";
import { createKubeFake, type KubeFake, type KubeObject } from "@tekton-results/kube-fake";
import { ResultSchema } from "@tekton-results/proto";
import {
  DEFAULT_SUMMARY_LABELS,
  recordValueOf,
  resultAnnotationsOf,
  summaryOf,
  toApiSummary,
  type TektonRun,
} from "@tekton-results/watcher";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  createDataGenerator,
  PIPELINE_RUN_TYPE,
  RECORDS_PER_RESULT,
  TASK_RUN_TYPE,
  type DataGenerator,
  type GeneratedResult,
} from "./generate.js";
import { compare, type Comparison } from "./report.js";
import { quantile, summarize, type Measurement } from "./stats.js";
import {
  completeGroup,
  createGroup,
  trackStored,
  type ClusterGroup,
  type StoredTracker,
} from "./watcher-cluster.js";
import {
  promByLabel,
  sampleProc,
  startServerProcess,
  startWatcherProcess,
  type PromSamples,
  type ServerProcess,
  type WatcherProcess,
} from "./watcher-procs.js";

/** Options of {@link runWatcherBenchmarks}. */
export interface WatcherBenchOptions {
  /** Runs in the cluster before the watcher starts (rounded down to whole PipelineRuns of 5 runs). */
  runs: number;
  /** Length of the soak, seconds. */
  soakSeconds: number;
  /** Tiny keep-up steps (CI). */
  smoke: boolean;
  /** Seed of the data set (default 42). */
  seed?: number;
  /** The watcher's `--workers`, and the B1 peer's callers (default 4, the watcher's default). */
  workers?: number;
  /** The watcher's `--qps` (default 0: unlimited, so the watcher itself is measured). */
  qps?: number;
  /** Runs written by the B1 peer (default min(runs, 10,000)). */
  peerRuns?: number;
  /** Progress lines. */
  log?: (text: string) => void;
}

/** One keep-up step. */
export interface KeepUpStep {
  /** Offered completion rate, runs/s. */
  rate: number;
  /** Runs completed during the step, and the achieved rate. */
  completed: number;
  achievedRate: number;
  /** Completion -> stored, ms (unstored runs counted at their age when the step was judged). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Runs not stored when the step was judged. */
  notStored: number;
  passed: boolean;
}

/** Everything B2 measured. */
export interface B2Report {
  /** Rows for the comparison table (B2 next to B1's direct ingest, and the soak). */
  comparisons: Comparison[];
  /** Free-form figures for the report's notes. */
  notes: string[];
  sync: {
    runs: number;
    seedMs: number;
    readyMs: number;
    storedMs: number;
    watcherPeakRssMiB: number;
    watcherCpuSeconds: number;
    serverCpuSeconds: number;
    benchCpuSeconds: number;
    kubeWritesPerRun: number;
    kubeRequests: Record<string, number>;
    apiCallsPerRun: number;
    apiCalls: Record<string, number>;
  };
  peer: { runs: number; measurement: Measurement; serverCpuSeconds: number };
  keepUp: {
    steps: KeepUpStep[];
    maxRate: number;
    kubeWritesPerRun: number;
    apiCallsPerRun: number;
  };
  soak: {
    seconds: number;
    rate: number;
    stored: number;
    p99Ms: number;
    rssMiB: { atSec: number; rss: number }[];
    startMiB: number;
    endMiB: number;
    maxMiB: number;
    slopeMiBPerMin: number;
    flat: boolean;
  };
}

const MiB = 2 ** 20;
const KEEP_UP_P99_MS = 5000;
const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);

function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function cpuSeconds(proc: { pid: number }): number {
  return sampleProc(proc.pid)?.cpuSeconds ?? 0;
}

function benchCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Kubernetes write requests to runs (the watcher's; in-process calls are not counted). */
function runWrites(counts: Record<string, number>): number {
  let n = 0;
  for (const [key, value] of Object.entries(counts)) {
    const [verb, resource] = key.split(" ");
    if (WRITE_VERBS.has(verb ?? "") && /^(pipelineruns|taskruns|customruns)/.test(resource ?? "")) {
      n += value;
    }
  }
  return n;
}

/** RPCs the server handled, by method, between two scrapes. */
function rpcDelta(before: PromSamples, after: PromSamples): Record<string, number> {
  const a = promByLabel(before, "tekton_results_rpc_requests_total", "method");
  const b = promByLabel(after, "tekton_results_rpc_requests_total", "method");
  const out: Record<string, number> = {};
  for (const [m, v] of Object.entries(b)) {
    const d = v - (a[m] ?? 0);
    if (d > 0) out[m] = d;
  }
  return out;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

/**
 * The B1 peer: `results` Results written straight through the API client by
 * `callers` concurrent callers, each Result a CreateResult (with the summary
 * and annotations the watcher would give it) and one CreateRecord per run.
 * One operation = one run; its latency is its calls' (CreateResult counted
 * with the PipelineRun's record).
 */
async function runPeer(
  server: ServerProcess,
  fake: KubeFake,
  groups: readonly ClusterGroup[],
  callers: number,
): Promise<{ measurement: Measurement; serverCpuSeconds: number }> {
  // The records as the watcher would write them: the cluster objects, cleaned.
  const items = groups.map((g) => {
    const runs = g.keys.map((key) => {
      const [kind, namespace, name] = key.split("/") as [string, string, string];
      return fake.get("tekton.dev/v1", kind, namespace, name) as unknown as TektonRun;
    });
    const pr = runs[0]!;
    const resultName = `${g.namespace}/results/${pr.metadata!.uid!}`;
    const records = runs.map((run, i) => ({
      name: `${resultName}/records/${run.metadata!.uid!}`,
      data: jsonRecordData(
        i === 0 ? PIPELINE_RUN_TYPE : TASK_RUN_TYPE,
        recordValueOf(run, "tekton.dev/v1", i === 0 ? "PipelineRun" : "TaskRun"),
      ),
    }));
    const result = create(ResultSchema, {
      name: resultName,
      annotations: resultAnnotationsOf(pr, DEFAULT_SUMMARY_LABELS),
      summary: toApiSummary(summaryOf(pr, records[0]!.name, PIPELINE_RUN_TYPE)),
    });
    return { parent: g.namespace, resultName, result, records };
  });
  const client: ResultsClient = createResultsClient(
    createGrpcTransport({ baseUrl: server.url, acceptCompression: [] }),
  );
  // Warm the connection (not measured).
  await client.getResult({ name: "warm/results/up" }).catch(() => undefined);
  const latencies: number[] = [];
  let next = 0;
  const serverCpu0 = cpuSeconds(server);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (;;) {
        const item = items[next++];
        if (!item) return;
        let start = performance.now();
        await client.createResult({ parent: item.parent, result: item.result });
        for (const record of item.records) {
          await client.createRecord({ parent: item.resultName, record });
          latencies.push(performance.now() - start);
          start = performance.now();
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const serverCpuSeconds = cpuSeconds(server) - serverCpu0;
  return {
    measurement: summarize(latencies, wallMs, cpu.user + cpu.system + serverCpuSeconds * 1e6),
    serverCpuSeconds,
  };
}

interface Completion {
  key: string;
  at: number;
}

/** Latencies (ms) of `completions`: stored time - completion, or the age now when not stored. */
function latenciesOf(
  completions: readonly Completion[],
  tracker: StoredTracker,
  now: number,
): { sorted: number[]; notStored: number } {
  let notStored = 0;
  const lat = completions.map((c) => {
    const s = tracker.storedAt.get(c.key);
    if (s === undefined) notStored++;
    return (s ?? now) - c.at;
  });
  lat.sort((a, b) => a - b);
  return { sorted: lat, notStored };
}

/**
 * Creates groups of runs (running) and completes each `runningMs` later, at a
 * rate set by the caller; optionally deletes groups once stored.
 */
function createLoad(
  fake: KubeFake,
  gen: DataGenerator,
  firstIndex: number,
  tracker: StoredTracker,
  runningMs: number,
) {
  let index = firstIndex;
  const running: { group: ClusterGroup; result: GeneratedResult; completeAt: number }[] = [];
  const done: { group: ClusterGroup; completedAt: number }[] = [];
  let created = 0;
  return {
    /** Create one group now. */
    createOne(now: number): void {
      const result = gen.result(index);
      const group = createGroup(fake, result, index, "running");
      index++;
      created += group.keys.length;
      running.push({ group, result, completeAt: now + runningMs });
    },
    /** Complete every group due; returns the completions. */
    completeDue(now: number, all = false): Completion[] {
      const out: Completion[] = [];
      while (running.length > 0 && (all || running[0]!.completeAt <= now)) {
        const { group, result } = running.shift()!;
        const at = completeGroup(fake, result, group);
        for (const key of group.keys) out.push({ key, at });
        done.push({ group, completedAt: at });
      }
      return out;
    },
    /** Delete groups stored at least `afterMs` ago (the PipelineRun; its TaskRuns follow). */
    prune(now: number, afterMs: number): number {
      let deleted = 0;
      while (done.length > 0) {
        const { group, completedAt } = done[0]!;
        if (now - completedAt < afterMs) break;
        if (!group.keys.every((k) => tracker.storedAt.has(k))) break;
        done.shift();
        fake.delete("tekton.dev/v1", "PipelineRun", group.namespace, group.name);
        deleted++;
      }
      return deleted;
    },
    created: () => created,
    pendingRunning: () => running.length,
  };
}

/** Run B2; see the module documentation. */
export async function runWatcherBenchmarks(options: WatcherBenchOptions): Promise<B2Report> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 42;
  const workers = options.workers ?? 4;
  const qps = options.qps ?? 0;
  const groupCount = Math.max(1, Math.floor(options.runs / RECORDS_PER_RESULT));
  const runs = groupCount * RECORDS_PER_RESULT;
  const peerGroups = Math.max(
    1,
    Math.min(groupCount, Math.floor((options.peerRuns ?? 10_000) / RECORDS_PER_RESULT)),
  );
  // Extra Results for keep-up and soak are generated past the seeded ones.
  const gen = createDataGenerator({ seed, results: groupCount + 1_000_000 });
  const dir = mkdtempSync(join(tmpdir(), "tekton-results-b2-"));
  const notes: string[] = [];
  const comparisons: Comparison[] = [];
  let fake: KubeFake | undefined;
  let server: ServerProcess | undefined;
  let peerServer: ServerProcess | undefined;
  let watcher: WatcherProcess | undefined;
  let tracker: StoredTracker | undefined;
  try {
    fake = await createKubeFake();
    const kubeconfig = join(dir, "kubeconfig");
    await fake.writeKubeconfig(kubeconfig);

    // ---- Seed the cluster ----
    log(`B2: creating ${runs} finished runs (${groupCount} PipelineRuns of 4 TaskRuns)`);
    const seedT0 = performance.now();
    const groups: ClusterGroup[] = [];
    for (let i = 0; i < groupCount; i++) {
      const g = createGroup(fake, gen.result(i), i, "final");
      if (i < peerGroups) groups.push(g);
      if (i > 0 && i % 5000 === 0) log(`B2: ${i * RECORDS_PER_RESULT} runs created`);
    }
    const seedMs = performance.now() - seedT0;

    // ---- B1 peer: the same records straight through the API ----
    peerServer = await startServerProcess(join(dir, "peer.db"), join(dir, "peer-logs"));
    log(
      `B2: B1 peer: ${peerGroups * RECORDS_PER_RESULT} runs through the API client, ${workers} callers`,
    );
    const peer = await runPeer(peerServer, fake, groups, workers);
    groups.length = 0;
    await peerServer.stop();
    peerServer = undefined;
    log(`B2: B1 peer: ${peer.measurement.opsPerSec.toFixed(0)} runs/s`);

    // ---- Initial sync ----
    server = await startServerProcess(join(dir, "results.db"), join(dir, "logs"));
    const probe = await fetch(`${fake.url}/apis/tekton.dev/v1/taskruns?limit=1`);
    const rv = ((await probe.json()) as KubeObject).metadata.resourceVersion ?? "0";
    tracker = trackStored(fake.url, rv);
    await sleepMs(200);
    fake.resetRequestCounts();
    const serverMetrics0 = await server.metrics();
    const serverCpu0 = cpuSeconds(server);
    const benchCpu0 = benchCpuSeconds();
    log(
      `B2: initial sync of ${runs} runs: starting the watcher (${workers} workers, qps ${qps || "unlimited"})`,
    );
    const syncT0 = performance.now();
    watcher = await startWatcherProcess({
      apiUrl: server.url,
      kubeconfig,
      workers,
      qps,
    });
    let readyMs = 0;
    let lastLog = 0;
    const syncDeadline = syncT0 + Math.max(300_000, runs * 50);
    for (;;) {
      if (readyMs === 0 && (await watcher.ready())) readyMs = performance.now() - syncT0;
      if (tracker.storedAt.size >= runs) break;
      const now = performance.now();
      if (now > syncDeadline) {
        throw new Error(`initial sync: ${tracker.storedAt.size} of ${runs} runs stored in time`);
      }
      if (now - lastLog > 10_000) {
        lastLog = now;
        const s = sampleProc(watcher.pid);
        log(
          `B2: sync ${tracker.storedAt.size}/${runs} stored after ${((now - syncT0) / 1000).toFixed(0)} s, ` +
            `watcher RSS ${((s?.rssBytes ?? 0) / MiB).toFixed(0)} MiB`,
        );
      }
      await sleepMs(readyMs === 0 ? 50 : 100);
      if (!sampleProc(watcher.pid)) throw new Error(`the watcher exited:\n${watcher.stderrTail()}`);
    }
    const storedMs = performance.now() - syncT0;
    const syncProc = sampleProc(watcher.pid)!;
    const syncKube = fake.requestCounts();
    const serverMetrics1 = await server.metrics();
    const syncApi = rpcDelta(serverMetrics0, serverMetrics1);
    const sync = {
      runs,
      seedMs,
      readyMs,
      storedMs,
      watcherPeakRssMiB: syncProc.peakRssBytes / MiB,
      watcherCpuSeconds: syncProc.cpuSeconds,
      serverCpuSeconds: cpuSeconds(server) - serverCpu0,
      benchCpuSeconds: benchCpuSeconds() - benchCpu0,
      kubeWritesPerRun: runWrites(syncKube) / runs,
      kubeRequests: syncKube,
      apiCallsPerRun: total(syncApi) / runs,
      apiCalls: syncApi,
    };
    log(
      `B2: initial sync done in ${(storedMs / 1000).toFixed(1)} s, peak RSS ${sync.watcherPeakRssMiB.toFixed(0)} MiB`,
    );
    const syncCpuUs = (sync.watcherCpuSeconds + sync.serverCpuSeconds) * 1e6;
    const perRunMs = (storedMs * workers) / runs;
    const syncMeasurement: Measurement = {
      ops: runs,
      wallMs: storedMs,
      opsPerSec: (runs * 1000) / storedMs,
      p50Ms: perRunMs,
      p99Ms: perRunMs,
      meanMs: perRunMs,
      cpuUsPerOp: syncCpuUs / runs,
    };
    comparisons.push(
      compare(
        {
          id: "B2",
          backend: "watcher",
          workload: `initial sync of ${runs.toLocaleString("en-US")} finished runs`,
          peer: `B1: client CreateResult+CreateRecord, ${workers} callers`,
          ours: syncMeasurement,
          baseline: peer.measurement,
        },
        { kind: "throughput", ratio: 0 },
        {
          goal: `all stored (${(storedMs / 1000).toFixed(0)} s, peak RSS ${sync.watcherPeakRssMiB.toFixed(0)} MiB); ≤ 2 K8s writes/run (${sync.kubeWritesPerRun.toFixed(2)})`,
          met: sync.kubeWritesPerRun <= 2,
        },
      ),
    );

    // ---- Keep-up ----
    const stepMs = options.smoke ? 3000 : 10_000;
    const maxSteps = options.smoke ? 2 : 40;
    const startRate = options.smoke ? 20 : 10;
    const runningMs = 1000;
    const load = createLoad(fake, gen, groupCount, tracker, runningMs);
    fake.resetRequestCounts();
    const keepApi0 = await server.metrics();
    const keepCpu0 = cpuSeconds(watcher) + cpuSeconds(server);
    const steps: KeepUpStep[] = [];
    const stepCompletions: Completion[][] = [];
    const stepEnds: number[] = [];
    let rate = startRate;
    let judged = 0;
    let failed = false;
    let stepIndex = 0;
    log(`B2: keep-up from ${startRate} runs/s, +25% every ${stepMs / 1000} s, until p99 > 5 s`);
    const judge = (now: number): void => {
      while (judged < stepEnds.length && now >= stepEnds[judged]! + KEEP_UP_P99_MS + 500) {
        const completions = stepCompletions[judged]!;
        const { sorted, notStored } = latenciesOf(completions, tracker!, now);
        const step = steps[judged]!;
        step.completed = completions.length;
        step.achievedRate = (completions.length * 1000) / stepMs;
        step.p50Ms = quantile(sorted, 0.5);
        step.p99Ms = quantile(sorted, 0.99);
        step.maxMs = sorted[sorted.length - 1] ?? 0;
        step.notStored = notStored;
        step.passed = completions.length > 0 && step.p99Ms <= KEEP_UP_P99_MS;
        log(
          `B2: step ${judged + 1}: ${step.rate.toFixed(0)} runs/s offered, ${step.achievedRate.toFixed(0)} achieved, ` +
            `p50 ${step.p50Ms.toFixed(0)} ms, p99 ${step.p99Ms.toFixed(0)} ms${step.passed ? "" : " — over 5 s"}`,
        );
        if (!step.passed) failed = true;
        judged++;
      }
    };
    while (!failed && stepIndex < maxSteps) {
      const stepStart = Date.now();
      const completions: Completion[] = [];
      stepCompletions.push(completions);
      steps.push({
        rate,
        completed: 0,
        achievedRate: 0,
        p50Ms: 0,
        p99Ms: 0,
        maxMs: 0,
        notStored: 0,
        passed: false,
      });
      let groupsMade = 0;
      for (;;) {
        const now = Date.now();
        if (now >= stepStart + stepMs) break;
        const due = Math.floor((((now - stepStart) / 1000) * rate) / RECORDS_PER_RESULT) + 1;
        while (groupsMade < due) {
          load.createOne(Date.now());
          groupsMade++;
        }
        completions.push(...load.completeDue(Date.now()));
        judge(Date.now());
        if (failed) break;
        await sleepMs(20);
      }
      stepEnds.push(Date.now());
      stepIndex++;
      rate *= 1.25;
    }
    // Complete what is running (counted in the last step), then judge the remaining steps.
    stepCompletions[stepCompletions.length - 1]!.push(...load.completeDue(Date.now(), true));
    stepEnds[stepEnds.length - 1] = Date.now();
    while (judged < stepEnds.length) {
      await sleepMs(100);
      judge(Date.now());
    }
    let maxRate = 0;
    let best: KeepUpStep | undefined;
    for (const s of steps) {
      if (!s.passed) break;
      if (s.achievedRate > maxRate) {
        maxRate = s.achievedRate;
        best = s;
      }
    }
    // Drain: let the watcher finish the backlog before counting calls and writes.
    const keepUpKeys = stepCompletions.flat();
    const drainUntil = Date.now() + 120_000;
    while (keepUpKeys.some((c) => !tracker!.storedAt.has(c.key)) && Date.now() < drainUntil) {
      await sleepMs(200);
    }
    const keepStored = keepUpKeys.filter((c) => tracker!.storedAt.has(c.key)).length;
    const keepCpuUs = (cpuSeconds(watcher) + cpuSeconds(server) - keepCpu0) * 1e6;
    const keepKube = fake.requestCounts();
    const keepApi = rpcDelta(keepApi0, await server.metrics());
    const keepUp = {
      steps,
      maxRate,
      kubeWritesPerRun: keepStored > 0 ? runWrites(keepKube) / keepStored : 0,
      apiCallsPerRun: keepStored > 0 ? total(keepApi) / keepStored : 0,
    };
    comparisons.push(
      compare(
        {
          id: "B2",
          backend: "watcher",
          workload: "keep-up: highest completion rate with p99 ≤ 5 s",
          peer: `B1: client CreateResult+CreateRecord, ${workers} callers`,
          ours: {
            ops: best?.completed ?? 0,
            wallMs: stepMs,
            opsPerSec: maxRate,
            p50Ms: best?.p50Ms ?? 0,
            p99Ms: best?.p99Ms ?? 0,
            meanMs: 0,
            cpuUsPerOp: keepStored > 0 ? keepCpuUs / keepStored : 0,
          },
          baseline: peer.measurement,
        },
        { kind: "throughput", ratio: 0.5 },
        {
          goal: `p99 ≤ 5 s (${((best?.p99Ms ?? 0) / 1000).toFixed(2)} s); ≤ 2 K8s writes/run (${keepUp.kubeWritesPerRun.toFixed(2)})`,
          met: best !== undefined && keepUp.kubeWritesPerRun <= 2,
        },
      ),
    );

    // ---- Soak ----
    const soakRate = Math.max(startRate, maxRate / 2);
    const soakMs = options.soakSeconds * 1000;
    const sampleEvery = options.smoke ? 500 : 5000;
    log(`B2: soak at ${soakRate.toFixed(0)} runs/s for ${options.soakSeconds} s`);
    const soakLoad = createLoad(fake, gen, groupCount + 500_000, tracker, runningMs);
    const soakCompletions: Completion[] = [];
    const rss: { atSec: number; rss: number }[] = [];
    const soakStart = Date.now();
    let made = 0;
    let lastSample = 0;
    const soakWatcherCpu0 = cpuSeconds(watcher);
    const soakServerCpu0 = cpuSeconds(server);
    for (;;) {
      const now = Date.now();
      if (now >= soakStart + soakMs) break;
      const due = Math.floor((((now - soakStart) / 1000) * soakRate) / RECORDS_PER_RESULT) + 1;
      while (made < due) {
        soakLoad.createOne(Date.now());
        made++;
      }
      soakCompletions.push(...soakLoad.completeDue(Date.now()));
      soakLoad.prune(Date.now(), 5000);
      if (now - lastSample >= sampleEvery) {
        lastSample = now;
        const s = sampleProc(watcher.pid);
        if (!s) throw new Error(`the watcher exited:\n${watcher.stderrTail()}`);
        rss.push({ atSec: (now - soakStart) / 1000, rss: s.rssBytes / MiB });
      }
      await sleepMs(20);
    }
    const soakEnd = Date.now();
    soakCompletions.push(...soakLoad.completeDue(soakEnd, true));
    const soakDrain = soakEnd + 30_000;
    while (soakCompletions.some((c) => !tracker!.storedAt.has(c.key)) && Date.now() < soakDrain) {
      await sleepMs(200);
    }
    const soakLat = latenciesOf(soakCompletions, tracker, Date.now());
    const soakStored = soakCompletions.length - soakLat.notStored;
    const warm = options.soakSeconds * 0.25;
    const after = rss.filter((s) => s.atSec >= warm);
    const slopePerMin = slope(after.map((s) => ({ x: s.atSec / 60, y: s.rss })));
    const window = after.length > 1 ? (after[after.length - 1]!.atSec - after[0]!.atSec) / 60 : 0;
    const growth = slopePerMin * window;
    const meanRss = after.reduce((a, s) => a + s.rss, 0) / Math.max(1, after.length);
    const allowed = Math.max(10, 0.05 * meanRss);
    const soak = {
      seconds: options.soakSeconds,
      rate: soakRate,
      stored: soakStored,
      p99Ms: quantile(soakLat.sorted, 0.99),
      rssMiB: rss,
      startMiB: rss[0]?.rss ?? 0,
      endMiB: rss[rss.length - 1]?.rss ?? 0,
      maxMiB: Math.max(0, ...rss.map((s) => s.rss)),
      slopeMiBPerMin: slopePerMin,
      flat: growth <= allowed,
    };
    const soakCpuUs =
      (cpuSeconds(watcher) - soakWatcherCpu0 + cpuSeconds(server) - soakServerCpu0) * 1e6;
    comparisons.push(
      compare(
        {
          id: "B2",
          backend: "watcher",
          workload: `soak ${options.soakSeconds} s at half the keep-up rate`,
          peer: "offered completion rate",
          ours: {
            ...summarize(soakLat.sorted.slice(0, soakStored), soakEnd - soakStart, soakCpuUs),
          },
          baseline: {
            ops: soakCompletions.length,
            wallMs: soakEnd - soakStart,
            opsPerSec: (soakCompletions.length * 1000) / (soakEnd - soakStart),
            p50Ms: 0,
            p99Ms: 0,
            meanMs: 0,
            cpuUsPerOp: 0,
          },
        },
        { kind: "throughput", ratio: 0.95 },
        {
          goal: `RSS flat after ${warm.toFixed(0)} s: ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MiB ≤ ${allowed.toFixed(0)} MiB; p99 ${(soak.p99Ms / 1000).toFixed(2)} s`,
          met: soak.flat,
        },
      ),
    );

    // ---- Notes ----
    const fmtCounts = (c: Record<string, number>, per: number) =>
      Object.entries(c)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${(v / per).toFixed(2)}`)
        .join(", ");
    notes.push(
      `B2 set-up: kube-fake in the benchmark process; the API server (packages/server/src/bin.ts, SQLite file, its own process) and the watcher (packages/watcher/src/bin.ts --workers ${workers} --qps ${qps} --leader-elect=false, its own process); memory and CPU from /proc/<pid>. The B1 peer writes into a fresh server process of its own.`,
      `B2 initial sync: ${runs} runs created in ${(seedMs / 1000).toFixed(1)} s; watcher listed them (/readyz) ${(readyMs / 1000).toFixed(1)} s after its start and stored all ${(storedMs / 1000).toFixed(1)} s after (process start and TypeScript loading included); watcher peak RSS ${sync.watcherPeakRssMiB.toFixed(0)} MiB, CPU ${sync.watcherCpuSeconds.toFixed(1)} s; server CPU ${sync.serverCpuSeconds.toFixed(1)} s; benchmark process (kube-fake serving the lists and patches, the tracker) CPU ${sync.benchCpuSeconds.toFixed(1)} s. "p50" of the sync row is the mean worker time per run (workers × wall / runs).`,
      `B2 initial sync per run: Kubernetes requests ${fmtCounts(sync.kubeRequests, runs)}; Results API calls ${sync.apiCallsPerRun.toFixed(2)} (${fmtCounts(sync.apiCalls, runs)}).`,
      `B2 B1 peer: ${peer.measurement.ops} runs (${peerGroups} Results) in ${(peer.measurement.wallMs / 1000).toFixed(1)} s = ${peer.measurement.opsPerSec.toFixed(0)} runs/s, 1.2 calls per run; server CPU ${peer.serverCpuSeconds.toFixed(1)} s.`,
      `B2 keep-up steps (runs created running and completed ${runningMs} ms later; offered/achieved runs/s, completion -> stored-annotation p50/p99/max): ` +
        steps
          .map(
            (s) =>
              `${s.rate.toFixed(0)}/${s.achievedRate.toFixed(0)}: ${(s.p50Ms / 1000).toFixed(2)}/${(s.p99Ms / 1000).toFixed(2)}/${(s.maxMs / 1000).toFixed(2)} s${s.notStored ? ` (${s.notStored} not stored yet)` : ""}${s.passed ? "" : " FAIL"}`,
          )
          .join("; ") +
        `. Per stored run: Kubernetes requests ${fmtCounts(keepKube, Math.max(1, keepStored))}; Results API calls ${keepUp.apiCallsPerRun.toFixed(2)} (${fmtCounts(keepApi, Math.max(1, keepStored))}).`,
      `B2 soak: ${soakRate.toFixed(0)} runs/s for ${options.soakSeconds} s (groups deleted 5 s after stored, so the cluster's size stays constant); ${soakStored}/${soakCompletions.length} stored, p99 ${(soak.p99Ms / 1000).toFixed(2)} s; watcher RSS start ${soak.startMiB.toFixed(0)} / end ${soak.endMiB.toFixed(0)} / max ${soak.maxMiB.toFixed(0)} MiB, slope after warm-up ${slopePerMin.toFixed(2)} MiB/min.`,
    );
    return {
      comparisons,
      notes,
      sync,
      peer: { runs: peer.measurement.ops, ...peer },
      keepUp,
      soak,
    };
  } finally {
    tracker?.close();
    await watcher?.stop(35_000);
    await server?.stop();
    await peerServer?.stop();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
