/**
 * The processes of benchmark B2: the API server and the watcher, each started
 * from its real command (`node --conditions=source --import tsx .../bin.ts`)
 * as a child process, so that its memory and CPU time are its own; read from
 * `/proc/<pid>` (Linux) and from their Prometheus `/metrics`.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The repository root (where `node_modules` and `packages/` are). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, 100 on Linux). */
const CLK_TCK = 100;

/** A free TCP port on 127.0.0.1 (picked by the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Memory and CPU of a process, from `/proc/<pid>`. */
export interface ProcSample {
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** Peak resident set size (`VmHWM`), bytes. */
  peakRssBytes: number;
  /** User + system CPU time so far, seconds. */
  cpuSeconds: number;
}

/** Read `/proc/<pid>/status` and `/proc/<pid>/stat`; `undefined` once the process is gone. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    };
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return {
      rssBytes: kb("VmRSS"),
      peakRssBytes: kb("VmHWM"),
      cpuSeconds: (utime + stime) / CLK_TCK,
    };
  } catch {
    return undefined;
  }
}

/** A child process of the benchmark. */
export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** The last lines it wrote on standard error (for failure messages). */
  stderrTail(): string;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Start `node --conditions=source --import tsx <script> ...args` in the repository root. */
export function startNodeProcess(
  name: string,
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): BenchProcess {
  // B2_PROFILE_DIR=<dir>: write a V8 CPU profile of each child process there (on exit).
  const profileDir = process.env["B2_PROFILE_DIR"];
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  // B2_WATCHER_HEAP_MB=<n>: cap the watcher's V8 heap (a leak then ends in an out-of-memory exit).
  const heapMb = process.env["B2_WATCHER_HEAP_MB"];
  const heap = heapMb && name === "watcher" ? [`--max-old-space-size=${heapMb}`] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, ...heap, "--conditions=source", "--import", "tsx", script, ...args],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  const tail: string[] = [];
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    tail.push(chunk);
    while (tail.length > 50) tail.shift();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start`);
  const pid = child.pid;
  return {
    name,
    pid,
    exited,
    stderrTail: () => tail.join("").split("\n").slice(-20).join("\n"),
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** GET `url` as text; `undefined` on a connection error. */
export async function fetchText(
  url: string,
): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

/** Poll `check` every `everyMs` until it is true, failing after `timeoutMs` or when `proc` exits. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; everyMs?: number; proc?: BenchProcess },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let dead = false;
  void options.proc?.exited.then(() => {
    dead = true;
  });
  for (;;) {
    if (await check()) return;
    if (dead) {
      throw new Error(
        `${options.proc!.name} exited while waiting for ${what}:\n${options.proc!.stderrTail()}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${options.proc ? `:\n${options.proc.stderrTail()}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 100));
  }
}

/** The API server (`packages/server/src/bin.ts`) on a SQLite file, in its own process. */
export interface ServerProcess extends BenchProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its `/metrics`, parsed. */
  metrics(): Promise<PromSamples>;
}

/** Start the API server on `dbFile` and wait until it answers. */
export async function startServerProcess(dbFile: string, logsDir: string): Promise<ServerProcess> {
  const port = await freePort();
  const proc = startNodeProcess("server", "packages/server/src/bin.ts", [
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--database",
    dbFile,
    "--log-level",
    "warn",
    "--logs-dir",
    logsDir,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor("the API server", async () => (await fetchText(`${url}/metrics`))?.status === 200, {
    timeoutMs: 60_000,
    proc,
  });
  return {
    ...proc,
    url,
    async metrics() {
      const res = await fetchText(`${url}/metrics`);
      return parseProm(res?.text ?? "");
    },
  };
}

/** Options of the watcher process. */
export interface WatcherProcessOptions {
  apiUrl: string;
  kubeconfig: string;
  workers: number;
  /** Results API calls per second; 0 = unlimited. */
  qps: number;
}

/** The watcher (`packages/watcher/src/bin.ts`) in its own process. */
export interface WatcherProcess extends BenchProcess {
  /** `http://127.0.0.1:<port>` of `/metrics`, `/readyz`. */
  readonly metricsUrl: string;
  metrics(): Promise<PromSamples>;
  /** True once `/readyz` answers 200 (every informer has listed its runs). */
  ready(): Promise<boolean>;
}

/** Start the watcher (no leader election, no logs) and wait until its endpoints answer. */
export async function startWatcherProcess(options: WatcherProcessOptions): Promise<WatcherProcess> {
  const port = await freePort();
  const proc = startNodeProcess("watcher", "packages/watcher/src/bin.ts", [
    "--api-url",
    options.apiUrl,
    "--kubeconfig",
    options.kubeconfig,
    "--workers",
    String(options.workers),
    "--qps",
    String(options.qps),
    "--burst",
    String(Math.max(100, options.qps * 2)),
    "--leader-elect=false",
    "--metrics-addr",
    `127.0.0.1:${port}`,
    "--log-level",
    "warn",
  ]);
  const metricsUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    "the watcher's /healthz",
    async () => (await fetchText(`${metricsUrl}/healthz`))?.status === 200,
    { timeoutMs: 60_000, everyMs: 50, proc },
  );
  return {
    ...proc,
    metricsUrl,
    async metrics() {
      return parseProm((await fetchText(`${metricsUrl}/metrics`))?.text ?? "");
    },
    async ready() {
      return (await fetchText(`${metricsUrl}/readyz`))?.status === 200;
    },
  };
}

/** Prometheus samples: `name{labels}` (labels as written) -> value. */
export type PromSamples = Map<string, number>;

/** Parse the Prometheus text format into samples. */
export function parseProm(text: string): PromSamples {
  const out: PromSamples = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    if (space < 0) continue;
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** The sum of every sample of metric `name` whose labels contain all of `match` (e.g. `method="GetRecord"`). */
export function promSum(samples: PromSamples, name: string, ...match: string[]): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const brace = key.indexOf("{");
    const base = brace < 0 ? key : key.slice(0, brace);
    if (base !== name) continue;
    if (match.every((m) => key.includes(m))) sum += value;
  }
  return sum;
}

/** `label="value"` pairs of every sample of `name`, grouped by `label`: value -> sum. */
export function promByLabel(
  samples: PromSamples,
  name: string,
  label: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`${label}="([^"]*)"`);
  for (const [key, value] of samples) {
    if (!key.startsWith(`${name}{`)) continue;
    const m = re.exec(key);
    if (!m) continue;
    out[m[1]!] = (out[m[1]!] ?? 0) + value;
  }
  return out;
}
