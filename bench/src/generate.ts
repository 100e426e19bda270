/**
 * A seeded generator of realistic Tekton data: one Result per PipelineRun,
 * holding the PipelineRun record and the records of its 4 TaskRuns, with
 * labels, annotations, params, steps and managedFields as a cluster writes
 * them (a TaskRun document is about 5.5 KB of JSON).
 *
 * The data set spans 50 namespaces and 500 pipelines (10 per namespace) over
 * 90 days; runs end 90% succeeded, 8% failed and 2% cancelled. Each Result is
 * generated from its own index and the seed alone, so any slice of the data
 * set can be generated in any order and is identical for a given seed.
 *
 * @module
 */
import { createPrng, mixSeed, type Prng } from "./prng.js";

/** The record type of a PipelineRun. */
export const PIPELINE_RUN_TYPE = "tekton.dev/v1.PipelineRun";
/** The record type of a TaskRun. */
export const TASK_RUN_TYPE = "tekton.dev/v1.TaskRun";
/** TaskRuns per PipelineRun, so records per Result is this plus one. */
export const TASK_RUNS_PER_RESULT = 4;
/** Records per Result. */
export const RECORDS_PER_RESULT = TASK_RUNS_PER_RESULT + 1;

/** Options of {@link createDataGenerator}. */
export interface DataGeneratorOptions {
  /** The seed: the same seed gives the same data. */
  seed: number;
  /** How many Results (PipelineRuns) the data set has. */
  results: number;
  /** Namespaces (default 50). */
  namespaces?: number;
  /** Pipelines, spread evenly over the namespaces (default 500). */
  pipelines?: number;
  /** Days the runs span (default 90). */
  days?: number;
  /** The creation time of the last run (default 2026-01-01T00:00:00Z). */
  end?: Date;
}

/** How a run ended. */
export type RunOutcome = "Succeeded" | "Failed" | "Cancelled";

/** One generated Record: its name parts, type, times and JSON documents. */
export interface GeneratedRecord {
  parent: string;
  resultName: string;
  name: string;
  uid: string;
  type: string;
  /** The final document (the run has finished), as JSON text. */
  data: string;
  /** The same run while it was still running (what a watcher writes first). */
  runningData: string;
  /** `metadata.creationTimestamp` of the run. */
  createTime: Date;
  /** `status.completionTime` of the run. */
  updateTime: Date;
}

/** One generated Result with its records (the PipelineRun first). */
export interface GeneratedResult {
  parent: string;
  name: string;
  uid: string;
  pipeline: string;
  outcome: RunOutcome;
  /** Creation time of the PipelineRun. */
  createTime: Date;
  /** Completion time of the PipelineRun. */
  updateTime: Date;
  startTime: Date;
  endTime: Date;
  /** `RecordSummary.Status`: 1 SUCCESS, 2 FAILURE, 4 CANCELLED. */
  status: 1 | 2 | 4;
  annotations: Record<string, string>;
  records: GeneratedRecord[];
}

/** A deterministic data set. */
export interface DataGenerator {
  /** Number of Results. */
  readonly results: number;
  /** Namespace names, `ns-00` ... */
  readonly namespaces: readonly string[];
  /** Pipeline names (label `tekton.dev/pipeline`) with their namespaces. */
  readonly pipelines: readonly { namespace: string; name: string }[];
  /** Time of the first and the last run. */
  readonly start: Date;
  readonly end: Date;
  /** Result number `index` (0-based; results are in creation order). */
  result(index: number): GeneratedResult;
}

