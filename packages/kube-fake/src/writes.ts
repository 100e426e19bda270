/**
 * Create and update (PUT): the server-set metadata (uid, creationTimestamp, generateName,
 * generation, resourceVersion), the status subresource rules, optimistic concurrency, finalizers
 * of deleting objects, `managedFields` of Update operations, and admission. Patch and apply end
 * in {@link commitUpdate} too.
 *
 * @module
 */
import { newUid, nowTimestamp, randomSuffix } from "./clock.js";
import type { Commits } from "./commits.js";
import {
  alreadyExists,
  conflict,
  invalid,
  nameMismatch,
  namespaceMismatch,
  OPTIMISTIC_LOCK_MESSAGE,
  uidConflict,
} from "./errors.js";
import { recordUpdate } from "./managed-fields.js";
import {
  actorOf,
  checkKind,
  normalizeFields,
  refuseNewFinalizers,
  scopeOf,
  specOf,
  validateName,
  withoutVolatile,
} from "./object-rules.js";
import { cloneJson, isObject, jsonEqual } from "./patch.js";
import { groupVersion, type ResourceInfo } from "./resources.js";
import type { AdmissionRequest, KubeObject } from "./types.js";

/** Options of write operations. */
export interface WriteOptions {
  subresource?: "status";
  fieldManager?: string;
}

/** Options of a create. */
export interface CreateOptions {
  namespace?: string;
  fieldManager?: string;
  /** Drop `status` like the real server does for kinds with a status subresource. */
  resetStatus?: boolean;
  /** The object comes from server-side apply, which has set its managedFields. */
  apply?: boolean;
  /** The input is the caller's to give away (not copied). */
  owned?: boolean;
}

/** What writes need from the store. */
export interface WriteContext {
  readonly commits: Commits;
  /** Makes sure objects may be created in a namespace (creating it when allowed). */
  ensureNamespace(namespace: string): void;
  /** Runs the admission hook; throws when it refuses the write. */
  admit(
    info: ResourceInfo,
    verb: AdmissionRequest["verb"],
    object: KubeObject,
    oldObject: KubeObject | undefined,
    subresource: string | undefined,
  ): void;
}

/** Creates an object (generateName, uid, creationTimestamp, resourceVersion, generation). */
export function createObject(
  ctx: WriteContext,
  info: ResourceInfo,
  input: KubeObject,
  options: CreateOptions = {},
): KubeObject {
  checkKind(info, input);
  const obj = options.owned ? input : cloneJson(input);
  obj.apiVersion = groupVersion(info);
  obj.kind = info.kind;
  const meta = obj.metadata;
  let namespace: string | undefined;
  if (info.namespaced) {
    namespace = options.namespace ?? meta.namespace ?? "default";
    if (meta.namespace && meta.namespace !== namespace) throw namespaceMismatch();
    meta.namespace = namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) {
    meta.name = `${meta.generateName}${randomSuffix()}`;
  }
  const name = meta.name ?? "";
  if (!name) {
    throw invalid(info.kind, info.group, "", [
      {
        field: "metadata.name",
        reason: "FieldValueRequired",
        message: "Required value: name or generateName is required",
      },
    ]);
  }
  validateName(info, name);
  if (ctx.commits.get(info, namespace, name)) throw alreadyExists(info, name);
  if (namespace) ctx.ensureNamespace(namespace);
  if (options.resetStatus && info.statusSubresource) delete obj["status"];
  normalizeFields(info, obj);
  if (info.resource === "namespaces") {
    meta.labels = { ...(meta.labels ?? {}), "kubernetes.io/metadata.name": name };
    obj["spec"] = { finalizers: ["kubernetes"], ...(isObject(obj["spec"]) ? obj["spec"] : {}) };
    obj["status"] = { phase: "Active" };
  } else if (info.resource === "pods" && options.resetStatus) {
    obj["status"] = { phase: "Pending", qosClass: "BestEffort" };
  }
  meta.uid = newUid();
  meta.creationTimestamp = nowTimestamp();
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (info.generation) meta.generation = 1;
  else delete meta.generation;
  if (!options.apply) {
    delete meta.managedFields;
    meta.managedFields = recordUpdate(
      undefined,
      obj,
      actorOf(info, options.fieldManager, undefined),
      info.statusSubresource ? "main" : "all",
    );
    if (meta.managedFields.length === 0) delete meta.managedFields;
  }
  ctx.admit(info, "create", obj, undefined, undefined);
  meta.resourceVersion = ctx.commits.nextRv();
  ctx.commits.add(info, obj);
  return obj;
}

/**
 * Replaces an object (PUT). With `subresource: "status"` only `status` changes; otherwise
 * `status` is kept for kinds with a status subresource. A set `metadata.resourceVersion` must be
 * the current one (409 Conflict otherwise).
 */
