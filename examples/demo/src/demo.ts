/**
 * The tour: the whole life of a Result on one machine. Starts the fake
 * cluster, the Results server and the watcher ({@link startDemoStack}),
 * applies two PipelineRuns as `kubectl` would, plays the Tekton controller
 * (one run succeeds, one fails), waits for the watcher to store every run and
 * log, shows what the Results API holds (Results, Records, a CEL query, a
 * summary, a log), then deletes a run from the cluster and shows its Result
 * is still there.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  logNameOfRecord,
  RECORD_TYPES,
  RecordSummary_Status,
  recordData,
  timestampDate,
  type Record,
  type Result,
  type Timestamp,
} from "@tekton-results/client";
import type { KubeObject } from "@tekton-results/kube-fake";
import yaml from "js-yaml";
import { findKubectl, httpUser, kubectlUser, type ClusterUser } from "./kubectl.js";
import {
  createSimulatedController,
  type PipelineRunOutcome,
  type SimulatedController,
} from "./simulated-controller.js";
import { startDemoStack, type DemoStack } from "./stack.js";
import { formatTable, truncate } from "./table.js";
import { parseTaskCatalog } from "./tekton-spec.js";
import { DemoError, waitFor, type WaitLimits } from "./wait.js";

export { DemoError } from "./wait.js";

/** The directory of the demo's manifests. */
export const MANIFESTS_DIR = fileURLToPath(new URL("../manifests/", import.meta.url));

/** The PipelineRun manifests the tour applies, in order. */
export const PIPELINE_RUN_MANIFESTS = ["build-and-test.yaml", "release.yaml"] as const;

/** The namespace the runs go to (the kubeconfig's default). */
export const DEMO_NAMESPACE = "default";

const PR_FINALIZER = "results.tekton.dev/pipelinerun";
const STORED = "results.tekton.dev/stored";
const FAILED_TASKRUNS_FILTER = `data_type == "tekton.dev/v1.TaskRun" && data.status.conditions[0].reason == "Failed"`;

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where output lines go. Default: stdout. */
  out?: (line: string) => void;
  /** Data directory (database, logs, kubeconfig). Default: a temporary directory, removed at the end. */
  dataDir?: string;
  /** Port of the Results API. Default 0 (a free port). */
  port?: number;
  /** The kubectl to run, or `false` for HTTP requests instead. Default: `kubectl` on `PATH`, if any. */
  kubectl?: string | false;
  /** How long each simulated step runs, in ms. Default 600. */
  stepMs?: number;
  /** Deadline of each wait (the watcher storing everything, a deletion), in ms. Default 60 s. */
  timeoutMs?: number;
  /**
   * Keep everything running after the tour until `signal` aborts (the
   * `--keep` flag); meanwhile the simulated controller runs any new
   * PipelineRun applied to the cluster. Default false.
   */
  keep?: boolean;
  /** Interrupts the tour (which then rejects with a {@link DemoError}) or ends `keep`. */
  signal?: AbortSignal;
}

/** What the tour found. */
export interface DemoReport {
  /** The Results of the tour's PipelineRuns (names), in manifest order. */
  results: string[];
  /** How each PipelineRun ended. */
  runs: PipelineRunOutcome[];
  /** Records stored for the tour's runs (runs and logs). */
  records: number;
  /** Names of the failed TaskRuns the CEL query found. */
  failedTaskRuns: string[];
  /** The Log name of the failed PipelineRun, read back with `Logs.GetLog`. */
  failedRunLog: string;
  /** The PipelineRun deleted from the cluster whose Result stayed. */
  deletedRun: string;
  /** How long the tour took, in ms. */
  elapsedMs: number;
}

/** The parts of a run's JSON the tour prints. */
interface RunDoc {
  kind: string;
  metadata: { name: string; uid: string; labels?: { [key: string]: string } };
  status?: {
    conditions?: { reason?: string; message?: string }[];
    completionTime?: string;
  };
}

/** The parts of a Log record's JSON the tour prints. */
interface LogDoc {
  spec: { resource: { kind: string; name: string } };
  status: { isStored: boolean; size: number };
}

/** Poll `check` until it returns a value other than `undefined`, or fail at the deadline. */
function time(ts: Timestamp | undefined): string {
  return ts
    ? timestampDate(ts)
        .toISOString()
        .replace(/\.\d+Z$/, "Z")
    : "-";
}

