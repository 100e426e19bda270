/**
 * The reference deployment applies: each render of deploy/ (every overlay,
 * the overlays with components, and the logs-s3 overlay, itself the postgres
 * and logs-s3 components, with every other component) is applied with the
 * real `kubectl` to the fake Kubernetes API server (@tekton-results/kube-fake),
 * as docs/deploy.md's `kubectl apply -k` does (client-side). Per render, on a
 * fresh fake: every object is reported `created` and is then stored with every
 * field the render set (the API's args and envFrom, the watcher's env, the
 * Services' ports, the settings ConfigMap, by name), with kubectl's
 * last-applied configuration; a second apply reports `unchanged` and writes
 * nothing (no resourceVersion moves); the next version (LOG_LEVEL changed)
 * reports `configured` for exactly the two objects it changes and writes only
 * them; `kubectl delete -f` reports each `deleted`, and a `kubectl get` of each
 * is then NotFound. Server-side apply is checked the same way on local-sqlite.
 *
 * The fake creates no namespace by itself here (as a real cluster): the test
 * creates tekton-pipelines, which the manifests do not. The Secrets the
 * overlays read (tekton-results-postgres, tekton-results-s3) are not needed to
 * apply: only the pods that would read them need them, and the fake runs none.
 * ServiceMonitor (monitoring.coreos.com/v1) is served by the fake as if the
 * Prometheus Operator's CRD were installed, so the servicemonitor component is
 * applied too. The fake does not decode protobuf bodies, which
 * `kubectl create namespace` sends: the namespace is created from a manifest.
 *
 * kubectl is required: without it every test here fails (CI installs it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  combine,
  type K8sObject,
  kustomizeText,
  NAMESPACE,
  parseRender,
  RENDERS,
  removeScratchDirs,
  renderedText,
} from "./deploy-render.js";

/** Every render of deploy.test.ts, and one with every component. */
const APPLIED: Record<string, () => string> = {
  ...Object.fromEntries(Object.keys(RENDERS).map((name) => [name, () => renderedText(name)])),
  "logs-s3 + every component": () =>
    kustomizeText(
      combine("logs-s3", [
        "postgres-statefulset",
        "servicemonitor",
        "delete-completed-runs",
        "upstream-config",
        "retention-cronjob",
      ]),
    ),
};

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

