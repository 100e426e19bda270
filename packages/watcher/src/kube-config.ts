/**
 * Finding the cluster: `--kubeconfig`, else client-node's default search
 * (`$KUBECONFIG`, `~/.kube/config`, the pod's service account), with one
 * difference: when none of them exists, client-node quietly falls back to
 * `http://localhost:8080` (the old insecure port of kube-apiserver, and this
 * project's own API port), so a watcher started by mistake outside a cluster
 * logged TLS errors against the wrong server. Here that case is an error that
 * says plainly there is no cluster to talk to.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { POD_TOKEN_PATH } from "./upstream-flags.js";

/** No kubeconfig and no pod: the watcher has no cluster to talk to. */
export class NoClusterError extends Error {
  override readonly name = "NoClusterError";
}

/** Where {@link loadKubeConfig} looks; injectable for tests. */
export interface KubeConfigSearch {
  /** Environment variables (`KUBECONFIG`). Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** The home directory. Default: `os.homedir()`. */
  home?: string;
  /** The service account token file. Default: {@link POD_TOKEN_PATH}. */
  tokenPath?: string;
}

/**
 * Load the cluster's configuration: from `path` when given; else from the
 * files of `$KUBECONFIG` (those that exist, as kubectl), else
 * `~/.kube/config`, else the pod's service account. Throws {@link NoClusterError} when there is none of
 * them, and client-node's error when a named file cannot be read.
 */
export function loadKubeConfig(
  path: string | undefined,
  search: KubeConfigSearch = {},
): KubeConfig {
  const kc = new KubeConfig();
  if (path) {
    kc.loadFromFile(path);
    return kc;
  }
  const env = search.env ?? process.env;
  const fromEnv = (env["KUBECONFIG"] ?? "").split(delimiter).filter((f) => f !== "");
  const existing = fromEnv.filter((f) => existsSync(f));
  if (fromEnv.length > 0 && existing.length === 0) {
    // As kubectl: files of $KUBECONFIG that do not exist are skipped, and
    // $KUBECONFIG set means ~/.kube/config is not read.
    throw new NoClusterError(
      `no Kubernetes cluster to talk to: none of $KUBECONFIG's files exists (${fromEnv.join(delimiter)})`,
    );
  }
  if (existing.length > 0) {
    // Merged one by one (client-node's own merge reads process.env); the
    // first file that sets the current context wins, as with kubectl.
    kc.loadFromFile(existing[0]!);
    for (const file of existing.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      const keep = kc.getCurrentContext() !== "";
      kc.mergeConfig(more, keep);
    }
    return kc;
  }
  const home = search.home ?? homedir();
  const homeConfig = join(home, ".kube", "config");
  if (existsSync(homeConfig)) {
    kc.loadFromFile(homeConfig);
    return kc;
  }
  const tokenPath = search.tokenPath ?? POD_TOKEN_PATH;
  if (existsSync(tokenPath)) {
    kc.loadFromCluster();
    return kc;
  }
  throw new NoClusterError(
    `no Kubernetes cluster to talk to: no --kubeconfig, $KUBECONFIG is not set, no ${homeConfig}, ` +
      `and not in a pod (no service account token at ${tokenPath})`,
  );
}

/** The API server's URL of `kc`'s current context, for the start-up log. */
export function clusterServer(kc: KubeConfig): string | undefined {
  return kc.getCurrentCluster()?.server;
}
