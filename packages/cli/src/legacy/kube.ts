/**
 * The kubeconfig of the older commands (for `--sa` and the port-forward) and the messages of
 * the Kubernetes API's errors.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { CliError, describeError } from "../errors.js";

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

/** The message of an error of `@kubernetes/client-node` (the API's Status `message`). */
export function kubeMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      // not JSON: the text itself below
    }
  }
  // A refused WebSocket (port-forward) rejects with ws's ErrorEvent, not an Error.
  const message = (err as { message?: unknown } | null)?.message;
  if (!(err instanceof Error) && typeof message === "string") return message;
  return describeError(err);
}
