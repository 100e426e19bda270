/**
 * The reference deployment's RBAC, exact: the watcher and the API server run
 * with only the rules `deploy/overlays/local-sqlite` grants their
 * ServiceAccounts, against the fake Kubernetes API server enforcing RBAC.
 * The demo's life of a Result completes (runs stored with Records and logs,
 * annotated; a viewer bound to Kubernetes' `view` reads them through the API,
 * and cannot write), and removing any one rule makes a named step fail: the
 * table {@link EXPECTED} maps each rendered rule to the step it is needed by,
 * so a rule nobody needs, or a new one, fails this test with a clear message.
 *
 * One fake and one API server serve every case; each case resets the RBAC
 * objects (one rule left out), starts a watcher with short timings and stops
 * at the first step that fails. kubectl is required (CI installs it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import yaml from "js-yaml";
import { KubeConfig } from "@kubernetes/client-node";
import { Code, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import {
  createLogsClient,
  createResultsClient,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { createKubeFake, type KubeFake, type KubeObject } from "@tekton-results/kube-fake";
import { main as serverMain } from "@tekton-results/server";
import { createWatcher, type Watcher } from "@tekton-results/watcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const NAMESPACE = "tekton-pipelines";
const RBAC_GROUP = "rbac.authorization.k8s.io";
const API_SA = "tekton-results-api";
const WATCHER_SA = "tekton-results-watcher";

// ---------------------------------------------------------------- the steps

/** The scenario's steps, in order; a case stops at the first that fails. */
const STEPS = {
  tokenReview: "API reviews the caller's token (TokenReview)",
  accessReview: "API checks the caller's access (SubjectAccessReview)",
  lease: "watcher takes its leader lease",
  informers: "watcher lists and watches the runs",
  store: "watcher stores the runs' Result and Records",
  logs: "watcher stores the TaskRun's log",
  annotate: "watcher patches the runs' annotations",
  event: "watcher records a Warning event for a run it cannot store",
  viewerReads: "viewer lists the Results and Records",
  viewerWrite: "viewer's write is PermissionDenied",
} as const;
type Step = (typeof STEPS)[keyof typeof STEPS];

/**
 * Each rule granted to the API's and the watcher's ServiceAccounts by the
 * rendered overlay, keyed by `Kind/name: verbs group/resources[names]`, and
 * the step that fails without it; `null` marks a rule neither component needs.
 */
const EXPECTED: Record<string, Step | null> = {
  "ClusterRole/tekton-results-api: create authentication.k8s.io/tokenreviews": STEPS.tokenReview,
  "ClusterRole/tekton-results-api: create authorization.k8s.io/subjectaccessreviews":
    STEPS.accessReview,
  "ClusterRole/tekton-results-watcher: list,watch,patch tekton.dev/pipelineruns,taskruns,customruns":
    STEPS.informers,
  "ClusterRole/tekton-results-watcher: list /pods": STEPS.logs,
  "ClusterRole/tekton-results-watcher: get /pods/log": STEPS.logs,
  "ClusterRole/tekton-results-watcher: create /events": STEPS.event,
  "ClusterRole/tekton-results-watcher: create,get,update results.tekton.dev/results,records":
    STEPS.store,
  "ClusterRole/tekton-results-watcher: update results.tekton.dev/logs": STEPS.logs,
  "Role/tekton-results-watcher-leader-election: create coordination.k8s.io/leases": STEPS.lease,
  "Role/tekton-results-watcher-leader-election: get,update coordination.k8s.io/leases[tekton-results-watcher]":
    STEPS.lease,
  // not needed: the version ConfigMap is for users' tools (tkn, consoles), bound to
  // system:authenticated; neither the API server nor the watcher reads it.
  "Role/tekton-results-info: get /configmaps[tekton-results-info]": null,
  // not needed here: the watcher's namespace clean-up (--delete-results-on-namespace-deletion,
  // off by default and not turned on by this scenario) lists and watches Namespaces and lists
  // and deletes the Results of deleted ones.
  "ClusterRole/tekton-results-watcher: list,watch /namespaces": null,
  "ClusterRole/tekton-results-watcher: list,delete results.tekton.dev/results": null,
};

// ---------------------------------------------------------------- rendering

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
type RbacObject = KubeObject & {
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
};

const RBAC_KINDS = new Set([
  "ServiceAccount",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
]);

