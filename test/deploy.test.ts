/**
 * The reference deployment (deploy/) is proven, not just rendered: every
 * overlay, and the components combined with them, is rendered with
 * `kubectl kustomize`, every object is validated against the Kubernetes
 * schema (kubernetes-models), and the house rules hold: the restricted
 * security context with a read-only root, probes, requests, selectors that
 * select, references that resolve, roles without wildcards and exactly as
 * large as the code needs, upstream's names. deploy/release.yaml is the
 * default overlay's render, kept in sync.
 *
 * kubectl is required: without it every test here fails (CI installs it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as batchV1 from "kubernetes-models/batch/v1";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as rbacV1 from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as coreV1 from "kubernetes-models/v1";
import { afterAll, describe, expect, it } from "vitest";
// The server's sources, not its built dist/ (this project resolves packages to dist/, which may
// be older): what the deployment gives the server is read as the code in this tree reads it.
import { readRetentionConfig } from "../packages/retention/src/index.js";
import { parseConfig, type ServerConfig } from "../packages/server/src/config.js";
import { splitArgs } from "../packages/server/src/retention-main.js";
import { UPSTREAM_CONFIG_FILE } from "../packages/server/src/upstream-config-fixtures.js";
import {
  deploy,
  type K8sObject,
  kubectlChecked,
  NAMESPACE,
  RENDERS,
  removeScratchDirs,
  rendered,
  root,
} from "./deploy-render.js";

const serverVersion = (
  JSON.parse(readFileSync(join(root, "packages/server/package.json"), "utf8")) as {
    version: string;
  }
).version;
const IMAGE = `ghcr.io/tekton-results-ts/server:${serverVersion}`;

// ---------------------------------------------------------------- types

interface Probe {
  httpGet?: { path?: string; port?: string | number };
  exec?: { command?: string[] };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    name: string;
    emptyDir?: object;
    persistentVolumeClaim?: { claimName: string };
    configMap?: { name: string; optional?: boolean; items?: { key: string; path: string }[] };
    secret?: { secretName: string };
  }[];
}
interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    strategy?: { type?: string };
    selector?: { matchLabels?: Record<string, string> };
    template: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: PodSpec;
    };
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface RoleObject extends K8sObject {
  rules?: Rule[];
}
interface Binding extends K8sObject {
  subjects?: { kind: string; name: string; namespace?: string }[];
  roleRef: { kind: string; name: string };
}
interface ServiceObject extends K8sObject {
  spec: {
    selector?: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: string | number }[];
  };
}

afterAll(removeScratchDirs);

// ---------------------------------------------------------------- helpers

const byKind = <T extends K8sObject>(objects: K8sObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as T[];
function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the render`);
  return found as T;
}
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "Job", "CronJob"];
/** The workloads, a CronJob as the Job it makes (its `spec.jobTemplate`), checked as the others. */
const workloads = (objects: K8sObject[]) =>
  objects
    .filter((o) => WORKLOAD_KINDS.includes(o.kind))
    .map((o) =>
      o.kind === "CronJob"
        ? { ...o, spec: (o.spec as { jobTemplate: { spec: Workload["spec"] } }).jobTemplate.spec }
        : o,
    ) as Workload[];
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const where = (o: K8sObject) => `${o.kind} ${o.metadata.name}`;
const envOf = (c: Container) => new Map((c.env ?? []).map((e) => [e.name, e]));
function container(objects: K8sObject[], deployment: string, name: string): Container {
  const c = find<Workload>(objects, "Deployment", deployment).spec.template.spec.containers.find(
    (x) => x.name === name,
  );
  if (!c) throw new Error(`no container ${name} in ${deployment}`);
  return c;
}
function configData(objects: K8sObject[]): Record<string, string> {
  return (find(objects, "ConfigMap", "tekton-results-api-env").data ?? {}) as Record<
    string,
    string
  >;
}

/**
 * The API container's environment as the kubelet makes it: the keys of its
 * `envFrom` ConfigMaps, then its `env` (a value from a Secret is made up).
 */
function apiEnvironment(objects: K8sObject[]): Record<string, string> {
  const api = container(objects, "tekton-results-api", "api");
  const env: Record<string, string> = {};
  for (const from of api.envFrom ?? []) {
    if (!from.configMapRef) continue;
    const data = find(objects, "ConfigMap", from.configMapRef.name).data;
    Object.assign(env, data ?? {});
  }
  for (const e of api.env ?? []) {
    env[e.name] = e.value ?? `${e.valueFrom?.secretKeyRef?.name ?? "elsewhere"}-${e.name}`;
  }
  return env;
}

/**
 * What the API server makes of its pod, through its own `parseConfig`: the
 * container's arguments and environment, and as its files those the pod
 * mounts from ConfigMaps, with the ConfigMaps' `data` from `configMaps`
 * (operators' ConfigMaps the render does not hold); any other file is absent.
 */
function apiConfig(
  objects: K8sObject[],
  configMaps: Record<string, Record<string, string>> = {},
): ServerConfig {
  const pod = find<Workload>(objects, "Deployment", "tekton-results-api").spec.template.spec;
  const api = container(objects, "tekton-results-api", "api");
  const files = new Map<string, string>();
  for (const mount of api.volumeMounts ?? []) {
    const source = pod.volumes?.find((v) => v.name === mount.name)?.configMap;
    const data = source && configMaps[source.name];
    if (!data) continue;
    const items = source.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const item of items) {
      const text = data[item.key];
      if (text !== undefined) files.set(join(mount.mountPath, item.path), text);
    }
  }
  const readFile = (path: string): string => {
    const text = files.get(path);
    if (text === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    }
    return text;
  };
  const command = parseConfig(api.args?.slice(1) ?? [], apiEnvironment(objects), { readFile });
  if (command.kind !== "run") throw new Error(`the API's arguments ask for ${command.kind}`);
  return command.config;
}

