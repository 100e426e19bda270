/**
 * What npm would ship is what is tested: build `@tekton-results/proto` and
 * `@tekton-results/client`, `npm pack` both, install the tarballs into a
 * scratch project outside the workspace (offline, from the npm cache), and
 * run a plain ESM script and a TypeScript type check against them, with the
 * script talking to a real server started in this process.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createResultsRoutes } from "@tekton-results/server";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHttp2, type TestServer } from "./support/serve.js";

const run = promisify(execFile);
const workspaceRoot = fileURLToPath(new URL("../../../", import.meta.url));
const tscBin = join(workspaceRoot, "node_modules", "typescript", "bin", "tsc");
const TIMEOUT = 120_000;

/** The environment for child npm processes, without the npm_* variables of the npm that started vitest. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_")) env[key] = value;
  }
  return env;
}

async function sh(file: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${file} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`,
    );
  }
}

interface PackResult {
  name: string;
  filename: string;
  files: { path: string }[];
}

/** Every `.js` file under `dir`. */
async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, encoding: "utf8" });
  return entries.filter((f) => f.endsWith(".js")).map((f) => join(dir, f));
}

/** The code of a built module without its comments (TSDoc examples mention Node transports). */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** The module specifiers a built ES module imports or re-exports, statically or dynamically. */
function importedSpecifiers(code: string): string[] {
  const specs = new Set<string>();
  for (const m of code.matchAll(
    /(?:^|[\s;}])(?:import|export)\s[^"'`;]*?\sfrom\s*["']([^"']+)["']/g,
  ))
    specs.add(m[1]!);
  for (const m of code.matchAll(/(?:^|[\s;}])import\s*["']([^"']+)["']/g)) specs.add(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specs.add(m[1]!);
  return [...specs];
}

/** What a browser bundle of the client may import: relative files and browser-safe packages. */
function isBrowserSafe(spec: string): boolean {
  return (
    spec.startsWith("./") ||
    spec.startsWith("../") ||
    spec === "@connectrpc/connect" ||
    // Its protocol helpers (the REST transport's fetch client); connect-web imports them too.
    spec.startsWith("@connectrpc/connect/") ||
    spec === "@bufbuild/protobuf" ||
    spec.startsWith("@bufbuild/protobuf/") ||
    spec === "@tekton-results/proto" ||
    spec.startsWith("@tekton-results/proto/")
  );
}

const SCRIPT = `
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createResultsClient, formatResultName, formatRecordName, jsonRecordData, recordData, RECORD_TYPES, isAlreadyExists } from "@tekton-results/client";
import { trustCa } from "@tekton-results/client/node";

const client = createResultsClient(createGrpcTransport({ baseUrl: process.argv[2] }));
const name = formatResultName("scratch", "hello");
const result = await client.createResult({ parent: "scratch", result: { name } });
await client.createRecord({
  parent: name,
  record: { name: formatRecordName("scratch", "hello", "run"), data: jsonRecordData(RECORD_TYPES.PIPELINE_RUN, { kind: "PipelineRun", n: 42 }) },
});
const again = await client.createResult({ parent: "scratch", result: { name } }).catch((e) => e);
const names = [];
for await (const r of client.listAllResults({ parent: "scratch" }, { pageSize: 1 })) names.push(r.name);
const data = [];
for await (const r of client.listAllRecords({ parent: "scratch/results/-", filter: "data.n == 42" })) data.push(recordData(r));
const tls = trustCa({ ca: "pem", serverName: "results" }).nodeOptions;
console.log(JSON.stringify({ uid: result.uid !== "", names, data, duplicate: isAlreadyExists(again), tls }));
`;

/** A browser-style consumer: DOM lib, no Node types, only the client package and connect. */
const CHECK_TS = `
import type { Transport } from "@connectrpc/connect";
import { createResultsClient, recordData, isNotFound, jsonRecordData, RECORD_TYPES, type Result, type ResultsClient } from "@tekton-results/client";

export async function names(transport: Transport, signal: AbortSignal): Promise<string[]> {
  const client: ResultsClient = createResultsClient(transport);
  const out: string[] = [];
  for await (const r of client.listAllResults({ parent: "ns", filter: "true" }, { pageSize: 10, signal })) {
    const result: Result = r;
    out.push(result.name);
  }
  await client.createRecord({ parent: "ns/results/r", record: { name: "ns/results/r/records/x", data: jsonRecordData(RECORD_TYPES.TASK_RUN, {}) } });
  return out;
}
export function kind(r: Parameters<typeof recordData>[0]): string | undefined {
  return recordData<{ kind: string }>(r)?.kind;
}
export const notFound: (err: unknown) => boolean = isNotFound;
`;

