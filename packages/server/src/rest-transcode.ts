/**
 * Transcoding between REST and the RPCs: the request message of a route from
 * its path variables, query parameters and JSON body, and the HTTP answer of
 * a response message (proto JSON, or the bytes of an `HttpBody`).
 *
 * @module
 */
import {
  fromJson,
  ScalarType,
  toJson,
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type Message,
  type Registry,
} from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { NodeServerRequest } from "./node-http.js";
import { GatewayError, readBody, sendJson, write, type Writable } from "./rest-http.js";
import type { RestRoute } from "./rest-routes.js";

/** How requests and responses are transcoded. */
export interface TranscodeOptions {
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** For JSON of `Any` values. */
  registry: Registry;
  /** Emit fields with default values in responses. */
  emitDefaults: boolean;
}

/** Find the field of `message` named `name` (proto name or lowerCamel JSON name). */
export function findField(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name || f.jsonName === name);
}

/** Resolve a dotted field path; returns the proto names and the leaf field. */
function resolveFieldPath(
  message: DescMessage,
  path: readonly string[],
): { names: string[]; leaf: DescField } | undefined {
  const names: string[] = [];
  let current: DescMessage | undefined = message;
  let leaf: DescField | undefined;
  for (const part of path) {
    if (!current) return undefined;
    leaf = findField(current, part);
    if (!leaf) return undefined;
    names.push(leaf.name);
    current = leaf.fieldKind === "message" ? leaf.message : undefined;
  }
  return leaf ? { names, leaf } : undefined;
}

/** Set `value` at `path` in a JSON object, creating intermediate objects. */
function setJsonPath(target: JsonObject, path: readonly string[], value: JsonValue): void {
  let obj = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = obj[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      const created: JsonObject = {};
      obj[key] = created;
      obj = created;
    } else {
      obj = next;
    }
  }
  obj[path[path.length - 1]!] = value;
}

/** The JSON value of one query parameter for `field`. */
function queryValue(field: DescField, raw: string): JsonValue {
  const scalar =
    field.fieldKind === "scalar"
      ? field.scalar
      : field.fieldKind === "list" && field.listKind === "scalar"
        ? field.scalar
        : undefined;
  if (scalar === ScalarType.BOOL) {
    {
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw new GatewayError(
        400,
        Code.InvalidArgument,
        `invalid value for ${field.name}: ${JSON.stringify(raw)}`,
      );
    }
  }
  return raw;
}

/** The query parameters by name, repeated ones in order. */
function groupQuery(params: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of params) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

/** Build the request message of `route` from the path, the query and the body. */
export async function buildRequest(
  route: RestRoute,
  bound: Map<string, string>,
  url: URL,
  req: NodeServerRequest,
  options: Pick<TranscodeOptions, "maxBodyBytes" | "registry">,
): Promise<Message> {
  const { maxBodyBytes, registry } = options;
  const input = route.method.input;
  let json: JsonObject = {};
  const taken: string[][] = [];
  if (route.body !== "") {
    const raw = await readBody(req, maxBodyBytes);
    let parsed: JsonValue = {};
    const text = raw.toString("utf8").trim();
    if (text !== "") {
      try {
        parsed = JSON.parse(text) as JsonValue;
      } catch {
        throw new GatewayError(400, Code.InvalidArgument, "malformed JSON in request body");
      }
    }
    if (route.body === "*") {
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new GatewayError(400, Code.InvalidArgument, "request body must be a JSON object");
      }
      json = parsed;
    } else {
      const target = resolveFieldPath(input, route.body.split("."));
      if (!target) throw new GatewayError(500, Code.Internal, "internal error");
      setJsonPath(json, target.names, parsed);
      taken.push(target.names);
    }
  }
  if (route.body !== "*") {
    for (const [key, value] of groupQuery(url.searchParams)) {
      const target = resolveFieldPath(input, key.split("."));
      if (!target) continue;
      const names = target.names;
      if (taken.some((t) => t.every((n, i) => names[i] === n)) || bound.has(names.join(".")))
        continue;
      const field = target.leaf;
      const values = value.map((v) => queryValue(field, v));
      setJsonPath(json, names, field.fieldKind === "list" ? values : values[values.length - 1]!);
    }
  }
  for (const [path, value] of bound) {
    const target = resolveFieldPath(input, path.split("."));
    if (!target) throw new GatewayError(500, Code.Internal, "internal error");
    setJsonPath(json, target.names, value);
  }
  try {
    return fromJson(input, json, { ignoreUnknownFields: true, registry });
  } catch (err) {
    const message = err instanceof Error ? err.message : "invalid request";
    throw new GatewayError(400, Code.InvalidArgument, message);
  }
}

/**
 * Write one response message of a unary call (the whole response), or one
 * message of a stream (`first` writes the head); `bodyField` names the field
 * that is the body (`""`: the whole message). An `HttpBody` is written as its
 * bytes, anything else as proto JSON.
 */
export async function sendMessage(
  res: Writable,
  schema: DescMessage,
  message: Message,
  bodyField: string,
  options: Pick<TranscodeOptions, "registry" | "emitDefaults">,
  { first = true, unary = true }: { first?: boolean; unary?: boolean } = {},
): Promise<void> {
  let outSchema = schema;
  let out: Message | JsonValue = message;
  if (bodyField !== "") {
    const field = findField(schema, bodyField);
    const value = field
      ? (message as unknown as Record<string, unknown>)[field.localName]
      : undefined;
    if (field?.fieldKind === "message" && value !== undefined) {
      outSchema = field.message;
      out = value as Message;
    } else {
      out = value === undefined ? null : (value as JsonValue);
    }
  }
  if (isHttpBody(outSchema) && out !== null && typeof out === "object" && "$typeName" in out) {
    const body = out as unknown as { contentType: string; data: Uint8Array };
    if (first)
      res.writeHead(200, { "content-type": body.contentType || "application/octet-stream" });
    if (unary) res.end(body.data);
    else await write(res, body.data);
    return;
  }
  const json =
    out !== null && typeof out === "object" && "$typeName" in out
      ? toJson(outSchema, out as Message, {
          useProtoFieldName: true,
          registry: options.registry,
          alwaysEmitImplicit: options.emitDefaults,
        })
      : (out as JsonValue);
  if (unary) {
    sendJson(res, 200, json);
    return;
  }
  if (first) res.writeHead(200, { "content-type": "application/json" });
  await write(res, JSON.stringify({ result: json }) + "\n");
}

/** Whether `schema` is `google.api.HttpBody` (raw bytes, not JSON). */
export function isHttpBody(schema: DescMessage): boolean {
  return schema.typeName === "google.api.HttpBody";
}
