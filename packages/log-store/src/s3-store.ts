/**
 * A log store on S3-compatible object storage (Amazon S3, MinIO, Ceph RGW,
 * ...), spoken over HTTP with SigV4 signatures and no SDK. One object per log
 * at `{keyPrefix}{parent}/{result}/{record}.log`.
 *
 * Writes are streamed with bounded memory: a log that fits in one part is
 * stored with one PutObject, a larger one with a multipart upload of
 * `partSize` parts (aborted when the write fails). Either way the object is
 * replaced atomically when the upload completes. Reads stream the object's
 * body, re-cut into chunks of the requested size.
 *
 * @module
 */
import { LogStoreError } from "./errors.js";
import { parseLogKey, parseLogPrefix, type LogKey } from "./log-name.js";
import {
  resolveChunkSize,
  type LogReader,
  type LogSource,
  type LogStore,
  type ReadOptions,
} from "./log-store.js";
import {
  EMPTY_PAYLOAD_SHA256,
  sha256Hex,
  signRequest,
  uriEncode,
  type S3Credentials,
} from "./s3-signer.js";

/** The smallest part S3 accepts (all but the last part of a multipart upload): 5 MiB. */
export const MIN_S3_PART_SIZE = 5 * 1024 * 1024;

/** The default part size: 8 MiB. */
export const DEFAULT_S3_PART_SIZE = 8 * 1024 * 1024;

/** Options of {@link createS3LogStore}. */
export interface S3LogStoreOptions {
  /** The service's base URL: `https://s3.us-east-1.amazonaws.com`, `http://minio:9000`. */
  endpoint: string;
  /** The bucket (it must exist). */
  bucket: string;
  /** The signing region. Default `us-east-1`. */
  region?: string;
  credentials: S3Credentials;
  /**
   * A prefix of every object key: empty (default) or segments of
   * `A-Z a-z 0-9 . _ -` (not `.` or `..`) each followed by `/` (`logs/`,
   * `tekton/results/`).
   */
  keyPrefix?: string;
  /**
   * Path-style URLs `{endpoint}/{bucket}/{key}` (default, what MinIO and most
   * S3-compatible services want); false for virtual-hosted
   * `{scheme}://{bucket}.{host}/{key}`.
   */
  pathStyle?: boolean;
  /** The part size of multipart uploads, at least 5 MiB. Default 8 MiB. Bounds memory per write. */
  partSize?: number;
  /** The fetch function. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The clock of signatures. Default: the wall clock. */
  now?: () => Date;
}

/** A {@link LogStore} on S3-compatible object storage. */
export interface S3LogStore extends LogStore {
  /** The object key of the log `name` (validated). */
  objectKey(name: string): string;
}

const KEY_PREFIX = /^(?:[A-Za-z0-9._-]+\/)*$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.byteLength === total) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, "&");
}

function xmlEscape(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Every text of `<tag>...</tag>` in `xml`, unescaped. */
function xmlValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g");
  for (let m = re.exec(xml); m !== null; m = re.exec(xml)) out.push(xmlUnescape(m[1]!));
  return out;
}

/** A failed HTTP exchange as a {@link LogStoreError} (no URL, bucket or body in the message). */
function statusError(status: number, action: string): LogStoreError {
  if (status === 404) return new LogStoreError("not_found", "log not found");
  const why =
    status === 401 || status === 403
      ? "access denied"
      : status >= 500 || status === 429
        ? `service error ${status}`
        : `request rejected with status ${status}`;
  return new LogStoreError("unavailable", `object storage unavailable: cannot ${action} (${why})`);
}

