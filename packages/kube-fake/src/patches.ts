/**
 * Patch: merge patch (RFC 7386), strategic merge patch (`strategic-merge.ts`), JSON patch
 * (RFC 6902) and server-side apply, with its field ownership conflicts (409 with
 * `FieldManagerConflict` causes) and its creation of a missing object. A patched object is stored through {@link commitUpdate} like an update.
 *
 * @module
 */
import {
  badRequest,
  conflict,
  invalid,
  nameMismatch,
  namespaceMismatch,
  notFound,
  OPTIMISTIC_LOCK_MESSAGE,
  uidConflict,
  type KubeApiError,
} from "./errors.js";
import { serverSideApply, type ApplyConflict } from "./managed-fields.js";
import {
  actorOf,
  checkKind,
  refuseNewFinalizers,
  requireNamespace,
  scopeOf,
  shallowCopy,
  specOf,
} from "./object-rules.js";
import { applyJsonPatch, applyMergePatch, cloneJson, isObject, jsonEqual } from "./patch.js";
import { groupVersion, type ResourceInfo } from "./resources.js";
import { applyStrategicMergePatch } from "./strategic-merge.js";
import type { KubeObject } from "./types.js";
import { commitUpdate, createObject, type WriteContext, type WriteOptions } from "./writes.js";

/** The patch types the store understands. */
export type PatchType = "merge" | "strategic" | "json" | "apply";

/** A patch: its type and its body (parsed JSON or YAML). */
export interface Patch {
  type: PatchType;
  body: unknown;
}

/** Options of a patch. */
export type PatchOptions = WriteOptions & { force?: boolean; strategic?: boolean };

/** The result of a patch: the stored object, and whether apply created it. */
export interface PatchResult {
  object: KubeObject;
  created: boolean;
}

/** Patches an object (merge, JSON or server-side apply). Apply creates a missing object. */
export function patchObject(
  ctx: WriteContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  { type, body }: Patch,
  options: PatchOptions = {},
): PatchResult {
  const ns = requireNamespace(info, namespace);
  if (type === "apply") return applyObject(ctx, info, ns, name, body, options);
  const current = ctx.commits.table.mustGet(info, ns, name);
  let patched: unknown;
  if (type === "strategic") {
    patched = applyStrategicMergePatch(info, current, body);
  } else if (type === "merge") {
    if (!isObject(body))
      throw badRequest(
        "json: cannot unmarshal array into Go value of type map[string]interface {}",
      );
    patched = applyMergePatch(current, body);
  } else {
    patched = applyJsonPatch(current, body);
  }
  if (!isObject(patched) || !isObject(patched["metadata"])) {
    throw badRequest("the patched object is not a valid Kubernetes object");
  }
  const proposed = patched as KubeObject;
  const rvIn = proposed.metadata.resourceVersion;
  if (rvIn !== undefined && rvIn !== current.metadata.resourceVersion) {
    throw conflict(info, name, OPTIMISTIC_LOCK_MESSAGE);
  }
  if (proposed.metadata.uid !== undefined && proposed.metadata.uid !== current.metadata.uid) {
    throw uidConflict(info, name, proposed.metadata.uid, current.metadata.uid);
  }
  if (proposed.metadata.name !== current.metadata.name) {
    throw nameMismatch(proposed.metadata.name, name);
  }
  const object = commitUpdate(
    ctx,
    info,
    current,
    proposed,
    options.subresource,
    options.fieldManager,
  );
  return { object, created: false };
}

