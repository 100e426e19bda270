/**
 * The rules every write applies to an object, shared by create, update, patch, apply and delete:
 * kind, name and namespace validation, finalizers of deleting objects, what counts as a change
 * (spec, volatile fields), MicroTime normalization, and the field-ownership actor and scope of a
 * write.
 *
 * @module
 */
import { nowTimestamp } from "./clock.js";
import { badRequest, invalid } from "./errors.js";
import type { FieldScope } from "./field-sets.js";
import type { Actor } from "./managed-fields.js";
import { isObject } from "./patch.js";
import { groupVersion, type ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NS_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether a name is a valid namespace name (an RFC 1123 label). */
export function isNamespaceName(name: string): boolean {
  return NS_RE.test(name);
}

/**
 * Throws 422 Invalid unless `name` is valid for the resource (RFC 1123 label or subdomain, or a
 * path segment for RBAC kinds).
 */
export function validateName(info: ResourceInfo, name: string): void {
  if (info.pathSegmentNames) {
    // RBAC names: any valid path segment (e.g. "system:discovery").
    if (name !== "." && name !== ".." && !/[/%]/.test(name)) return;
    throw invalid(info.kind, info.group, name, [
      {
        field: "metadata.name",
        reason: "FieldValueInvalid",
        message: `Invalid value: "${name}": may not be '.' or '..' and may not contain '/' or '%'`,
      },
    ]);
  }
  const isNs = info.resource === "namespaces";
  const re = isNs ? NS_RE : NAME_RE;
  if (!re.test(name) || name.length > (isNs ? 63 : 253)) {
    throw invalid(info.kind, info.group, name, [
      {
        field: "metadata.name",
        reason: "FieldValueInvalid",
        message: `Invalid value: "${name}": a lowercase RFC 1123 ${isNs ? "label" : "subdomain"} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ]);
  }
}

/** The namespace of a request to a namespaced resource (400 when missing), or undefined. */
export function requireNamespace(
  info: ResourceInfo,
  namespace: string | undefined,
): string | undefined {
  if (!info.namespaced) return undefined;
  if (!namespace)
    throw badRequest("the server could not find the requested resource: a namespace is required");
  return namespace;
}

/** Throws 400 unless `obj` has metadata and, when set, the resource's apiVersion and kind. */
export function checkKind(info: ResourceInfo, obj: KubeObject): void {
  if (!isObject(obj) || !isObject(obj.metadata)) {
    throw badRequest("Object 'metadata' is missing or not an object");
  }
  const gv = groupVersion(info);
  if ((obj.apiVersion && obj.apiVersion !== gv) || (obj.kind && obj.kind !== info.kind)) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`,
    );
  }
}

/** Throws 422 when a write adds finalizers to an object that is being deleted. */
export function refuseNewFinalizers(
  info: ResourceInfo,
  current: KubeObject,
  next: KubeObject,
): void {
  if (!current.metadata.deletionTimestamp) return;
  const before = new Set(current.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  if (added.length === 0) return;
  throw invalid(info.kind, info.group, current.metadata.name, [
    {
      field: "metadata.finalizers",
      reason: "FieldValueForbidden",
      message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
        .map((f) => JSON.stringify(f))
        .join(", ")}}`,
    },
  ]);
}

const MICRO_TIME_FIELDS: Record<string, string[]> = { leases: ["acquireTime", "renewTime"] };

/**
 * Normalizes what the server rewrites on every write: MicroTime fields to the server's
 * `2006-01-02T15:04:05.000000Z` form, and a Secret's `stringData` into `data` (base64), as
 * kube-apiserver does (`stringData` is never stored).
 */
export function normalizeFields(info: ResourceInfo, obj: KubeObject): void {
  if (info.resource === "secrets" && info.group === "" && isObject(obj["stringData"])) {
    const data = isObject(obj["data"]) ? { ...obj["data"] } : {};
    for (const [k, v] of Object.entries(obj["stringData"])) {
      data[k] = Buffer.from(String(v)).toString("base64");
    }
    obj["data"] = data;
    delete obj["stringData"];
  }
  const fields = MICRO_TIME_FIELDS[info.resource];
  const spec = obj["spec"];
  if (!fields || !isObject(spec)) return;
  for (const f of fields) {
    const v = spec[f];
    if (typeof v !== "string") continue;
    const t = Date.parse(v);
    if (Number.isNaN(t)) continue;
    const micros = /\.(\d+)/.exec(v)?.[1] ?? "";
    spec[f] = `${new Date(t).toISOString().slice(0, 19)}.${micros.padEnd(6, "0").slice(0, 6)}Z`;
  }
}

/**
 * A copy of an object's top level and metadata. Stored objects are never modified in place, so
 * the deeper parts can be shared.
 */
export function shallowCopy(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata } };
}

/** What `generation` counts: the object without metadata, status, apiVersion and kind. */
export function specOf(obj: KubeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k !== "metadata" && k !== "status" && k !== "apiVersion" && k !== "kind") rest[k] = v;
  }
  return rest;
}

/** The object without what changes on every write (resourceVersion, managedFields times). */
export function withoutVolatile(obj: KubeObject): KubeObject {
  const meta = { ...obj.metadata };
  delete meta.resourceVersion;
  if (meta.managedFields) meta.managedFields = meta.managedFields.map((m) => ({ ...m, time: "" }));
  return { ...obj, metadata: meta };
}

/** The part of an object a write may own: all of it, or main or status with a subresource. */
export function scopeOf(info: ResourceInfo, subresource: string | undefined): FieldScope {
  if (!info.statusSubresource) return "all";
  return subresource === "status" ? "status" : "main";
}

/** Who writes, for `managedFields` (the manager defaults to `kube-fake`). */
export function actorOf(
  info: ResourceInfo,
  manager: string | undefined,
  subresource: string | undefined,
): Actor {
  const a: Actor = {
    manager: manager || "kube-fake",
    apiVersion: groupVersion(info),
    time: nowTimestamp(),
  };
  if (subresource) a.subresource = subresource;
  return a;
}