let dir: string;
let fake: KubeFake | undefined;
let kubeconfig: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tekton-results-deploy-apply-"));
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});
afterAll(() => {
  removeScratchDirs();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The namespace, as a manifest: `kubectl create namespace` sends the object in
 * protobuf, which the fake does not decode (400 "error decoding request body:
 * Unexpected token 'k', "k8s \0\n\u0003v1"... is not valid JSON"); `create -f` sends JSON.
 */
function createNamespace(): Promise<string> {
  const file = join(dir, "namespace.yaml");
  writeFileSync(
    file,
    yaml.dump({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }),
  );
  return ok("create", "-f", file);
}

/** A fresh fake API server that, like a real cluster, does not make up namespaces. */
async function startFake(): Promise<void> {
  fake = await createKubeFake({ autoCreateNamespaces: false });
  kubeconfig = join(dir, `kubeconfig-${fake.url.replace(/\D/g, "")}`);
  writeFileSync(kubeconfig, fake.kubeconfigYaml());
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `kubectl <args>` against the fake. Asynchronous: the fake serves from this
 * process, so a synchronous child would deadlock it.
 */
function kubectl(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      "kubectl",
      ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** `kubectl <args>` that must succeed; its stdout. */
async function ok(...args: string[]): Promise<string> {
  const run = await kubectl(...args);
  if (run.code !== 0) {
    throw new Error(`kubectl ${args.join(" ")} exited ${run.code}:\n${run.stderr}${run.stdout}`);
  }
  return run.stdout;
}

/** How kubectl names an object: `deployment.apps/name`, `configmap/name`. */
function ref(o: K8sObject): string {
  const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
}

/** kubectl's report of an apply or delete, one `ref verb` line per object, sorted. */
const report = (stdout: string) => stdout.trim().split("\n").sort();
const expected = (objects: K8sObject[], verb: (o: K8sObject) => string) =>
  objects.map((o) => `${ref(o)} ${verb(o)}`).sort();
/** kubectl's report of a delete: `deployment.apps "name" deleted`, sorted. */
const deletedLines = (objects: K8sObject[]) =>
  objects.map((o) => `${ref(o).replace("/", ' "')}" deleted`).sort();

/** The objects as stored, read back with one `kubectl get -o json`, in the render's order. */
async function getAll(objects: K8sObject[]): Promise<K8sObject[]> {
  const list = JSON.parse(
    await ok("get", "-n", NAMESPACE, "-o", "json", "--show-managed-fields", ...objects.map(ref)),
  ) as { items: K8sObject[] };
  return list.items;
}

/**
 * What kubectl reports when an object is applied again unchanged: `unchanged`,
 * except for a PodDisruptionBudget. Its `selector` is replaced whole by a
 * strategic merge patch (patchStrategy replace), and kubectl sends it on every
 * apply (`{"spec":{"selector":{...}}}`), so it prints `configured`, against a
 * real cluster too. The server stores nothing new: the caller checks that no
 * resourceVersion moved.
 */
const reapplied = (o: K8sObject) => (o.kind === "PodDisruptionBudget" ? "configured" : "unchanged");

/** Writes objects as a multi-document YAML file, as kustomize does. */
function writeRender(name: string, objects: K8sObject[]): string {
  const file = join(dir, `${name.replace(/\W+/g, "-")}.yaml`);
  writeFileSync(file, objects.map((o) => yaml.dump(o)).join("---\n"));
  return file;
}

/**
 * The next version: LOG_LEVEL raised to debug in the watcher's `env` and in
 * the API's settings (the configMapGenerator's literal). That ConfigMap has a
 * fixed name (disableNameSuffixHash, for the migration Job's sake), so the
 * API's Deployment and the Job do not change: only those two objects do.
 */
function nextVersion(objects: K8sObject[]): K8sObject[] {
  const next = structuredClone(objects);
  const watcher = watcherContainer(next);
  const level = watcher.env.find((e) => e.name === "LOG_LEVEL");
  if (!level) throw new Error("the watcher has no LOG_LEVEL");
  expect(level.value).toBe("info");
  level.value = "debug";
  const settings = apiSettings(next).data as Record<string, string>;
  expect(settings.LOG_LEVEL).toBe("info");
  settings.LOG_LEVEL = "debug";
  return next;
}

/** Whether {@link nextVersion} changes the object. */
const changedInNext = (o: K8sObject) =>
  (o.kind === "Deployment" && o.metadata.name === "tekton-results-watcher") ||
  (o.kind === "ConfigMap" && o.metadata.name === API_SETTINGS);

const version = (o: K8sObject) => (o.metadata as { resourceVersion?: string }).resourceVersion;

/** After the next version: changed objects have a new resourceVersion, the others their own. */
function expectOnlyChangedWritten(rolled: K8sObject[], before: K8sObject[]): void {
  for (const [i, o] of rolled.entries()) {
    if (changedInNext(o)) expect(version(o), ref(o)).not.toBe(version(before[i]!));
    else expect(version(o), ref(o)).toBe(version(before[i]!));
  }
}

const API_SETTINGS = "tekton-results-api-env";
function apiSettings(objects: K8sObject[]): K8sObject {
  const found = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === API_SETTINGS);
  if (!found) throw new Error(`no ConfigMap ${API_SETTINGS}`);
  return found;
}

interface Container {
  name: string;
  args?: string[];
  env: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
}
function deployment(objects: K8sObject[], name: string) {
  const found = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
  if (!found) throw new Error(`no Deployment ${name}`);
  return found as K8sObject & { spec: { template: { spec: { containers: Container[] } } } };
}
const watcherContainer = (objects: K8sObject[]) =>
  deployment(objects, "tekton-results-watcher").spec.template.spec.containers.find(
    (c) => c.name === "watcher",
  )!;
const apiContainer = (objects: K8sObject[]) =>
  deployment(objects, "tekton-results-api").spec.template.spec.containers.find(
    (c) => c.name === "api",
  )!;
function service(objects: K8sObject[], name: string) {
  const found = objects.find((o) => o.kind === "Service" && o.metadata.name === name);
  if (!found) throw new Error(`no Service ${name}`);
  return found as K8sObject & { spec: { ports: { name: string; port: number }[] } };
}

/**
 * The configuration kubectl recorded, as applied: kubectl takes its own
 * annotation out of it, leaving `annotations: {}` where the file had none.
 */
function lastApplied(annotation: string): K8sObject {
  const o = JSON.parse(annotation) as K8sObject;
  if (o.metadata.annotations && Object.keys(o.metadata.annotations).length === 0) {
    delete o.metadata.annotations;
  }
  return o;
}

/** Each stored object holds every field the render set, with its value. */
function expectStoredAsRendered(stored: K8sObject[], objects: K8sObject[]): void {
  expect(stored.map(ref)).toEqual(objects.map(ref));
  for (const [i, o] of objects.entries()) {
    expect(stored[i], ref(o)).toMatchObject(o as Record<string, unknown>);
  }
  // A few fields by name, so that a failure says what differs.
  expect(apiContainer(stored).args).toEqual(apiContainer(objects).args);
  expect(apiContainer(stored).envFrom).toEqual(apiContainer(objects).envFrom);
  expect(watcherContainer(stored).env).toEqual(watcherContainer(objects).env);
  for (const name of ["tekton-results-api-service", "tekton-results-watcher"]) {
    expect(service(stored, name).spec.ports, name).toEqual(service(objects, name).spec.ports);
  }
  const env = stored.find(
    (o) => o.kind === "ConfigMap" && o.metadata.name === "tekton-results-api-env",
  );
  expect(env?.data).toEqual(
    objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "tekton-results-api-env")
      ?.data,
  );
}

describe.each(Object.keys(APPLIED))("deploy apply: %s", (name) => {
  it("applies to an empty cluster, stores every object as rendered, reapplies unchanged, rolls the next version, deletes everything", async () => {
    const text = APPLIED[name]!();
    const objects = parseRender(text);
    const file = join(dir, `${name.replace(/\W+/g, "-")}.render.yaml`);
    writeFileSync(file, text);
    await startFake();

    // The namespace is the operator's to create (the manifests do not).
    const missing = await kubectl("get", "namespace", NAMESPACE);
    expect(missing.stderr).toContain(`namespaces "${NAMESPACE}" not found`);
    await createNamespace();

    // Client-side apply, as `kubectl apply -k` does.
    expect(report(await ok("apply", "-f", file))).toEqual(expected(objects, () => "created"));
    const stored = await getAll(objects);
    expectStoredAsRendered(stored, objects);
    for (const [i, o] of objects.entries()) {
      const last = stored[i]!.metadata.annotations?.[LAST_APPLIED];
      expect(last, `${ref(o)} ${LAST_APPLIED}`).toBeDefined();
      expect(lastApplied(last!), ref(o)).toEqual(o);
    }

    // Idempotent: the last-applied configuration matches, nothing is written.
    expect(report(await ok("apply", "-f", file))).toEqual(expected(objects, reapplied));
    const again = await getAll(objects);
    expect(again.map((o) => o.metadata)).toEqual(stored.map((o) => o.metadata));

    // The next version: LOG_LEVEL changed; only the watcher's Deployment and the API's settings
    // are configured.
    const next = nextVersion(objects);
    const nextFile = writeRender(name, next);
    expect(report(await ok("apply", "-f", nextFile))).toEqual(
      expected(next, (o) => (changedInNext(o) ? "configured" : reapplied(o))),
    );
    const rolled = await getAll(next);
    expectStoredAsRendered(rolled, next);
    expectOnlyChangedWritten(rolled, stored);
    expect(watcherContainer(rolled).env.find((e) => e.name === "LOG_LEVEL")?.value).toBe("debug");
    expect(apiSettings(rolled).data).toMatchObject({ LOG_LEVEL: "debug" });
    expect(
      lastApplied(
        deployment(rolled, "tekton-results-watcher").metadata.annotations![LAST_APPLIED]!,
      ),
    ).toEqual(deployment(next, "tekton-results-watcher"));

    // Deleted: every object is gone. (Not `--wait`: kubectl would GET each object again under
    // its client-side rate limit, 5 requests a second; the get below checks the same.)
    expect(report(await ok("delete", "--wait=false", "-f", nextFile))).toEqual(deletedLines(next));
    const gone = await kubectl("get", "-n", NAMESPACE, ...objects.map(ref));
    expect(gone.code).not.toBe(0);
    const notFound = gone.stderr.trim().split("\n");
    expect(notFound).toHaveLength(objects.length);
    for (const line of notFound)
      expect(line).toMatch(/^Error from server \(NotFound\): .* not found$/);
  }, 30_000);
});

describe("deploy apply: server-side", () => {
  it("local-sqlite applies server-side, stores every object as rendered, reapplies without a write, takes the next version, deletes everything", async () => {
    const text = renderedText("local-sqlite");
    const objects = parseRender(text);
    const file = join(dir, "local-sqlite.server-side.yaml");
    writeFileSync(file, text);
    await startFake();
    await createNamespace();

    const ssa = (f: string) => ok("apply", "--server-side", "-f", f);
    expect(report(await ssa(file))).toEqual(expected(objects, () => "serverside-applied"));
    const stored = await getAll(objects);
    expectStoredAsRendered(stored, objects);
    for (const o of stored) {
      expect(o.metadata.annotations?.[LAST_APPLIED], ref(o)).toBeUndefined();
      const managers = (o.metadata as { managedFields?: { manager: string; operation: string }[] })
        .managedFields;
      expect(
        managers?.map((m) => [m.manager, m.operation]),
        ref(o),
      ).toEqual([["kubectl", "Apply"]]);
    }

    // A second apply is a no-op: no object gets a new resourceVersion.
    expect(report(await ssa(file))).toEqual(expected(objects, () => "serverside-applied"));
    const again = await getAll(objects);
    expect(again.map((o) => o.metadata)).toEqual(stored.map((o) => o.metadata));

    // The next version changes the watcher's Deployment and the API's settings only.
    const next = nextVersion(objects);
    await ssa(writeRender("local-sqlite-server-side", next));
    const rolled = await getAll(next);
    expectStoredAsRendered(rolled, next);
    expectOnlyChangedWritten(rolled, stored);

    expect(report(await ok("delete", "--wait=false", "-f", file))).toEqual(deletedLines(objects));
    const gone = await kubectl(
      "get",
      "-n",
      NAMESPACE,
      "--ignore-not-found",
      "-o",
      "name",
      ...objects.map(ref),
    );
    expect(gone).toMatchObject({ code: 0, stdout: "" });
  }, 30_000);
});
