/**
 * What describes a served kind ({@link ResourceInfo}, its `kubectl get` {@link PrinterColumn}s),
 * and the column and verb helpers the catalogues share.
 *
 * @module
 */
import type { KubeObject } from "./types.js";
/** How strategic merge patch treats one field (see {@link PatchFields}). */
export interface PatchField {
  /** A list merged item by item on this key (`patchMergeKey`), e.g. `name` for containers. */
  mergeKey?: string;
  /** A list of scalars merged as a set (`patchStrategy:"merge"` without key), e.g. finalizers. */
  set?: boolean;
  /** Replaced whole, never merged (`patchStrategy:"replace"`), e.g. a PDB's selector. */
  replace?: boolean;
  /** The fields of the value (of each item for lists). */
  fields?: PatchFields;
}

/** The strategic-merge-patch metadata of an object's fields, by field name. */
export type PatchFields = Readonly<Record<string, PatchField>>;

/** A column of `kubectl get` (a `meta.k8s.io/v1` Table column definition plus how to fill it). */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description: string;
  priority?: number;
  /** The cell value of an object (dates as RFC 3339 strings, converted to ages for `date` columns). */
  value: (obj: KubeObject) => unknown;
}

/** One kind the fake serves. Adding a kind to the fake is adding one entry to {@link RESOURCES}. */
export interface ResourceInfo {
  /** API group ("" for core). */
  group: string;
  version: string;
  /** Plural resource name, as in URLs. */
  resource: string;
  singular: string;
  kind: string;
  /** List kind, e.g. `PipelineRunList`. */
  listKind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Has a `status` subresource: the main resource ignores status changes and vice versa. */
  statusSubresource?: boolean;
  /** Has a `log` subresource (pods). */
  logSubresource?: boolean;
  /** Has a `portforward` subresource, served over WebSocket (pods; `http-portforward.ts`). */
  portforwardSubresource?: boolean;
  /** Has a `token` subresource: TokenRequest (serviceaccounts). */
  tokenSubresource?: boolean;
  /** Custom resource: strategic-merge patches are refused with 415 like for CRDs. */
  custom?: boolean;
  /** Maintains `metadata.generation` (bumped on spec changes). */
  generation?: boolean;
  /** Names are any path segment (RBAC kinds), not RFC 1123 subdomains. */
  pathSegmentNames?: boolean;
  /** Create-only virtual resource (reviews): nothing is stored. */
  virtual?: boolean;
  /**
   * The strategic-merge-patch metadata of the kind's fields (the Go types' `patchStrategy` and
   * `patchMergeKey`); fields not described are replaced, and `metadata` is always described.
   */
  patchMeta?: PatchFields;
  /** Table columns after NAME (kubectl get). */
  columns: PrinterColumn[];
}

/** Every verb of a stored resource. */
export const ALL_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

/** The condition of a type in `status.conditions`, if any. */
export function condition(obj: KubeObject, type: string): Record<string, unknown> | undefined {
  const status = obj["status"] as { conditions?: Array<Record<string, unknown>> } | undefined;
  return status?.conditions?.find((c) => c["type"] === type);
}

/** The value of a `status` field of an object. */
export function statusField(field: string): (obj: KubeObject) => unknown {
  return (obj) => (obj["status"] as Record<string, unknown> | undefined)?.[field];
}

/** The `Age` column (from `creationTimestamp`). */
export const AGE: PrinterColumn = {
  name: "Age",
  type: "date",
  description:
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
  value: (obj) => obj.metadata.creationTimestamp,
};
