/**
 * An in-process S3-compatible server for tests: path-style
 * PutObject/GetObject/HeadObject/DeleteObject, ListObjectsV2 (paged),
 * multipart uploads, and a SigV4 check of every request recomputed from what
 * arrived on the wire (headers, path, query and the payload hash). Node's
 * `http` only: no test framework, no SDK.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sha256Hex, sigV4Signature } from "../s3-signer.js";

/** A running fake S3 server, what it holds, and knobs to make it misbehave. */
export interface FakeS3 {
  /** The endpoint, `http://127.0.0.1:{port}` (path-style addressing). */
  url: string;
  /** The one bucket it serves. */
  bucket: string;
  /** The access key id every request must be signed with. */
  accessKeyId: string;
  /** The secret key the signatures are checked against. */
  secretAccessKey: string;
  /** Stored objects by key. */
  objects: Map<string, Uint8Array>;
  /** Multipart uploads in progress by id. */
  uploads: Map<string, { key: string; parts: Map<number, Uint8Array> }>;
  /** Every request as `METHOD path?query`. */
  requests: string[];
  /** Answer the next `n` requests matching `match` with `status`. */
  fail(
    n: number,
    status: number,
    match?: (method: string, query: URLSearchParams) => boolean,
  ): void;
  /** Largest number of keys per ListObjectsV2 page. */
  pageSize: number;
  /** Stop the server, closing open connections. */
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function xml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>${text}`);
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Start a fake S3 server on a free port of 127.0.0.1, with an empty bucket
 * `logs-bucket` and fixed test credentials. Requests with a bad or missing
 * SigV4 signature are answered 403 `SignatureDoesNotMatch`.
 *
 * ```ts
 * const s3 = await startFakeS3();
 * const store = createS3LogStore({
 *   endpoint: s3.url,
 *   bucket: s3.bucket,
 *   credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
 * });
 * // ...
 * await s3.close();
 * ```
 */
export async function startFakeS3(): Promise<FakeS3> {
  const bucket = "logs-bucket";
  const accessKeyId = "AKIDTEST";
  const secretAccessKey = "secret/key+test";
  const objects = new Map<string, Uint8Array>();
  const uploads = new Map<string, { key: string; parts: Map<number, Uint8Array> }>();
  const requests: string[] = [];
  const failures: {
    n: number;
    status: number;
    match: (m: string, q: URLSearchParams) => boolean;
  }[] = [];
  let nextUpload = 0;

  const state = {
    pageSize: 1000,
  };

  function verify(req: IncomingMessage, url: URL, payload: Buffer): string | undefined {
    const auth = req.headers["authorization"];
    if (typeof auth !== "string") return "missing authorization";
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return "malformed authorization";
    const [, key, , region, signed, signature] = m;
    if (key !== accessKeyId) return "unknown access key";
    const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
    if (payloadHash !== sha256Hex(payload)) return "payload hash mismatch";
    const names = signed!.split(";");
    if (!names.includes("host") || !names.includes("x-amz-date")) return "unsigned host or date";
    const headers = names.map((n) => [n, String(req.headers[n] ?? "")] as const);
    const expected = sigV4Signature(
      {
        method: req.method ?? "GET",
        path: url.pathname,
        query: [...url.searchParams.entries()],
        headers,
        payloadHash,
        amzDate: String(req.headers["x-amz-date"]),
        region: region!,
      },
      secretAccessKey,
    );
    return expected === signature ? undefined : "signature mismatch";
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const payload = await body(req);
    requests.push(`${method} ${url.pathname}${url.search}`);
    const problem = verify(req, url, payload);
    if (problem) {
      xml(
        res,
        403,
        `<Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>`,
      );
      return;
    }
    const failure = failures.find((f) => f.n > 0 && f.match(method, url.searchParams));
    if (failure) {
      failure.n--;
      xml(res, failure.status, "<Error><Code>InternalError</Code></Error>");
      return;
    }
    const prefix = `/${bucket}`;
    if (!url.pathname.startsWith(prefix)) {
      xml(res, 404, "<Error><Code>NoSuchBucket</Code></Error>");
      return;
    }
    const key = decodeURIComponent(url.pathname.slice(prefix.length + 1));
    const q = url.searchParams;
    if (key === "" && method === "GET" && q.get("list-type") === "2") {
      const keys = [...objects.keys()].filter((k) => k.startsWith(q.get("prefix") ?? "")).sort();
      const start = q.has("continuation-token") ? Number(q.get("continuation-token")) : 0;
      const page = keys.slice(start, start + state.pageSize);
      const truncated = start + state.pageSize < keys.length;
      xml(
        res,
        200,
        `<ListBucketResult><IsTruncated>${truncated}</IsTruncated>${page
          .map((k) => `<Contents><Key>${escape(k)}</Key></Contents>`)
          .join("")}${
          truncated
            ? `<NextContinuationToken>${start + state.pageSize}</NextContinuationToken>`
            : ""
        }</ListBucketResult>`,
      );
      return;
    }
    if (method === "POST" && q.has("uploads")) {
      const id = `upload~${++nextUpload}+x`;
      uploads.set(id, { key, parts: new Map() });
      xml(
        res,
        200,
        `<InitiateMultipartUploadResult><UploadId>${escape(id)}</UploadId></InitiateMultipartUploadResult>`,
      );
      return;
    }
    if (method === "PUT" && q.has("uploadId")) {
      const upload = uploads.get(q.get("uploadId")!);
      if (!upload || upload.key !== key)
        return xml(res, 404, "<Error><Code>NoSuchUpload</Code></Error>");
      const n = Number(q.get("partNumber"));
      upload.parts.set(n, new Uint8Array(payload));
      res.writeHead(200, { etag: `"etag-${n}-${sha256Hex(payload).slice(0, 8)}"` });
      res.end();
      return;
    }
    if (method === "POST" && q.has("uploadId")) {
      const id = q.get("uploadId")!;
      const upload = uploads.get(id);
      if (!upload || upload.key !== key)
        return xml(res, 404, "<Error><Code>NoSuchUpload</Code></Error>");
      const text = payload.toString("utf8");
      const numbers = [...text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) =>
        Number(m[1]),
      );
      const parts = numbers.map((n) => upload.parts.get(n));
      if (parts.some((p) => p === undefined))
        return xml(res, 400, "<Error><Code>InvalidPart</Code></Error>");
      for (const p of parts.slice(0, -1)) {
        if (p!.byteLength < 5 * 1024 * 1024)
          return xml(res, 400, "<Error><Code>EntityTooSmall</Code></Error>");
      }
      objects.set(key, new Uint8Array(Buffer.concat(parts as Uint8Array[])));
      uploads.delete(id);
      xml(
        res,
        200,
        `<CompleteMultipartUploadResult><Key>${escape(key)}</Key></CompleteMultipartUploadResult>`,
      );
      return;
    }
    if (method === "DELETE" && q.has("uploadId")) {
      uploads.delete(q.get("uploadId")!);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === "PUT") {
      objects.set(key, new Uint8Array(payload));
      res.writeHead(200, { etag: '"x"' });
      res.end();
      return;
    }
    if (method === "GET" || method === "HEAD") {
      const data = objects.get(key);
      if (!data) return xml(res, 404, "<Error><Code>NoSuchKey</Code></Error>");
      res.writeHead(200, { "content-length": data.byteLength, "content-type": "text/plain" });
      res.end(method === "GET" ? data : undefined);
      return;
    }
    if (method === "DELETE") {
      objects.delete(key);
      res.writeHead(204);
      res.end();
      return;
    }
    xml(res, 400, "<Error><Code>BadRequest</Code></Error>");
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId,
    secretAccessKey,
    objects,
    uploads,
    requests,
    get pageSize() {
      return state.pageSize;
    },
    set pageSize(n: number) {
      state.pageSize = n;
    },
    fail(n, status, match = () => true) {
      failures.push({ n, status, match });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
