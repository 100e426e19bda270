/**
 * The watcher started as a new user would, outside a cluster: the real
 * `tekton-results-watcher` process with no kubeconfig says there is no
 * cluster and exits 1; with a cluster it cannot reach and no metrics
 * listener (nothing else holding the process open), it keeps retrying until
 * it is told to stop, then exits 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { POD_TOKEN_PATH } from "../src/upstream-flags.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const binPath = fileURLToPath(new URL("../src/bin.ts", import.meta.url));

interface Child {
  process: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
let home: string | undefined;
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

/** The watcher process in an empty home, without KUBECONFIG or any of our variables. */
function startWatcher(args: readonly string[]): Child {
  home = mkdtempSync(join(tmpdir(), "watcher-first-run-"));
  const env: NodeJS.ProcessEnv = { HOME: home };
  for (const k of ["PATH", "NODE_PATH", "TMPDIR"]) if (process.env[k]) env[k] = process.env[k];
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", binPath, ...args],
    { cwd: repoRoot, env, stdio: ["ignore", "ignore", "pipe"] },
  );
  children.push(child);
  let err = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (t: string) => (err += t));
  const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { process: child, stderr: () => err, exit };
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms),
    ),
  ]);

describe("e2e: the watcher's first run outside a cluster", () => {
  // In a pod, the service account token exists and the watcher rightly uses it.
  it.skipIf(existsSync(POD_TOKEN_PATH))(
    "with no kubeconfig it says there is no cluster to talk to and exits 1",
    async () => {
      const w = startWatcher(["--api-url", "http://127.0.0.1:1", "--metrics-addr", ""]);
      expect(await within(w.exit, 30_000, "exit")).toBe(1);
      const log = w.stderr();
      expect(log).toContain("no Kubernetes cluster to talk to: no --kubeconfig");
      expect(log).toContain('"msg":"cannot start"');
      expect(log).not.toContain("localhost:8080");
    },
    40_000,
  );

  it("with an unreachable cluster and no metrics listener it keeps retrying until SIGTERM, then exits 0", async () => {
    const kubePort = await closedPort();
    const apiPort = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), "watcher-kubeconfig-"));
    try {
      const kubeconfig = join(dir, "config");
      writeFileSync(
        kubeconfig,
        [
          "apiVersion: v1",
          "kind: Config",
          `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${kubePort}", insecure-skip-tls-verify: true}}]`,
          "users: [{name: u, user: {token: t}}]",
          "contexts: [{name: c, context: {cluster: c, user: u}}]",
          "current-context: c",
        ].join("\n"),
      );
      const w = startWatcher([
        "--kubeconfig",
        kubeconfig,
        "--api-url",
        `http://127.0.0.1:${apiPort}`,
        "--metrics-addr",
        "",
      ]);
      const early = await Promise.race([
        w.exit,
        new Promise<"running">((r) => setTimeout(() => r("running"), 4_000)),
      ]);
      expect(early, w.stderr()).toBe("running");
      const log = w.stderr();
      expect(log).toContain(`"cluster":"https://127.0.0.1:${kubePort}"`);
      expect(log).toContain(`"api":"http://127.0.0.1:${apiPort}"`);
      expect(log).toContain("informer stopped, restarting");
      w.process.kill("SIGTERM");
      expect(await within(w.exit, 30_000, "exit after SIGTERM")).toBe(0);
      expect(w.stderr()).toContain('"msg":"stopped"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
