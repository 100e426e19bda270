/**
 * End-to-end: the API over TLS with a CA made here by `openssl`. The server
 * program answers gRPC, Connect (HTTP/2 and HTTP/1.1), gRPC-Web and REST on
 * one port; a rotated certificate (written in place, or swapped in by the
 * kubelet's `..data` symlink) is served without a restart; a wrong CA fails
 * with the certificate problem named; a minimum version refuses older clients;
 * unusable files stop the program at start.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { Results } from "@tekton-results/proto";
import type { Logger } from "@tekton-results/runtime";
import { createSqliteStore, type SqliteStore } from "@tekton-results/storage-sqlite";
import {
  createResultsRoutes,
  createResultsServer,
  main,
  type ResultsServer,
} from "../src/index.js";
import { loadClientCa } from "../src/tls.js";
import { runToExit, startMain, type Running } from "./support/program.js";
import { issueCertificate, makeCa, type TestCa } from "./support/tls-ca.js";

const REST = "/apis/results.tekton.dev/v1alpha2/parents";

/** The TLS handshake's outcome with `options`: the serial and ALPN protocol served, or the error. */
function handshake(
  url: string,
  options: tls.ConnectionOptions,
): Promise<{ serial: string; alpn: string | false | null } | Error> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ...options }, () => {
      resolve({ serial: socket.getPeerCertificate().serialNumber, alpn: socket.alpnProtocol });
      socket.end();
    });
    socket.on("error", resolve);
  });
}

/** One HTTPS request (HTTP/1.1) trusting `ca`. */
function httpsRequest(
  url: string,
  ca: string,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? "GET", ca }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

function capture(): { logger: Logger; lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg: string): void => {
      lines.push({ level, msg, obj });
    };
  return {
    lines,
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  };
}

let dir: string;
let ca: TestCa;
let otherCa: TestCa;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "results-tls-"));
  ca = makeCa(dir);
  otherCa = makeCa(dir, "other");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the server program over TLS (e2e)", () => {
  let server: Running;
  let serial: string;

  beforeAll(async () => {
    const leaf = issueCertificate(ca, dir, "program");
    serial = leaf.serial;
    server = await startMain([
      "--database",
      "sqlite::memory:",
      "--no-logs",
      "--tls-cert-file",
      leaf.certFile,
      "--tls-key-file",
      leaf.keyFile,
    ]);
  }, 60_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGKILL");
      await server.exit;
    }
  });

  it("logs https and the certificate file at start", () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const line = server
      .stderr()
      .split("\n")
      .find((l) => l.includes('"msg":"listening"'));
    expect(JSON.parse(line!)).toMatchObject({
      tls: { certFile: join(dir, "program.crt"), minVersion: "TLSv1.2", serial },
    });
  });

  it("offers HTTP/2 and HTTP/1.1 by ALPN", async () => {
    expect(await handshake(server.url, { ca: ca.pem, ALPNProtocols: ["h2"] })).toEqual({
      serial,
      alpn: "h2",
    });
    expect(await handshake(server.url, { ca: ca.pem, ALPNProtocols: ["http/1.1"] })).toEqual({
      serial,
      alpn: "http/1.1",
    });
  });

  it("answers gRPC, Connect over HTTP/2 and HTTP/1.1, gRPC-Web and REST", async () => {
    const nodeOptions = { ca: ca.pem };
    const grpc = createClient(Results, createGrpcTransport({ baseUrl: server.url, nodeOptions }));
    const connect2 = createClient(
      Results,
      createConnectTransport({ baseUrl: server.url, httpVersion: "2", nodeOptions }),
    );
    const connect1 = createClient(
      Results,
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions }),
    );
    const grpcWeb = createClient(
      Results,
      createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions }),
    );
    const created = await grpc.createResult({ parent: "tls", result: { name: "tls/results/a" } });
    expect((await connect2.getResult({ name: "tls/results/a" })).uid).toBe(created.uid);
    expect((await connect1.getResult({ name: "tls/results/a" })).uid).toBe(created.uid);
    expect((await grpcWeb.listResults({ parent: "tls" })).results.map((r) => r.uid)).toEqual([
      created.uid,
    ]);
    const rest = await httpsRequest(`${server.url}${REST}/tls/results/a`, ca.pem);
    expect(rest.status).toBe(200);
    expect(JSON.parse(rest.body)).toMatchObject({ uid: created.uid });
    const made = await httpsRequest(`${server.url}${REST}/tls/results`, ca.pem, {
      method: "POST",
      body: JSON.stringify({ name: "tls/results/b" }),
    });
    expect(made.status).toBe(200);
    expect((await grpc.getResult({ name: "tls/results/b" })).name).toBe("tls/results/b");
  });

  it("serves /healthz, /readyz and /metrics on the same port", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      expect(await httpsRequest(server.url + path, ca.pem)).toEqual({ status: 200, body: "ok\n" });
    }
    const metrics = await httpsRequest(`${server.url}/metrics`, ca.pem);
    expect(metrics.status).toBe(200);
  });

  it("fails a client of another CA with the certificate problem, at once", async () => {
    const client = createClient(
      Results,
      createGrpcTransport({ baseUrl: server.url, nodeOptions: { ca: otherCa.pem } }),
    );
    const started = Date.now();
    await expect(client.listResults({ parent: "-" })).rejects.toThrow(
      /unable to verify the first certificate/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(httpsRequest(`${server.url}/healthz`, otherCa.pem)).rejects.toThrow(
      /unable to verify the first certificate/,
    );
  });

  it("stops gracefully on SIGTERM with exit code 0", async () => {
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    expect(server.stderr()).toContain('"msg":"stopped"');
  });
});