/** The applied configuration, checked and limited to what the request may set. */
function appliedConfig(
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  body: unknown,
  options: WriteOptions,
): KubeObject {
  if (!options.fieldManager) {
    throw invalid("PatchOptions", "meta.k8s.io", "", [
      {
        field: "fieldManager",
        reason: "FieldValueRequired",
        message: "Required value: is required for apply patch",
      },
    ]);
  }
  if (!isObject(body) || !isObject(body["metadata"])) {
    throw badRequest(
      "error decoding YAML: the applied configuration must be an object with metadata",
    );
  }
  const config = cloneJson(body) as KubeObject;
  if (!config.apiVersion || !config.kind) {
    throw badRequest(
      `invalid object type: ${config.apiVersion ? "" : "apiVersion"}${config.kind ? "" : " kind"} must be set`.trim(),
    );
  }
  checkKind(info, config);
  if (config.metadata.name && config.metadata.name !== name) {
    throw nameMismatch(config.metadata.name, name);
  }
  if (info.namespaced && config.metadata.namespace && config.metadata.namespace !== namespace) {
    throw namespaceMismatch();
  }
  config.metadata.name = name;
  if (namespace) config.metadata.namespace = namespace;
  else delete config.metadata.namespace;
  const scope = scopeOf(info, options.subresource);
  if (scope === "main") delete config["status"];
  if (scope === "status") {
    for (const k of Object.keys(config))
      if (!["apiVersion", "kind", "metadata", "status"].includes(k)) delete config[k];
    config.metadata = { name, ...(namespace ? { namespace } : {}) };
  }
  return config;
}

/** The 409 of an apply that would change fields other managers own. */
function applyConflict(info: ResourceInfo, name: string, conflicts: ApplyConflict[]): KubeApiError {
  const gv = groupVersion(info);
  const using = (c: ApplyConflict): string =>
    `conflict with "${c.manager}"${c.apiVersion !== gv ? ` using ${c.apiVersion}` : ""}`;
  const causes = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: using(c),
    field: c.field,
  }));
  const lines = conflicts.map((c) => `${using(c)}: ${c.field}`);
  const message =
    lines.length === 1
      ? `Apply failed with 1 conflict: ${lines[0]}`
      : `Apply failed with ${lines.length} conflicts: ${lines.join("\n")}`;
  const err = conflict(info, name, "");
  err.status.message = message;
  err.status.details = { ...err.status.details, causes };
  (err as { message: string }).message = message;
  return err;
}

/** Server-side apply: merges the configuration with field ownership; creates a missing object. */
function applyObject(
  ctx: WriteContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  body: unknown,
  options: WriteOptions & { force?: boolean },
): PatchResult {
  const config = appliedConfig(info, namespace, name, body, options);
  const scope = scopeOf(info, options.subresource);
  const actor = actorOf(info, options.fieldManager, options.subresource);
  const current = ctx.commits.get(info, namespace, name);
  const rvIn = config.metadata.resourceVersion;
  if (rvIn && rvIn !== current?.metadata.resourceVersion) {
    if (!current) throw notFound(info, name);
    throw conflict(info, name, OPTIMISTIC_LOCK_MESSAGE);
  }
  if (config.metadata.uid && current && config.metadata.uid !== current.metadata.uid) {
    throw uidConflict(info, name, config.metadata.uid, current.metadata.uid);
  }
  const run = (live: KubeObject | undefined): KubeObject => {
    const result = serverSideApply(live, config, actor, scope, options.force === true);
    if (result.conflicts.length > 0) throw applyConflict(info, name, result.conflicts);
    return result.object;
  };
  if (!current) {
    if (options.subresource === "status") throw notFound(info, name);
    const created = run(undefined);
    const mf = created.metadata.managedFields;
    const obj = createObject(ctx, info, created, {
      namespace,
      fieldManager: options.fieldManager,
      apply: true,
      resetStatus: false,
    });
    if (mf && mf.length > 0 && !obj.metadata.managedFields) {
      obj.metadata.managedFields = mf;
    }
    return { object: obj, created: true };
  }
  const object = commitUpdate(
    ctx,
    info,
    current,
    shallowCopy(current),
    options.subresource,
    options.fieldManager,
    () => {
      const merged = run(current);
      // Keep server-owned metadata and the other half (status/main) as they are.
      for (const k of [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "resourceVersion",
      ] as const) {
        if (current.metadata[k] === undefined) delete merged.metadata[k];
        else (merged.metadata as Record<string, unknown>)[k] = current.metadata[k];
      }
      if (info.generation && !jsonEqual(specOf(current), specOf(merged))) {
        merged.metadata.generation = (current.metadata.generation ?? 0) + 1;
      } else if (current.metadata.generation !== undefined) {
        merged.metadata.generation = current.metadata.generation;
      }
      refuseNewFinalizers(info, current, merged);
      if (merged.metadata.finalizers?.length === 0) delete merged.metadata.finalizers;
      return merged;
    },
  );
  return { object, created: false };
}
