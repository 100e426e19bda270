/**
 * The kubeconfig of the fake: cluster, user and context `kube-fake`, plain HTTP, a bearer token.
 *
 * @module
 */
import yaml from "js-yaml";

/** Options of {@link KubeFake.kubeconfigYaml}. */
export interface KubeconfigOptions {
  /** The bearer token of the user (default: the admin's, `kube-fake`). */
  token?: string;
}

/** A kubeconfig for the server at `url` with a bearer token, namespace `default`. */
export function kubeconfig(url: string, token: string): string {
  return yaml.dump({
    apiVersion: "v1",
    kind: "Config",
    // client-node refuses plain http unless TLS verification is marked skipped.
    clusters: [{ name: "kube-fake", cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: "kube-fake", user: { token } }],
    contexts: [
      {
        name: "kube-fake",
        context: { cluster: "kube-fake", user: "kube-fake", namespace: "default" },
      },
    ],
    "current-context": "kube-fake",
    preferences: {},
  });
}
