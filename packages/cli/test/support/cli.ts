/**
 * Runs the real `tkn-results` program (src/bin.ts) as a child process, and an in-test Results
 * API (the server's routes over a SQLite store) seeded with PipelineRuns and TaskRuns.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  Code,
  ConnectError,
  createLogsClient,
  createResultsClient,
  formatRecordName,
  formatResultName,
  isAlreadyExists,
  jsonRecordData,
  logNameOfRecord,
  RECORD_TYPES,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { createResultsRoutes, createResultsServer, type Authorizer } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { afterAll, beforeAll, expect } from "vitest";

export const ROOT = resolve(import.meta.dirname, "../../../..");
export const BIN = join(ROOT, "packages/cli/src/bin.ts");

/** What a run of the program left. */
export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A run of the program still going: its process, what it printed so far, its end. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Standard output and error so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited. */
  exited: Promise<Outcome>;
}

/** Start `tkn-results args...` without waiting for it; `stdin` is written then closed. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, stdin = ""): Running {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", BIN, ...args], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, KUBECONFIG: "", NO_COLOR: "", ...env },
  });
  let stdout = "";
  let stderr = "";
  // Decoded as streams: a character cut between two chunks is not garbled.
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  child.stdin.end(stdin);
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited: new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr }))),
  };
}

/** Run `tkn-results args...` to completion; `stdin` is written then closed. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}, stdin = ""): Promise<Outcome> {
  return startCli(args, env, stdin).exited;
}

/**
 * A kubeconfig in a temporary directory: context `kind-ctx`, cluster `kind`, user `admin/kind`
 * whose credentials are `user` (YAML lines under `user:`, default a token `kube-token`).
 */
export function tempKubeconfig(namespace = "default", user = ["token: kube-token"]): string {
  const dir = mkdtempSync(join(tmpdir(), "tkn-results-"));
  const path = join(dir, "config");
  writeFileSync(
    path,
    `# the test's kubeconfig
apiVersion: v1
kind: Config
clusters:
  - name: kind
    cluster:
      server: https://127.0.0.1:6443
users:
  - name: admin/kind
    user:
${user.map((line) => `      ${line}`).join("\n")}
contexts:
  - name: kind-ctx
    context:
      cluster: kind
      user: admin/kind
      namespace: ${namespace}
  - name: other
    context:
      cluster: kind
      user: other-user
current-context: kind-ctx
`,
  );
  return path;
}

/** A seeded run: where it lives and what it is. */
export interface SeedRun {
  kind: "PipelineRun" | "TaskRun";
  namespace: string;
  name: string;
  uid: string;
  /** Seconds before now it started. */
  startedAgo?: number;
  /** Seconds it took (none: still running). */
  took?: number;
  status?: "True" | "False" | "Unknown";
  reason?: string;
  labels?: Record<string, string>;
  /** More of the object: merged into `metadata`, `spec` and `status` (describe's sections). */
  more?: { metadata?: object; spec?: object; status?: object };
  /** Its stored log (a Log record named as the watcher names it, and the text by UpdateLog). */
  log?: string;
}

/** A Tekton run object, as the watcher stores it. */
export function runObject(run: SeedRun, now: number): object {
  const start = run.startedAgo === undefined ? undefined : now - run.startedAgo * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: "tekton.dev/v1",
    kind: run.kind,
    metadata: {
      name: run.name,
      namespace: run.namespace,
      uid: run.uid,
      labels: run.labels ?? {},
      ...run.more?.metadata,
    },
    spec: { ...run.more?.spec },
    status: {
      ...(start === undefined ? {} : { startTime: iso(start) }),
      ...(start !== undefined && run.took !== undefined
        ? { completionTime: iso(start + run.took * 1000) }
        : {}),
      ...(run.status
        ? { conditions: [{ type: "Succeeded", status: run.status, reason: run.reason ?? "" }] }
        : {}),
      ...run.more?.status,
    },
  };
}

/** A running Results API with a seeded data set. */
export interface SeededServer {
  url: string;
  /** Clients of the server, to change the data set during a test. */
  client: ResultsClient;
  logs: LogsClient;
  /** Create the run's Record, or replace its data (and store its `log`, if any). */
  put(run: SeedRun, now?: number): Promise<void>;
  close(): Promise<void>;
}

/** The Result a seeded run is in: its PipelineRun's (label `tekton.dev/pipelineRun`), else its own. */
export function resultOf(run: SeedRun): string {
  return formatResultName(run.namespace, run.labels?.["tekton.dev/pipelineRun"] ?? run.name);
}

/** Store `text` as the log of `run`, as the watcher does: a Log record `<uid>-log`, then UpdateLog. */
async function storeLog(
  client: ResultsClient,
  logs: LogsClient,
  run: SeedRun,
  text: string,
): Promise<void> {
  const parent = resultOf(run);
  const [namespace, , result] = parent.split("/") as [string, string, string];
  const name = formatRecordName(namespace, result, `${run.uid}-log`);
  const data = jsonRecordData(RECORD_TYPES.LOG, {
    kind: "Log",
    apiVersion: "results.tekton.dev/v1alpha3",
    metadata: { name: `${run.name}-log`, namespace, uid: `${run.uid}-log` },
    spec: { resource: { kind: run.kind, namespace, name: run.name, uid: run.uid }, type: "File" },
    status: { path: "", size: 0, isStored: false, errorOnStoreMsg: "", isRetryableErr: false },
  });
  await client.createRecord({ parent, record: { name, data } }).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
  await logs.uploadLog(logNameOfRecord(name), [text]);
}

