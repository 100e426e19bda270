/**
 * Talk to the cluster as a user would: with `kubectl` when it is installed,
 * else the same requests over HTTP with `@kubernetes/client-node`
 * (server-side apply for `apply`, a delete for `delete`).
 *
 * @module
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import {
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import yaml from "js-yaml";

const run = promisify(execFile);

/** The field manager of the HTTP fallback's server-side apply. */
export const DEMO_FIELD_MANAGER = "tekton-results-demo";

/** The first `kubectl` on `PATH`, or undefined. */
export function findKubectl(path = process.env["PATH"] ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, "kubectl"))) return join(dir, "kubectl");
  }
  return undefined;
}

/** What the demo does to the cluster as a user. */
export interface ClusterUser {
  /** How it talks to the cluster, e.g. `kubectl`. */
  readonly via: string;
  /** The command line (or request) {@link ClusterUser.apply} runs, to show it. */
  showApply(file: string): string;
  /** The command line (or request) {@link ClusterUser.delete} runs, to show it. */
  showDelete(kind: "pipelinerun", namespace: string, name: string): string;
  /** `kubectl apply -f file`; resolves to what kubectl prints (one line per object). */
  apply(file: string): Promise<string[]>;
  /** `kubectl delete <kind> <name>`; resolves to what kubectl prints. */
  delete(kind: "pipelinerun", namespace: string, name: string): Promise<string[]>;
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** A {@link ClusterUser} running `kubectl` with `kubeconfig` (and its cache in `cacheDir`). */
export function kubectlUser(kubectl: string, kubeconfig: string, cacheDir: string): ClusterUser {
  const k = async (...args: string[]): Promise<string[]> => {
    try {
      const { stdout } = await run(
        kubectl,
        ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, ...args],
        { timeout: 30_000 },
      );
      return lines(stdout);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`kubectl ${args.join(" ")} failed${stderr ? `: ${stderr}` : ""}`);
    }
  };
  return {
    via: "kubectl",
    showApply: (file) => `$ kubectl apply -f ${file}`,
    showDelete: (kind, _namespace, name) => `$ kubectl delete ${kind} ${name}`,
    apply: (file) => k("apply", "-f", file),
    delete: (kind, namespace, name) => k("delete", "--namespace", namespace, kind, name),
  };
}

/** A {@link ClusterUser} sending kubectl's requests with `@kubernetes/client-node`. */
export function httpUser(kubeConfig: KubeConfig, namespace = "default"): ClusterUser {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  return {
    via: "server-side apply over HTTP (no kubectl on PATH)",
    showApply: (file) => `PATCH (application/apply-patch+yaml) the objects of ${file}`,
    showDelete: (_kind, ns, name) =>
      `DELETE /apis/tekton.dev/v1/namespaces/${ns}/pipelineruns/${name}`,
    async apply(file) {
      const out: string[] = [];
      for (const doc of yaml.loadAll(await readFile(file, "utf8"))) {
        if (!doc || typeof doc !== "object") continue;
        const obj = doc as KubernetesObject;
        obj.metadata = { namespace, ...obj.metadata };
        await api.patch(
          obj,
          undefined,
          undefined,
          DEMO_FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        );
        const group = (obj.apiVersion ?? "").split("/")[0];
        out.push(
          `${(obj.kind ?? "").toLowerCase()}.${group}/${obj.metadata.name} serverside-applied`,
        );
      }
      return out;
    },
    async delete(kind, ns, name) {
      await api.delete({
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        metadata: { name, namespace: ns },
      });
      return [`${kind}.tekton.dev "${name}" deleted`];
    },
  };
}
