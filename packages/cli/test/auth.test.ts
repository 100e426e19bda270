/**
 * Where the token comes from: `--token`, else the stored configuration, else the kubeconfig's
 * user (a token, or an exec plugin run through @kubernetes/client-node), against a server that
 * accepts only known tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startSeededServer, tempKubeconfig, type SeededServer } from "./support/cli.js";

let server: SeededServer;
const TOKENS = ["seed-token", "kube-token", "exec-token", "config-token", "flag-token"];

beforeAll(async () => {
  server = await startSeededServer(
    [
      {
        kind: "PipelineRun",
        namespace: "default",
        name: "build-1",
        uid: "u1",
        startedAgo: 60,
        took: 5,
        status: "True",
      },
    ],
    Date.now(),
    TOKENS,
  );
});
afterAll(async () => {
  await server?.close();
});

const names = ["pipelinerun", "list", "-o", "name"];
const ok = { code: 0, stdout: "pipelinerun.tekton.dev/build-1\n", stderr: "" };

describe("the token", () => {
  it("comes from the kubeconfig's user when none is stored", async () => {
    const kc = tempKubeconfig();
    await cli(["config", "set", `--host=${server.url}`, "-k", kc]);
    expect(await cli([...names, "-k", kc])).toEqual(ok);
  });

  it("comes from an exec plugin of the kubeconfig's user", async () => {
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "exec-token" },
    });
    const kc = tempKubeconfig("default", [
      "exec:",
      "  apiVersion: client.authentication.k8s.io/v1",
      `  command: ${JSON.stringify(process.execPath)}`,
      "  args:",
      "    - -e",
      `    - ${JSON.stringify(`process.stdout.write(${JSON.stringify(credential)})`)}`,
      "  interactiveMode: Never",
    ]);
    await cli(["config", "set", `--host=${server.url}`, "-k", kc]);
    expect(await cli([...names, "-k", kc])).toEqual(ok);
  });

  it("the stored one wins over the kubeconfig's, the flag over both; a bad one is one line", async () => {
    const kc = tempKubeconfig("default", ["token: not-accepted"]);
    await cli(["config", "set", `--host=${server.url}`, "--token=config-token", "-k", kc]);
    expect(await cli([...names, "-k", kc])).toEqual(ok);
    expect(await cli([...names, "-k", kc, "--token", "flag-token"])).toEqual(ok);
    const bad = await cli([...names, "-k", kc, "--token", "wrong"]);
    expect(bad).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: unauthenticated: bad token; set a token with --token or 'tkn-results config set --token'\n",
    });
  });

  it("--host and --token need no kubeconfig at all", async () => {
    const out = await cli([
      ...names,
      "-k",
      "/nonexistent",
      "--host",
      server.url,
      "--token",
      "flag-token",
    ]);
    expect(out).toEqual(ok);
  });
});
