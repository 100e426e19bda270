import { createHash } from "node:crypto";
import { RESOURCES, type ResourceInfo } from "./resources.js";

/**
 * Minimal OpenAPI v3 documents, enough for kubectl: it reads them to learn that PATCH supports
 * `fieldValidation` (server-side validation) and to find a schema per kind. Schemas are open
 * (`x-kubernetes-preserve-unknown-fields`), like CRDs without structural validation.
 */

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