describe("the packed client installed in a scratch project", () => {
  let dir: string;
  let packs: PackResult[];
  let server: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tekton-results-client-pack-"));
    // A clean client build, so that the tarball holds exactly what src/ compiles to.
    await rm(join(workspaceRoot, "packages", "client", "dist"), { recursive: true, force: true });
    for (const pkg of ["proto", "client"]) {
      await sh(
        process.execPath,
        [tscBin, "-p", `packages/${pkg}/tsconfig.lib.json`],
        workspaceRoot,
      );
    }
    const packed = await sh(
      "npm",
      [
        "pack",
        "--json",
        "--pack-destination",
        dir,
        "-w",
        "@tekton-results/proto",
        "-w",
        "@tekton-results/client",
      ],
      workspaceRoot,
    );
    packs = JSON.parse(packed) as PackResult[];
    const tarball = (name: string) =>
      `file:${join(dir, packs.find((p) => p.name === name)!.filename)}`;
    const app = join(dir, "app");
    await sh("mkdir", ["-p", app], dir);
    const rootPkg = JSON.parse(await readFile(join(workspaceRoot, "package.json"), "utf8")) as {
      devDependencies: { [name: string]: string };
    };
    await writeFile(
      join(app, "package.json"),
      JSON.stringify({
        name: "scratch-client-app",
        private: true,
        type: "module",
        dependencies: {
          "@tekton-results/proto": tarball("@tekton-results/proto"),
          "@tekton-results/client": tarball("@tekton-results/client"),
          "@connectrpc/connect": rootPkg.devDependencies["@connectrpc/connect"],
          "@connectrpc/connect-node": rootPkg.devDependencies["@connectrpc/connect-node"],
          "@bufbuild/protobuf": rootPkg.devDependencies["@bufbuild/protobuf"],
        },
      }),
    );
    const install = ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"];
    try {
      await sh("npm", [...install, "--offline"], app);
    } catch (err) {
      // The workspace's install normally leaves everything in the cache; if not, allow the registry.
      console.warn(`offline install failed, retrying with --prefer-offline: ${String(err)}`);
      await sh("npm", [...install, "--prefer-offline"], app);
    }
    server = await serveHttp2(createResultsRoutes({ store: createMemoryStore() }));
  }, TIMEOUT);

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("packs dist/index.js, dist/index.d.ts and the README, and no sources or tests", () => {
    const client = packs.find((p) => p.name === "@tekton-results/client")!;
    const paths = client.files.map((f) => f.path);
    expect(paths).toContain("dist/index.js");
    expect(paths).toContain("dist/index.d.ts");
    expect(paths).toContain("dist/node/index.js");
    expect(paths).toContain("README.md");
    expect(paths).toContain("package.json");
    expect(paths.filter((p) => p.startsWith("src/") || p.startsWith("test/"))).toEqual([]);
    expect(paths.filter((p) => /\.test\.(js|d\.ts|ts)$/.test(p))).toEqual([]);
    expect(paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
  });

  it("ships built code that imports nothing Node-only (client and proto) but the ./node subpath", async () => {
    const installed = join(dir, "app", "node_modules", "@tekton-results");
    const nodeOnly = join(installed, "client", "dist", "node");
    const files = [
      ...(await jsFiles(join(installed, "client", "dist"))),
      ...(await jsFiles(join(installed, "proto", "dist"))),
    ].filter((f) => !f.startsWith(`${nodeOnly}/`));
    expect(files.some((f) => f.endsWith(join("client", "dist", "index.js")))).toBe(true);
    const offending: string[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const code = stripComments(await readFile(file, "utf8"));
      for (const spec of importedSpecifiers(code)) {
        seen.add(spec);
        if (!isBrowserSafe(spec)) offending.push(`${relative(installed, file)} imports ${spec}`);
      }
      if (/\bBuffer\b|\bprocess\.|\brequire\(/.test(code))
        offending.push(`${relative(installed, file)} uses a Node global`);
    }
    expect(offending).toEqual([]);
    // The scan does see the imports it checks.
    expect(seen).toContain("@connectrpc/connect");
    expect(seen).toContain("@tekton-results/proto");
    expect(seen).toContain("./results-client.js");
  });

  it(
    "runs an ESM script that creates and lists Results against a real server",
    async () => {
      const app = join(dir, "app");
      await writeFile(join(app, "script.mjs"), SCRIPT);
      const out = await sh(process.execPath, ["script.mjs", server.baseUrl], app);
      expect(JSON.parse(out.trim())).toEqual({
        uid: true,
        names: ["scratch/results/hello"],
        data: [{ kind: "PipelineRun", n: 42 }],
        duplicate: true,
        tls: { ca: "pem", servername: "results" },
      });
    },
    TIMEOUT,
  );

  it(
    "type-checks a browser-style TypeScript consumer (DOM lib, no Node types) against the published declarations",
    async () => {
      const app = join(dir, "app");
      await writeFile(join(app, "check.ts"), CHECK_TS);
      await writeFile(
        join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            lib: ["ES2023", "DOM"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
            types: [],
            skipLibCheck: false,
          },
          files: ["check.ts"],
        }),
      );
      await sh(process.execPath, [tscBin, "-p", "tsconfig.json"], app);
    },
    TIMEOUT,
  );
});
