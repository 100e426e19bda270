/**
 * The kubeconfig of the older commands (for `--sa` and the port-forward).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { CliError } from "../errors.js";

/**
 * The kubeconfig as client-go's default loading rules find it (`$KUBECONFIG`, else
 * `~/.kube/config`, else the in-cluster service account), or a {@link CliError} saying why
 * it is needed.
 */
export function loadKubeconfig(why: string, env = process.env): KubeConfig {
  const kc = new KubeConfig();
  const files = (env["KUBECONFIG"] ?? "").split(/[:;]/).filter((f) => f !== "");
  const home = join(env["HOME"] || homedir(), ".kube", "config");
  try {
    if (files.length > 0 || existsSync(home)) kc.loadFromDefault();
    else if (env["KUBERNETES_SERVICE_HOST"]) kc.loadFromCluster();
    else throw new Error("no configuration has been provided ($KUBECONFIG, ~/.kube/config)");
  } catch (err) {
    throw new CliError(
      `${why} needs a kubeconfig: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
      "give the API server's address with -a/--addr or 'address' in ~/.config/tkn/results.yaml",
    );
  }
  return kc;
}
