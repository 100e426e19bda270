/**
 * AWS Signature Version 4 for S3-compatible object storage (Amazon S3,
 * MinIO, Ceph RGW, ...), with no SDK: the canonical request, the string to
 * sign, the signing key and the `Authorization` header.
 *
 * @module
 */
import { createHash, createHmac } from "node:crypto";

/** Credentials of an S3-compatible service. */
export interface S3Credentials {
  /** The access key id (`AKIA...`). */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /** A session token of temporary credentials (sent as `x-amz-security-token`). */
  sessionToken?: string;
}

/** The SHA-256 of an empty payload, in hex. */
export const EMPTY_PAYLOAD_SHA256 = createHash("sha256").update("").digest("hex");

/** Hex SHA-256 of `data`. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** URI-encode as SigV4 wants: every byte but `A-Z a-z 0-9 - . _ ~` (and `/` when `keepSlash`). */
export function uriEncode(value: string, keepSlash = false): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** `YYYYMMDDTHHMMSSZ` */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** What a signature covers. */
export interface SignatureInput {
  method: string;
  /** The URI-encoded path, as sent (`/bucket/key`). */
  path: string;
  /** Query parameters, not encoded; order does not matter. */
  query: readonly (readonly [string, string])[];
  /** The signed headers, any case; order does not matter. */
  headers: readonly (readonly [string, string])[];
  /** Hex SHA-256 of the payload, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
  /** `YYYYMMDDTHHMMSSZ` */
  amzDate: string;
  region: string;
  /** Default `s3`. */
  service?: string;
}

/** The canonical request of SigV4. */
export function canonicalRequest(input: SignatureInput): string {
  const query = input.query
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const headers = input.headers
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, " ")] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [
    input.method.toUpperCase(),
    input.path,
    query,
    headers.map(([k, v]) => `${k}:${v}\n`).join(""),
    headers.map(([k]) => k).join(";"),
    input.payloadHash,
  ].join("\n");
}

/** The credential scope: `{date}/{region}/{service}/aws4_request`. */
export function credentialScope(amz: string, region: string, service = "s3"): string {
  return `${amz.slice(0, 8)}/${region}/${service}/aws4_request`;
}

/** The string to sign of SigV4. */
export function stringToSign(input: SignatureInput): string {
  return [
    "AWS4-HMAC-SHA256",
    input.amzDate,
    credentialScope(input.amzDate, input.region, input.service),
    sha256Hex(canonicalRequest(input)),
  ].join("\n");
}

/** The hex signature of `input` with `secretAccessKey`. */
export function sigV4Signature(input: SignatureInput, secretAccessKey: string): string {
  const hmac = (key: Buffer | string, data: string): Buffer =>
    createHmac("sha256", key).update(data).digest();
  const kDate = hmac(`AWS4${secretAccessKey}`, input.amzDate.slice(0, 8));
  const kRegion = hmac(kDate, input.region);
  const kService = hmac(kRegion, input.service ?? "s3");
  const kSigning = hmac(kService, "aws4_request");
  return createHmac("sha256", kSigning).update(stringToSign(input)).digest("hex");
}

/**
 * Sign a request: returns the headers to send (`host` excluded, which the
 * HTTP client sets from the URL) with `x-amz-date`, `x-amz-content-sha256`,
 * `x-amz-security-token` (with a session token) and `authorization`.
 */
export function signRequest(request: {
  method: string;
  url: URL;
  /** Extra headers to sign and send (lower-case names). */
  headers?: Readonly<Record<string, string>>;
  payloadHash: string;
  region: string;
  credentials: S3Credentials;
  date: Date;
}): Record<string, string> {
  const date = amzDate(request.date);
  const headers: Record<string, string> = {
    ...request.headers,
    "x-amz-date": date,
    "x-amz-content-sha256": request.payloadHash,
  };
  if (request.credentials.sessionToken) {
    headers["x-amz-security-token"] = request.credentials.sessionToken;
  }
  const input: SignatureInput = {
    method: request.method,
    path: request.url.pathname,
    query: [...request.url.searchParams.entries()],
    headers: [["host", request.url.host], ...Object.entries(headers)],
    payloadHash: request.payloadHash,
    amzDate: date,
    region: request.region,
  };
  const signedHeaders = input.headers
    .map(([k]) => k.toLowerCase())
    .sort()
    .join(";");
  const signature = sigV4Signature(input, request.credentials.secretAccessKey);
  headers["authorization"] =
    `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${credentialScope(date, request.region)}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
