/**
 * End-to-end: the watcher command against the Results API over TLS, with a
 * CA made here by `openssl`. With `--api-ca-file` it stores a run; with the
 * CA of someone else every call fails at once with the certificate problem
 * and the flag to check named, and the run stays unstored; an unusable CA
 * file stops the command at start. Its API connection (the one `createWatcher`
 * builds) names an expired, a self-signed and a wrong-host certificate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { createResultsClient } from "@tekton-results/client";
import { trustCa } from "@tekton-results/client/node";
import { createJsonLogger } from "@tekton-results/runtime";
import {
  createResultsRoutes,
  createResultsServer,
  type ResultsServer,
} from "@tekton-results/server";
import { createSqliteStore, type SqliteStore } from "@tekton-results/storage-sqlite";
import {
  issueCertificate,
  makeCa,
  selfSignedCertificate,
  type TestCa,
} from "../../server/test/support/tls-ca.js";
import { apiTlsOptions, tlsErrorInterceptor } from "../src/api-tls.js";
import { createApiConnection } from "../src/api-transport.js";
import { EXIT_FAILURE, main } from "../src/main.js";
import type { Watcher } from "../src/watcher.js";
import { pipelineRunObject, setStatus, waitFor } from "./stack.js";

describe("e2e: the watcher over TLS", () => {
  let dir: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let kube: KubeFake;
  let store: SqliteStore;
  let server: ResultsServer;
  let apiUrl: string;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "watcher-tls-"));
    ca = makeCa(dir);
    otherCa = makeCa(dir, "other");
    const leaf = issueCertificate(ca, dir);
    kube = await createKubeFake();
    kubeconfig = join(dir, "kubeconfig");
    await kube.writeKubeconfig(kubeconfig);
    store = await createSqliteStore({ filename: ":memory:" });
    server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      tls: { certFile: leaf.certFile, keyFile: leaf.keyFile },
    });
    apiUrl = (await server.listen(0, "127.0.0.1")).url;
  });

  afterAll(async () => {
    await server?.close({ deadlineMs: 0 });
    await store?.close();
    await kube?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Run the command with `flags` until `body` is done; its exit code and log lines. */
  async function runWatcher(
    flags: string[],
    body: (lines: string[]) => Promise<void>,
  ): Promise<{ code: number; lines: string[] }> {
    let stop!: () => void;
    let started: Watcher | undefined;
    const lines: string[] = [];
    const exit = main(
      ["--kubeconfig", kubeconfig, "--metrics-addr", "", "--leader-elect=false", ...flags],
      {
        env: {},
        stop: new Promise<void>((r) => (stop = r)),
        logger: createJsonLogger({ level: "debug", write: (l) => lines.push(l) }),
        onStarted: (w) => (started = w),
      },
    );
    const first = await Promise.race([exit, waitFor(() => started, "started")]);
    if (typeof first === "number") return { code: first, lines };
    try {
      await body(lines);
    } finally {
      stop();
    }
    return { code: await exit, lines };
  }

  const stored = (name: string) =>
    kube.get("tekton.dev/v1", "PipelineRun", "ns", name)?.metadata.annotations?.[
      "results.tekton.dev/stored"
    ] === "true";

  it("stores a run through an https:// API with --api-ca-file", async () => {
    const { code } = await runWatcher(
      ["--api-url", apiUrl, "--api-ca-file", ca.certFile, "--api-server-name", "localhost"],
      async () => {
        const pr = kube.create(pipelineRunObject("over-tls"));
        setStatus(kube, pr, "Succeeded");
        await waitFor(() => stored("over-tls"), "stored over TLS");
      },
    );
    expect(code).toBe(0);
    const client = createResultsClient(
      createGrpcTransport({ baseUrl: apiUrl, ...trustCa({ caFile: ca.certFile }) }),
    );
    const records = await client.listRecords({ parent: "ns/results/-" });
    expect(records.records.map((r) => r.data?.type)).toContain("tekton.dev/v1.PipelineRun");
  });

  it("fails each call with the certificate problem named when the CA is not the server's", async () => {
    const { code } = await runWatcher(
      ["--api-url", apiUrl, "--api-ca-file", otherCa.certFile],
      async (lines) => {
        const pr = kube.create(pipelineRunObject("wrong-ca"));
        setStatus(kube, pr, "Succeeded");
        await waitFor(
          () =>
            lines.some((l) =>
              l.includes(
                "unable to verify the first certificate: is --api-ca-file the CA that signed the server's certificate?",
              ),
            ),
          "the certificate error logged",
        );
        expect(stored("wrong-ca")).toBe(false);
      },
    );
    expect(code).toBe(0);
  });

  it("exits 1 at start when the CA file is missing", async () => {
    const missing = join(dir, "missing-ca.crt");
    const { code, lines } = await runWatcher(
      ["--api-url", apiUrl, "--api-ca-file", missing],
      async () => {},
    );
    expect(code).toBe(EXIT_FAILURE);
    expect(lines.join("\n")).toContain(`CA file ${missing} does not exist`);
  });
});

describe("the watcher's API connection refuses a bad certificate, naming it", () => {
  let dir: string;
  let ca: TestCa;
  let store: SqliteStore;
  const servers: ResultsServer[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "watcher-bad-tls-"));
    ca = makeCa(dir);
    store = await createSqliteStore({ filename: ":memory:" });
  });
  afterAll(async () => {
    for (const s of servers) await s.close({ deadlineMs: 0 });
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The message of one call through the connection `createWatcher` builds from these flags. */
  async function failure(
    cert: { certFile: string; keyFile: string },
    flags: { apiCaFile?: string; apiServerName?: string },
  ): Promise<string> {
    const server = createResultsServer({ routes: createResultsRoutes({ store }), tls: cert });
    servers.push(server);
    const url = (await server.listen(0, "127.0.0.1")).url;
    const tls = apiTlsOptions(flags);
    const connection = createApiConnection(url, {
      ...(tls ? { tls } : {}),
      interceptors: [tlsErrorInterceptor()],
    });
    try {
      const client = createResultsClient(connection.transport);
      return await client.listResults({ parent: "ns" }).then(
        () => "the call succeeded",
        // The message without connect's "[code] " prefix.
        (e: unknown) => (e as Error).message.replace(/^\[[a-z_]+\] /, ""),
      );
    } finally {
      connection.close();
    }
  }

  it("an expired certificate", async () => {
    const leaf = issueCertificate(ca, dir, "expired", { expired: true });
    expect(await failure(leaf, { apiCaFile: ca.certFile })).toBe(
      "certificate has expired: the server's certificate is outside its validity period (is it renewed, and the clocks right?)",
    );
  });

  it("a self-signed certificate", async () => {
    const leaf = selfSignedCertificate(dir);
    expect(await failure(leaf, {})).toBe(
      "self-signed certificate: the server's certificate is signed by no CA; give its certificate as --api-ca-file, or serve one a trusted CA signed",
    );
  });

  it("a certificate for another host", async () => {
    const leaf = issueCertificate(ca, dir, "elsewhere", { altNames: ["DNS:elsewhere.example"] });
    expect(await failure(leaf, { apiCaFile: ca.certFile })).toMatch(
      /^Hostname\/IP does not match certificate's altnames: .*: connect by a name the certificate holds, or set --api-server-name$/,
    );
  });
});
