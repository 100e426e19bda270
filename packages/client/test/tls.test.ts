/**
 * The Node-only subpath against the real server over TLS, with a CA made
 * here by `openssl`: `trustCa` makes connect-node's transports trust it, and
 * `explainTlsError` names what a wrong CA, a wrong host name, an expired or
 * self-signed certificate or a cleartext server is; a client certificate is
 * presented to a server that requires one (mutual TLS).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import {
  createResultsRoutes,
  createResultsServer,
  type ResultsServer,
} from "@tekton-results/server";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import {
  issueCertificate,
  makeCa,
  selfSignedCertificate,
  type TestCa,
} from "../../server/test/support/tls-ca.js";
import { createResultsClient } from "../src/index.js";
import { CaFileError, explainTlsError, readCaFile, trustCa } from "../src/node/index.js";

describe("trusting a private CA (Node)", () => {
  let dir: string;
  let ca: TestCa;
  let other: TestCa;
  let server: ResultsServer;
  let plain: ResultsServer;
  let url: string;
  let plainUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "client-tls-"));
    ca = makeCa(dir);
    other = makeCa(dir, "other");
    const leaf = issueCertificate(ca, dir);
    const routes = createResultsRoutes({ store: createMemoryStore() });
    server = createResultsServer({
      routes,
      tls: { certFile: leaf.certFile, keyFile: leaf.keyFile },
    });
    url = (await server.listen(0, "127.0.0.1")).url;
    plain = createResultsServer({ routes });
    plainUrl = (await plain.listen(0, "127.0.0.1")).url;
  });

  afterAll(async () => {
    await server?.close({ deadlineMs: 0 });
    await plain?.close({ deadlineMs: 0 });
    rmSync(dir, { recursive: true, force: true });
  });

  it("calls over gRPC (HTTP/2) and Connect (HTTP/1.1) with the CA file", async () => {
    const grpc = createResultsClient(
      createGrpcTransport({ baseUrl: url, ...trustCa({ caFile: ca.certFile }) }),
    );
    const connect = createResultsClient(
      createConnectTransport({ baseUrl: url, httpVersion: "1.1", ...trustCa({ ca: ca.pem }) }),
    );
    await grpc.createResult({ parent: "ns", result: { name: "ns/results/a" } });
    expect((await connect.listResults({ parent: "ns" })).results.map((r) => r.name)).toEqual([
      "ns/results/a",
    ]);
  });

  it("checks the certificate against serverName when the URL's host is not in it", async () => {
    const port = new URL(url).port;
    const byName = createResultsClient(
      createGrpcTransport({
        baseUrl: `https://127.0.0.1:${port}`,
        ...trustCa({ caFile: ca.certFile, serverName: "localhost" }),
      }),
    );
    expect((await byName.listResults({ parent: "ns" })).results).toHaveLength(1);
    const wrongName = createResultsClient(
      createGrpcTransport({ baseUrl: url, ...trustCa({ ca: ca.pem, serverName: "elsewhere" }) }),
    );
    const err = await wrongName.listResults({ parent: "ns" }).catch((e: unknown) => e);
    expect(explainTlsError(err, { serverName: "--api-server-name" })).toMatch(
      /elsewhere.*connect by a name the certificate holds, or set --api-server-name/,
    );
  });

  it("explains a wrong CA, and a cleartext server, at once", async () => {
    const client = createResultsClient(
      createGrpcTransport({ baseUrl: url, ...trustCa({ ca: other.pem }) }),
    );
    const started = Date.now();
    const err = await client.listResults({ parent: "ns" }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(explainTlsError(err, { ca: "--api-ca-file" })).toBe(
      "unable to verify the first certificate: is --api-ca-file the CA that signed the server's certificate?",
    );
    expect(explainTlsError(err)).toContain("is the CA (caFile) the CA");
    expect(explainTlsError(new Error("not TLS"))).toBeUndefined();

    // https:// to the cleartext port.
    const cleartext = createResultsClient(
      createConnectTransport({
        baseUrl: plainUrl.replace(/^http:/, "https:"),
        httpVersion: "1.1",
        ...trustCa({ ca: ca.pem }),
      }),
    );
    const wrongScheme = await cleartext.listResults({ parent: "ns" }).catch((e: unknown) => e);
    expect(explainTlsError(wrongScheme)).toMatch(/does not speak TLS here/);
  });

  it("refuses a CA file that is missing or holds no certificate", () => {
    expect(() => trustCa({ caFile: join(dir, "missing.crt") })).toThrow(CaFileError);
    expect(() => readCaFile(join(dir, "missing.crt"))).toThrow(/missing\.crt does not exist/);
    expect(() => readCaFile(join(dir, "ca.key"))).toThrow(/holds no PEM certificate/);
    expect(trustCa({})).toEqual({ nodeOptions: {} });
  });
});

describe("refusing a bad server certificate, and mutual TLS (Node)", () => {
  let dir: string;
  let ca: TestCa;
  const servers: ResultsServer[] = [];
  const routes = createResultsRoutes({ store: createMemoryStore() });

  async function serve(tls: Parameters<typeof createResultsServer>[0]["tls"]): Promise<string> {
    const server = createResultsServer({ routes, tls });
    servers.push(server);
    return (await server.listen(0, "127.0.0.1")).url;
  }

  /** The explained error of one call over gRPC to `url` with `trust`. */
  async function failure(url: string, trust: Parameters<typeof trustCa>[0]): Promise<string> {
    const client = createResultsClient(createGrpcTransport({ baseUrl: url, ...trustCa(trust) }));
    const err = await client.listResults({ parent: "ns" }).then(
      () => new Error("the call succeeded"),
      (e: unknown) => e,
    );
    return explainTlsError(err) ?? `not explained: ${String(err)}`;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "client-bad-tls-"));
    ca = makeCa(dir);
  });

  afterAll(async () => {
    for (const s of servers) await s.close({ deadlineMs: 0 });
    rmSync(dir, { recursive: true, force: true });
  });

  it("names an expired certificate", async () => {
    const leaf = issueCertificate(ca, dir, "expired", { expired: true });
    const url = await serve({ certFile: leaf.certFile, keyFile: leaf.keyFile });
    expect(await failure(url, { ca: ca.pem })).toBe(
      "certificate has expired: the server's certificate is outside its validity period (is it renewed, and the clocks right?)",
    );
  });

  it("names a self-signed certificate", async () => {
    const leaf = selfSignedCertificate(dir);
    const url = await serve({ certFile: leaf.certFile, keyFile: leaf.keyFile });
    expect(await failure(url, {})).toBe(
      "self-signed certificate: the server's certificate is signed by no CA; give its certificate as the CA (caFile), or serve one a trusted CA signed",
    );
    // Trusted as its own CA, it serves.
    const trusted = createResultsClient(
      createGrpcTransport({ baseUrl: url, ...trustCa({ caFile: leaf.certFile }) }),
    );
    expect((await trusted.listResults({ parent: "ns" })).results).toEqual([]);
  });

  it("names a certificate for another host", async () => {
    const leaf = issueCertificate(ca, dir, "elsewhere", { altNames: ["DNS:elsewhere.example"] });
    const url = await serve({ certFile: leaf.certFile, keyFile: leaf.keyFile });
    expect(await failure(url, { ca: ca.pem })).toMatch(
      /^Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list: .*: connect by a name the certificate holds, or set serverName$/,
    );
  });

  it("presents a client certificate to a server that requires one", async () => {
    const leaf = issueCertificate(ca, dir, "mtls-server");
    const client = issueCertificate(ca, dir, "mtls-client", { client: true });
    const other = makeCa(dir, "other-client-ca");
    const foreign = issueCertificate(other, dir, "mtls-foreign", { client: true });
    const url = await serve({
      certFile: leaf.certFile,
      keyFile: leaf.keyFile,
      clientCaFile: ca.certFile,
      clientAuth: "require",
    });
    const call = (trust: Parameters<typeof trustCa>[0]) =>
      createResultsClient(createGrpcTransport({ baseUrl: url, ...trustCa(trust) })).listResults({
        parent: "ns",
      });
    await expect(call({ ca: ca.pem })).rejects.toThrow();
    await expect(
      call({ ca: ca.pem, clientCertFile: foreign.certFile, clientKeyFile: foreign.keyFile }),
    ).rejects.toThrow();
    expect(
      (await call({ ca: ca.pem, clientCertFile: client.certFile, clientKeyFile: client.keyFile }))
        .results,
    ).toEqual([]);
    expect(() => trustCa({ clientCertFile: client.certFile })).toThrow(/go together/);
    expect(() =>
      trustCa({ clientCertFile: client.certFile, clientKeyFile: join(dir, "none.key") }),
    ).toThrow(/client key file .*none\.key does not exist/);
  });
});
