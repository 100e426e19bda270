/**
 * `config set | view | reset` as processes against a temporary kubeconfig: the configuration goes
 * where upstream puts it (the extension `tekton-results` of the context
 * `tekton-results-config/<cluster>/<user>`), and the rest of the file stays as it was.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, tempKubeconfig } from "./support/cli.js";

const EMPTY =
  'api-path: ""\napiVersion: results.tekton.dev/v1alpha2\nhost: ""\nkind: Client\ntoken: ""\n';

describe("config", () => {
  it("view prints the empty configuration before any set", async () => {
    const kc = tempKubeconfig();
    expect(await cli(["config", "view", "-k", kc])).toEqual({ code: 0, stdout: EMPTY, stderr: "" });
  });

  it("set stores the flags in the kubeconfig, view shows them, reset empties them", async () => {
    const kc = tempKubeconfig();
    const before = readFileSync(kc, "utf8");
    // upstream's example, unchanged
    const set = await cli([
      "config",
      "set",
      "--host=http://localhost:8080",
      "--token=my-token",
      "--kubeconfig",
      kc,
    ]);
    expect(set).toEqual({ code: 0, stdout: "", stderr: "" });
    const after = readFileSync(kc, "utf8");
    expect(after.startsWith(before.replace(/current-context: kind-ctx\n$/, ""))).toBe(true);
    expect(after).toContain(
      [
        "  - name: tekton-results-config/kind/admin",
        "    context:",
        "      cluster: kind",
        "      user: admin",
        "      namespace: default",
        "      extensions:",
        "        - name: tekton-results",
        "          extension:",
        "            apiVersion: results.tekton.dev/v1alpha2",
        "            kind: Client",
        '            api-path: ""',
        "            host: http://localhost:8080",
        "            token: my-token",
      ].join("\n"),
    );
    expect(after).toContain("current-context: kind-ctx\n");

    await cli(["config", "set", "--api-path=/api/v1", "--insecure-skip-tls-verify", "-k", kc]);
    expect((await cli(["config", "view", "-k", kc])).stdout).toBe(
      [
        "api-path: /api/v1",
        "apiVersion: results.tekton.dev/v1alpha2",
        "host: http://localhost:8080",
        'insecure-skip-tls-verify: "true"',
        "kind: Client",
        "token: my-token",
        "",
      ].join("\n"),
    );
    // Another context (another user) has its own configuration.
    expect((await cli(["config", "view", "-k", kc, "-c", "other"])).stdout).toBe(EMPTY);

    expect(await cli(["config", "reset", "-k", kc])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await cli(["config", "view", "-k", kc])).stdout).toBe(EMPTY);
  });

  it("set without flags off a terminal: an error, no prompt", async () => {
    const out = await cli(["config", "set", "-k", tempKubeconfig()]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      "Error: nothing to set: give --host, --token, --api-path, --insecure-skip-tls-verify, --certificate-authority or --timeout; config set prompts only on a terminal\n",
    );
  });

  it("an unknown context or a missing kubeconfig: one line, exit 1", async () => {
    const missing = await cli(["config", "view", "-k", "/nonexistent/config"]);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: kubeconfig /nonexistent/config not found; give one with -k/--kubeconfig or $KUBECONFIG\n",
    });
    const ctx = await cli(["config", "view", "-k", tempKubeconfig(), "--context", "nope"]);
    expect(ctx.stderr).toBe("Error: context 'nope' not found in kubeconfig\n");
  });
});