/** The overlay's RBAC objects, as `kubectl kustomize` renders them. */
function renderRbac(): RbacObject[] {
  const text = execFileSync("kubectl", ["kustomize", join(root, "deploy/overlays/local-sqlite")], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return (yaml.loadAll(text) as (RbacObject | null)[]).filter(
    (o): o is RbacObject => o !== null && RBAC_KINDS.has(o.kind),
  );
}

const ruleKey = (role: RbacObject, rule: Rule): string =>
  `${role.kind}/${role.metadata.name}: ${rule.verbs.join(",")} ` +
  `${(rule.apiGroups ?? []).join(",")}/${(rule.resources ?? []).join(",")}` +
  (rule.resourceNames ? `[${rule.resourceNames.join(",")}]` : "");

/** Who a binding subject of the API's or the watcher's ServiceAccount is. */
function bindsOurAccounts(binding: RbacObject): boolean {
  return (binding.subjects ?? []).some((s) =>
    s.kind === "ServiceAccount"
      ? (s.namespace ?? binding.metadata.namespace) === NAMESPACE &&
        (s.name === API_SA || s.name === WATCHER_SA)
      : s.kind === "Group" &&
        [
          "system:authenticated",
          "system:serviceaccounts",
          `system:serviceaccounts:${NAMESPACE}`,
        ].includes(s.name),
  );
}

/** The rules granted to our ServiceAccounts: key -> the role and the rule's index. */
function grantedRules(objects: RbacObject[]): Map<string, { role: RbacObject; index: number }> {
  const out = new Map<string, { role: RbacObject; index: number }>();
  for (const binding of objects) {
    if (!binding.kind.endsWith("Binding") || !bindsOurAccounts(binding)) continue;
    const role = objects.find(
      (o) =>
        o.kind === binding.roleRef?.kind &&
        o.metadata.name === binding.roleRef.name &&
        (o.kind === "ClusterRole" || o.metadata.namespace === binding.metadata.namespace),
    );
    if (!role) throw new Error(`${binding.kind} ${binding.metadata.name}: role not rendered`);
    (role.rules ?? []).forEach((rule, index) => out.set(ruleKey(role, rule), { role, index }));
  }
  return out;
}

// ---------------------------------------------------------------- the stack

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => unknown, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}