const APPS = [
  "api",
  "web",
  "billing",
  "auth",
  "search",
  "catalog",
  "orders",
  "payments",
  "gateway",
  "inventory",
  "notify",
  "reports",
  "ledger",
  "profile",
  "media",
  "checkout",
  "shipping",
  "pricing",
  "ingest",
  "audit",
] as const;
const KINDS = ["ci", "build", "release", "e2e", "nightly"] as const;
const TASKS = ["git-clone", "unit-test", "buildah", "deploy"] as const;
const IMAGES: Record<(typeof TASKS)[number], string> = {
  "git-clone": "gcr.io/tekton-releases/github.com/tektoncd/catalog/cmd/git-init:v0.40.2",
  "unit-test": "registry.access.redhat.com/ubi9/nodejs-20:1-59",
  buildah: "quay.io/buildah/stable:v1.37.3",
  deploy: "registry.k8s.io/kubectl:v1.31.2",
};
const SCRIPTS: Record<(typeof TASKS)[number], string> = {
  "git-clone":
    '#!/usr/bin/env sh\nset -eu\nif [ "${PARAM_VERBOSE}" = "true" ] ; then\n  set -x\nfi\nCHECKOUT_DIR="${WORKSPACE_OUTPUT_PATH}/${PARAM_SUBDIRECTORY}"\ncleandir() {\n  if [ -d "${CHECKOUT_DIR}" ] ; then\n    rm -rf "${CHECKOUT_DIR:?}"/*\n  fi\n}\n/ko-app/git-init -url="${PARAM_URL}" -revision="${PARAM_REVISION}" -refspec="${PARAM_REFSPEC}" -path="${CHECKOUT_DIR}" -sslVerify="${PARAM_SSL_VERIFY}" -submodules="${PARAM_SUBMODULES}" -depth="${PARAM_DEPTH}"\ncd "${CHECKOUT_DIR}"\nRESULT_SHA="$(git rev-parse HEAD)"\nprintf "%s" "${RESULT_SHA}" > "$(results.commit.path)"\n',
  "unit-test":
    "#!/usr/bin/env bash\nset -euo pipefail\ncd $(workspaces.source.path)\nnpm ci --no-audit --no-fund\nnpm run lint\nnpm test -- --reporter=junit --outputFile=reports/junit.xml\n",
  buildah:
    "#!/usr/bin/env bash\nset -euo pipefail\nbuildah --storage-driver=$(params.STORAGE_DRIVER) bud $(params.BUILD_EXTRA_ARGS) --format=$(params.FORMAT) --tls-verify=$(params.TLSVERIFY) -f $(params.DOCKERFILE) -t $(params.IMAGE) $(params.CONTEXT)\nbuildah --storage-driver=$(params.STORAGE_DRIVER) push $(params.PUSH_EXTRA_ARGS) --tls-verify=$(params.TLSVERIFY) --digestfile /tmp/image-digest $(params.IMAGE) docker://$(params.IMAGE)\ncat /tmp/image-digest | tee $(results.IMAGE_DIGEST.path)\n",
  deploy:
    "#!/usr/bin/env bash\nset -euo pipefail\nkubectl -n $(params.namespace) set image deployment/$(params.app) app=$(params.image)@$(params.digest)\nkubectl -n $(params.namespace) rollout status deployment/$(params.app) --timeout=300s\n",
};

const DAY_MS = 86_400_000;

/**
 * A UUID (version 4 layout) unique by construction: random digits from `rng`,
 * with the Result's index in the last group and `slot` (0-15, which id of
 * that Result) in the fourth, so no two ids of a data set collide.
 */
