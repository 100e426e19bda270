/**
 * Minimal OpenAPI documents, enough for kubectl. v3: it reads them to learn that PATCH supports
 * `fieldValidation` (server-side validation) and to find a schema per kind; schemas are open
 * (`x-kubernetes-preserve-unknown-fields`), like CRDs without structural validation. v2: without
 * definitions, in JSON or protobuf, for kubectl before 1.27.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { RESOURCES, type ResourceInfo } from "./resources.js";

function gvPath(info: Pick<ResourceInfo, "group" | "version">): string {
  return info.group ? `apis/${info.group}/${info.version}` : `api/${info.version}`;
}

function schemaName(info: ResourceInfo): string {
  const g = info.group ? info.group.split(".").reverse().join(".") : "io.k8s.api.core";
  return `${g}.${info.version}.${info.kind}`;
}

const QUERY = (name: string): Record<string, unknown> => ({
  name,
  in: "query",
  schema: { type: "string", uniqueItems: true },
});

function operations(info: ResourceInfo): Record<string, unknown> {
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(info)}` };
  const body = { content: { "application/json": { schema: ref } }, required: true };
  const responses = {
    "200": { description: "OK", content: { "application/json": { schema: ref } } },
  };
  const op = (action: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    operationId: `${action}${info.kind}`,
    responses,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    ...extra,
  });
  const writeParams = [QUERY("dryRun"), QUERY("fieldManager"), QUERY("fieldValidation")];
  const base = `/${gvPath(info)}${info.namespaced ? "/namespaces/{namespace}" : ""}/${info.resource}`;
  const paths: Record<string, unknown> = {};
  if (info.virtual) {
    paths[base] = { post: op("post", { requestBody: body, parameters: writeParams }) };
    return paths;
  }
  paths[base] = {
    get: op("list"),
    post: op("post", { requestBody: body, parameters: writeParams }),
    delete: op("deletecollection"),
  };
  const item = {
    get: op("get"),
    put: op("put", { requestBody: body, parameters: writeParams }),
    patch: op("patch", {
      requestBody: {
        content: { "application/merge-patch+json": { schema: { type: "object" } } },
        required: true,
      },
      parameters: [...writeParams, QUERY("force")],
    }),
    delete: op("delete"),
  };
  paths[`${base}/{name}`] = item;
  if (info.statusSubresource) paths[`${base}/{name}/status`] = item;
  return paths;
}

function schema(info: ResourceInfo): Record<string, unknown> {
  return {
    type: "object",
    "x-kubernetes-group-version-kind": [
      { group: info.group, version: info.version, kind: info.kind },
    ],
    "x-kubernetes-preserve-unknown-fields": true,
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
  };
}

const docs = new Map<string, Record<string, unknown>>();
for (const r of RESOURCES) {
  const key = gvPath(r);
  let doc = docs.get(key);
  if (!doc) {
    doc = {
      openapi: "3.0.0",
      info: { title: "Kubernetes", version: "v1.32.0" },
      paths: {},
      components: { schemas: {} },
    };
    docs.set(key, doc);
  }
  Object.assign(doc["paths"] as Record<string, unknown>, operations(r));
  (doc["components"] as { schemas: Record<string, unknown> }).schemas[schemaName(r)] = schema(r);
}
const hashes = new Map<string, string>();
for (const [key, doc] of docs) {
  hashes.set(key, createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase());
}

/** `/openapi/v3`: the index of group-version documents. */
export function openApiV3Index(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const key of docs.keys()) {
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashes.get(key)}` };
  }
  return { paths };
}

/** `/openapi/v3/{api|apis/group}/{version}`, or undefined. */
export function openApiV3Document(path: string): Record<string, unknown> | undefined {
  return docs.get(path);
}

/**
 * `/openapi/v2`: an OpenAPI v2 document without definitions, as a server
 * whose kinds all come from schemaless CRDs would publish. kubectl before
 * 1.27 reads it (in protobuf) before `apply`, to validate and to find
 * strategic merge keys; without it `kubectl apply` fails with NotFound. Kinds
 * it does not describe are neither validated nor strategically merged, which
 * is what kubectl does for custom resources anyway.
 */
export const OPENAPI_V2_JSON: Record<string, unknown> = {
  swagger: "2.0",
  info: { title: "Kubernetes", version: "v1.32.0" },
  paths: {},
  definitions: {},
};

/** The media type kubectl asks `/openapi/v2` for. */
export const OPENAPI_V2_PROTOBUF_TYPE =
  "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

/** A protobuf length-delimited field (wire type 2) with a one-byte tag. */
function lengthDelimited(field: number, payload: Buffer): Buffer {
  const length: number[] = [];
  let n = payload.length;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n > 0) byte |= 0x80;
    length.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...length]), payload]);
}

/**
 * {@link OPENAPI_V2_JSON} as the protobuf `openapi.v2.Document` of
 * google/gnostic: `swagger` (1), `info` (2: `title` 1, `version` 2), `paths` (8).
 */
export const OPENAPI_V2_PROTOBUF: Buffer = Buffer.concat([
  lengthDelimited(1, Buffer.from("2.0")),
  lengthDelimited(
    2,
    Buffer.concat([
      lengthDelimited(1, Buffer.from("Kubernetes")),
      lengthDelimited(2, Buffer.from("v1.32.0")),
    ]),
  ),
  lengthDelimited(8, Buffer.alloc(0)),
]);
