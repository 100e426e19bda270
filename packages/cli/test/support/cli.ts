/**
 * Runs the real `tkn-results` program (src/bin.ts) as a child process, and an in-test Results
 * API (the server's routes over a SQLite store) seeded with PipelineRuns and TaskRuns.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  Code,
  ConnectError,
  createResultsClient,
  formatRecordName,
  formatResultName,
  jsonRecordData,
} from "@tekton-results/client";
import { createResultsRoutes, createResultsServer } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";

export const ROOT = resolve(import.meta.dirname, "../../../..");
export const BIN = join(ROOT, "packages/cli/src/bin.ts");

/** What a run of the program left. */
export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `tkn-results args...` to completion; `stdin` is written then closed. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}, stdin = ""): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", BIN, ...args],
      {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, KUBECONFIG: "", NO_COLOR: "", ...env },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(stdin);
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
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
}

/** A Tekton run object, as the watcher stores it. */
export function runObject(run: SeedRun, now: number): object {
  const start = run.startedAgo === undefined ? undefined : now - run.startedAgo * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    apiVersion: "tekton.dev/v1",
    kind: run.kind,
    metadata: { name: run.name, namespace: run.namespace, uid: run.uid, labels: run.labels ?? {} },
    spec: {},
    status: {
      ...(start === undefined ? {} : { startTime: iso(start) }),
      ...(start !== undefined && run.took !== undefined
        ? { completionTime: iso(start + run.took * 1000) }
        : {}),
      ...(run.status
        ? { conditions: [{ type: "Succeeded", status: run.status, reason: run.reason ?? "" }] }
        : {}),
    },
  };
}

/** A running Results API with a seeded data set. */
export interface SeededServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Start a Results API on 127.0.0.1 and create `runs` in order (each its own Result). With
 * `tokens`, every call needs `Authorization: Bearer <one of them>` (else `Unauthenticated`).
 */
export async function startSeededServer(
  runs: SeedRun[],
  now = Date.now(),
  tokens?: string[],
): Promise<SeededServer> {
  const store = await createSqliteStore({ filename: ":memory:" });
  const authorizer = tokens && {
    authorize: ({ header }: { header: Headers }) =>
      tokens.some((t) => header.get("authorization") === `Bearer ${t}`)
        ? Promise.resolve()
        : Promise.reject(new ConnectError("bad token", Code.Unauthenticated)),
  };
  const server = createResultsServer({
    routes: createResultsRoutes({ store, ...(authorizer ? { authorizer } : {}) }),
    store,
  });
  const { url } = await server.listen(0, "127.0.0.1");
  const token = tokens?.[0];
  const client = createResultsClient(
    createGrpcTransport({
      baseUrl: url,
      interceptors: token
        ? [
            (next) => (req) => {
              req.header.set("authorization", `Bearer ${token}`);
              return next(req);
            },
          ]
        : [],
    }),
  );
  for (const run of runs) {
    const result = run.labels?.["tekton.dev/pipelineRun"] ?? run.name;
    const resultName = formatResultName(run.namespace, result);
    await client
      .createResult({ parent: run.namespace, result: { name: resultName } })
      .catch(() => undefined);
    await client.createRecord({
      parent: resultName,
      record: {
        name: formatRecordName(run.namespace, result, run.uid),
        data: jsonRecordData(`tekton.dev/v1.${run.kind}`, runObject(run, now)),
      },
    });
  }
  return {
    url,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}