/** Schema classes by apiVersion and kind. */
type Model = new (data: unknown) => { validate(): void };
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  "apps/v1": appsV1,
  "batch/v1": batchV1,
  "policy/v1": policyV1,
  "rbac.authorization.k8s.io/v1": rbacV1,
};
const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding", "Namespace"]);

/** Secrets the manifests read and the operator creates, with their keys (docs/deploy.md). */
const EXTERNAL_SECRETS: Record<string, string[]> = {
  "tekton-results-postgres": ["POSTGRES_USER", "POSTGRES_PASSWORD"],
  "tekton-results-s3": ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_SESSION_TOKEN"],
};

// ---------------------------------------------------------------- every render

describe.each(Object.keys(RENDERS))("deploy: %s", (name) => {
  const objects = () => rendered(name);

  it("validates every object against the Kubernetes schema", () => {
    const errors: string[] = [];
    for (const o of objects()) {
      if (o.apiVersion === "monitoring.coreos.com/v1" && o.kind === "ServiceMonitor") continue;
      const model = MODELS[o.apiVersion]?.[o.kind] as Model | undefined;
      if (!model) {
        errors.push(`${o.apiVersion} ${where(o)}: no schema to check it against`);
        continue;
      }
      try {
        new model(o).validate();
      } catch (err) {
        errors.push(`${where(o)}: ${(err as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
  });

  it("puts every namespaced object in tekton-pipelines, with upstream's labels", () => {
    for (const o of objects()) {
      if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace, where(o)).toBeUndefined();
      else expect(o.metadata.namespace, where(o)).toBe(NAMESPACE);
      expect(o.metadata.labels?.["app.kubernetes.io/part-of"], where(o)).toBe("tekton-results");
      expect(o.metadata.labels?.["app.kubernetes.io/name"], where(o)).toMatch(/^tekton-results-/);
    }
  });

  it("runs every container restricted: non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root", () => {
    for (const w of workloads(objects())) {
      const pod = w.spec.template.spec;
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const at = `${where(w)} container ${c.name}`;
        const sc = c.securityContext ?? {};
        expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, at).toBe(true);
        expect(sc.allowPrivilegeEscalation, at).toBe(false);
        expect(sc.capabilities?.drop, at).toContain("ALL");
        expect(sc.capabilities?.add ?? [], at).toEqual([]);
        expect((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type, at).toBe(
          "RuntimeDefault",
        );
        expect(sc.readOnlyRootFilesystem, at).toBe(true);
        // A read-only root still needs somewhere to write temporary files.
        const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
        expect(tmp, `${at}: /tmp is mounted`).toBeDefined();
        expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, at).toBeDefined();
      }
    }
  });

  it("gives every container requests and limits, and probes where it serves", () => {
    for (const w of workloads(objects())) {
      for (const c of w.spec.template.spec.containers) {
        const at = `${where(w)} container ${c.name}`;
        expect(c.resources?.requests?.cpu, at).toBeDefined();
        expect(c.resources?.requests?.memory, at).toBeDefined();
        expect(c.resources?.limits?.memory, at).toBeDefined();
        if (!c.ports?.length) continue;
        expect(c.livenessProbe, at).toBeDefined();
        expect(c.readinessProbe, at).toBeDefined();
        if (c.image === IMAGE) {
          // Our HTTP servers: alive on /healthz, ready on /readyz, on a declared port.
          const names = c.ports.map((p) => p.name);
          expect(c.livenessProbe?.httpGet?.path, at).toBe("/healthz");
          expect(c.readinessProbe?.httpGet?.path, at).toBe("/readyz");
          expect(names, at).toContain(c.livenessProbe?.httpGet?.port);
          expect(names, at).toContain(c.readinessProbe?.httpGet?.port);
        }
      }
    }
  });

  it("runs our two commands from one image, pinned to the server's version, under its entrypoint", () => {
    const ours = workloads(objects())
      .flatMap((w) => w.spec.template.spec.containers)
      .filter((c) => c.image.includes("tekton-results-ts"));
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const c of ours) {
      expect(c.image, c.name).toBe(IMAGE);
      // args, not command: the image's entrypoint (tini) stays PID 1 and forwards SIGTERM.
      expect(c.command, c.name).toBeUndefined();
      expect([
        "tekton-results-server",
        "tekton-results-watcher",
        "tekton-results-retention",
      ]).toContain(c.args?.[0]);
    }
  });

  it("mounts only declared volumes, and claims only volume claims that exist", () => {
    const claims = new Set(byKind(objects(), "PersistentVolumeClaim").map((p) => p.metadata.name));
    for (const w of workloads(objects())) {
      const pod = w.spec.template.spec;
      const declared = new Set([
        ...(pod.volumes ?? []).map((v) => v.name),
        ...(w.spec.volumeClaimTemplates ?? []).map((t) => t.metadata.name),
      ]);
      for (const c of pod.containers) {
        for (const m of c.volumeMounts ?? [])
          expect(declared, `${where(w)} ${m.name}`).toContain(m.name);
      }
      for (const v of pod.volumes ?? []) {
        if (v.persistentVolumeClaim)
          expect(claims, where(w)).toContain(v.persistentVolumeClaim.claimName);
      }
    }
  });

  it("reads ConfigMaps that exist and only the documented Secrets and keys", () => {
    const configMaps = new Set(byKind(objects(), "ConfigMap").map((c) => c.metadata.name));
    for (const w of workloads(objects())) {
      for (const c of w.spec.template.spec.containers) {
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) expect(configMaps, where(w)).toContain(from.configMapRef.name);
          expect(from.secretRef, `${where(w)}: envFrom a Secret takes every key`).toBeUndefined();
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref)
            expect(EXTERNAL_SECRETS[ref.name] ?? [], `${where(w)} ${e.name}`).toContain(ref.key);
        }
      }
    }
  });

  it("selects a pod template with every Service and the PodDisruptionBudget, on declared ports", () => {
    const pods = workloads(objects()).map((w) => w.spec.template);
    for (const svc of byKind<ServiceObject>(objects(), "Service")) {
      const selector = svc.spec.selector ?? {};
      expect(Object.keys(selector).length, where(svc)).toBeGreaterThan(0);
      const selected = pods.filter((p) => matches(selector, p.metadata?.labels));
      expect(selected.length, `${where(svc)} selects a pod template`).toBeGreaterThan(0);
      const ports = selected.flatMap((p) => p.spec.containers.flatMap((c) => c.ports ?? []));
      for (const port of svc.spec.ports) {
        const target = port.targetPort ?? port.port;
        const known = ports.some((p) => p.name === target || p.containerPort === target);
        expect(known, `${where(svc)} port ${port.name} -> ${target}`).toBe(true);
      }
    }
    for (const pdb of byKind(objects(), "PodDisruptionBudget")) {
      const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector;
      expect(
        pods.some((p) => matches(selector.matchLabels, p.metadata?.labels)),
        where(pdb),
      ).toBe(true);
    }
    for (const w of workloads(objects())) {
      if (w.kind === "Job" || w.kind === "CronJob") continue;
      expect(
        matches(w.spec.selector?.matchLabels ?? {}, w.spec.template.metadata?.labels),
        where(w),
      ).toBe(true);
    }
  });

  it("runs every pod as a ServiceAccount that exists, and binds only roles and accounts that exist", () => {
    const accounts = new Set(byKind(objects(), "ServiceAccount").map((s) => s.metadata.name));
    const clusterRoles = new Set(byKind(objects(), "ClusterRole").map((r) => r.metadata.name));
    const roles = new Set(byKind(objects(), "Role").map((r) => r.metadata.name));
    for (const w of workloads(objects())) {
      const sa = w.spec.template.spec.serviceAccountName;
      if (sa === undefined) {
        // Only a pod without any Kubernetes token may use the namespace's default account.
        expect(w.spec.template.spec.automountServiceAccountToken, where(w)).toBe(false);
      } else {
        expect(accounts, where(w)).toContain(sa);
      }
    }
    for (const b of [
      ...byKind<Binding>(objects(), "ClusterRoleBinding"),
      ...byKind<Binding>(objects(), "RoleBinding"),
    ]) {
      if (b.roleRef.kind === "ClusterRole")
        expect(clusterRoles, where(b)).toContain(b.roleRef.name);
      else expect(roles, where(b)).toContain(b.roleRef.name);
      for (const s of b.subjects ?? []) {
        if (s.kind !== "ServiceAccount") continue;
        expect(s.namespace, where(b)).toBe(NAMESPACE);
        expect(accounts, where(b)).toContain(s.name);
      }
    }
  });

  it("grants no wildcard verbs, resources or API groups", () => {
    for (const role of [
      ...byKind<RoleObject>(objects(), "ClusterRole"),
      ...byKind<RoleObject>(objects(), "Role"),
    ]) {
      for (const rule of role.rules ?? []) {
        for (const field of [rule.verbs, rule.resources ?? [], rule.apiGroups ?? []]) {
          expect(
            field.filter((x) => x.includes("*")),
            where(role),
          ).toEqual([]);
        }
      }
    }
  });

  it("has the names upstream's docs, tkn-results and consoles look for", () => {
    const svc = find<ServiceObject>(objects(), "Service", "tekton-results-api-service");
    expect(svc.spec.ports.map((p) => [p.name, p.port])).toEqual([
      ["server", 8080],
      ["prometheus", 9090],
    ]);
    expect(svc.spec.selector).toEqual({ "app.kubernetes.io/name": "tekton-results-api" });
    // tkn-results port-forwards 8080 of a pod the Service selects.
    const api = container(objects(), "tekton-results-api", "api");
    expect(api.ports?.map((p) => p.containerPort)).toContain(8080);
    expect(api.args).toEqual(["tekton-results-server", "--auth", "kubernetes"]);
    find(objects(), "ConfigMap", "tekton-results-info");
    find(objects(), "Deployment", "tekton-results-watcher");
    const url = envOf(container(objects(), "tekton-results-watcher", "watcher")).get(
      "RESULTS_API_URL",
    )?.value;
    expect(url).toBe(`http://tekton-results-api-service.${NAMESPACE}.svc.cluster.local:8080`);
  });

  it("aggregates the users' roles into Kubernetes' view, edit and admin as upstream does", () => {
    const rules = (n: string) => find<RoleObject>(objects(), "ClusterRole", n).rules;
    const labels = (n: string) => find(objects(), "ClusterRole", n).metadata.labels ?? {};
    const on = (verbs: string[]) => [
      { apiGroups: ["results.tekton.dev"], resources: ["results", "records", "logs"], verbs },
    ];
    expect(rules("tekton-results-readonly")).toEqual(on(["get", "list"]));
    expect(rules("tekton-results-readwrite")).toEqual(on(["get", "list", "create", "update"]));
    expect(rules("tekton-results-admin")).toEqual(
      on(["get", "list", "create", "update", "delete"]),
    );
    expect(labels("tekton-results-readonly")).toMatchObject({
      "rbac.authorization.k8s.io/aggregate-to-view": "true",
      "rbac.authorization.k8s.io/aggregate-to-edit": "true",
    });
    expect(labels("tekton-results-admin")).toMatchObject({
      "rbac.authorization.k8s.io/aggregate-to-admin": "true",
    });
    expect(
      Object.keys(labels("tekton-results-readwrite")).filter((k) => k.includes("aggregate")),
    ).toEqual([]);
  });

  it("serves the API's metrics on their own port: the Service's prometheus port, the annotation and METRICS_PORT agree", () => {
    const api = container(objects(), "tekton-results-api", "api");
    const containerPort = (name: string) => api.ports?.find((p) => p.name === name)?.containerPort;
    const svc = find<ServiceObject>(objects(), "Service", "tekton-results-api-service");
    expect(svc.spec.ports.find((p) => p.name === "prometheus")?.targetPort).toBe("metrics");
    expect(svc.spec.ports.find((p) => p.name === "server")?.targetPort).toBe("server");
    const metricsPort = containerPort("metrics");
    expect(metricsPort).toBe(9090);
    const template = find<Workload>(objects(), "Deployment", "tekton-results-api").spec.template;
    expect(template.metadata?.annotations?.["prometheus.io/port"]).toBe(String(metricsPort));
    expect(apiEnvironment(objects()).METRICS_PORT).toBe(String(metricsPort));
    // As the server reads them: /metrics on the metrics port, the API on `server`.
    const config = apiConfig(objects());
    expect(config.metricsPort).toBe(metricsPort);
    expect(config.port).toBe(containerPort("server"));
    // /healthz and /readyz stay on the API port (the metrics listener serves /metrics only).
    for (const probe of [api.startupProbe, api.livenessProbe, api.readinessProbe]) {
      expect(probe?.httpGet?.port).toBe("server");
    }
  });

  it("gives the API's shutdown time to finish: the grace period covers SHUTDOWN_DELAY_MS and SHUTDOWN_TIMEOUT_MS, with a margin", () => {
    const env = apiEnvironment(objects());
    const config = apiConfig(objects()) as ServerConfig & {
      shutdownDelayMs?: number;
      maxConnectionAgeMs?: number;
    };
    // The server's values once it reads SHUTDOWN_DELAY_MS and MAX_CONNECTION_AGE_MS, the
    // variables' until then (a variable the server does not know is not read, nor refused).
    const delayMs = config.shutdownDelayMs ?? Number(env.SHUTDOWN_DELAY_MS);
    expect(delayMs).toBeGreaterThan(0);
    expect(config.maxConnectionAgeMs ?? Number(env.MAX_CONNECTION_AGE_MS)).toBeGreaterThan(0);
    const pod = find<Workload>(objects(), "Deployment", "tekton-results-api").spec.template.spec;
    // Kubernetes' default grace period is 30 s; the base sets it anyway.
    expect(pod.terminationGracePeriodSeconds).toBeDefined();
    const graceMs = pod.terminationGracePeriodSeconds! * 1000;
    expect(graceMs).toBeGreaterThanOrEqual(delayMs + config.shutdownTimeoutMs + 5000);
  });

  it("annotates the pods for Prometheus on the port their metrics are served", () => {
    for (const d of byKind<Workload>(objects(), "Deployment")) {
      const annotations = (d.spec.template.metadata as { annotations?: Record<string, string> })
        .annotations;
      expect(annotations?.["prometheus.io/scrape"], where(d)).toBe("true");
      expect(annotations?.["prometheus.io/path"], where(d)).toBe("/metrics");
      const ports = d.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
      expect(
        ports.map((p) => String(p.containerPort)),
        where(d),
      ).toContain(annotations?.["prometheus.io/port"]);
    }
  });
});

// ---------------------------------------------------------------- RBAC as the code needs it

/** The (verb, resource) pairs a source file asks Kubernetes for through `call`/`count`. */
function kubeCalls(file: string): string[] {
  const source = readFileSync(join(root, file), "utf8");
  const calls = new Set<string>();
  for (const m of source.matchAll(
    /\b(?:call|count)\(\s*"([a-z]+)",\s*(?:"([a-z/]+)"|(kind\.plural))/g,
  )) {
    calls.add(`${m[1]} ${m[3] ? "runs" : m[2]}`);
  }
  return [...calls].sort();
}

/** The (verb, resource) pairs a set of rules grants (tekton.dev runs as `runs`). */
function granted(rules: Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const resource of r.resources ?? []) {
      const name = ["pipelineruns", "taskruns", "customruns"].includes(resource)
        ? "runs"
        : resource;
      for (const verb of r.verbs) out.add(`${verb} ${name}`);
    }
  }
  return [...out].sort();
}

describe("deploy: roles exactly as large as the code needs", () => {
  it("the watcher may make every Kubernetes call its client makes, and no other", () => {
    const objects = rendered("local-sqlite + servicemonitor + delete-completed-runs");
    const kube = (roles: RoleObject[]) =>
      granted(
        roles.flatMap((r) =>
          (r.rules ?? []).filter((x) => !x.apiGroups?.includes("results.tekton.dev")),
        ),
      );
    const base = kube([
      find<RoleObject>(objects, "ClusterRole", "tekton-results-watcher"),
      find<RoleObject>(objects, "Role", "tekton-results-watcher-leader-election"),
    ]);
    const deletion = kube([
      find<RoleObject>(objects, "ClusterRole", "tekton-results-watcher-delete-runs"),
    ]);
    // The informers list and watch (client-node's ListWatch: no call() of ours); the
    // namespace clean-up lists namespaces (namespaces.ts) and watches them.
    const calls = [
      ...kubeCalls("packages/watcher/src/kube-client.ts"),
      ...kubeCalls("packages/watcher/src/namespaces.ts"),
      "watch runs",
      "watch namespaces",
    ].sort();
    expect([...base, ...deletion].sort()).toEqual(calls);
    // Deleting runs is granted only with the component that turns it on.
    expect(deletion).toEqual(["delete runs"]);
    expect(base).not.toContain("delete runs");
    const watcherEnv = envOf(container(objects, "tekton-results-watcher", "watcher"));
    expect(watcherEnv.get("WATCHER_COMPLETED_RUN_GRACE_PERIOD")?.value).toBe("24h");
    expect(
      envOf(container(rendered("local-sqlite"), "tekton-results-watcher", "watcher")).has(
        "WATCHER_COMPLETED_RUN_GRACE_PERIOD",
      ),
    ).toBe(false);
  });

  it("the watcher's Lease rights stay in its namespace, on its Lease", () => {
    const objects = rendered("local-sqlite");
    const role = find<RoleObject>(objects, "Role", "tekton-results-watcher-leader-election");
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(role.rules).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: ["tekton-results-watcher"],
        verbs: ["get", "update"],
      },
    ]);
    const env = envOf(container(objects, "tekton-results-watcher", "watcher"));
    expect(env.get("POD_NAMESPACE")?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.namespace");
    const watcherRole = find<RoleObject>(objects, "ClusterRole", "tekton-results-watcher");
    expect(granted(watcherRole.rules ?? [])).not.toContain("create leases");
  });

  it("the watcher may make the Results API calls it makes (results and records upserted, logs uploaded, a deleted namespace's results listed and deleted)", () => {
    const role = find<RoleObject>(
      rendered("local-sqlite"),
      "ClusterRole",
      "tekton-results-watcher",
    );
    const api = (role.rules ?? []).filter((r) => r.apiGroups?.includes("results.tekton.dev"));
    // The client calls in the watcher's sources: createResult -> "create results", ...
    const dir = join(root, "packages/watcher/src");
    const made = new Set<string>();
    for (const file of readdirSync(dir).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".test.ts"),
    )) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const m of source.matchAll(
        /\.(create|get|update|delete|list)(Result|Record|Log)s?\(/g,
      )) {
        made.add(`${m[1]} ${m[2]!.toLowerCase()}s`);
      }
    }
    expect(granted(api)).toEqual([...made].sort());
    expect(granted(api)).toEqual([
      "create records",
      "create results",
      "delete results",
      "get records",
      "get results",
      "list results",
      "update logs",
      "update records",
      "update results",
    ]);
  });

  it("the API may review tokens and access, and nothing else", () => {
    const source = readFileSync(join(root, "packages/server/src/kubernetes-authorizer.ts"), "utf8");
    const made = [...source.matchAll(/\.create(TokenReview|SubjectAccessReview)\(/g)].map(
      (m) => `create ${m[1]!.toLowerCase()}s`,
    );
    const role = find<RoleObject>(rendered("local-sqlite"), "ClusterRole", "tekton-results-api");
    expect(granted(role.rules ?? [])).toEqual([...new Set(made)].sort());
    expect(role.rules?.map((r) => r.apiGroups)).toEqual([
      ["authentication.k8s.io"],
      ["authorization.k8s.io"],
    ]);
  });
});

