import type { AdmissionRequest } from "./types.js";

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