describe("TLS versions (e2e)", () => {
  let store: SqliteStore;
  let server: ResultsServer | undefined;
  beforeAll(async () => {
    store = await createSqliteStore({ filename: ":memory:" });
  });
  afterAll(async () => {
    await server?.close({ deadlineMs: 0 });
    await store.close();
  });

  it("refuses a TLS 1.2 client with --tls-min-version TLSv1.3, takes it by default", async () => {
    const leaf = issueCertificate(ca, dir, "versions");
    const files = { certFile: leaf.certFile, keyFile: leaf.keyFile };
    server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      tls: { ...files, minVersion: "TLSv1.3" },
    });
    const strict = await server.listen(0, "127.0.0.1");
    const old = await handshake(strict.url, { ca: ca.pem, maxVersion: "TLSv1.2" });
    expect(old).toBeInstanceOf(Error);
    expect(String(old)).toMatch(/protocol version|unsupported protocol/i);
    expect(await handshake(strict.url, { ca: ca.pem })).toMatchObject({ serial: leaf.serial });
    await server.close({ deadlineMs: 0 });

    server = createResultsServer({ routes: createResultsRoutes({ store }), store, tls: files });
    const lenient = await server.listen(0, "127.0.0.1");
    expect(await handshake(lenient.url, { ca: ca.pem, maxVersion: "TLSv1.2" })).toMatchObject({
      serial: leaf.serial,
    });
  });
});

