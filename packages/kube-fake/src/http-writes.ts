/**
 * The write verbs over HTTP: create (POST), update (PUT), patch (by Content-Type: merge, JSON,
 * strategic merge for built-in kinds, server-side apply) and delete (one object, or a collection
 * by selectors), on the main resource or its `status` subresource. The default field manager is
 * the client's program name, as kube-apiserver derives it from the User-Agent. With RBAC, an apply
 * that creates its object also needs `create`.
 *
 * @module
 */
import type { DeleteOptions } from "./deletion.js";
import { badRequest, failure, KubeApiError, unsupportedMediaType } from "./errors.js";
import { authorizeCreateOnApply } from "./http-auth.js";
import { defaultManager, queryFlag, selectorsOf, type ResourceCall } from "./http-context.js";
import {
  mediaType,
  notAllowed,
  parseJsonBody,
  parseObjectBody,
  parseYamlBody,
  readBody,
  send,
  sendJson,
} from "./http-io.js";
import type { PatchType } from "./patches.js";
import { groupVersion, type ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

/** The writes on an object's main resource or its `status` subresource. */
type Subresource = "status" | undefined;

function unprocessableForce(): KubeApiError {
  return new KubeApiError(
    failure(
      422,
      "Invalid",
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
      {
        kind: "PatchOptions",
        group: "meta.k8s.io",
        causes: [
          {
            reason: "FieldValueForbidden",
            message: "Forbidden: may not be specified for non-apply patch",
            field: "force",
          },
        ],
      },
    ),
  );
}

/** The DeleteOptions of a delete: from the body, `propagationPolicy` also from the query. */
async function deleteOptions(call: ResourceCall): Promise<DeleteOptions> {
  const text = await readBody(call.req);
  const body = ((text ? parseJsonBody(text) : {}) ?? {}) as {
    preconditions?: { uid?: string; resourceVersion?: string };
    propagationPolicy?: string;
    orphanDependents?: boolean;
  };
  const out: DeleteOptions = {};
  if (body.preconditions) out.preconditions = body.preconditions;
  const policy =
    call.q.get("propagationPolicy") ??
    body.propagationPolicy ??
    (body.orphanDependents ? "Orphan" : undefined);
  if (policy !== undefined && policy !== null) {
    if (policy !== "Background" && policy !== "Foreground" && policy !== "Orphan") {
      throw badRequest(
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}"`,
      );
    }
    out.propagationPolicy = policy;
  }
  return out;
}

/** The patch type of a Content-Type (415 for others; strategic merge only for built-in kinds). */
function patchTypeOf(contentType: string | undefined, info: ResourceInfo): PatchType {
  const type = mediaType(contentType);
  if (type === "application/merge-patch+json") return "merge";
  if (type === "application/json-patch+json") return "json";
  if (type === "application/strategic-merge-patch+json" && !info.custom) return "strategic";
  if (type === "application/apply-patch+yaml") return "apply";
  throw unsupportedMediaType(
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${info.custom ? "" : ", application/strategic-merge-patch+json"}`,
  );
}

/** POST to a collection in a namespace (or of a cluster-scoped resource). */
export async function serveCreate(call: ResourceCall, allNamespaces: boolean): Promise<void> {
  const { ctx, req, res, q, target } = call;
  if (allNamespaces) throw notAllowed();
  call.count("create");
  const body = parseObjectBody(await readBody(req), req.headers["content-type"]) as KubeObject;
  const created = ctx.store.create(target.info, body, {
    ...(target.namespace ? { namespace: target.namespace } : {}),
    fieldManager: q.get("fieldManager") || defaultManager(req),
    resetStatus: true,
    owned: true,
  });
  send(res, 201, ctx.store.jsonOf(target.info, created));
}

/** DELETE of a collection in a namespace (or of a cluster-scoped resource), by selectors. */
export async function serveDeleteCollection(
  call: ResourceCall,
  allNamespaces: boolean,
): Promise<void> {
  const { ctx, res, target } = call;
  const { info } = target;
  if (allNamespaces) throw notAllowed();
  call.count("deletecollection");
  const del = await deleteOptions(call);
  const deleted = ctx.store.deleteCollection(
    info,
    { ...(target.namespace ? { namespace: target.namespace } : {}), ...selectorsOf(call) },
    del,
  );
  sendJson(res, 200, {
    apiVersion: groupVersion(info),
    kind: info.listKind,
    metadata: { resourceVersion: ctx.store.currentResourceVersion() },
    items: deleted,
  });
}

/** PUT of an object or its status. */
export async function serveUpdate(call: ResourceCall, subresource: Subresource): Promise<void> {
  const { ctx, req, res, q, target } = call;
  call.count("update");
  const body = parseObjectBody(await readBody(req), req.headers["content-type"]) as KubeObject;
  const updated = ctx.store.update(target.info, body, {
    ...(target.namespace ? { namespace: target.namespace } : {}),
    name: target.name!,
    ...(subresource ? { subresource } : {}),
    fieldManager: q.get("fieldManager") || defaultManager(req),
    owned: true,
  });
  send(res, 200, ctx.store.jsonOf(target.info, updated));
}

/** PATCH of an object or its status; an apply that creates answers 201. */
export async function servePatch(call: ResourceCall, subresource: Subresource): Promise<void> {
  const { ctx, req, res, q, target } = call;
  const { info } = target;
  call.count("patch");
  const text = await readBody(req);
  const patchType = patchTypeOf(req.headers["content-type"], info);
  const body = patchType === "apply" ? parseYamlBody(text) : parseJsonBody(text);
  const force = queryFlag(q, "force");
  if (q.has("force") && patchType !== "apply") throw unprocessableForce();
  const manager = q.get("fieldManager") || (patchType === "apply" ? "" : defaultManager(req));
  const { auth } = ctx;
  if (patchType === "apply" && auth && call.user && !subresource) {
    if (!ctx.store.get(info, target.namespace, target.name!)) {
      authorizeCreateOnApply(auth.rbac, call.user, target);
    }
  }
  const { object, created } = ctx.store.patch(
    info,
    target.namespace,
    target.name!,
    patchType,
    body,
    { ...(subresource ? { subresource } : {}), fieldManager: manager, force },
  );
  send(res, created ? 201 : 200, ctx.store.jsonOf(info, object));
}

/** DELETE of an object (not of a subresource). */
export async function serveDelete(call: ResourceCall, subresource: Subresource): Promise<void> {
  const { ctx, res, target } = call;
  if (subresource) throw notAllowed();
  call.count("delete");
  const del = await deleteOptions(call);
  sendJson(res, 200, ctx.store.deleteObject(target.info, target.namespace, target.name!, del));
}
