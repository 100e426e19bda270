/**
 * `meta.k8s.io/v1` Tables for `kubectl get`: the printer columns of a resource, dates as ages,
 * and the object in each row as `includeObject` asks.
 *
 * @module
 */
import { humanDuration } from "./clock.js";
import type { PrinterColumn, ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

/** What a Table row carries of its object (`includeObject` query parameter). */
export type IncludeObject = "None" | "Metadata" | "Object";

const NAME_COLUMN = {
  name: "Name",
  type: "string",
  format: "name",
  description:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  priority: 0,
};

function cell(column: PrinterColumn, obj: KubeObject, now: number): unknown {
  const value = column.value(obj);
  if (value === undefined || value === null) return null;
  if (column.type === "date") {
    const t = Date.parse(String(value));
    return Number.isNaN(t) ? "<invalid>" : humanDuration(now - t);
  }
  if (column.type === "string") return typeof value === "string" ? value : JSON.stringify(value);
  return value;
}

/**
 * Renders objects as a `meta.k8s.io/v1` Table, what `kubectl get` asks for: a Name column then the
 * kind's printer columns (dates rendered as ages like the real server), one row per object.
 */
export function toTable(
  info: ResourceInfo,
  objects: KubeObject[],
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  includeObject: IncludeObject = "Metadata",
): Record<string, unknown> {
  const now = Date.now();
  const columnDefinitions = [
    NAME_COLUMN,
    ...info.columns.map((c) => ({
      name: c.name,
      type: c.type === "date" ? "date" : c.type,
      format: c.format ?? "",
      description: c.description,
      priority: c.priority ?? 0,
    })),
  ];
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = {
      cells: [obj.metadata.name ?? "", ...info.columns.map((c) => cell(c, obj, now))],
    };
    if (includeObject === "Object") row["object"] = obj;
    else if (includeObject === "Metadata") {
      row["object"] = {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: obj.metadata,
      };
    }
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (listMeta.resourceVersion) metadata["resourceVersion"] = listMeta.resourceVersion;
  if (listMeta.continue) metadata["continue"] = listMeta.continue;
  if (listMeta.remainingItemCount !== undefined)
    metadata["remainingItemCount"] = listMeta.remainingItemCount;
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata, columnDefinitions, rows };
}

/** Whether an Accept header asks for a `meta.k8s.io` Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept
    .split(",")
    .some(
      (part) =>
        /;\s*as=Table/.test(part) &&
        /;\s*g=meta\.k8s\.io/.test(part) &&
        part.trim().startsWith("application/json"),
    );
}