/** Create a log store on the bucket `options.bucket` of an S3-compatible service. */
export function createS3LogStore(options: S3LogStoreOptions): S3LogStore {
  let base: URL;
  try {
    base = new URL(options.endpoint);
  } catch {
    throw new LogStoreError("invalid_argument", "endpoint must be an http(s) URL");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new LogStoreError("invalid_argument", "endpoint must be an http(s) URL");
  }
  if (!BUCKET.test(options.bucket)) {
    throw new LogStoreError("invalid_argument", "bucket must be a valid S3 bucket name");
  }
  const keyPrefix = options.keyPrefix ?? "";
  if (!KEY_PREFIX.test(keyPrefix) || keyPrefix.split("/").some((s) => s === "." || s === "..")) {
    throw new LogStoreError(
      "invalid_argument",
      'keyPrefix must be empty or segments of A-Z a-z 0-9 . _ - each ending with "/"',
    );
  }
  const partSize = options.partSize ?? DEFAULT_S3_PART_SIZE;
  if (!Number.isInteger(partSize) || partSize < MIN_S3_PART_SIZE) {
    throw new LogStoreError("invalid_argument", `partSize must be at least ${MIN_S3_PART_SIZE}`);
  }
  const region = options.region ?? "us-east-1";
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const pathStyle = options.pathStyle ?? true;
  const basePath = base.pathname.replace(/\/+$/, "");

  function keyOf(key: LogKey): string {
    return `${keyPrefix}${key.parent}/${key.result}/${key.record}.log`;
  }

  function urlOf(objectKey: string | undefined, query: Record<string, string>): URL {
    const path = objectKey === undefined ? "" : `/${uriEncode(objectKey, true)}`;
    const url = pathStyle
      ? new URL(
          `${base.protocol}//${base.host}${basePath}/${uriEncode(options.bucket)}${path || "/"}`,
        )
      : new URL(`${base.protocol}//${options.bucket}.${base.host}${basePath}${path || "/"}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  async function send(
    method: string,
    objectKey: string | undefined,
    action: string,
    init: {
      query?: Record<string, string>;
      body?: Uint8Array;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const url = urlOf(objectKey, init.query ?? {});
    const body = init.body;
    const headers = signRequest({
      method,
      url,
      headers: init.headers ?? {},
      payloadHash: body ? sha256Hex(body) : EMPTY_PAYLOAD_SHA256,
      region,
      credentials: options.credentials,
      date: now(),
    });
    try {
      return await doFetch(url, {
        method,
        headers,
        ...(body ? { body } : {}),
      });
    } catch (err) {
      throw new LogStoreError("unavailable", `object storage unreachable: cannot ${action}`, {
        cause: err,
      });
    }
  }

  /** Send and require a 2xx; returns the response (body unread). */
  async function call(
    method: string,
    objectKey: string | undefined,
    action: string,
    init: {
      query?: Record<string, string>;
      body?: Uint8Array;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const res = await send(method, objectKey, action, init);
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw statusError(res.status, action);
    }
    return res;
  }

  async function text(res: Response, action: string): Promise<string> {
    try {
      return await res.text();
    } catch (err) {
      throw new LogStoreError("unavailable", `object storage unavailable: cannot ${action}`, {
        cause: err,
      });
    }
  }

  async function head(objectKey: string): Promise<number | undefined> {
    const res = await send("HEAD", objectKey, "read the log");
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404) return undefined;
    if (!res.ok) throw statusError(res.status, "read the log");
    return Number(res.headers.get("content-length") ?? "0");
  }

  async function write(name: string, source: LogSource): Promise<number> {
    const objectKey = keyOf(parseLogKey(name));
    let pending: Uint8Array[] = [];
    let buffered = 0;
    let total = 0;
    let uploadId: string | undefined;
    const etags: string[] = [];

    async function uploadPart(data: Uint8Array): Promise<void> {
      if (uploadId === undefined) {
        const res = await call("POST", objectKey, "start the upload", { query: { uploads: "" } });
        const id = xmlValues(await text(res, "start the upload"), "UploadId")[0];
        if (!id) throw new LogStoreError("unavailable", "object storage unavailable: no upload id");
        uploadId = id;
      }
      const partNumber = etags.length + 1;
      const res = await call("PUT", objectKey, "upload a part", {
        query: { partNumber: String(partNumber), uploadId },
        body: data,
      });
      await res.body?.cancel().catch(() => undefined);
      const etag = res.headers.get("etag");
      if (!etag)
        throw new LogStoreError("unavailable", "object storage unavailable: part without etag");
      etags.push(etag);
    }

    try {
      for await (const chunk of source) {
        if (chunk.byteLength === 0) continue;
        pending.push(chunk.slice());
        buffered += chunk.byteLength;
        total += chunk.byteLength;
        if (buffered >= partSize) {
          const data = concat(pending, buffered);
          pending = [];
          buffered = 0;
          await uploadPart(data);
        }
      }
      const rest = concat(pending, buffered);
      pending = [];
      if (uploadId === undefined) {
        const res = await call("PUT", objectKey, "store the log", {
          body: rest,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
        await res.body?.cancel().catch(() => undefined);
        return total;
      }
      if (rest.byteLength > 0) await uploadPart(rest);
      const body = new TextEncoder().encode(
        `<CompleteMultipartUpload>${etags
          .map(
            (etag, i) =>
              `<Part><PartNumber>${i + 1}</PartNumber><ETag>${xmlEscape(etag)}</ETag></Part>`,
          )
          .join("")}</CompleteMultipartUpload>`,
      );
      const res = await call("POST", objectKey, "complete the upload", {
        query: { uploadId: uploadId },
        body,
        headers: { "content-type": "application/xml" },
      });
      // S3 may answer 200 with an error document.
      if (/<Error>/.test(await text(res, "complete the upload"))) {
        throw new LogStoreError(
          "unavailable",
          "object storage unavailable: cannot complete the upload",
        );
      }
      uploadId = undefined;
      return total;
    } finally {
      if (uploadId !== undefined) {
        const id = uploadId;
        await send("DELETE", objectKey, "abort the upload", { query: { uploadId: id } })
          .then((res) => res.body?.cancel())
          .catch(() => undefined);
      }
    }
  }

  async function read(name: string, readOptions?: ReadOptions): Promise<LogReader> {
    const objectKey = keyOf(parseLogKey(name));
    const chunkSize = resolveChunkSize(readOptions);
    const res = await call("GET", objectKey, "read the log");
    const size = Number(res.headers.get("content-length") ?? "NaN");
    const body = res.body;
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await body?.cancel().catch(() => undefined);
    };
    async function* chunks(): AsyncGenerator<Uint8Array> {
      if (!body) return;
      const reader = body.getReader();
      let pending: Uint8Array[] = [];
      let buffered = 0;
      try {
        for (;;) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (err) {
            if (closed) return;
            throw new LogStoreError(
              "unavailable",
              "object storage unavailable: cannot read the log",
              {
                cause: err,
              },
            );
          }
          if (next.done) break;
          let data = next.value;
          while (data.byteLength > 0) {
            const take = Math.min(chunkSize - buffered, data.byteLength);
            pending.push(data.subarray(0, take));
            buffered += take;
            data = data.subarray(take);
            if (buffered === chunkSize) {
              yield concat(pending, buffered);
              pending = [];
              buffered = 0;
            }
          }
        }
        if (buffered > 0) yield concat(pending, buffered);
      } finally {
        reader.releaseLock();
        await close();
      }
    }
    const iterator = chunks();
    return {
      size: Number.isFinite(size) ? size : 0,
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        await iterator.return(undefined);
        await close();
      },
    };
  }

  /** Every object key under `prefix`, page by page. */
  async function* list(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const query: Record<string, string> = { "list-type": "2", prefix };
      if (token !== undefined) query["continuation-token"] = token;
      const res = await call("GET", undefined, "list the logs", { query });
      const xml = await text(res, "list the logs");
      for (const key of xmlValues(xml, "Key")) yield key;
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? xmlValues(xml, "NextContinuationToken")[0]
        : undefined;
    } while (token !== undefined);
  }

  return {
    type: "S3",
    objectKey: (name) => keyOf(parseLogKey(name)),
    write,
    read,

    async delete(name: string): Promise<boolean> {
      const objectKey = keyOf(parseLogKey(name));
      if ((await head(objectKey)) === undefined) return false;
      const res = await send("DELETE", objectKey, "delete the log");
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok && res.status !== 404) throw statusError(res.status, "delete the log");
      return res.status !== 404;
    },

    async deletePrefix(prefix: string): Promise<number> {
      const parsed = parseLogPrefix(prefix);
      const keyPrefixOf =
        parsed.result === undefined
          ? `${keyPrefix}${parsed.parent}/`
          : `${keyPrefix}${parsed.parent}/${parsed.result}/`;
      const keys: string[] = [];
      for await (const key of list(keyPrefixOf)) keys.push(key);
      let deleted = 0;
      for (const key of keys) {
        const res = await send("DELETE", key, "delete the log");
        await res.body?.cancel().catch(() => undefined);
        if (!res.ok && res.status !== 404) throw statusError(res.status, "delete the log");
        if (key.endsWith(".log")) deleted++;
      }
      return deleted;
    },

    async exists(name: string): Promise<boolean> {
      return (await head(keyOf(parseLogKey(name)))) !== undefined;
    },

    async size(name: string): Promise<number> {
      const size = await head(keyOf(parseLogKey(name)));
      if (size === undefined) throw new LogStoreError("not_found", "log not found");
      return size;
    },

    locate(name: string): string {
      return keyOf(parseLogKey(name));
    },
  };
}
