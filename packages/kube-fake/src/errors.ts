/**
 * Errors of the fake API server: {@link KubeApiError} carries the HTTP status code and the
 * `Status` object a real server sends; one constructor per reason (NotFound, AlreadyExists,
 * Conflict, Invalid, BadRequest, Expired, ...), with the real messages.
 *
 * @module
 */
import type { Status, StatusCause } from "./types.js";

/** An error of the fake API server: an HTTP status code and the `Status` object sent for it. */
export class KubeApiError extends Error {
  /** The HTTP status code. */
  readonly code: number;
  /** The `meta/v1` Status object, exactly as sent over HTTP. */
  readonly status: Status;

  constructor(status: Status) {
    super(status.message);
    this.name = "KubeApiError";
    this.code = status.code;
    this.status = status;
  }
}

/** The group/resource an error is about, e.g. `{ group: "tekton.dev", resource: "pipelineruns" }`. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(gr: GroupResource | undefined, name: string | undefined): Status["details"] {
  if (!gr) return name ? { name } : undefined;
  const d: NonNullable<Status["details"]> = {};
  if (name) d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

/** Builds a failure `Status`. */
export function failure(
  code: number,
  reason: string,
  message: string,
  det?: Status["details"],
): Status {
  const s: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  if (det && Object.keys(det).length > 0) s.details = det;
  return s;
}

/** 404 NotFound for `gr` named `name`. */
export function notFound(gr: GroupResource, name: string): KubeApiError {
  return new KubeApiError(
    failure(404, "NotFound", `${qualified(gr)} "${name}" not found`, details(gr, name)),
  );
}

/** 409 AlreadyExists. */
export function alreadyExists(gr: GroupResource, name: string): KubeApiError {
  return new KubeApiError(
    failure(409, "AlreadyExists", `${qualified(gr)} "${name}" already exists`, details(gr, name)),
  );
}

/** 409 Conflict ("Operation cannot be fulfilled on ..."). */
export function conflict(
  gr: GroupResource,
  name: string,
  why: string,
  causes?: StatusCause[],
): KubeApiError {
  const det = details(gr, name) ?? {};
  if (causes) det.causes = causes;
  return new KubeApiError(
    failure(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      det,
    ),
  );
}

/** The message of a stale resourceVersion conflict. */
export const OPTIMISTIC_LOCK_MESSAGE =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 409: a uid precondition (or the uid in the body) is not the object's. */
export function uidConflict(
  gr: GroupResource,
  name: string,
  given: unknown,
  actual: unknown,
): KubeApiError {
  return conflict(
    gr,
    name,
    `Precondition failed: UID in precondition: ${String(given)}, UID in object meta: ${String(actual)}`,
  );
}

/** 400: the object's name is not the one on the URL. */
export function nameMismatch(given: unknown, urlName: string): KubeApiError {
  return badRequest(
    `the name of the object (${String(given)}) does not match the name on the URL (${urlName})`,
  );
}

/** 400: the object's namespace is not the one of the request. */
export function namespaceMismatch(): KubeApiError {
  return badRequest(
    "the namespace of the provided object does not match the namespace sent on the request",
  );
}

/** 422 Invalid: `Kind.group "name" is invalid: field: message`. */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: Array<{ field: string; reason: string; message: string }>,
): KubeApiError {
  const qk = group ? `${kind}.${group}` : kind;
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  const det: NonNullable<Status["details"]> = { name, kind, causes };
  if (group) det.group = group;
  if (!name) delete det.name;
  return new KubeApiError(
    failure(
      422,
      "Invalid",
      `${qk} "${name}" is invalid: ${causes.length > 1 ? `[${text}]` : text}`,
      det,
    ),
  );
}

/** 400 BadRequest. */
export function badRequest(message: string): KubeApiError {
  return new KubeApiError(failure(400, "BadRequest", message));
}

/** 410 Gone with reason Expired. */
export function expired(message: string): KubeApiError {
  return new KubeApiError(failure(410, "Expired", message));
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(message: string): KubeApiError {
  return new KubeApiError(failure(405, "MethodNotAllowed", message));
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(message: string): KubeApiError {
  return new KubeApiError(failure(415, "UnsupportedMediaType", message));
}

/** 422 with reason Invalid and a free message (e.g. a failed JSON patch). */
export function unprocessable(message: string): KubeApiError {
  return new KubeApiError(failure(422, "Invalid", message));
}

/**
 * 403 Forbidden, as `apierrors.NewForbidden`: `<resource>.<group> "<name>" is forbidden: <why>`,
 * or `forbidden: <why>` without a resource.
 */
export function forbidden(
  gr: GroupResource | undefined,
  name: string | undefined,
  why: string,
): KubeApiError {
  const message = !gr
    ? `forbidden: ${why}`
    : name
      ? `${qualified(gr)} "${name}" is forbidden: ${why}`
      : `${qualified(gr)} is forbidden: ${why}`;
  return new KubeApiError(failure(403, "Forbidden", message, details(gr, name)));
}