export function updateObject(
  ctx: WriteContext,
  info: ResourceInfo,
  input: KubeObject,
  options: WriteOptions & { namespace?: string; name?: string; owned?: boolean } = {},
): KubeObject {
  checkKind(info, input);
  const name = options.name ?? input.metadata.name;
  if (!name) {
    throw invalid(info.kind, info.group, "", [
      {
        field: "metadata.name",
        reason: "FieldValueRequired",
        message: "Required value: name is required",
      },
    ]);
  }
  if (input.metadata.name && input.metadata.name !== name) {
    throw nameMismatch(input.metadata.name, name);
  }
  const namespace = info.namespaced
    ? (options.namespace ?? input.metadata.namespace ?? "default")
    : undefined;
  if (info.namespaced && input.metadata.namespace && input.metadata.namespace !== namespace) {
    throw namespaceMismatch();
  }
  const current = ctx.commits.table.mustGet(info, namespace, name);
  const rvIn = input.metadata.resourceVersion;
  if (rvIn && rvIn !== current.metadata.resourceVersion) {
    throw conflict(info, name, OPTIMISTIC_LOCK_MESSAGE);
  }
  if (input.metadata.uid && input.metadata.uid !== current.metadata.uid) {
    throw uidConflict(info, name, input.metadata.uid, current.metadata.uid);
  }
  return commitUpdate(
    ctx,
    info,
    current,
    options.owned ? input : cloneJson(input),
    options.subresource,
    options.fieldManager,
  );
}

/** The metadata an update cannot change. */
const SERVER_OWNED_ON_UPDATE = [
  "name",
  "namespace",
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "generation",
] as const;

/** `proposed` as an update of `current` may store it: the subresource rules and server metadata. */
function nextVersion(
  info: ResourceInfo,
  current: KubeObject,
  proposed: KubeObject,
  subresource: "status" | undefined,
): KubeObject {
  if (subresource === "status" && info.statusSubresource) {
    // Stored objects are never modified in place, so sharing their parts is safe.
    const next: KubeObject = { ...current, metadata: { ...current.metadata } };
    if (proposed["status"] === undefined) delete next["status"];
    else next["status"] = proposed["status"];
    return next;
  }
  const next = proposed;
  next.apiVersion = groupVersion(info);
  next.kind = info.kind;
  if (info.statusSubresource) {
    if (current["status"] === undefined) delete next["status"];
    else next["status"] = current["status"];
  }
  next.metadata = { ...next.metadata };
  for (const k of SERVER_OWNED_ON_UPDATE) {
    if (current.metadata[k] === undefined) delete next.metadata[k];
    else (next.metadata as Record<string, unknown>)[k] = current.metadata[k];
  }
  if (!next.metadata.labels || Object.keys(next.metadata.labels).length === 0)
    delete next.metadata.labels;
  if (!next.metadata.annotations || Object.keys(next.metadata.annotations).length === 0) {
    delete next.metadata.annotations;
  }
  if (!next.metadata.finalizers || next.metadata.finalizers.length === 0)
    delete next.metadata.finalizers;
  if (!next.metadata.ownerReferences || next.metadata.ownerReferences.length === 0) {
    delete next.metadata.ownerReferences;
  }
  return next;
}

/**
 * Stores `proposed` as the next version of `current` (MODIFIED), unless nothing changed: the
 * subresource rules, generation, managedFields (an Update entry, or what `applied` computes for
 * server-side apply), admission; an object being deleted whose finalizers are now empty is
 * removed. Returns the stored object.
 */
export function commitUpdate(
  ctx: WriteContext,
  info: ResourceInfo,
  current: KubeObject,
  proposed: KubeObject,
  subresource: "status" | undefined,
  fieldManager: string | undefined,
  applied?: (base: KubeObject) => KubeObject,
): KubeObject {
  let next = nextVersion(info, current, proposed, subresource);
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  normalizeFields(info, next);
  refuseNewFinalizers(info, current, next);
  if (info.generation && !jsonEqual(specOf(current), specOf(next))) {
    next.metadata.generation = (current.metadata.generation ?? 0) + 1;
  }
  const scope = scopeOf(info, subresource);
  const actor = actorOf(info, fieldManager, subresource);
  if (applied) {
    next = applied(next);
  } else {
    // A request that sets managedFields to something else resets the ownership baseline (like
    // the real server; kubectl uses this to migrate client-side-apply ownership).
    const given = next.metadata.managedFields;
    const baseline =
      given !== undefined &&
      subresource !== "status" &&
      !jsonEqual(given, current.metadata.managedFields ?? [])
        ? given
        : current.metadata.managedFields;
    next.metadata.managedFields = baseline;
    const mf = recordUpdate(
      { ...current, metadata: { ...current.metadata, managedFields: baseline } },
      next,
      actor,
      scope,
    );
    if (mf.length > 0) next.metadata.managedFields = mf;
    else delete next.metadata.managedFields;
  }
  ctx.admit(info, "update", next, current, subresource);
  if (jsonEqual(withoutVolatile(current), withoutVolatile(next))) return current;
  ctx.commits.modifyNext(info, current, next);
  ctx.commits.removeIfFinalized(info, next);
  return next;
}