function seconds(start: Timestamp | undefined, end: Timestamp | undefined): string {
  if (!start || !end) return "-";
  return `${((timestampDate(end).getTime() - timestampDate(start).getTime()) / 1000).toFixed(0)} s`;
}

function statusName(status: RecordSummary_Status | undefined): string {
  return status === undefined ? "-" : (RecordSummary_Status[status] ?? String(status));
}

function shortType(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1);
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Run the tour (see the module documentation): print it to `out`, and
 * resolve to what it found once everything is closed again. Rejects with a
 * {@link DemoError} (or the underlying error) when a step fails.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  const stack = await startDemoStack({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  try {
    const kubectl = options.kubectl === undefined ? findKubectl() : options.kubectl || undefined;
    const user = kubectl
      ? kubectlUser(kubectl, stack.kubeconfigPath, join(stack.dataDir, "kube-cache"))
      : httpUser(stack.kubeConfig, DEMO_NAMESPACE);
    const catalog = parseTaskCatalog(await readFile(join(MANIFESTS_DIR, "tasks.yaml"), "utf8"));
    const controller = createSimulatedController({
      kube: stack.kube,
      catalog,
      ...(options.stepMs !== undefined ? { stepMs: options.stepMs } : {}),
    });
    const signal = options.signal;
    const report = await tour(stack, user, controller, out, { timeoutMs, signal });
    report.elapsedMs = Date.now() - started;
    out("");
    out(`Done in ${(report.elapsedMs / 1000).toFixed(1)} s.`);
    if (options.keep) await keep(stack, controller, out, signal, report);
    return report;
  } finally {
    await stack.close();
  }
}

async function tour(
  stack: DemoStack,
  user: ClusterUser,
  controller: SimulatedController,
  out: (line: string) => void,
  limits: WaitLimits,
): Promise<DemoReport> {
  const { kube, client, logs } = stack;
  const ns = DEMO_NAMESPACE;
  const printLines = (lines: readonly string[]) => {
    for (const line of lines) out(line);
  };
  const section = (title: string) => {
    out("");
    out(title);
  };

  out("Tekton Results: the life of a Result");
  out(`  cluster      ${kube.url}  (fake Kubernetes API; kubeconfig ${stack.kubeconfigPath})`);
  out(`  Results API  ${stack.apiUrl}  (SQLite ${stack.databasePath}, logs in ${stack.logsDir})`);
  out(`  web UI       ${uiLine(stack)}`);
  out(`  watcher      in-process, storing runs and their logs`);

  // 1. Apply the runs.
  section(`1. Apply the PipelineRuns with ${user.via}`);
  const pipelineRuns: string[] = [];
  for (const file of PIPELINE_RUN_MANIFESTS) {
    const path = join(MANIFESTS_DIR, file);
    const doc = yaml.load(await readFile(path, "utf8")) as { metadata?: { name?: string } };
    const name = doc.metadata?.name;
    if (!name) throw new DemoError(`${path}: the PipelineRun has no metadata.name`);
    pipelineRuns.push(name);
    out(`  ${user.showApply(`examples/demo/manifests/${file}`)}`);
    for (const line of await user.apply(path)) out(`  ${line}`);
  }
  await waitFor(
    "the PipelineRuns in the cluster",
    limits,
    () => pipelineRuns.every((n) => kube.get("tekton.dev/v1", "PipelineRun", ns, n)) || undefined,
  );
  await waitFor(
    "the watcher's finalizer on the new runs",
    limits,
    () =>
      pipelineRuns.every((n) =>
        kube
          .get("tekton.dev/v1", "PipelineRun", ns, n)
          ?.metadata.finalizers?.includes(PR_FINALIZER),
      ) || undefined,
  );
  out(
    `  the watcher saw them: finalizer ${PR_FINALIZER} holds their deletion until they are stored`,
  );

  // 2. Play the controller.
  section("2. The Tekton controller (simulated) runs them: TaskRuns, pods, step logs");
  const outcomes = await Promise.all(pipelineRuns.map((n) => controller.runPipelineRun(ns, n)));
  printLines(
    formatTable(
      ["PIPELINERUN", "REASON", "TASKRUNS"],
      outcomes.map((o) => [
        o.name,
        o.reason,
        [
          ...o.taskRuns.map(
            (t) => `${t.pipelineTask} ${t.reason === "Succeeded" ? "ok" : "FAILED"}`,
          ),
          ...o.skipped.map((t) => `${t} skipped`),
        ].join(", "),
      ]),
    ),
  );

  // 3. Wait for the watcher.
  section("3. The watcher stores every run and its logs");
  const runObjects = [
    ...kube.list("tekton.dev/v1", "PipelineRun", { namespace: ns }),
    ...kube.list("tekton.dev/v1", "TaskRun", { namespace: ns }),
  ].filter((r) => outcomes.some((o) => o.uid === r.metadata.uid || ownedBy(r, o.uid)));
  const uids = new Set(runObjects.map((r) => r.metadata.uid!));
  const resultNames = outcomes.map((o) => `${ns}/results/${o.uid}`);
  let state = { runs: 0, logs: 0, annotated: 0 };
  const describeState = (s = state) =>
    `${s.runs}/${uids.size} final runs, ${s.logs}/${uids.size} logs stored, ` +
    `${s.annotated}/${uids.size} runs annotated ${STORED}=true (finalizer released)`;
  const waitStarted = Date.now();
  let lastPrinted = Date.now();
  const stored = await waitFor(
    "the watcher to store every run and log",
    limits,
    async () => {
      const records = (
        await Promise.all(resultNames.map((parent) => collect(client.listAllRecords({ parent }))))
      ).flat();
      let runs = 0;
      let logCount = 0;
      for (const record of records) {
        if (record.data?.type === RECORD_TYPES.LOG) {
          const doc = recordData<LogDoc>(record);
          if (doc?.status.isStored) logCount++;
        } else {
          const doc = recordData<RunDoc>(record);
          if (doc && uids.has(doc.metadata.uid) && doc.status?.completionTime) runs++;
        }
      }
      // Written back by the watcher: stored=true, and its finalizer released.
      const annotated = runObjects.filter((r) => {
        const now = kube.get(r.apiVersion, r.kind, ns, r.metadata.name!)?.metadata;
        return (
          now?.annotations?.[STORED] === "true" &&
          !now.finalizers?.some((f) => f.startsWith("results.tekton.dev/"))
        );
      }).length;
      const next = { runs, logs: logCount, annotated };
      if (JSON.stringify(next) !== JSON.stringify(state) && Date.now() - lastPrinted >= 1000) {
        lastPrinted = Date.now();
        out(`  ... ${describeState(next)}`);
      }
      state = next;
      return runs === uids.size && logCount === uids.size && annotated === uids.size
        ? records
        : undefined;
    },
    () => describeState(),
  );
  out(`  ${describeState()} after ${((Date.now() - waitStarted) / 1000).toFixed(1)} s`);

  // 4. What the API holds.
  section("4. What the Results API holds (queried with @tekton-results/client)");
  const results: Result[] = [];
  for await (const result of client.listAllResults({ parent: ns, orderBy: "create_time asc" })) {
    if (resultNames.includes(result.name)) results.push(result);
  }
  printLines(
    formatTable(
      ["RESULT", "RUN", "STATUS", "START", "DURATION", "ANNOTATIONS"],
      results.map((r) => [
        r.name,
        r.annotations["object.metadata.name"] ?? "-",
        statusName(r.summary?.status),
        time(r.summary?.startTime),
        seconds(r.summary?.startTime, r.summary?.endTime),
        Object.entries({ ...r.annotations, ...(r.summary?.annotations ?? {}) })
          .filter(([k]) => k !== "object.metadata.name")
          .map(([k, v]) => `${k}=${v}`)
          .sort()
          .join(" "),
      ]),
    ),
  );

  out("");
  out("  Records (TaskRuns share their PipelineRun's Result):");
  const recordRow = (record: Record, runName: string): string[] => {
    if (record.data?.type === RECORD_TYPES.LOG) {
      const doc = recordData<LogDoc>(record);
      return [
        runName,
        "Log",
        `${doc?.spec.resource.name ?? "-"}-log`,
        doc?.status.isStored ? `stored, ${doc.status.size} bytes` : "not stored",
      ];
    }
    const doc = recordData<RunDoc>(record);
    return [
      runName,
      shortType(record.data?.type ?? ""),
      doc?.metadata.name ?? lastSegment(record.name),
      doc?.status?.conditions?.[0]?.reason ?? "-",
    ];
  };
  const rows: string[][] = [];
  for (const [i, resultName] of resultNames.entries()) {
    const records = stored.filter((r) => r.name.startsWith(`${resultName}/records/`));
    const order = (r: Record) =>
      r.data?.type === RECORD_TYPES.PIPELINE_RUN ? 0 : r.data?.type === RECORD_TYPES.LOG ? 2 : 1;
    records.sort((a, b) => order(a) - order(b));
    for (const record of records) rows.push(recordRow(record, outcomes[i]!.name));
  }
  printLines(formatTable(["RESULT OF", "TYPE", "NAME", "REASON / STATUS"], rows, "    "));

  out("");
  out(`  CEL query over ${ns}/results/-: ${FAILED_TASKRUNS_FILTER}`);
  const failed = await collect(
    client.listAllRecords({ parent: `${ns}/results/-`, filter: FAILED_TASKRUNS_FILTER }),
  );
  const failedDocs = failed
    .map((r) => recordData<RunDoc>(r))
    .filter((d): d is RunDoc => d !== undefined && uids.has(d.metadata.uid));
  printLines(
    formatTable(
      ["TASKRUN", "PIPELINE TASK", "MESSAGE"],
      failedDocs.map((d) => [
        d.metadata.name,
        d.metadata.labels?.["tekton.dev/pipelineTask"] ?? "-",
        truncate(d.status?.conditions?.[0]?.message ?? "-", 60),
      ]),
      "    ",
    ),
  );

  out("");
  out(`  GetRecordListSummary of every PipelineRun stored (filter data_type == PIPELINE_RUN):`);
  const fields = ["total", "succeeded", "failed", "avg_duration", "max_duration", "last_runtime"];
  const summary = await client.getRecordListSummary({
    parent: `${ns}/results/-`,
    filter: "data_type == PIPELINE_RUN",
    summary: fields.join(","),
  });
  printLines(
    formatTable(
      fields.map((f) => f.toUpperCase()),
      summary.summary.map((s) =>
        fields.map((f) =>
          f === "last_runtime" && typeof s[f] === "number"
            ? new Date(s[f] * 1000).toISOString().replace(/\.\d+Z$/, "Z")
            : String(s[f] ?? "-"),
        ),
      ),
      "    ",
    ),
  );

  const failedRun = outcomes.find((o) => o.reason !== "Succeeded") ?? outcomes[0]!;
  const failedResult = `${ns}/results/${failedRun.uid}`;
  const [logRecord] = await collect(
    client.listAllRecords({
      parent: failedResult,
      filter: `data_type == "${RECORD_TYPES.LOG}" && data.spec.resource.kind == "PipelineRun"`,
    }),
  );
  if (!logRecord) throw new DemoError(`no Log record of ${failedRun.name} in ${failedResult}`);
  const logName = logNameOfRecord(logRecord.name);
  out("");
  out(`  The log of ${failedRun.name} (Logs.GetLog ${logName}):`);
  const logText = await logs.readLogText(logName);
  for (const line of logText.trimEnd().split("\n")) out(`    | ${line}`);

  // 5. Delete a run from the cluster; its Result stays.
  const gone = outcomes.find((o) => o.reason === "Succeeded") ?? outcomes[0]!;
  const goneResult = `${ns}/results/${gone.uid}`;
  section(`5. Delete ${gone.name} from the cluster: its Result stays`);
  const before = kube.get("tekton.dev/v1", "PipelineRun", ns, gone.name);
  const finalizers = before?.metadata.finalizers ?? [];
  out(
    `  ${gone.name}: ${STORED}=${before?.metadata.annotations?.[STORED] ?? "-"}, ` +
      `finalizer ${finalizers.includes(PR_FINALIZER) ? "still held" : "released"} by the watcher`,
  );
  out(`  ${user.showDelete("pipelinerun", ns, gone.name)}`);
  for (const line of await user.delete("pipelinerun", ns, gone.name)) out(`  ${line}`);
  const childSelector = `tekton.dev/pipelineRun=${gone.name}`;
  await waitFor(`${gone.name}, its TaskRuns and pods to be gone`, limits, () =>
    kube.get("tekton.dev/v1", "PipelineRun", ns, gone.name) === undefined &&
    kube.list("tekton.dev/v1", "TaskRun", { namespace: ns, labelSelector: childSelector })
      .length === 0 &&
    kube.list("v1", "Pod", { namespace: ns, labelSelector: childSelector }).length === 0
      ? true
      : undefined,
  );
  const left = kube.list("tekton.dev/v1", "PipelineRun", { namespace: ns });
  out(
    `  cluster: ${gone.name}, its TaskRuns and pods are gone; PipelineRuns left: ` +
      (left.map((r) => r.metadata.name).join(", ") || "none"),
  );
  const kept = await client.getResult({ name: goneResult });
  const keptRecords = await collect(client.listAllRecords({ parent: goneResult }));
  const [keptLog] = keptRecords.filter(
    (r) =>
      r.data?.type === RECORD_TYPES.LOG &&
      recordData<LogDoc>(r)?.spec.resource.kind === "PipelineRun",
  );
  const keptLogText = keptLog ? await logs.readLogText(logNameOfRecord(keptLog.name)) : "";
  out(
    `  Results API: ${goneResult} is still ${statusName(kept.summary?.status)}, ` +
      `with ${keptRecords.length} records and its log (${keptLogText.split("\n").filter(Boolean).length} lines)`,
  );

  return {
    results: resultNames,
    runs: outcomes,
    records: stored.length,
    failedTaskRuns: failedDocs.map((d) => d.metadata.name),
    failedRunLog: logName,
    deletedRun: gone.name,
    elapsedMs: 0,
  };
}

function ownedBy(run: KubeObject, uid: string): boolean {
  return run.metadata.ownerReferences?.some((o) => o.uid === uid) ?? false;
}

/** The web UI's URL, and what to open there (or why it is not there). */
function uiLine(stack: DemoStack): string {
  return stack.uiProblem === undefined
    ? `${stack.uiUrl}  (open it in a browser: the runs, as stored)`
    : `${stack.uiUrl}  (${stack.uiProblem}; build it with: npm run build -w @tekton-results/web)`;
}

/** Keep the stack running until `signal` aborts; run new PipelineRuns meanwhile. */
async function keep(
  stack: DemoStack,
  controller: SimulatedController,
  out: (line: string) => void,
  signal: AbortSignal | undefined,
  report: DemoReport,
): Promise<void> {
  const k = `kubectl --kubeconfig ${stack.kubeconfigPath}`;
  const api = `${stack.apiUrl}/apis/results.tekton.dev/v1alpha2/parents`;
  const failedFilter = encodeURIComponent(FAILED_TASKRUNS_FILTER);
  const prFilter = encodeURIComponent("data_type == PIPELINE_RUN");
  out("");
  out("Everything keeps running (Ctrl-C stops it):");
  out(`  Results API  ${stack.apiUrl}  (gRPC, Connect, gRPC-Web and REST)`);
  out(`  web UI       ${uiLine(stack)}`);
  out(`  kubeconfig   ${stack.kubeconfigPath}`);
  out(`  data         ${stack.dataDir}${stack.temporary ? "  (removed on exit)" : ""}`);
  out("Try:");
  out(`  ${k} get pipelineruns,taskruns`);
  out(`  ${k} apply -f ${join(MANIFESTS_DIR, "build-and-test.yaml")}`);
  out(`      (a new run: the simulated controller runs it, the watcher stores it)`);
  out(`  curl -s ${api}/${DEMO_NAMESPACE}/results`);
  out(`  curl -s '${api}/${DEMO_NAMESPACE}/results/-/records?filter=${failedFilter}'`);
  out(
    `  curl -s '${api}/${DEMO_NAMESPACE}/results/-/records/summary?summary=total,failed,avg_duration&filter=${prFilter}'`,
  );
  out(`  curl -s ${api}/${report.failedRunLog}`);
  const tkn = `KUBECONFIG=${stack.kubeconfigPath} npx tkn-results`;
  out(`  ${tkn} pipelinerun list`);
  const failed = report.runs.find((r) => r.reason === "Failed") ?? report.runs[0];
  if (failed) out(`  ${tkn} pipelinerun logs ${failed.name}`);
  out(
    `      (the CLI, from this clone: with no host configured it port-forwards to the API's Service)`,
  );
  const playing = new Set<string>();
  const running = new Set<Promise<void>>();
  const poll = setInterval(() => {
    for (const run of stack.kube.list("tekton.dev/v1", "PipelineRun")) {
      const uid = run.metadata.uid!;
      if (run["status"] !== undefined || playing.has(uid) || run.metadata.deletionTimestamp) {
        continue;
      }
      playing.add(uid);
      const p = controller
        .runPipelineRun(run.metadata.namespace!, run.metadata.name!)
        .then(
          (o) =>
            out(`  ${o.namespace}/${o.name}: ${o.reason} (Result ${o.namespace}/results/${o.uid})`),
          (err: unknown) =>
            out(`  ${run.metadata.name}: ${err instanceof Error ? err.message : String(err)}`),
        )
        .finally(() => running.delete(p));
      running.add(p);
    }
  }, 500);
  try {
    await new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    clearInterval(poll);
    await Promise.allSettled([...running]);
  }
  out("Stopping.");
}
