/**
 * The HTTP edges of the fake API server: reading and parsing request bodies (JSON, or YAML when
 * sent as such), writing JSON and text responses with the headers kube-apiserver sends, and
 * answering errors as `Status` objects.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import yaml from "js-yaml";
import { badRequest, failure, KubeApiError, methodNotAllowed } from "./errors.js";

/** The largest request body accepted (413 beyond). */
const MAX_BODY = 3 * 1024 * 1024;

/** Sends a complete response (ends the response instead if headers were already sent). */
export function send(
  res: ServerResponse,
  code: number,
  body: string,
  contentType = "application/json",
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-cache, private",
    "Audit-Id": randomUUID(),
  });
  res.end(body);
}

/** Sends a value as JSON. */
export function sendJson(res: ServerResponse, code: number, value: unknown): void {
  send(res, code, JSON.stringify(value));
}

/** Sends an error: a {@link KubeApiError}'s Status, or 500 InternalError for anything else. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof KubeApiError) {
    sendJson(res, err.code, err.status);
    return;
  }
  sendJson(
    res,
    500,
    failure(
      500,
      "InternalError",
      'an error on the server ("internal error") has prevented the request from succeeding',
    ),
  );
}

/** 404 for a path that names no resource the server knows. */
export function notFoundPath(): KubeApiError {
  return new KubeApiError(
    failure(404, "NotFound", "the server could not find the requested resource", {}),
  );
}

/** 405 for a method the requested resource does not allow. */
export function notAllowed(): KubeApiError {
  return methodNotAllowed("the server does not allow this method on the requested resource");
}

/** Reads a request body as text (413 beyond 3 MiB). */
export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString("utf8");
}

/** Reads a request body as bytes (413 beyond the size limit). */
export async function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY)
      throw new KubeApiError(
        failure(413, "RequestEntityTooLarge", `Request entity too large: limit is ${MAX_BODY}`),
      );
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Parses a JSON body (400 when it is not JSON). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

/** Parses a YAML body (400 when it is not YAML). */
export function parseYamlBody(text: string): unknown {
  try {
    return yaml.load(text);
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
  }
}

/** Parses a create/update body: JSON, or YAML when sent as `application/yaml`. */
export function parseObjectBody(text: string, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === "application/yaml" || type === "application/x-yaml") return parseYamlBody(text);
  return parseJsonBody(text);
}
