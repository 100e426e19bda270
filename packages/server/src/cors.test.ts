import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ResultSchema, Results } from "@tekton-results/proto";
import { afterEach, describe, expect, it } from "vitest";
import { createResultsServer, type ResultsServer } from "./server.js";

let server: ResultsServer | undefined;
afterEach(async () => {
  await server?.close({ deadlineMs: 0 });
  server = undefined;
});

async function start(corsOrigins?: string[]): Promise<string> {
  server = createResultsServer({
    routes: (router) =>
      router.service(Results, { getResult: (req) => create(ResultSchema, { name: req.name }) }),
    corsOrigins,
  });
  return (await server.listen(0, "127.0.0.1")).url;
}

const preflight = (url: string, origin: string) =>
  fetch(`${url}/tekton.results.v1alpha2.Results/GetResult`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,connect-protocol-version",
    },
  });

describe("CORS", () => {
  it("answers preflights from allowed origins with the Connect headers", async () => {
    const url = await start(["https://console.example.com"]);
    const res = await preflight(url, "https://console.example.com");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://console.example.com");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "connect-protocol-version",
    );
    expect(res.headers.get("access-control-allow-headers")).toContain("Authorization");
  });

  it("rejects preflights from other origins", async () => {
    const url = await start(["https://console.example.com"]);
    const res = await preflight(url, "https://evil.example.com");
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds the allow-origin header to actual requests and still serves them", async () => {
    const url = await start(["*"]);
    const res = await fetch(`${url}/tekton.results.v1alpha2.Results/GetResult`, {
      method: "POST",
      headers: { origin: "https://any.example.com", "content-type": "application/json" },
      body: JSON.stringify({ name: "ns/results/a" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")?.toLowerCase()).toContain(
      "grpc-status",
    );
    expect(await res.json()).toEqual({ name: "ns/results/a" });
  });

  it("sends no CORS headers when no origin is configured", async () => {
    const url = await start();
    const res = await preflight(url, "https://console.example.com");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const client = createClient(
      Results,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    expect((await client.getResult({ name: "ns/results/b" })).name).toBe("ns/results/b");
  });
});
