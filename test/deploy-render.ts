/**
 * Renders the reference deployment (deploy/) as an operator would: each
 * overlay, or an overlay with components in a scratch kustomization, through
 * `kubectl kustomize`. Shared by deploy.test.ts (which checks the objects) and
 * deploy-apply.test.ts (which applies them to the fake API server).
 *
 * kubectl is required: without it every render throws (CI installs it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import yaml from "js-yaml";

/** The repository's root. */
export const root = resolve(import.meta.dirname, "..");
/** The reference deployment's directory. */
export const deploy = join(root, "deploy");
/** The namespace of every namespaced object of the deployment. */
export const NAMESPACE = "tekton-pipelines";

/** A Kubernetes object as rendered (only what the checks read is typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

let checked = false;

/** Whether kubectl was found and checked to be recent enough (by a render). */
export function kubectlChecked(): boolean {
  return checked;
}

/**
 * Fails with what to do when kubectl is missing, or too old for the overlays
 * (components and template labels need its built-in kustomize 5: kubectl 1.27).
 */
export function checkKubectl(): void {
  if (checked) return;
  let version: { kustomizeVersion?: string };
  try {
    version = JSON.parse(
      execFileSync("kubectl", ["version", "--client", "-o", "json"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { kustomizeVersion?: string };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        "kubectl is not installed: these tests render deploy/ with `kubectl kustomize` " +
          "(.ci/run installs it; locally, install kubectl 1.27 or newer)",
      );
    }
    throw err;
  }
  const major = Number(/^v?(\d+)\./.exec(version.kustomizeVersion ?? "")?.[1] ?? 0);
  if (major < 5) {
    throw new Error(
      `kubectl's kustomize is ${version.kustomizeVersion ?? "unknown"}: deploy/ needs kustomize 5 ` +
        "(kubectl 1.27 or newer)",
    );
  }
  checked = true;
}

/** `kubectl kustomize <dir>`, as text. Throws (the test fails) when kubectl is missing or old. */
export function kustomizeText(dir: string): string {
  checkKubectl();
  try {
    return execFileSync("kubectl", ["kustomize", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(`kubectl kustomize ${relative(root, dir)} failed:\n${e.stderr ?? e.message}`);
  }
}

/** Parses a multi-document YAML render into its objects. */
export function parseRender(text: string): K8sObject[] {
  return yaml.loadAll(text).filter((doc): doc is K8sObject => doc !== null && doc !== undefined);
}

const scratchDirs: string[] = [];

/**
 * A scratch kustomization of an overlay with components (as an operator would
 * write it); {@link removeScratchDirs} removes it.
 */
export function combine(overlay: string, components: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "tekton-results-deploy-"));
  scratchDirs.push(dir);
  const rel = (p: string) => relative(dir, join(deploy, p));
  writeFileSync(
    join(dir, "kustomization.yaml"),
    yaml.dump({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [rel(`overlays/${overlay}`)],
      components: components.map((c) => rel(`components/${c}`)),
    }),
  );
  return dir;
}

/** Removes the scratch kustomizations made by {@link combine} (call it in `afterAll`). */
export function removeScratchDirs(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The renders checked: each overlay, and overlays with components, by name. */
export const RENDERS: Record<string, () => string> = {
  "local-sqlite": () => join(deploy, "overlays/local-sqlite"),
  postgres: () => join(deploy, "overlays/postgres"),
  "logs-s3": () => join(deploy, "overlays/logs-s3"),
  "postgres + postgres-statefulset": () => combine("postgres", ["postgres-statefulset"]),
  "local-sqlite + servicemonitor + delete-completed-runs": () =>
    combine("local-sqlite", ["servicemonitor", "delete-completed-runs"]),
  "logs-s3 + servicemonitor": () => combine("logs-s3", ["servicemonitor"]),
  "local-sqlite + upstream-config": () => combine("local-sqlite", ["upstream-config"]),
  "postgres + upstream-config": () => combine("postgres", ["upstream-config"]),
  "logs-s3 + upstream-config + servicemonitor": () =>
    combine("logs-s3", ["upstream-config", "servicemonitor"]),
  "logs-s3 + retention-cronjob": () => combine("logs-s3", ["retention-cronjob"]),
};

const texts = new Map<string, string>();

/** The render `name` of {@link RENDERS} as `kubectl kustomize` prints it (rendered once). */
export function renderedText(name: string): string {
  let text = texts.get(name);
  if (text === undefined) {
    const dir = RENDERS[name];
    if (!dir) throw new Error(`no render ${name}`);
    text = kustomizeText(dir());
    texts.set(name, text);
  }
  return text;
}

const renders = new Map<string, K8sObject[]>();

/** The objects of the render `name` of {@link RENDERS} (rendered and parsed once). */
export function rendered(name: string): K8sObject[] {
  let objects = renders.get(name);
  if (!objects) {
    objects = parseRender(renderedText(name));
    renders.set(name, objects);
  }
  return objects;
}
