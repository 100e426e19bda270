/**
 * The commands speak upstream's REST paths (`<host><api-path>/apis/results.tekton.dev/v1alpha2/
 * parents/...`), so they work through a proxy that passes only those (a route, an ingress), with
 * an API path prefix, a token, a private CA or none checked, and a timeout; REST's errors read
 * as the same one line as before. Every case runs the program as a process.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createResultsClient } from "@tekton-results/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  issueCertificate,
  makeCa,
  selfSignedCertificate,
} from "../../server/test/support/tls-ca.js";
import { cli, startSeededServer, tempKubeconfig, type SeededServer } from "./support/cli.js";
import { startRestProxy, startSilentServer, type RestProxy } from "./support/proxy.js";

let server: SeededServer;
let proxy: RestProxy;
let tlsProxy: RestProxy;
let caFile: string;
let otherCaFile: string;

beforeAll(async () => {
  server = await startSeededServer(
    [
      {
        kind: "PipelineRun",
        namespace: "default",
        name: "build-1",
        uid: "u1",
        startedAgo: 60,
        took: 5,
        status: "True",
      },
    ],
    Date.now(),
    ["seed-token", "rest-token"],
  );
  proxy = await startRestProxy({ target: server.url, prefix: "/results-api" });
  const dir = mkdtempSync(join(tmpdir(), "tkn-results-tls-"));
  const ca = makeCa(dir);
  caFile = ca.certFile;
  otherCaFile = makeCa(dir, "other").certFile;
  const cert = issueCertificate(ca, dir);
  tlsProxy = await startRestProxy({ target: server.url, tls: { cert: cert.cert, key: cert.key } });
});
afterAll(async () => {
  await proxy?.close();
  await tlsProxy?.close();
  await server?.close();
});

const names = ["pipelinerun", "list", "-o", "name", "--token", "rest-token"];
const ok = { code: 0, stdout: "pipelinerun.tekton.dev/build-1\n", stderr: "" };

describe("over a proxy that passes only the REST paths", () => {
  it("lists with --api-path in front of /apis/..., the token reaching the server", async () => {
    const before = proxy.forwarded.length;
    const out = await cli([...names, "--host", proxy.url, "--api-path", "/results-api/"]);
    expect(out).toEqual(ok);
    const calls = proxy.forwarded.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toMatch(
      /^\/apis\/results\.tekton\.dev\/v1alpha2\/parents\/default\/results\/-\/records\?/,
    );
    const query = new URLSearchParams(calls[0]!.path.split("?")[1]);
    expect(query.get("order_by")).toBe("create_time desc");
    expect(query.get("page_size")).toBe("50");
    expect(query.get("filter")).toContain('data_type=="tekton.dev/v1.PipelineRun"');
    expect(calls[0]!.authorization).toBe("Bearer rest-token");
  });

  it("the stored api-path works as the flag does", async () => {
    const kc = tempKubeconfig();
    await cli(["config", "set", `--host=${proxy.url}`, "--api-path=/results-api", "-k", kc]);
    expect(await cli([...names, "-k", kc])).toEqual(ok);
  });

  it("gRPC and Connect paths do not pass it (what the old transport would have sent)", async () => {
    const grpcOverProxy = createResultsClient(
      createConnectTransport({ baseUrl: `${proxy.url}/results-api`, httpVersion: "1.1" }),
    );
    await expect(grpcOverProxy.listRecords({ parent: "default/results/-" })).rejects.toThrow(
      /404|not found|unimplemented/i,
    );
    expect(proxy.refused).toContain("/results-api/tekton.results.v1alpha2.Results/ListRecords");
  });

  it("without the API path: the proxy's own 404, in one line", async () => {
    expect(await cli([...names, "--host", proxy.url])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: NotFound: HTTP 404: 404 page not found; is --api-path (or 'tkn-results config set --api-path') right?\n",
    });
  });

  it("a refused token reads as over gRPC", async () => {
    const out = await cli([
      ...names.slice(0, 4),
      "--host",
      proxy.url,
      "--api-path",
      "/results-api",
      "--token",
      "nope",
    ]);
    expect(out).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: unauthenticated: bad token; set a token with --token or 'tkn-results config set --token'\n",
    });
  });
});

describe("TLS", () => {
  it("--certificate-authority trusts a private CA", async () => {
    expect(
      await cli([...names, "--host", tlsProxy.url, "--certificate-authority", caFile]),
    ).toEqual(ok);
  });

  it("config set stores certificate-authority; config view shows it", async () => {
    const kc = tempKubeconfig();
    await cli([
      "config",
      "set",
      `--host=${tlsProxy.url}`,
      `--certificate-authority=${caFile}`,
      "-k",
      kc,
    ]);
    expect((await cli(["config", "view", "-k", kc])).stdout).toContain(
      `certificate-authority: ${caFile}\n`,
    );
    expect(await cli([...names, "-k", kc])).toEqual(ok);
  });

  it("another CA: one line naming the flag to fix", async () => {
    const out = await cli([
      ...names,
      "--host",
      tlsProxy.url,
      "--certificate-authority",
      otherCaFile,
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(
      /^Error: .*: is --certificate-authority the CA that signed the server's certificate\?\n$/,
    );
  });

  it("no CA: the system's roots refuse it; --insecure-skip-tls-verify skips the check", async () => {
    const refused = await cli([...names, "--host", tlsProxy.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n")).toHaveLength(2);
    expect(await cli([...names, "--host", tlsProxy.url, "--insecure-skip-tls-verify"])).toEqual(ok);
  });

  it("a CA file that is not there: one line", async () => {
    expect(
      await cli([...names, "--host", tlsProxy.url, "--certificate-authority", "/nonexistent.crt"]),
    ).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: CA file /nonexistent.crt does not exist; see --certificate-authority\n",
    });
  });
});

describe("timeout", () => {
  it("--timeout ends a call the server does not answer, in one line", async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const out = await cli([...names, "--host", silent.url, "--timeout", "1500ms"]);
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(
        new RegExp(
          `^Error: the Results API at ${silent.url} did not answer within 1\\.5 s: .*\\n$`,
        ),
      );
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await silent.close();
    }
  });

  it("config set --timeout stores it (a Go duration); a bad one is refused in one line", async () => {
    const kc = tempKubeconfig();
    expect(
      await cli(["config", "set", `--host=${server.url}`, "--timeout=2m30s", "-k", kc]),
    ).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await cli(["config", "view", "-k", kc])).stdout).toContain("timeout: 2m30s\n");
    expect(await cli(["config", "set", "--timeout=soon", "-k", kc])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error: invalid timeout "soon"; give a duration such as 30s, 1m30s or 500ms\n',
    });
  });
});

describe("TLS: a bad server certificate is refused in one line naming it", () => {
  const proxies: RestProxy[] = [];
  let dir: string;
  let badCa: string;
  const bad: Record<"expired" | "selfSigned" | "elsewhere", string> = {
    expired: "",
    selfSigned: "",
    elsewhere: "",
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tkn-results-bad-tls-"));
    const ca = makeCa(dir);
    badCa = ca.certFile;
    const certs = {
      expired: issueCertificate(ca, dir, "expired", { expired: true }),
      selfSigned: selfSignedCertificate(dir),
      elsewhere: issueCertificate(ca, dir, "elsewhere", { altNames: ["DNS:elsewhere.example"] }),
    };
    for (const [name, c] of Object.entries(certs)) {
      const p = await startRestProxy({ target: server.url, tls: { cert: c.cert, key: c.key } });
      proxies.push(p);
      bad[name as keyof typeof bad] = p.url;
    }
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
  });

  it("an expired certificate; --insecure-skip-tls-verify takes it", async () => {
    const args = [...names, "--host", bad.expired];
    expect(await cli([...args, "--certificate-authority", badCa])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: certificate has expired: the server's certificate is outside its validity period (is it renewed, and the clocks right?)\n",
    });
    expect(await cli([...args, "--insecure-skip-tls-verify"])).toEqual(ok);
  });

  it("a self-signed certificate; --insecure-skip-tls-verify takes it", async () => {
    const args = [...names, "--host", bad.selfSigned];
    expect(await cli(args)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "Error: self-signed certificate: the server's certificate is signed by no CA; give its certificate as --certificate-authority, or serve one a trusted CA signed\n",
    });
    expect(await cli([...args, "--insecure-skip-tls-verify"])).toEqual(ok);
  });

  it("a certificate for another host; --insecure-skip-tls-verify takes it", async () => {
    const args = [...names, "--host", bad.elsewhere];
    const out = await cli([...args, "--certificate-authority", badCa]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(
      /^Error: Hostname\/IP does not match certificate's altnames: .*: connect by a name the certificate holds\n$/,
    );
    expect(await cli([...args, "--insecure-skip-tls-verify"])).toEqual(ok);
  });
});