/** A step that failed: its name and what was seen. */
class StepFailed extends Error {
  constructor(
    readonly step: Step,
    detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

describe("the deployment's RBAC, exactly", () => {
  let objects: RbacObject[];
  let granted: Map<string, { role: RbacObject; index: number }>;
  let kube: KubeFake;
  let dir: string;
  let apiUrl = "";
  let stopApi!: () => void;
  let apiDone: Promise<number>;
  const sessions: Http2SessionManager[] = [];
  let adminResults: ResultsClient;
  let adminLogs: LogsClient;
  let viewer: ResultsClient;
  let watcherKubeConfig: KubeConfig;
  let apiTokenFile: string;

  function clients(token: string): { results: ResultsClient; logs: LogsClient } {
    const sessionManager = new Http2SessionManager(apiUrl);
    sessions.push(sessionManager);
    const transport = createGrpcTransport({
      baseUrl: apiUrl,
      sessionManager,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${token}`);
          return next(req);
        },
      ],
    });
    return { results: createResultsClient(transport), logs: createLogsClient(transport) };
  }

  /** Replace the RBAC objects by the rendered ones, without the rule `omit`. */
  function resetRbac(omit?: string): void {
    for (const o of objects) {
      if (o.kind === "ServiceAccount") continue;
      kube.delete(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name!);
    }
    for (const o of objects) {
      if (o.kind === "ServiceAccount") continue;
      const copy = structuredClone(o);
      if (omit !== undefined && copy.rules) {
        copy.rules = copy.rules.filter((rule) => ruleKey(o, rule) !== omit);
      }
      kube.create(copy);
    }
  }

  beforeAll(async () => {
    objects = renderRbac();
    granted = grantedRules(objects);
    kube = await createKubeFake({ rbac: true });
    for (const o of objects) if (o.kind === "ServiceAccount") kube.create(structuredClone(o));
    resetRbac();
    dir = mkdtempSync(join(tmpdir(), "results-rbac-e2e-"));
    const apiKubeconfig = join(dir, "api-kubeconfig");
    writeFileSync(
      apiKubeconfig,
      kube.kubeconfigYaml({ token: kube.serviceAccountToken(NAMESPACE, API_SA) }),
    );
    const watcherToken = kube.serviceAccountToken(NAMESPACE, WATCHER_SA);
    apiTokenFile = join(dir, "watcher-token");
    writeFileSync(apiTokenFile, watcherToken);
    watcherKubeConfig = new KubeConfig();
    watcherKubeConfig.loadFromString(kube.kubeconfigYaml({ token: watcherToken }));
    // The API as the overlay runs it: --auth kubernetes, SQLite and file logs (its ConfigMap).
    apiDone = serverMain(
      [
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--auth",
        "kubernetes",
        "--kubeconfig",
        apiKubeconfig,
        "--auth-cache-ttl-ms",
        "0",
      ],
      {
        DATABASE_URL: join(dir, "results.db"),
        LOGS_API: "true",
        LOGS_TYPE: "File",
        LOGS_DIR: join(dir, "logs"),
        LOG_LEVEL: "error",
      },
      {
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        stop: new Promise<void>((r) => (stopApi = r)),
        onListening: (a) => (apiUrl = a.url),
      },
    );
    expect(await waitFor(() => apiUrl !== "", 30_000)).toBe(true);
    const admin = clients(
      kube.mintToken({ username: "results-admin", groups: ["system:masters"] }),
    );
    adminResults = admin.results;
    adminLogs = admin.logs;
    viewer = clients(kube.mintToken({ username: "jane" })).results;
  }, 90_000);

  afterAll(async () => {
    for (const s of sessions) s.abort();
    stopApi?.();
    expect(await apiDone).toBe(0);
    await kube?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The demo's life of a Result in namespace `ns`; throws {@link StepFailed} at the first failing step. */
  async function scenario(ns: string): Promise<void> {
    const denied = kube.deniedRequests().length;
    const deniedSince = () =>
      kube
        .deniedRequests()
        .slice(denied)
        .map((d) => `${d.user ?? "?"} ${d.verb ?? ""} ${d.resource ?? ""}`)
        .join("; ");
    const step = async (name: Step, check: () => unknown, timeoutMs = 5_000) => {
      if (!(await waitFor(check, timeoutMs))) {
        throw new StepFailed(name, `did not happen; denied: ${deniedSince() || "none"}`);
      }
    };
    const reviewDenied = (resource: string) =>
      kube
        .deniedRequests()
        .slice(denied)
        .some((d) => d.resource === resource);

    // The viewer: Kubernetes' view role in the namespace, which aggregates tekton-results-readonly.
    kube.create({
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: "RoleBinding",
      metadata: { name: "jane-views", namespace: ns },
      roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: "view" },
      subjects: [{ apiGroup: RBAC_GROUP, kind: "User", name: "jane" }],
    } as KubeObject);

    // The API authenticates and authorizes a caller through the cluster.
    try {
      await adminResults.listResults({ parent: ns });
    } catch (err) {
      const detail = `an admin's ListResults: ${ConnectError.from(err).message}; denied: ${deniedSince()}`;
      if (reviewDenied("tokenreviews")) throw new StepFailed(STEPS.tokenReview, detail);
      if (reviewDenied("subjectaccessreviews")) throw new StepFailed(STEPS.accessReview, detail);
      throw new Error(detail);
    }

    const watcher: Watcher = createWatcher({
      apiUrl,
      apiTokenFile,
      kubeConfig: watcherKubeConfig,
      logs: true,
      leaderElect: true,
      leaseNamespace: NAMESPACE,
      identity: `watcher-${ns}`,
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 100,
      workers: 2,
      qps: 0,
      metricsAddr: "",
      backoff: (failures) => Math.min(400, 25 * 2 ** failures),
    });
    try {
      await watcher.start();
      await step(STEPS.lease, () => watcher.isLeader());
      await step(STEPS.informers, () => watcher.ready());

      const pr = kube.create(run("PipelineRun", "build", ns));
      const tr = kube.create(run("TaskRun", "build-compile", ns, pr));
      kube.create({
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: "build-compile-pod",
          namespace: ns,
          labels: {
            "tekton.dev/taskRun": "build-compile",
            "tekton.dev/pipelineRun": "build",
            "tekton.dev/pipelineTask": "compile",
          },
        },
        spec: { containers: [{ name: "step-compile", image: "busybox" }] },
      });
      kube.setPodLogs(ns, "build-compile-pod", { "step-compile": "compiled\n" });
      finish(kube, tr);
      finish(kube, pr);

      const results = `${ns}/results/${pr.metadata.uid}`;
      await step(STEPS.store, async () => {
        const records = await adminResults.listRecords({ parent: results });
        const names = records.records.map((r) => r.name);
        return (
          names.includes(`${results}/records/${pr.metadata.uid}`) &&
          names.includes(`${results}/records/${tr.metadata.uid}`)
        );
      });
      await step(
        STEPS.logs,
        async () =>
          (await adminLogs.readLogText(`${results}/logs/${tr.metadata.uid}-log`)).includes(
            "compiled",
          ),
        4_000,
      );
      const stored = (o: KubeObject) =>
        kube.get(o.apiVersion, o.kind, ns, o.metadata.name!)?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true";
      await step(STEPS.annotate, () => stored(pr) && stored(tr));

      // A run whose summary annotation is not JSON cannot be stored: the watcher says so in an Event.
      const bad = kube.create(
        run("PipelineRun", "malformed", ns, undefined, {
          "results.tekton.dev/recordSummaryAnnotations": "{not json",
        }),
      );
      finish(kube, bad);
      await step(STEPS.event, () =>
        kube
          .list("v1", "Event", { namespace: ns })
          .some((e) => (e as KubeObject & { reason?: string }).reason === "MalformedAnnotation"),
      );
    } finally {
      await watcher.stop({ deadlineMs: 1_000 });
    }

    await step(STEPS.viewerReads, async () => {
      const list = await viewer.listResults({ parent: ns });
      const records = await viewer.listRecords({ parent: `${ns}/results/-` });
      return list.results.length === 1 && records.records.length >= 2;
    });
    let code: Code | "ok" = "ok";
    try {
      await viewer.createResult({ parent: ns, result: { name: `${ns}/results/by-jane` } });
    } catch (err) {
      code = ConnectError.from(err).code;
    }
    if (code !== Code.PermissionDenied) {
      throw new StepFailed(STEPS.viewerWrite, `got ${code === "ok" ? "ok" : Code[code]}`);
    }
  }

  /** Run the scenario; the failing step's name, or undefined when it completes. */
  async function failingStep(ns: string): Promise<Step | undefined> {
    try {
      await scenario(ns);
      return undefined;
    } catch (err) {
      if (err instanceof StepFailed) return err.step;
      throw err;
    } finally {
      kube.delete("coordination.k8s.io/v1", "Lease", NAMESPACE, WATCHER_SA);
    }
  }

  it("grants exactly the rules of the table", () => {
    expect([...granted.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("lets the demo's life of a Result complete with exactly the rendered rules", async () => {
    resetRbac();
    await scenario("rbac-all");
  }, 60_000);

  const cases = Object.entries(EXPECTED).map(([key, expected]) => ({
    key,
    expected,
    outcome: expected === null ? "not needed: the scenario completes" : `fails at: ${expected}`,
  }));
  it.each(cases)(
    "without $key: $outcome",
    async ({ key, expected }) => {
      expect(granted.has(key), `rule ${key} is not rendered any more`).toBe(true);
      resetRbac(key);
      const ns = `rbac-${cases.findIndex((c) => c.key === key)}`;
      const failed = await failingStep(ns);
      resetRbac();
      if (expected === null) {
        expect(failed, `${key} is marked not needed, yet a step failed without it`).toBeUndefined();
      } else {
        expect(failed, `without ${key}`).toBe(expected);
      }
    },
    60_000,
  );
});

/** A Tekton run (a TaskRun owned by `parent`). */
function run(
  kind: "PipelineRun" | "TaskRun",
  name: string,
  namespace: string,
  parent?: KubeObject,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind,
    metadata: {
      name,
      namespace,
      ...(annotations ? { annotations } : {}),
      labels: parent
        ? { "tekton.dev/pipelineRun": parent.metadata.name!, "tekton.dev/pipelineTask": "compile" }
        : { "tekton.dev/pipeline": "build" },
      ...(parent
        ? {
            ownerReferences: [
              {
                apiVersion: "tekton.dev/v1",
                kind: "PipelineRun",
                name: parent.metadata.name!,
                uid: parent.metadata.uid!,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: kind === "PipelineRun" ? { pipelineRef: { name: "build" } } : { taskRef: { name } },
  } as KubeObject;
}

/** Finish a run successfully (through its status subresource). */
function finish(kube: KubeFake, obj: KubeObject): void {
  const now = new Date().toISOString();
  kube.patch(
    obj.apiVersion,
    obj.kind,
    obj.metadata.namespace,
    obj.metadata.name!,
    {
      status: {
        startTime: now,
        completionTime: now,
        conditions: [
          { type: "Succeeded", status: "True", reason: "Succeeded", lastTransitionTime: now },
        ],
      },
    },
    { type: "merge", subresource: "status" },
  );
}
