import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT_USAGE, main } from "../src/main.js";
import type { Watcher } from "../src/watcher.js";
import { createJsonLogger } from "@tekton-results/runtime";
import { pipelineRunObject, setStatus, startStack, waitFor, type Stack } from "./stack.js";

let stack: Stack | undefined;
let dir: string | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("e2e: the tekton-results-watcher command", () => {
  it("prints usage and exits 0 for --help; exits 2 on a usage error", async () => {
    let out = "";
    let err = "";
    expect(await main(["--help"], { stdout: (t) => (out += t), env: {} })).toBe(0);
    expect(out).toContain("Usage: tekton-results-watcher");
    expect(
      await main(["--workers", "0"], {
        stderr: (t) => (err += t),
        env: { RESULTS_API_URL: "http://x" },
      }),
    ).toBe(EXIT_USAGE);
    expect(err).toContain("--workers must be between 1");
    expect(await main([], { stderr: () => {}, env: {} })).toBe(EXIT_USAGE);
  });

  it("runs from flags and a kubeconfig file, serves metrics and health, and stops gracefully", async () => {
    stack = await startStack();
    dir = await mkdtemp(join(tmpdir(), "watcher-main-"));
    const kubeconfig = join(dir, "kubeconfig");
    await stack.kube.writeKubeconfig(kubeconfig);
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "secret-token\n");
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let started: Watcher | undefined;
    const lines: string[] = [];
    const exit = main(
      [
        "--api-url",
        stack.apiUrl,
        "--api-token-file",
        tokenFile,
        "--kubeconfig",
        kubeconfig,
        "--namespace",
        "ns",
        "--metrics-addr",
        "127.0.0.1:0",
        "--leader-elect=false",
      ],
      {
        env: {},
        stop: stopped,
        logger: createJsonLogger({ level: "info", write: (l) => lines.push(l) }),
        onStarted: (w) => (started = w),
      },
    );
    await waitFor(() => started, "started");
    const pr = stack.kube.create(pipelineRunObject("from-main"));
    stack.kube.create(pipelineRunObject("elsewhere", "other-ns"));
    setStatus(stack.kube, pr, "Succeeded");
    await waitFor(
      () =>
        stack!.kube.get("tekton.dev/v1", "PipelineRun", "ns", "from-main")?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true",
      "stored",
    );
    expect(stack.authorizations.length).toBeGreaterThan(0);
    expect(new Set(stack.authorizations)).toEqual(new Set(["Bearer secret-token"]));
    const url = started!.metricsUrl()!;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('watcher_runs_stored_total{kind="PipelineRun"} 1');
    expect(metrics).toContain("watcher_is_leader 1");
    expect(metrics).toMatch(/watcher_kubernetes_requests_total\{verb="patch"\} [1-9]/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    // --namespace: the other namespace's run is not touched.
    expect(
      stack.kube.get("tekton.dev/v1", "PipelineRun", "other-ns", "elsewhere")?.metadata.annotations,
    ).toBeUndefined();
    stop();
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg)).toContain(
      "stopped",
    );
  });
});
