/**
 * On a terminal (a pseudo-terminal from util-linux's `script`): `config set` without flags asks for
 * each value, and the STATUS column is coloured unless `NO_COLOR` is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cli,
  hasScript,
  onTerminal,
  startSeededServer,
  tempKubeconfig,
  type SeededServer,
} from "./support/cli.js";

describe.skipIf(!hasScript)("on a terminal", () => {
  let server: SeededServer;
  beforeAll(async () => {
    server = await startSeededServer([
      {
        kind: "PipelineRun",
        namespace: "default",
        name: "ok",
        uid: "u1",
        startedAgo: 60,
        took: 5,
        status: "True",
      },
      {
        kind: "PipelineRun",
        namespace: "default",
        name: "ko",
        uid: "u2",
        startedAgo: 60,
        took: 5,
        status: "False",
        reason: "Failed",
      },
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("config set asks for host, token, API path and TLS verification", async () => {
    const kc = tempKubeconfig();
    await onTerminal(["config", "set", "-k", kc], {}, [
      ["Host :", `${server.url}\r`],
      ["Token :", "my-token\r"],
      ["API Path :", "\r"],
      ["Insecure Skip TLS Verify :", "\r"],
    ]);
    const view = await cli(["config", "view", "-k", kc]);
    expect(view.stdout).toBe(
      [
        'api-path: ""',
        "apiVersion: results.tekton.dev/v1alpha2",
        `host: ${server.url}`,
        'insecure-skip-tls-verify: "false"',
        "kind: Client",
        "token: my-token",
        "",
      ].join("\n"),
    );
  });

  it("colours the STATUS column, but not with NO_COLOR", async () => {
    const kc = tempKubeconfig();
    await cli(["config", "set", `--host=${server.url}`, "-k", kc]);
    const coloured = await onTerminal(["pipelinerun", "list", "-k", kc]);
    expect(coloured).toContain("\u001b[91mFailed\u001b[39m");
    expect(coloured).toContain("\u001b[92mSucceeded\u001b[39m");
    const plain = await onTerminal(["pipelinerun", "list", "-k", kc], { NO_COLOR: "1" });
    expect(plain).toContain("Failed");
    expect(plain).not.toContain("\u001b[");
  });
});