/** Who may call a seeded server: an authorizer, and the token the seeding sends. */
export interface SeedAccess {
  authorizer: Authorizer;
  token: string;
}

/**
 * Start a Results API on 127.0.0.1 and create `runs` in order (each its own Result). With
 * `tokens`, every call needs `Authorization: Bearer <one of them>` (else `Unauthenticated`);
 * with a {@link SeedAccess}, its authorizer decides and the seeding sends its token.
 */
export async function startSeededServer(
  runs: SeedRun[],
  now = Date.now(),
  tokens?: string[] | SeedAccess,
): Promise<SeededServer> {
  const store = await createSqliteStore({ filename: ":memory:" });
  const authorizer: Authorizer | undefined = Array.isArray(tokens)
    ? {
        authorize: ({ header }: { header: Headers }) =>
          tokens.some((t) => header.get("authorization") === `Bearer ${t}`)
            ? Promise.resolve()
            : Promise.reject(new ConnectError("bad token", Code.Unauthenticated)),
      }
    : tokens?.authorizer;
  const server = createResultsServer({
    routes: createResultsRoutes({
      store,
      logs: createMemoryLogStore(),
      ...(authorizer ? { authorizer } : {}),
    }),
    store,
  });
  const { url } = await server.listen(0, "127.0.0.1");
  const token = Array.isArray(tokens) ? tokens[0] : tokens?.token;
  const transport = createGrpcTransport({
    baseUrl: url,
    interceptors: token
      ? [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${token}`);
            return next(req);
          },
        ]
      : [],
  });
  const client = createResultsClient(transport);

  const logs = createLogsClient(transport);
  const put = async (run: SeedRun, at = now): Promise<void> => {
    const resultName = resultOf(run);
    const result = resultName.split("/")[2]!;
    await client
      .createResult({ parent: run.namespace, result: { name: resultName } })
      .catch(() => undefined);
    const record = {
      name: formatRecordName(run.namespace, result, run.uid),
      data: jsonRecordData(`tekton.dev/v1.${run.kind}`, runObject(run, at)),
    };
    await client.createRecord({ parent: resultName, record }).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
      return client.updateRecord({ record });
    });
    if (run.log !== undefined) await storeLog(client, logs, run, run.log);
  };
  for (const run of runs) await put(run);
  return {
    url,
    client,
    logs,
    put,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

/** A test file's seeded server and a kubeconfig configured for it (see {@link useSeededCli}). */
export interface SeededCli {
  /** Run `tkn-results args... -k <kubeconfig>` at the fixed "now" (`TKN_RESULTS_NOW`). */
  run(...args: string[]): Promise<Outcome>;
  /** The server (started in `beforeAll`). */
  readonly server: SeededServer;
  /** The kubeconfig `config set --host` pointed at the server (namespace `default`). */
  readonly kubeconfig: string;
}

/**
 * Start a server seeded with `runs` before the file's tests (runs started seconds before `now`),
 * store its host with `config set` in a temporary kubeconfig, and close it after them.
 */
export function useSeededCli(
  runs: SeedRun[],
  now = "2026-11-20T12:00:00Z",
  env: NodeJS.ProcessEnv = {},
): SeededCli {
  let server: SeededServer | undefined;
  const kubeconfig = tempKubeconfig("default");
  beforeAll(async () => {
    server = await startSeededServer(runs, Date.parse(now));
    const set = await cli(["config", "set", `--host=${server.url}`, "-k", kubeconfig]);
    expect(set).toMatchObject({ code: 0, stderr: "" });
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    run: (...args) => cli([...args, "-k", kubeconfig], { TKN_RESULTS_NOW: now, ...env }),
    get server() {
      if (!server) throw new Error("the server starts in beforeAll");
      return server;
    },
    kubeconfig,
  };
}

/** Whether util-linux's `script` is there to give the program a pseudo-terminal. */
export const hasScript = spawnSync("script", ["--version"]).status === 0;

/**
 * Run the program on a pseudo-terminal; each time the screen shows `answers[i][0]`, type
 * `answers[i][1]`. Resolves with everything the terminal showed.
 */
export function onTerminal(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  answers: [string, string][] = [],
): Promise<string> {
  const command = [process.execPath, "--conditions=source", "--import", "tsx", BIN, ...args]
    .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
    .join(" ");
  return new Promise((done) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "", TERM: "xterm", ...env },
    });
    let screen = "";
    let next = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      screen += chunk.toString();
      const answer = answers[next];
      if (answer && screen.includes(answer[0])) {
        next++;
        child.stdin.write(answer[1]);
      }
    });
    child.on("exit", () => done(screen));
  });
}
