import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { Results } from "@tekton-results/proto";
import { apiTlsOptions, tlsErrorInterceptor } from "./api-tls.js";
import { ConfigError, parseConfig, USAGE } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "watcher-api-tls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(argv: string[], env: Record<string, string> = {}) {
  const c = parseConfig(argv, env, { hostname: "h", pid: 1 });
  if (c.kind !== "run") throw new Error(c.kind);
  return c.config;
}

describe("--api-ca-file and --api-server-name", () => {
  it("are read from flags and variables, for https:// URLs only", () => {
    expect(config(["--api-url", "https://api:8080", "--api-ca-file", "/ca.crt"])).toMatchObject({
      apiCaFile: "/ca.crt",
    });
    expect(
      config([], {
        RESULTS_API_URL: "https://10.0.0.1:8080",
        WATCHER_API_CA_FILE: "/ca.crt",
        WATCHER_API_SERVER_NAME: "api.example",
      }),
    ).toMatchObject({ apiCaFile: "/ca.crt", apiServerName: "api.example" });
    expect(config(["--api-url", "https://api:8080"]).apiCaFile).toBeUndefined();
    expect(() => config(["--api-url", "http://api:8080", "--api-ca-file", "/ca.crt"])).toThrow(
      ConfigError,
    );
    expect(() =>
      config(["--api-url", "http://api:8080", "--api-server-name", "api.example"]),
    ).toThrow(/--api-server-name needs an https:\/\/ --api-url/);
    expect(USAGE).toContain("--api-ca-file <path>            WATCHER_API_CA_FILE");
    expect(USAGE).toContain("WATCHER_API_SERVER_NAME");
  });

  it("become connect-node's TLS options, the CA read at once", () => {
    const ca = join(dir, "ca.crt");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
    expect(apiTlsOptions({})).toBeUndefined();
    expect(apiTlsOptions({ apiCaFile: ca, apiServerName: "api" })).toEqual({
      ca: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
      servername: "api",
    });
    expect(apiTlsOptions({ apiServerName: "api" })).toEqual({ servername: "api" });
    expect(() => apiTlsOptions({ apiCaFile: join(dir, "none.crt") })).toThrow(
      /CA file .*none\.crt does not exist/,
    );
  });
});

describe("tlsErrorInterceptor", () => {
  const failing = (err: unknown) =>
    createClient(
      Results,
      createRouterTransport(
        (router) =>
          router.service(Results, {
            getResult() {
              throw err;
            },
          }),
        { transport: { interceptors: [tlsErrorInterceptor()] } },
      ),
    );

  it("names the certificate problem and the flag, keeping the code", async () => {
    const cause = Object.assign(new Error("unable to verify the first certificate"), {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    });
    const interceptor = tlsErrorInterceptor();
    const call = interceptor(() =>
      Promise.reject(new ConnectError(cause.message, Code.Internal, undefined, undefined, cause)),
    );
    const err = await call({} as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Internal);
    expect((err as ConnectError).rawMessage).toBe(
      "unable to verify the first certificate: is --api-ca-file the CA that signed the server's certificate?",
    );
  });

  it("lets other errors through unchanged", async () => {
    const notFound = new ConnectError("no such result", Code.NotFound);
    const err = await failing(notFound)
      .getResult({ name: "a/results/b" })
      .catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.NotFound);
    expect(ConnectError.from(err).rawMessage).toBe("no such result");
  });
});