// ---------------------------------------------------------------- what each overlay is for

describe("deploy: overlays", () => {
  it("local-sqlite: one API replica, recreated, its database and logs on a volume claim; it migrates itself", () => {
    const objects = rendered("local-sqlite");
    const api = find<Workload>(objects, "Deployment", "tekton-results-api");
    expect(api.spec.replicas).toBe(1);
    expect(api.spec.strategy?.type).toBe("Recreate");
    const data = api.spec.template.spec.volumes?.find((v) => v.name === "data");
    expect(data?.persistentVolumeClaim?.claimName).toBe("tekton-results-data");
    expect(data?.emptyDir).toBeUndefined();
    expect(configData(objects)).toMatchObject({
      DATABASE_URL: "/data/results.db",
      LOGS_TYPE: "File",
      LOGS_DIR: "/data/logs",
    });
    expect(byKind(objects, "Job")).toEqual([]);
    expect(envOf(api.spec.template.spec.containers[0]!).has("SKIP_MIGRATIONS")).toBe(false);
  });

  it("postgres: the Secret's user and password, a migration Job, API pods that do not migrate", () => {
    const objects = rendered("postgres");
    const config = configData(objects);
    expect(config.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+$/);
    expect(config.DB_SSLMODE).toBe("require");
    const job = find<Workload>(objects, "Job", "tekton-results-migrate");
    const migrate = job.spec.template.spec.containers[0]!;
    expect(migrate.args).toEqual(["tekton-results-server", "--migrate-only"]);
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    const api = container(objects, "tekton-results-api", "api");
    expect(envOf(api).get("SKIP_MIGRATIONS")?.value).toBe("true");
    expect(envOf(migrate).has("SKIP_MIGRATIONS")).toBe(false);
    for (const c of [api, migrate]) {
      const env = envOf(c);
      expect(env.get("PGUSER")?.valueFrom?.secretKeyRef).toEqual({
        name: "tekton-results-postgres",
        key: "POSTGRES_USER",
      });
      expect(env.get("PGPASSWORD")?.valueFrom?.secretKeyRef).toEqual({
        name: "tekton-results-postgres",
        key: "POSTGRES_PASSWORD",
      });
      expect(c.envFrom?.[0]?.configMapRef?.name).toBe("tekton-results-api-env");
    }
    const deployment = find<Workload>(objects, "Deployment", "tekton-results-api");
    expect(deployment.spec.replicas).toBe(1);
    expect(
      deployment.spec.template.spec.volumes?.find((v) => v.name === "data")?.persistentVolumeClaim,
    ).toEqual({ claimName: "tekton-results-logs" });
  });

  it("postgres + postgres-statefulset: the API reaches the StatefulSet's Service under upstream's name", () => {
    const objects = rendered("postgres + postgres-statefulset");
    const svc = find<ServiceObject>(objects, "Service", "tekton-results-postgres-service");
    const set = find<Workload>(objects, "StatefulSet", "tekton-results-postgres");
    expect(matches(svc.spec.selector ?? {}, set.spec.template.metadata?.labels)).toBe(true);
    const url = new URL(configData(objects).DATABASE_URL!);
    expect(url.hostname).toBe(`tekton-results-postgres-service.${NAMESPACE}.svc.cluster.local`);
    expect(url.port).toBe(String(svc.spec.ports[0]!.port));
    expect(configData(objects).DB_SSLMODE).toBe("disable");
    const env = envOf(set.spec.template.spec.containers[0]!);
    expect(env.get("POSTGRES_DB")?.value).toBe(url.pathname.slice(1));
    expect(env.get("POSTGRES_PASSWORD")?.valueFrom?.secretKeyRef?.name).toBe(
      "tekton-results-postgres",
    );
  });

  it("logs-s3: logs in object storage with the Secret's credentials; nothing on disk, two replicas", () => {
    const objects = rendered("logs-s3");
    expect(configData(objects)).toMatchObject({ LOGS_TYPE: "S3", LOGS_API: "true" });
    expect(configData(objects).S3_BUCKET_NAME).toBeTruthy();
    expect(configData(objects).S3_ENDPOINT).toMatch(/^https?:\/\//);
    const env = envOf(container(objects, "tekton-results-api", "api"));
    expect(env.get("S3_ACCESS_KEY_ID")?.valueFrom?.secretKeyRef?.name).toBe("tekton-results-s3");
    expect(env.get("S3_SECRET_ACCESS_KEY")?.valueFrom?.secretKeyRef?.name).toBe(
      "tekton-results-s3",
    );
    expect(byKind(objects, "PersistentVolumeClaim")).toEqual([]);
    expect(find<Workload>(objects, "Deployment", "tekton-results-api").spec.replicas).toBe(2);
    find(objects, "Job", "tekton-results-migrate");
  });

  it("servicemonitor: each ServiceMonitor selects a Service on a port it has", () => {
    for (const name of [
      "local-sqlite + servicemonitor + delete-completed-runs",
      "logs-s3 + servicemonitor",
      "logs-s3 + upstream-config + servicemonitor",
    ]) {
      const objects = rendered(name);
      const monitors = byKind(objects, "ServiceMonitor");
      expect(monitors.map((m) => m.metadata.name).sort()).toEqual([
        "tekton-results-api",
        "tekton-results-watcher",
      ]);
      for (const m of monitors) {
        const spec = m.spec as {
          selector: { matchLabels: Record<string, string> };
          endpoints: { port: string; path: string }[];
        };
        const services = byKind<ServiceObject>(objects, "Service").filter((s) =>
          matches(spec.selector.matchLabels, s.metadata.labels),
        );
        expect(services.length, where(m)).toBe(1);
        for (const e of spec.endpoints) {
          expect(
            services[0]!.spec.ports.map((p) => p.name),
            where(m),
          ).toContain(e.port);
          expect(e.path).toBe("/metrics");
        }
      }
    }
  });
});

// ---------------------------------------------------------------- upstream's configuration

describe("deploy: the API's settings", () => {
  it("base: metrics on 9090, a 5 s shutdown delay and 5-minute connections in every overlay", () => {
    for (const name of ["local-sqlite", "postgres", "logs-s3"]) {
      expect(configData(rendered(name)), name).toMatchObject({
        PORT: "8080",
        METRICS_PORT: "9090",
        SHUTDOWN_DELAY_MS: "5000",
        MAX_CONNECTION_AGE_MS: "300000",
      });
    }
  });
});

describe("deploy: upstream-config", () => {
  const CONFIGMAP = "tekton-results-api-config";
  const RENDERS_WITH = [
    "local-sqlite + upstream-config",
    "postgres + upstream-config",
    "logs-s3 + upstream-config + servicemonitor",
  ];
  /** `text` as the `config` key of upstream's ConfigMap. */
  const upstream = (text: string) => ({ [CONFIGMAP]: { config: text } });

  it("mounts upstream's ConfigMap read-only and optional where the server reads its config file; the migration Job does not", () => {
    for (const name of RENDERS_WITH) {
      const objects = rendered(name);
      const pod = find<Workload>(objects, "Deployment", "tekton-results-api").spec.template.spec;
      const volumes = (pod.volumes ?? []).filter((v) => v.configMap?.name === CONFIGMAP);
      expect(volumes, name).toHaveLength(1);
      expect(volumes[0]!.configMap, name).toEqual({
        name: CONFIGMAP,
        items: [{ key: "config", path: "config" }],
        optional: true,
      });
      const mount = container(objects, "tekton-results-api", "api").volumeMounts?.find(
        (m) => m.name === volumes[0]!.name,
      );
      expect(mount?.readOnly, name).toBe(true);
      // The server finds the file by itself (no --config), and reads keys the environment lacks;
      // AUTH_DISABLE does not undo the --auth flag.
      const config = apiConfig(objects, upstream("AUTH_DISABLE=true\nAUTH_IMPERSONATE=false\n"));
      expect(config.configFile, name).toBe("/etc/tekton/results/config");
      expect(config.auth, name).toMatchObject({ mode: "kubernetes", impersonation: false });
      expect(config.warnings ?? [], name).toEqual([]);
      for (const job of byKind<Workload>(objects, "Job")) {
        expect(job.spec.template.spec.volumes?.map((v) => v.configMap?.name)).not.toContain(
          CONFIGMAP,
        );
      }
    }
    // Without the component the file is not there.
    expect(apiConfig(rendered("local-sqlite"), upstream("LOG_LEVEL=debug\n")).configFile).toBe(
      undefined,
    );
  });

  it("with upstream's stock file the deployment's settings win, warning where an upstream key differs; its TLS_PATH asks for a certificate", () => {
    const sqlite = rendered("local-sqlite + upstream-config");
    const config = apiConfig(sqlite, upstream(UPSTREAM_CONFIG_FILE));
    expect(config).toMatchObject({
      port: 8080,
      metricsPort: 9090,
      database: { kind: "sqlite", filename: "/data/results.db" },
      logs: { enabled: true, type: "File", dir: "/data/logs" },
      auth: { mode: "kubernetes", impersonation: true },
      logLevel: "info",
    });
    expect([...(config.warnings ?? [])].sort()).toEqual([
      "DB_HOST, DB_PORT, DB_NAME are ignored: DATABASE_URL is set",
      "LOGS_PATH is ignored: LOGS_DIR is set",
      "upstream settings without effect here are ignored: FEATURE_GATES=PartialResponse=true",
    ]);
    // Upstream's TLS_PATH=/etc/tls: TLS from upstream's Secret, mounted there (docs/deploy.md) ...
    expect(config.tls).toMatchObject({ certFile: "/etc/tls/tls.crt", keyFile: "/etc/tls/tls.key" });
    // ... or emptied in the ConfigMap: cleartext, as the base's probes and watcher expect.
    const blank = UPSTREAM_CONFIG_FILE.replace(/^TLS_PATH=.*$/m, "TLS_PATH=");
    expect(apiConfig(sqlite, upstream(blank)).tls).toBeUndefined();

    const postgres = rendered("postgres + upstream-config");
    const pg = apiConfig(postgres, upstream(blank));
    expect(pg.database).toEqual({ kind: "postgres", url: configData(postgres).DATABASE_URL });
    expect(pg.postgres.sslMode).toBe("require");
    expect(pg.migrate).toBe(false);
    expect([...(pg.warnings ?? [])].sort()).toEqual([
      "DB_ENABLE_AUTO_MIGRATION is ignored: SKIP_MIGRATIONS is set",
      "DB_HOST, DB_PORT, DB_NAME are ignored: DATABASE_URL is set",
      "LOGS_PATH is ignored: LOGS_DIR is set",
      "upstream settings without effect here are ignored: FEATURE_GATES=PartialResponse=true",
    ]);
    // With S3, upstream's LOGS_PATH is the key prefix (where upstream put its log objects).
    const s3 = apiConfig(rendered("logs-s3 + upstream-config + servicemonitor"), upstream(blank));
    expect(s3.logs.s3).toMatchObject({ bucket: "tekton-results-logs", keyPrefix: "logs/" });
  });
});

// ---------------------------------------------------------------- retention

describe("deploy: retention", () => {
  const POLICY = "tekton-results-config-results-retention-policy";
  const DAY_MS = 86_400_000;
  interface CronJob extends K8sObject {
    spec: {
      schedule: string;
      timeZone?: string;
      concurrencyPolicy?: string;
      jobTemplate: { spec: Workload["spec"] & { backoffLimit?: number } };
    };
  }
  /** Where a pod mounts the policy ConfigMap: the whole map as a directory, read-only, not optional. */
  function policyMount(pod: PodSpec, c: Container): string {
    const volumes = (pod.volumes ?? []).filter((v) => v.configMap?.name === POLICY);
    expect(volumes).toHaveLength(1);
    expect(volumes[0]!.configMap).toEqual({ name: POLICY });
    const mount = c.volumeMounts?.find((m) => m.name === volumes[0]!.name);
    expect(mount?.readOnly).toBe(true);
    return mount!.mountPath;
  }
  /** The policy as the server reads it: the ConfigMap's keys as files of a directory. */
  function readPolicy(objects: K8sObject[]) {
    const dir = mkdtempSync(join(tmpdir(), "deploy-retention-"));
    try {
      const data = (find(objects, "ConfigMap", POLICY).data ?? {}) as Record<string, string>;
      for (const [key, value] of Object.entries(data)) writeFileSync(join(dir, key), value);
      return readRetentionConfig(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("every overlay: upstream's ConfigMap with a conservative policy (a year, daily), mounted as the directory RETENTION_CONFIG names; the API runs it", () => {
    for (const name of ["local-sqlite", "postgres", "logs-s3"]) {
      const objects = rendered(name);
      const policy = readPolicy(objects);
      expect(policy, name).toMatchObject({
        runAt: "15 3 * * *",
        defaultRetentionMs: 365 * DAY_MS,
        policies: [],
        age: "completion",
        warnings: [],
      });
      const pod = find<Workload>(objects, "Deployment", "tekton-results-api").spec.template.spec;
      const path = policyMount(pod, container(objects, "tekton-results-api", "api"));
      expect(apiConfig(objects).retentionConfig, name).toBe(path);
      // Not where upstream-config mounts its directory (a mount inside a ConfigMap's fails).
      expect(path.startsWith("/etc/tekton/results/")).toBe(false);
      expect(byKind(objects, "CronJob"), name).toEqual([]);
    }
    // With upstream's ConfigMap too, both are mounted and the server reads each.
    const both = rendered("logs-s3 + upstream-config + servicemonitor");
    const config = apiConfig(both, {
      "tekton-results-api-config": { config: "AUTH_IMPERSONATE=false\n" },
    });
    expect([config.configFile, config.auth, config.retentionConfig]).toEqual([
      "/etc/tekton/results/config",
      expect.objectContaining({ impersonation: false }),
      "/etc/tekton/results-retention",
    ]);
  });

  it("retention-cronjob: `tekton-results-retention --once` daily on the same policy, database and log store, one at a time; the API's retention off", () => {
    const objects = rendered("logs-s3 + retention-cronjob");
    const cron = find<CronJob>(objects, "CronJob", "tekton-results-retention");
    expect(cron.spec).toMatchObject({
      schedule: "15 3 * * *",
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
    });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const job = pod.containers[0]!;
    const path = policyMount(pod, job);
    const { own, server } = splitArgs(job.args!.slice(1));
    expect(Object.fromEntries(own)).toEqual({ once: "true", config: path });
    // The API does not run it too (RETENTION_CONFIG empty: unset).
    expect(configData(objects).RETENTION_CONFIG).toBe("");
    const api = apiConfig(objects);
    expect(api.retentionConfig).toBeUndefined();
    // The command reads the server's settings as the API does: same database, same logs.
    const env: Record<string, string> = { ...configData(objects) };
    for (const e of job.env ?? [])
      env[e.name] = e.value ?? `${e.valueFrom?.secretKeyRef?.name}-${e.name}`;
    const parsed = parseConfig(server, env, {
      readFile: () => {
        throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      },
    });
    if (parsed.kind !== "run") throw new Error(parsed.kind);
    expect(parsed.config.database).toEqual(api.database);
    expect(parsed.config.logs).toEqual(api.logs);
    expect(
      policyMount(
        find<Workload>(objects, "Deployment", "tekton-results-api").spec.template.spec,
        container(objects, "tekton-results-api", "api"),
      ),
    ).toBe(path);
    // Its Secrets are the API's, optional (an installation without S3 has no tekton-results-s3).
    const refs = (job.env ?? []).flatMap((e) =>
      e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [],
    );
    expect(refs.map((r) => `${r.name}/${r.key}`).sort()).toEqual([
      "tekton-results-postgres/POSTGRES_PASSWORD",
      "tekton-results-postgres/POSTGRES_USER",
      "tekton-results-s3/S3_ACCESS_KEY_ID",
      "tekton-results-s3/S3_SECRET_ACCESS_KEY",
      "tekton-results-s3/S3_SESSION_TOKEN",
    ]);
    expect(refs.every((r) => r.optional === true)).toBe(true);
  });
});

// ---------------------------------------------------------------- release.yaml

describe("deploy: release.yaml", () => {
  it("is the default overlay's fresh render (else: run `npm run deploy:render` and commit deploy/release.yaml)", () => {
    const fresh = execFileSync("node", [join(root, "scripts/render-release.mjs"), "--stdout"], {
      cwd: root,
      encoding: "utf8",
    });
    const committed = readFileSync(join(deploy, "release.yaml"), "utf8");
    expect(
      committed === fresh,
      "deploy/release.yaml differs from a fresh render of deploy/overlays/local-sqlite: " +
        "run `npm run deploy:render` and commit deploy/release.yaml",
    ).toBe(true);
    expect(yaml.loadAll(committed).filter(Boolean)).toEqual(rendered("local-sqlite"));
  });

  it("rendered with kubectl (a missing kubectl fails these tests, it does not skip them)", () => {
    rendered("local-sqlite");
    expect(kubectlChecked()).toBe(true);
  });
});
