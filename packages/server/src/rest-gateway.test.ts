import * as http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Logs, Results } from "@tekton-results/proto";
import { createFakeResultsRoutes } from "../test/support/fake-results.js";
import { createRestGateway, type RestGatewayOptions } from "./rest-gateway.js";

const BASE = "/apis/results.tekton.dev/v1alpha2/parents";
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(options: Partial<RestGatewayOptions> = {}): Promise<string> {
  const gateway = createRestGateway({ routes: createFakeResultsRoutes(), ...options });
  const server = http.createServer((req, res) => void gateway.handle(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of many shapes, checked by the assertions
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text === "" ? undefined : JSON.parse(text),
    headers: res.headers,
  };
}

describe("createRestGateway", () => {
  it("creates, reads, lists, updates and deletes with proto field names", async () => {
    const url = await serve();
    const created = await call(url, "POST", `${BASE}/ns/results`, {
      name: "ns/results/a",
      annotations: { k: "v" },
      unknown_field: 1,
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      name: "ns/results/a",
      uid: "uid-1",
      annotations: { k: "v" },
    });
    expect(created.json.create_time).toMatch(/Z$/);
    expect(created.json.createTime).toBeUndefined();

    const got = await call(url, "GET", `${BASE}/ns/results/a`);
    expect(got.json.uid).toBe("uid-1");

    await call(url, "POST", `${BASE}/ns/results`, { name: "ns/results/b" });
    const page = await call(url, "GET", `${BASE}/ns/results?page_size=1`);
    expect(page.json.results).toHaveLength(1);
    expect(page.json.next_page_token).toBe("next");
    const camel = await call(url, "GET", `${BASE}/ns/results?pageSize=1`);
    expect(camel.json.results).toHaveLength(1);
    const all = await call(url, "GET", `${BASE}/-/results`);
    expect(all.json.results).toHaveLength(2);

    const updated = await call(url, "PATCH", `${BASE}/ns/results/a?name=ns/results/a`, {
      annotations: { k: "w" },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.annotations).toEqual({ k: "w" });
    const stale = await call(url, "PATCH", `${BASE}/ns/results/a?etag=${created.json.etag}`, {});
    expect(stale.status).toBe(400);
    expect(stale.json.code).toBe(Code.FailedPrecondition);

    expect((await call(url, "DELETE", `${BASE}/ns/results/a`)).status).toBe(200);
    const gone = await call(url, "GET", `${BASE}/ns/results/a`);
    expect(gone).toMatchObject({
      status: 404,
      json: { code: Code.NotFound, message: "result not found", details: [] },
    });
  });

  it("answers errors of the RPC with their HTTP status and the JSON error body", async () => {
    const url = await serve();
    const bad = await call(url, "POST", `${BASE}/ns/results`, { name: "NS/results/A" });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe(Code.InvalidArgument);
    await call(url, "POST", `${BASE}/ns/results`, { name: "ns/results/a" });
    expect((await call(url, "POST", `${BASE}/ns/results`, { name: "ns/results/a" })).status).toBe(
      409,
    );
  });

  it("forwards Authorization and Impersonate-* headers", async () => {
    const url = await serve();
    const unauth = await call(url, "GET", `${BASE}/ns/results`, undefined, {
      authorization: "Bearer bad",
    });
    expect(unauth.status).toBe(401);
    expect(unauth.json.code).toBe(Code.Unauthenticated);
    const denied = await call(url, "GET", `${BASE}/ns/results`, undefined, {
      "impersonate-user": "mallory",
    });
    expect(denied.status).toBe(403);
  });

  it("rejects malformed JSON, non-object bodies, bad query values and oversized bodies", async () => {
    const url = await serve({ maxBodyBytes: 1024 });
    const malformed = await call(url, "POST", `${BASE}/ns/results`, "{not json");
    expect(malformed).toMatchObject({ status: 400, json: { code: Code.InvalidArgument } });
    const wrongType = await call(url, "POST", `${BASE}/ns/results`, { name: 42 });
    expect(wrongType.status).toBe(400);
    const badInt = await call(url, "GET", `${BASE}/ns/results?page_size=abc`);
    expect(badInt).toMatchObject({ status: 400, json: { code: Code.InvalidArgument } });
    const huge = await call(url, "POST", `${BASE}/ns/results`, {
      name: "ns/results/a",
      x: "y".repeat(5000),
    });
    expect(huge.status).toBe(413);
    expect(huge.json.code).toBe(Code.ResourceExhausted);
    expect((await call(url, "GET", `${BASE}/ns/results`)).status).toBe(200);
  });

  it("answers 404 for unknown paths and 405 with Allow for a known path with another method", async () => {
    const url = await serve();
    const unknown = await call(url, "GET", "/nope");
    expect(unknown).toMatchObject({ status: 404, json: { code: Code.NotFound } });
    const wrong = await call(url, "PUT", `${BASE}/ns/results/a`, {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("DELETE, GET, PATCH");
  });

  it("routes records/summary to GetRecordListSummary, not GetRecord", async () => {
    const routes = (router: ConnectRouter): void => {
      router.service(Results, {
        getRecordListSummary(req) {
          return { summary: [{ parent: req.parent, total: 2 }] };
        },
      });
    };
    const url = await serve({ routes });
    const res = await call(url, "GET", `${BASE}/ns/results/r/records/summary?summary=total`);
    expect(res).toMatchObject({
      status: 200,
      json: { summary: [{ parent: "ns/results/r", total: 2 }] },
    });
    const rec = await call(url, "GET", `${BASE}/ns/results/r/records/x`);
    expect(rec).toMatchObject({ status: 501, json: { code: Code.Unimplemented } });
  });

  it("answers 501 for the Logs paths while no Logs service is served", async () => {
    const url = await serve();
    const res = await call(url, "GET", `${BASE}/ns/results/r/logs/x`);
    expect(res).toMatchObject({ status: 501, json: { code: Code.Unimplemented, details: [] } });
    const v3 = await call(
      url,
      "GET",
      "/apis/results.tekton.dev/v1alpha3/parents/ns/results/r/logs/x",
    );
    expect(v3.status).toBe(501);
  });

  it("streams GetLog as the raw bytes of its HttpBody chunks", async () => {
    const routes = (router: ConnectRouter): void => {
      router.service(Logs, {
        async *getLog(req) {
          if (req.name.endsWith("/missing")) throw new ConnectError("log not found", Code.NotFound);
          yield { contentType: "text/plain", data: new TextEncoder().encode("line 1\n") };
          yield {
            contentType: "text/plain",
            data: new TextEncoder().encode(`line 2 of ${req.name}\n`),
          };
        },
      });
    };
    const url = await serve({ routes });
    const res = await fetch(`${url}${BASE}/ns/results/r/logs/x`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("line 1\nline 2 of ns/results/r/logs/x\n");
    const missing = await call(url, "GET", `${BASE}/ns/results/r/logs/missing`);
    expect(missing).toMatchObject({
      status: 404,
      json: { code: Code.NotFound, message: "log not found" },
    });
  });
});