describe("connections over TLS (e2e)", () => {
  it("drops a connection that sends nothing after its handshake, and drains", async () => {
    const store = await createSqliteStore({ filename: ":memory:" });
    const leaf = issueCertificate(ca, dir, "silent");
    const server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      handshakeTimeoutMs: 300,
      tls: { certFile: leaf.certFile, keyFile: leaf.keyFile },
    });
    const { url, port } = await server.listen(0, "127.0.0.1");
    const started = Date.now();
    const closed = await new Promise<number>((resolve) => {
      const socket = tls.connect({
        host: "127.0.0.1",
        port,
        ca: ca.pem,
        ALPNProtocols: ["http/1.1"],
      });
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(Date.now() - started));
    });
    expect(closed).toBeGreaterThanOrEqual(250);
    expect(closed).toBeLessThan(5_000);
    // An idle keep-alive connection does not hold up the drain.
    const agent = new https.Agent({ keepAlive: true, ca: ca.pem });
    await new Promise<void>((resolve, reject) =>
      https
        .get(`${url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on("end", resolve);
        })
        .on("error", reject),
    );
    const drained = Date.now();
    await server.close({ deadlineMs: 5_000 });
    expect(Date.now() - drained).toBeLessThan(2_000);
    agent.destroy();
    await store.close();
  });
});

describe("certificate rotation without a restart (e2e)", () => {
  let store: SqliteStore;
  const servers: ResultsServer[] = [];
  beforeAll(async () => {
    store = await createSqliteStore({ filename: ":memory:" });
  });
  afterAll(async () => {
    for (const s of servers) await s.close({ deadlineMs: 0 });
    await store.close();
  });

  async function serve(certFile: string, keyFile: string, logger?: Logger): Promise<string> {
    const server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      ...(logger ? { logger } : {}),
      // Only the directory watch and new connections notice the change here.
      tls: { certFile, keyFile, reloadCheckMs: 0 },
    });
    servers.push(server);
    return (await server.listen(0, "127.0.0.1")).url;
  }

  /** Poll new connections until one is served `serial`. */
  async function waitForSerial(url: string, serial: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    let last: Awaited<ReturnType<typeof handshake>> | undefined;
    while (Date.now() < deadline) {
      last = await handshake(url, { ca: ca.pem });
      if (!(last instanceof Error) && last.serial === serial) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`serial ${serial} not served; last: ${JSON.stringify(last)}`);
  }

  it("serves new files written in place, and keeps the old certificate while they do not load", async () => {
    const live = join(dir, "in-place");
    mkdirSync(live);
    const first = issueCertificate(ca, live, "tls");
    const { logger, lines } = capture();
    const url = await serve(first.certFile, first.keyFile, logger);
    expect(await handshake(url, { ca: ca.pem })).toMatchObject({ serial: first.serial });

    // A new certificate whose key is not written yet: not loadable, the old one stays.
    const next = issueCertificate(ca, dir, "in-place-next");
    writeFileSync(first.certFile, next.cert);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await handshake(url, { ca: ca.pem })).toMatchObject({ serial: first.serial });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "cannot reload the TLS certificate; still serving the previous one",
      }),
    );
    expect(JSON.stringify(lines)).toContain("does not match the certificate");

    writeFileSync(first.keyFile, next.key);
    await waitForSerial(url, next.serial);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "info", msg: "TLS certificate reloaded" }),
    );
  });

  it("serves the certificate a kubelet swaps in with the ..data symlink", async () => {
    // The layout of a Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>.
    const volume = join(dir, "secret-volume");
    mkdirSync(volume);
    const v1 = join(volume, "..2026_01_01_00_00_00.1");
    mkdirSync(v1);
    const first = issueCertificate(ca, v1, "tls");
    symlinkSync("..2026_01_01_00_00_00.1", join(volume, "..data"));
    symlinkSync("..data/tls.crt", join(volume, "tls.crt"));
    symlinkSync("..data/tls.key", join(volume, "tls.key"));
    const url = await serve(join(volume, "tls.crt"), join(volume, "tls.key"));
    expect(await handshake(url, { ca: ca.pem })).toMatchObject({ serial: first.serial });

    const v2 = join(volume, "..2026_02_01_00_00_00.2");
    mkdirSync(v2);
    const second = issueCertificate(ca, v2, "tls");
    symlinkSync("..2026_02_01_00_00_00.2", join(volume, "..data_tmp"));
    renameSync(join(volume, "..data_tmp"), join(volume, "..data"));
    rmSync(v1, { recursive: true });
    await waitForSerial(url, second.serial);
  });
});

describe("unusable TLS files at start (e2e)", () => {
  it("exits 1 naming a missing file, without a stack", async () => {
    const { code, stderr } = await runToExit([
      "--database",
      "sqlite::memory:",
      "--tls-cert-file",
      join(dir, "nope.crt"),
      "--tls-key-file",
      join(dir, "nope.key"),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`TLS certificate file ${join(dir, "nope.crt")} does not exist`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 1 when the key is not the certificate's, reading TLS_PATH as upstream does", async () => {
    const tlsPath = join(dir, "mismatched");
    mkdirSync(tlsPath);
    issueCertificate(ca, tlsPath, "tls");
    const other = issueCertificate(ca, dir, "mismatched-other");
    writeFileSync(join(tlsPath, "tls.key"), other.key);
    const { logger, lines } = capture();
    const code = await main(
      ["--database", "sqlite::memory:", "--no-logs", "--port", "0"],
      { TLS_PATH: tlsPath },
      { logger, stop: new Promise(() => {}) },
    );
    expect(code).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: `cannot serve TLS: the TLS key in ${join(tlsPath, "tls.key")} does not match the certificate in ${join(tlsPath, "tls.crt")}`,
      }),
    );
  });

  it("serves with the files of TLS_PATH", async () => {
    const tlsPath = join(dir, "tls-path");
    mkdirSync(tlsPath);
    const leaf = issueCertificate(ca, tlsPath, "tls");
    let stop!: () => void;
    let url = "";
    const done = main(
      ["--database", "sqlite::memory:", "--no-logs", "--host", "127.0.0.1", "--port", "0"],
      { TLS_PATH: tlsPath },
      {
        logger: capture().logger,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
      },
    );
    while (url === "") await new Promise((r) => setTimeout(r, 10));
    expect(url).toMatch(/^https:/);
    expect(await handshake(url, { ca: ca.pem })).toMatchObject({ serial: leaf.serial });
    stop();
    expect(await done).toBe(0);
  });
});

/** A GET over HTTPS (HTTP/1.1) with `options` (CA, client certificate): the status, or the error. */
function getWith(url: string, options: https.RequestOptions): Promise<number | Error> {
  return new Promise((resolve) => {
    const req = https.request(url, { ...options, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", resolve);
    req.end();
  });
}

describe("client certificates: mutual TLS (e2e)", () => {
  let store: SqliteStore;
  const servers: ResultsServer[] = [];
  let good: { cert: string; key: string };
  let foreign: { cert: string; key: string };
  beforeAll(async () => {
    store = await createSqliteStore({ filename: ":memory:" });
    const g = issueCertificate(ca, dir, "mtls-client", { client: true });
    const f = issueCertificate(otherCa, dir, "mtls-foreign", { client: true });
    good = { cert: g.cert, key: g.key };
    foreign = { cert: f.cert, key: f.key };
  });
  afterAll(async () => {
    for (const s of servers) await s.close({ deadlineMs: 0 });
    await store.close();
  });

  async function serve(
    name: string,
    clientAuth: "request" | "require" | undefined,
    minVersion?: "TLSv1.3",
  ): Promise<{ url: string; certFile: string }> {
    const leaf = issueCertificate(ca, dir, name);
    const server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      tls: {
        certFile: leaf.certFile,
        keyFile: leaf.keyFile,
        clientCaFile: ca.certFile,
        reloadCheckMs: 0,
        ...(minVersion ? { minVersion } : {}),
        ...(clientAuth ? { clientAuth } : {}),
      },
    });
    servers.push(server);
    return { url: (await server.listen(0, "127.0.0.1")).url, certFile: leaf.certFile };
  }

  it("require (the default): refuses a client without a certificate or with another CA's, at the handshake", async () => {
    const { url } = await serve("mtls-require", undefined);
    const none = await getWith(`${url}/healthz`, { ca: ca.pem });
    expect(none).toBeInstanceOf(Error);
    expect(String(none)).toMatch(
      /certificate required|handshake failure|socket hang up|ECONNRESET/i,
    );
    const other = await getWith(`${url}/healthz`, { ca: ca.pem, ...foreign });
    expect(other).toBeInstanceOf(Error);
    expect(String(other)).toMatch(/unknown ca|bad certificate|socket hang up|ECONNRESET/i);
    expect(await getWith(`${url}/healthz`, { ca: ca.pem, ...good })).toBe(200);
    // gRPC over HTTP/2 too.
    const refused = createClient(
      Results,
      createGrpcTransport({ baseUrl: url, nodeOptions: { ca: ca.pem } }),
    );
    await expect(refused.listResults({ parent: "-" })).rejects.toThrow();
    const grpc = createClient(
      Results,
      createGrpcTransport({ baseUrl: url, nodeOptions: { ca: ca.pem, ...good } }),
    );
    expect((await grpc.listResults({ parent: "-" })).results).toBeDefined();
  });

  it("request: serves a client without a certificate, not one with another CA's", async () => {
    const { url } = await serve("mtls-request", "request");
    expect(await getWith(`${url}/healthz`, { ca: ca.pem })).toBe(200);
    expect(await getWith(`${url}/healthz`, { ca: ca.pem, ...good })).toBe(200);
    const other = await getWith(`${url}/healthz`, { ca: ca.pem, ...foreign });
    expect(other).toBeInstanceOf(Error);
  });

  it("keeps requiring client certificates, and the minimum version, after the server's certificate is reloaded", async () => {
    const { url, certFile } = await serve("mtls-reload", "require", "TLSv1.3");
    const next = issueCertificate(ca, dir, "mtls-reload-next");
    writeFileSync(certFile.replace(/\.crt$/, ".key"), next.key);
    writeFileSync(certFile, next.cert);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const seen = await handshake(url, { ca: ca.pem, ...good });
      if (!(seen instanceof Error) && seen.serial === next.serial) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await handshake(url, { ca: ca.pem, ...good })).toMatchObject({ serial: next.serial });
    expect(await getWith(`${url}/healthz`, { ca: ca.pem })).toBeInstanceOf(Error);
    expect(await getWith(`${url}/healthz`, { ca: ca.pem, ...good })).toBe(200);
    const old = await handshake(url, { ca: ca.pem, ...good, maxVersion: "TLSv1.2" });
    expect(String(old)).toMatch(/protocol version|unsupported protocol/i);
  });

  it("the program: --tls-client-ca and --tls-client-auth, logged at start; a client CA file that is not there stops it", async () => {
    const leaf = issueCertificate(ca, dir, "mtls-program");
    const serving = [
      ...["--database", "sqlite::memory:", "--no-logs", "--port", "0"],
      ...["--tls-cert-file", leaf.certFile, "--tls-key-file", leaf.keyFile],
    ];
    let stop!: () => void;
    let url = "";
    const { logger, lines } = capture();
    const done = main(
      [...serving, "--host", "127.0.0.1"],
      { TLS_CLIENT_CA: ca.certFile, TLS_CLIENT_AUTH: "require" },
      { logger, stop: new Promise<void>((r) => (stop = r)), onListening: (a) => (url = a.url) },
    );
    while (url === "") await new Promise((r) => setTimeout(r, 10));
    expect(await getWith(`${url}/healthz`, { ca: ca.pem })).toBeInstanceOf(Error);
    expect(await getWith(`${url}/healthz`, { ca: ca.pem, ...good })).toBe(200);
    expect(lines.find((l) => l.msg === "listening")?.obj).toMatchObject({
      tls: { clientCaFile: ca.certFile, clientAuth: "require" },
    });
    stop();
    expect(await done).toBe(0);

    const missing = join(dir, "no-client-ca.crt");
    const failed = capture();
    const code = await main(
      [...serving, "--tls-client-ca", missing],
      {},
      { logger: failed.logger, stop: new Promise(() => {}) },
    );
    expect(code).toBe(1);
    expect(failed.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: `cannot serve TLS: TLS client CA file ${missing} does not exist`,
      }),
    );
    expect(() => loadClientCa(leaf.certFile)).toThrow(
      `TLS client CA file ${leaf.certFile} holds a certificate that is not a CA`,
    );
    expect(() => loadClientCa(leaf.keyFile)).toThrow(/holds no PEM certificate/);
  });
});
