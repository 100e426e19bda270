/**
 * The Node-only subpath against the real server over TLS, with a CA made
 * here by `openssl`: `trustCa` makes connect-node's transports trust it, and
 * `explainTlsError` names what a wrong CA, a wrong host name or a cleartext
 * server is.
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
import { issueCertificate, makeCa, type TestCa } from "../../server/test/support/tls-ca.js";
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
