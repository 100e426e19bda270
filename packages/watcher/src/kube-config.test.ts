import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clusterServer, loadKubeConfig, NoClusterError } from "./kube-config.js";

const kubeconfigYaml = (name: string, server: string): string =>
  [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{name: ${name}, cluster: {server: "${server}"}}]`,
    `users: [{name: u-${name}, user: {token: t}}]`,
    `contexts: [{name: ${name}, context: {cluster: ${name}, user: u-${name}}}]`,
    `current-context: ${name}`,
  ].join("\n");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kube-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("loadKubeConfig", () => {
  it("with no kubeconfig anywhere and no pod token, says there is no cluster (not localhost:8080)", () => {
    const search = { env: {}, home: dir, tokenPath: join(dir, "token") };
    expect(() => loadKubeConfig(undefined, search)).toThrow(NoClusterError);
    expect(() => loadKubeConfig(undefined, search)).toThrow(
      `no Kubernetes cluster to talk to: no --kubeconfig, $KUBECONFIG is not set, no ${join(dir, ".kube", "config")}, and not in a pod (no service account token at ${join(dir, "token")})`,
    );
  });

  it("with $KUBECONFIG naming only missing files, names them and does not read ~/.kube/config", () => {
    mkdirSync(join(dir, ".kube"));
    writeFileSync(join(dir, ".kube", "config"), kubeconfigYaml("home", "https://home:6443"));
    const missing = [join(dir, "a"), join(dir, "b")].join(delimiter);
    expect(() =>
      loadKubeConfig(undefined, { env: { KUBECONFIG: missing }, home: dir, tokenPath: "/nope" }),
    ).toThrow(`none of $KUBECONFIG's files exists (${missing})`);
  });

  it("merges the existing files of $KUBECONFIG, skipping missing ones; the first sets the context", () => {
    writeFileSync(join(dir, "one"), kubeconfigYaml("one", "https://one:6443"));
    writeFileSync(join(dir, "two"), kubeconfigYaml("two", "https://two:6443"));
    const env = {
      KUBECONFIG: [join(dir, "gone"), join(dir, "one"), join(dir, "two")].join(delimiter),
    };
    const kc = loadKubeConfig(undefined, { env, home: dir, tokenPath: "/nope" });
    expect(clusterServer(kc)).toBe("https://one:6443");
    expect(kc.getClusters().map((c) => c.name)).toEqual(["one", "two"]);
  });

  it("reads ~/.kube/config when $KUBECONFIG is unset", () => {
    mkdirSync(join(dir, ".kube"));
    writeFileSync(join(dir, ".kube", "config"), kubeconfigYaml("home", "https://home:6443"));
    const kc = loadKubeConfig(undefined, { env: {}, home: dir, tokenPath: "/nope" });
    expect(clusterServer(kc)).toBe("https://home:6443");
  });

  it("an explicit path wins over $KUBECONFIG, and a missing one is an error", () => {
    writeFileSync(join(dir, "explicit"), kubeconfigYaml("explicit", "https://explicit:6443"));
    writeFileSync(join(dir, "env"), kubeconfigYaml("env", "https://env:6443"));
    const search = { env: { KUBECONFIG: join(dir, "env") }, home: dir, tokenPath: "/nope" };
    expect(clusterServer(loadKubeConfig(join(dir, "explicit"), search))).toBe(
      "https://explicit:6443",
    );
    expect(() => loadKubeConfig(join(dir, "missing"), search)).toThrow(/ENOENT/);
  });
});
