import * as http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Results } from "@tekton-results/proto";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createResultsRoutes } from "./routes.js";
import { createResultsServer, type ResultsServer } from "./server.js";

// Found by the fuzzer (packages/fuzz): a request message that is not valid
// protobuf, or a gRPC frame flagged compressed without an encoding, was
// answered Internal (HTTP 500, grpc-status 13) by the Connect framework.

const PATH = "/tekton.results.v1alpha2.Results/GetResult";
/** Field 1 (name) of type string, claiming 5 bytes and holding 1. */
const TRUNCATED = new Uint8Array([0x0a, 0x05, 0x61]);

function frame(body: Uint8Array, flags = 0): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, body.length);
  out.set(body, 5);
  return out;
}

let server: ResultsServer;
let url: string;
beforeAll(async () => {
  server = createResultsServer({ routes: createResultsRoutes({ store: createMemoryStore() }) });
  ({ url } = await server.listen(0, "127.0.0.1"));
});
afterAll(() => server.close({ deadlineMs: 1000 }));

async function grpc(body: Uint8Array): Promise<{ status: string; message: string }> {
  const session = http2.connect(url);
  try {
    return await new Promise((resolve, reject) => {
      const req = session.request({
        ":method": "POST",
        ":path": PATH,
        "content-type": "application/grpc",
        te: "trailers",
      });
      let headers: http2.IncomingHttpHeaders = {};
      req.on("response", (h) => (headers = h));
      req.on("trailers", (t) => (headers = { ...headers, ...t }));
      req.on("data", () => undefined);
      req.on("end", () =>
        resolve({
          status: String(headers["grpc-status"]),
          message: decodeURIComponent(String(headers["grpc-message"])),
        }),
      );
      req.on("error", reject);
      req.end(body);
    });
  } finally {
    session.close();
  }
}

describe("request messages that do not decode", () => {
  it("are InvalidArgument over Connect (HTTP 400), not Internal (500)", async () => {
    const res = await fetch(`${url}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: TRUNCATED,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("invalid_argument");
    expect(body.message).toMatch(/^parse binary: /);
    expect(res.headers.get("content-length")).toBe(String(JSON.stringify(body).length));
  });

  it("are InvalidArgument over gRPC, also for a frame flagged compressed without an encoding", async () => {
    expect(await grpc(frame(TRUNCATED))).toEqual({
      status: String(Code.InvalidArgument),
      message: expect.stringMatching(/^parse binary: /) as unknown as string,
    });
    expect((await grpc(frame(new Uint8Array([0x0a, 0x01, 0x61]), 1))).status).toBe(
      String(Code.InvalidArgument),
    );
  });

  it("are InvalidArgument over gRPC-Web (the trailer frame)", async () => {
    const res = await fetch(`${url}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: frame(TRUNCATED),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes[0]).toBe(0x80);
    const trailer = bytes.subarray(5).toString("utf8");
    expect(trailer).toContain(`grpc-status: ${Code.InvalidArgument}`);
    expect(bytes.readUInt32BE(1)).toBe(bytes.length - 5);
  });

  it("leave valid requests and other errors as they were", async () => {
    const client = createClient(Results, createGrpcTransport({ baseUrl: url }));
    const err = await client.getResult({ name: "ns/results/missing" }).catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.NotFound);
  });
});

describe("an error message quoting half of a surrogate pair", () => {
  // The filter parser quotes the UTF-16 unit it stopped at: half of "😀".
  it("reaches a gRPC client as InvalidArgument (the trailer could not be encoded: the call never ended)", async () => {
    const client = createClient(Results, createGrpcTransport({ baseUrl: url }));
    const requests = [
      { parent: "ns", filter: "😀 == 1" },
      { parent: "ns", filter: "data.a 𝕕" },
    ];
    for (const req of requests) {
      const err = await client.listResults(req, { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(ConnectError.from(err).code, JSON.stringify(req)).toBe(Code.InvalidArgument);
    }
  });
});