function indexedUuid(rng: Prng, index: number, slot: number): string {
  const h = rng.hex(15);
  const variant = "89ab"[Math.floor(rng.next() * 4)]!;
  const tail = index.toString(16).padStart(12, "0");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-${variant}${slot.toString(16)}${rng.hex(2)}-${tail}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A managedFields entry as the API server records it. */
function managedField(manager: string, time: number, subresource?: string): unknown {
  return {
    manager,
    operation: "Update",
    apiVersion: "tekton.dev/v1",
    time: iso(time),
    fieldsType: "FieldsV1",
    fieldsV1: subresource
      ? {
          "f:status": {
            ".": {},
            "f:completionTime": {},
            "f:conditions": {},
            "f:podName": {},
            "f:provenance": { ".": {}, "f:featureFlags": { ".": {}, "f:EnableAPIFields": {} } },
            "f:startTime": {},
            "f:steps": {},
            "f:taskSpec": { ".": {}, "f:params": {}, "f:steps": {} },
          },
        }
      : {
          "f:metadata": {
            "f:annotations": {
              ".": {},
              "f:results.tekton.dev/record": {},
              "f:results.tekton.dev/result": {},
            },
            "f:labels": {
              ".": {},
              "f:app.kubernetes.io/managed-by": {},
              "f:tekton.dev/pipeline": {},
            },
            "f:ownerReferences": { ".": {}, 'k:{"uid":"owner"}': {} },
          },
          "f:spec": { ".": {}, "f:params": {}, "f:serviceAccountName": {}, "f:timeout": {} },
        },
    ...(subresource ? { subresource } : {}),
  };
}

function condition(reason: string, time: number): unknown {
  const status = reason === "Succeeded" ? "True" : reason === "Running" ? "Unknown" : "False";
  const message =
    reason === "Succeeded"
      ? "All Steps have completed executing"
      : reason === "Failed"
        ? '"step-build" exited with code 1: Error'
        : reason === "Running"
          ? "Not all Steps in the Task have finished executing"
          : "TaskRun was cancelled. Reason: PipelineRun was cancelled";
  return { type: "Succeeded", status, reason, message, lastTransitionTime: iso(time) };
}

interface RunContext {
  namespace: string;
  pipeline: string;
  app: string;
  prName: string;
  prUid: string;
  revision: string;
  resultRef: string;
}

function taskRunDoc(
  rng: Prng,
  ctx: RunContext,
  task: (typeof TASKS)[number],
  uid: string,
  created: number,
  started: number,
  completed: number,
  reason: string,
  running: boolean,
): unknown {
  const name = `${ctx.prName}-${task}`;
  const pod = `${name}-pod`;
  const stepNames = ["prepare", task === "buildah" ? "build" : "run", "report"];
  const stepStart = started + 2000;
  return {
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: {
      name,
      namespace: ctx.namespace,
      uid,
      generation: 1,
      resourceVersion: String(rng.int(10_000_000, 99_999_999)),
      creationTimestamp: iso(created),
      labels: {
        "app.kubernetes.io/managed-by": "tekton-pipelines",
        "app.kubernetes.io/version": "0.65.2",
        "tekton.dev/memberOf": "tasks",
        "tekton.dev/pipeline": ctx.pipeline,
        "tekton.dev/pipelineRun": ctx.prName,
        "tekton.dev/pipelineRunUID": ctx.prUid,
        "tekton.dev/pipelineTask": task,
        "tekton.dev/task": task,
        "app.kubernetes.io/part-of": ctx.app,
      },
      annotations: {
        "pipeline.tekton.dev/release": "v0.65.2",
        "results.tekton.dev/record": `${ctx.resultRef}/records/${uid}`,
        "results.tekton.dev/result": ctx.resultRef,
      },
      ownerReferences: [
        {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          name: ctx.prName,
          uid: ctx.prUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        managedField("controller", created),
        ...(running ? [] : [managedField("controller", completed, "status")]),
      ],
    },
    spec: {
      params: [
        { name: "url", value: `https://github.com/example/${ctx.app}.git` },
        { name: "revision", value: ctx.revision },
        { name: "IMAGE", value: `quay.io/example/${ctx.app}:${ctx.revision.slice(0, 12)}` },
        { name: "CONTEXT", value: "." },
      ],
      serviceAccountName: "pipeline",
      taskRef: { kind: "Task", name: task },
      timeout: "1h0m0s",
      workspaces: [
        { name: "source", persistentVolumeClaim: { claimName: `pvc-${ctx.prUid.slice(0, 8)}` } },
      ],
    },
    status: {
      conditions: [condition(running ? "Running" : reason, running ? started : completed)],
      podName: pod,
      startTime: iso(started),
      ...(running ? {} : { completionTime: iso(completed) }),
      provenance: { featureFlags: { EnableAPIFields: "beta" } },
      steps: stepNames.map((step, i) => ({
        name: step,
        container: `step-${step}`,
        imageID: `${IMAGES[task].split(":")[0]}@sha256:${rng.hex(64)}`,
        ...(running
          ? { running: { startedAt: iso(stepStart) } }
          : {
              terminated: {
                exitCode: reason === "Failed" && i === 1 ? 1 : 0,
                reason: reason === "Failed" && i === 1 ? "Error" : "Completed",
                startedAt: iso(stepStart + i * 1000),
                finishedAt: iso(completed - (2 - i) * 1000),
                containerID: `containerd://${rng.hex(64)}`,
              },
            }),
      })),
      taskSpec: {
        params: [
          { name: "url", type: "string", description: "Repository URL to clone from." },
          { name: "revision", type: "string", description: "Revision to checkout.", default: "" },
          { name: "IMAGE", type: "string", description: "Reference of the image to build." },
          { name: "CONTEXT", type: "string", default: "." },
        ],
        steps: stepNames.map((step) => ({
          name: step,
          image: IMAGES[task],
          computeResources: { requests: { cpu: "100m", memory: "256Mi" } },
          env: [{ name: "HOME", value: "/tekton/home" }],
          script:
            step === "prepare" || step === "report"
              ? "#!/bin/sh\nset -e\nls -la $(workspaces.source.path)\n"
              : SCRIPTS[task],
        })),
        workspaces: [{ name: "source" }],
      },
      ...(running
        ? {}
        : {
            results: [
              { name: "commit", type: "string", value: ctx.revision },
              { name: "IMAGE_DIGEST", type: "string", value: `sha256:${rng.hex(64)}` },
            ],
          }),
    },
  };
}

function pipelineRunDoc(
  ctx: RunContext,
  created: number,
  started: number,
  completed: number,
  reason: string,
  running: boolean,
  childNames: readonly string[],
): unknown {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: {
      name: ctx.prName,
      namespace: ctx.namespace,
      uid: ctx.prUid,
      generation: 1,
      creationTimestamp: iso(created),
      labels: {
        "app.kubernetes.io/managed-by": "tekton-pipelines",
        "tekton.dev/pipeline": ctx.pipeline,
        "app.kubernetes.io/part-of": ctx.app,
        "triggers.tekton.dev/eventlistener": `${ctx.app}-listener`,
      },
      annotations: {
        "results.tekton.dev/record": `${ctx.resultRef}/records/${ctx.prUid}`,
        "results.tekton.dev/result": ctx.resultRef,
        "pipelinesascode.tekton.dev/repository": ctx.app,
      },
      managedFields: [
        managedField("controller", created),
        ...(running ? [] : [managedField("controller", completed, "status")]),
      ],
    },
    spec: {
      pipelineRef: { name: ctx.pipeline },
      params: [
        { name: "repo-url", value: `https://github.com/example/${ctx.app}.git` },
        { name: "revision", value: ctx.revision },
      ],
      taskRunTemplate: { serviceAccountName: "pipeline" },
      timeouts: { pipeline: "1h0m0s" },
      workspaces: [
        {
          name: "source",
          volumeClaimTemplate: {
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        },
      ],
    },
    status: {
      conditions: [
        running
          ? {
              type: "Succeeded",
              status: "Unknown",
              reason: "Running",
              message: "Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: 4, Skipped: 0",
              lastTransitionTime: iso(started),
            }
          : {
              type: "Succeeded",
              status: reason === "Succeeded" ? "True" : "False",
              reason,
              message:
                reason === "Succeeded"
                  ? "Tasks Completed: 4 (Failed: 0, Cancelled 0), Skipped: 0"
                  : reason === "Failed"
                    ? "Tasks Completed: 4 (Failed: 1, Cancelled 0), Skipped: 0"
                    : 'PipelineRun "' + ctx.prName + '" was cancelled',
              lastTransitionTime: iso(completed),
            },
      ],
      startTime: iso(started),
      ...(running ? {} : { completionTime: iso(completed) }),
      pipelineSpec: {
        tasks: TASKS.map((task, i) => ({
          name: task,
          taskRef: { kind: "Task", name: task },
          ...(i > 0 ? { runAfter: [TASKS[i - 1]] } : {}),
        })),
      },
      childReferences: childNames.map((name, i) => ({
        apiVersion: "tekton.dev/v1",
        kind: "TaskRun",
        name,
        pipelineTaskName: TASKS[i],
      })),
      provenance: { featureFlags: { EnableAPIFields: "beta" } },
    },
  };
}

/** Create the data set for `options`. */
export function createDataGenerator(options: DataGeneratorOptions): DataGenerator {
  const nsCount = options.namespaces ?? 50;
  const pipelineCount = options.pipelines ?? 500;
  const days = options.days ?? 90;
  const end = (options.end ?? new Date("2026-01-01T00:00:00Z")).getTime();
  const start = end - days * DAY_MS;
  const namespaces = Array.from({ length: nsCount }, (_, i) => `ns-${String(i).padStart(2, "0")}`);
  const naming = createPrng(mixSeed(options.seed, 0x5eed));
  const pipelines = Array.from({ length: pipelineCount }, (_, i) => ({
    namespace: namespaces[i % nsCount]!,
    name: `${naming.pick(APPS)}-${naming.pick(KINDS)}-${String(i).padStart(3, "0")}`,
  }));
  const step = options.results > 1 ? (end - start) / (options.results - 1) : 0;

  function result(index: number): GeneratedResult {
    const rng = createPrng(mixSeed(options.seed, index + 1));
    const pipeline = pipelines[rng.int(0, pipelineCount - 1)]!;
    const roll = rng.next();
    const outcome: RunOutcome = roll < 0.9 ? "Succeeded" : roll < 0.98 ? "Failed" : "Cancelled";
    const created = Math.round(start + index * step);
    const started = created + rng.int(200, 3000);
    const prUid = indexedUuid(rng, index, 0);
    const resultName = prUid;
    const app = pipeline.name.split("-")[0]!;
    const prName = `${pipeline.name}-run-${rng.hex(5)}`;
    const ctx: RunContext = {
      namespace: pipeline.namespace,
      pipeline: pipeline.name,
      app,
      prName,
      prUid,
      revision: rng.hex(40),
      resultRef: `${pipeline.namespace}/results/${resultName}`,
    };
    // Task runs run one after another; a failed or cancelled run stops at the last task.
    const taskTimes: { created: number; started: number; completed: number; reason: string }[] = [];
    let t = started + rng.int(500, 2000);
    for (let i = 0; i < TASK_RUNS_PER_RESULT; i++) {
      const duration = rng.int(10_000, 300_000);
      const last = i === TASK_RUNS_PER_RESULT - 1;
      const reason =
        !last || outcome === "Succeeded"
          ? "Succeeded"
          : outcome === "Failed"
            ? "Failed"
            : "TaskRunCancelled";
      taskTimes.push({
        created: t,
        started: t + rng.int(300, 4000),
        completed: t + duration,
        reason,
      });
      t += duration + rng.int(500, 3000);
    }
    const completed = t;
    const taskUids = TASKS.map((_, i) => indexedUuid(rng, index, 1 + i));
    const childNames = TASKS.map((task) => `${prName}-${task}`);
    const prData = (running: boolean) =>
      JSON.stringify(
        pipelineRunDoc(ctx, created, started, completed, outcome, running, childNames),
      );
    const records: GeneratedRecord[] = [
      {
        parent: pipeline.namespace,
        resultName,
        name: prUid,
        uid: indexedUuid(rng, index, 5),
        type: PIPELINE_RUN_TYPE,
        data: prData(false),
        runningData: prData(true),
        createTime: new Date(created),
        updateTime: new Date(completed),
      },
    ];
    TASKS.forEach((task, i) => {
      const tt = taskTimes[i]!;
      const uid = taskUids[i]!;
      // The hex digests come from a per-record generator, so both versions share them.
      const docSeed = mixSeed(options.seed ^ 0x7a5c, index * 8 + i);
      records.push({
        parent: pipeline.namespace,
        resultName,
        name: uid,
        uid: indexedUuid(rng, index, 6 + i),
        type: TASK_RUN_TYPE,
        data: JSON.stringify(
          taskRunDoc(
            createPrng(docSeed),
            ctx,
            task,
            uid,
            tt.created,
            tt.started,
            tt.completed,
            tt.reason,
            false,
          ),
        ),
        runningData: JSON.stringify(
          taskRunDoc(
            createPrng(docSeed),
            ctx,
            task,
            uid,
            tt.created,
            tt.started,
            tt.completed,
            tt.reason,
            true,
          ),
        ),
        createTime: new Date(tt.created),
        updateTime: new Date(tt.completed),
      });
    });
    return {
      parent: pipeline.namespace,
      name: resultName,
      uid: indexedUuid(rng, index, 10),
      pipeline: pipeline.name,
      outcome,
      createTime: new Date(created),
      updateTime: new Date(completed),
      startTime: new Date(started),
      endTime: new Date(completed),
      status: outcome === "Succeeded" ? 1 : outcome === "Failed" ? 2 : 4,
      annotations: { "tekton.dev/pipeline": pipeline.name },
      records,
    };
  }

  return {
    results: options.results,
    namespaces,
    pipelines,
    start: new Date(start),
    end: new Date(end),
    result,
  };
}

/** Sizes of a sample of the data set, to print next to the figures. */
export interface DataSizes {
  /** Mean bytes of a TaskRun document. */
  taskRunBytes: number;
  /** Mean bytes of a PipelineRun document. */
  pipelineRunBytes: number;
  /** Share of Results per outcome in the sample. */
  outcomes: Record<RunOutcome, number>;
}

/** Measure document sizes and the outcome mix over the first `sample` Results. */
export function measureData(gen: DataGenerator, sample = 1000): DataSizes {
  const n = Math.max(1, Math.min(sample, gen.results));
  let tr = 0;
  let trCount = 0;
  let pr = 0;
  const outcomes: Record<RunOutcome, number> = { Succeeded: 0, Failed: 0, Cancelled: 0 };
  for (let i = 0; i < n; i++) {
    const r = gen.result(Math.floor((i * gen.results) / n));
    outcomes[r.outcome]++;
    for (const rec of r.records) {
      const bytes = Buffer.byteLength(rec.data);
      if (rec.type === TASK_RUN_TYPE) {
        tr += bytes;
        trCount++;
      } else pr += bytes;
    }
  }
  return {
    taskRunBytes: Math.round(tr / Math.max(1, trCount)),
    pipelineRunBytes: Math.round(pr / n),
    outcomes: {
      Succeeded: outcomes.Succeeded / n,
      Failed: outcomes.Failed / n,
      Cancelled: outcomes.Cancelled / n,
    },
  };
}
