/**
 * Admission: the `admission` hook a fake is created with, run like a validating webhook on every
 * create and update ({@link admit}), and {@link requireSpec}, a ready-made hook like Tekton's.
 *
 * @module
 */
import { badRequest } from "./errors.js";
import { cloneJson } from "./patch.js";
import type { ResourceInfo } from "./resources.js";
import type { AdmissionHook, AdmissionRequest, KubeObject } from "./types.js";

/**
 * Runs the admission hook on a write about to be stored (with copies of the objects); a returned
 * message refuses the write with 400 BadRequest, as the API server answers a webhook's denial.
 */
export function admit(
  hook: AdmissionHook | undefined,
  info: ResourceInfo,
  verb: AdmissionRequest["verb"],
  object: KubeObject,
  oldObject: KubeObject | undefined,
  subresource: string | undefined,
): void {
  if (!hook) return;
  const request: AdmissionRequest = { verb, resource: info.resource, object: cloneJson(object) };
  if (subresource === "status") request.subresource = "status";
  if (oldObject) request.oldObject = cloneJson(oldObject);
  const refusal = hook(request);
  if (refusal !== undefined) throw badRequest(refusal);
}

const TEKTON_RUNS = new Set(["pipelineruns", "taskruns", "customruns"]);

/**
 * An {@link AdmissionHook} like Tekton's validating webhook for one rule: a PipelineRun, TaskRun or
 * CustomRun without a `spec` (missing, not an object, or empty) is refused, on create (including a
 * server-side apply that creates) and on update of the main resource, with the message Tekton's
 * webhook sends (`... denied the request: validation failed: missing field(s): spec`).
 */
export function requireSpec(request: AdmissionRequest): string | undefined {
  if (!TEKTON_RUNS.has(request.resource) || request.subresource) return undefined;
  const spec = request.object["spec"];
  const present =
    spec !== null &&
    typeof spec === "object" &&
    !Array.isArray(spec) &&
    Object.keys(spec).length > 0;
  if (present) return undefined;
  return 'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: missing field(s): spec';
}
