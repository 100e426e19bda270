import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { DemoError, MANIFESTS_DIR, runDemo, type DemoReport } from "../src/demo.js";
import { findKubectl, httpUser } from "../src/kubectl.js";
import { main } from "../src/main.js";

const execFileAsync = promisify(execFile);
/** The CLI's source (the workspace's `@tekton-results/cli`), run as the demo tells a user to. */
const CLI = resolve(import.meta.dirname, "../../../packages/cli/src/bin.ts");

/** Lines of `out` matching every pattern, in one line. */
function linesWith(out: string[], ...parts: (string | RegExp)[]): string[] {
  return out.filter((l) => parts.every((p) => (typeof p === "string" ? l.includes(p) : p.test(l))));
}

async function demoTempDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith("tekton-results-demo-"));
}

describe("npm run demo", () => {
  it("tours the life of a Result: applied, run, stored, queried, deleted from the cluster, still there", async () => {
    const before = await demoTempDirs();
    const out: string[] = [];
    const report: DemoReport = await runDemo({
      out: (l) => out.push(l),
      stepMs: 30,
      timeoutMs: 15_000,
    });

    // What it found.
    expect(report.runs.map((r) => [r.name, r.reason, r.skipped])).toEqual([
      ["shop-build-1", "Succeeded", []],
      ["shop-release-1", "Failed", ["publish"]],
    ]);
    expect(report.results).toEqual(report.runs.map((r) => `default/results/${r.uid}`));
    // 2 PipelineRuns + 6 TaskRuns, and a Log record for each.
    expect(report.records).toBe(16);
    expect(report.failedTaskRuns).toEqual(["shop-release-1-integration-tests"]);
    expect(report.deletedRun).toBe("shop-build-1");
    expect(report.failedRunLog).toBe(`${report.results[1]}/logs/${report.runs[1]!.uid}-log`);

    // What it printed: applied (with kubectl when installed)...
    const applied = findKubectl() ? "created" : "serverside-applied";
    expect(out).toContain(`  pipelinerun.tekton.dev/shop-build-1 ${applied}`);
    expect(out).toContain(`  pipelinerun.tekton.dev/shop-release-1 ${applied}`);
    expect(linesWith(out, "8/8 final runs, 8/8 logs stored, 8/8 runs annotated")).toHaveLength(1);
    // ...the Results with their summaries and annotations...
    expect(
      linesWith(
        out,
        report.results[0]!,
        "shop-build-1",
        "SUCCESS",
        "repo=example/shop",
        "branch=main",
      ),
    ).toHaveLength(1);
    expect(
      linesWith(out, report.results[1]!, "shop-release-1", "FAILURE", "commit=a81d3f0"),
    ).toHaveLength(1);
    // ...their Records...
    expect(
      linesWith(out, /shop-release-1\s+TaskRun\s+shop-release-1-integration-tests\s+Failed/),
    ).toHaveLength(1);
    expect(linesWith(out, /shop-build-1\s+PipelineRun\s+shop-build-1\s+Succeeded/)).toHaveLength(1);
    expect(
      linesWith(out, /shop-release-1\s+Log\s+shop-release-1-log\s+stored, \d+ bytes/),
    ).toHaveLength(1);
    // ...the CEL query, the summary...
    expect(
      linesWith(
        out,
        /shop-release-1-integration-tests\s+integration-tests\s+"step-test" exited with code 1/,
      ),
    ).toHaveLength(1);
    const header = out.findIndex((l) => /TOTAL\s+SUCCEEDED\s+FAILED\s+AVG_DURATION/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(out[header + 1]).toMatch(/^\s+2\s+1\s+1\s+\d\d:\d\d:\d\d/);
    // ...the log, every step prefixed with its task...
    expect(out).toContain("    | [clone : clone] HEAD is now at a81d3f0");
    expect(out).toContain("    | [integration-tests : test] --- FAIL: TestCheckout (0.02s)");
    expect(linesWith(out, "[publish")).toEqual([]);
    // ...and the deleted run's Result, still there.
    expect(
      linesWith(out, "shop-build-1: results.tekton.dev/stored=true, finalizer released"),
    ).toHaveLength(1);
    expect(out).toContain(
      "  cluster: shop-build-1, its TaskRuns and pods are gone; PipelineRuns left: shop-release-1",
    );
    expect(
      linesWith(out, `${report.results[0]} is still SUCCESS, with 10 records and its log`),
    ).toHaveLength(1);
    expect(out.at(-1)).toMatch(/^Done in \d+\.\d s\.$/);

    // The temporary data directory is gone.
    expect(await demoTempDirs()).toEqual(before);
  });

  it("over HTTP with --data and --keep: runs newly applied runs until the signal, then stops and keeps the data", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "demo-test-data-"));
    try {
      const stop = new AbortController();
      const out: string[] = [];
      let applyError: unknown;
      // Once the tour is done, apply the deleted run's manifest again as a user would:
      // the simulated controller runs it and the demo reports it; then stop.
      // First the CLI the demo suggests, with no host configured: it port-forwards through the
      // fake cluster to the API's Service, which relays to the demo's server.
      let cliOut: { stdout: string; stderr: string } | undefined;
      // The web UI's URL the demo printed, and what it answers a browser.
      let uiPage: { url: string; status: number; type: string | null; body: string } | undefined;
      const applyAgain = async () => {
        const url = /^ {2}web UI {7}(http\S+)/.exec(
          linesWith(out, /^ {2}web UI /).at(-1) ?? "",
        )?.[1];
        if (url !== undefined) {
          const res = await fetch(url, { headers: { accept: "text/html" } });
          uiPage = {
            url,
            status: res.status,
            type: res.headers.get("content-type"),
            body: await res.text(),
          };
        }
        cliOut = await execFileAsync(
          process.execPath,
          ["--conditions=source", "--import", "tsx", CLI, "pipelinerun", "list", "-o", "name"],
          {
            env: {
              ...process.env,
              KUBECONFIG: join(dataDir, "kubeconfig"),
              HOME: dataDir,
              NO_COLOR: "1",
            },
          },
        );
        const kc = new KubeConfig();
        kc.loadFromFile(join(dataDir, "kubeconfig"));
        await httpUser(kc).apply(join(MANIFESTS_DIR, "build-and-test.yaml"));
      };
      const report = await runDemo({
        out: (l) => {
          out.push(l);
          if (l === "Try:") {
            applyAgain().catch((err: unknown) => {
              applyError = err;
              stop.abort();
            });
          }
          if (
            /^ {2}default\/shop-build-1: Succeeded \(Result default\/results\/[0-9a-f-]+\)$/.test(l)
          ) {
            stop.abort();
          }
        },
        kubectl: false,
        dataDir,
        keep: true,
        signal: stop.signal,
        stepMs: 30,
        timeoutMs: 15_000,
      });
      expect(applyError).toBeUndefined();
      expect(uiPage).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
        status: 200,
        type: expect.stringContaining("text/html"),
        body: expect.stringContaining('<div id="root">'),
      });
      expect(linesWith(out, "web UI", uiPage!.url, "open it in a browser")).toHaveLength(2);
      expect(cliOut).toEqual({
        stdout: "pipelinerun.tekton.dev/shop-release-1\npipelinerun.tekton.dev/shop-build-1\n",
        stderr: "",
      });
      expect(
        linesWith(
          out,
          `KUBECONFIG=${join(dataDir, "kubeconfig")} npx tkn-results pipelinerun logs shop-release-1`,
        ),
      ).toHaveLength(1);
      expect(report.records).toBe(16);
      expect(out).toContain("  pipelinerun.tekton.dev/shop-release-1 serverside-applied");
      const rerun = linesWith(out, "default/shop-build-1: Succeeded (Result ");
      expect(rerun).toHaveLength(1);
      expect(rerun[0]).not.toContain(report.results[0]!);
      expect(out).toContain(
        "  DELETE /apis/tekton.dev/v1/namespaces/default/pipelineruns/shop-build-1",
      );
      expect(out).toContain("Everything keeps running (Ctrl-C stops it):");
      expect(linesWith(out, "kubeconfig", join(dataDir, "kubeconfig"))).not.toHaveLength(0);
      expect(
        linesWith(
          out,
          "curl -s",
          `/apis/results.tekton.dev/v1alpha2/parents/${report.failedRunLog}`,
        ),
      ).toHaveLength(1);
      expect(out.at(-1)).toBe("Stopping.");
      expect(existsSync(join(dataDir, "results.db"))).toBe(true);
      expect(await readdir(join(dataDir, "logs"))).not.toHaveLength(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("fails with a clear DemoError when interrupted, and cleans up", async () => {
    const before = await demoTempDirs();
    const stop = new AbortController();
    stop.abort();
    await expect(
      runDemo({ out: () => {}, kubectl: false, signal: stop.signal, stepMs: 1 }),
    ).rejects.toThrow(
      new DemoError("interrupted while waiting for the PipelineRuns in the cluster"),
    );
    expect(await demoTempDirs()).toEqual(before);
  });

  it("answers a bad command line with the usage and exit code 2, --help with exit code 0", async () => {
    const io = { out: "", err: "" };
    const capture = { stdout: (t: string) => (io.out += t), stderr: (t: string) => (io.err += t) };
    expect(await main(["--port", "nope"], capture)).toBe(2);
    expect(io.err).toMatch(
      /^demo: --port must be a port number \(0-65535\), got "nope"\n\nUsage: npm run demo/,
    );
    expect(await main(["--help"], capture)).toBe(0);
    expect(io.out).toContain("--keep");
  });
});
