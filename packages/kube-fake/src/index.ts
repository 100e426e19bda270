/**
 * An in-process fake Kubernetes API server for tests and demos: Tekton PipelineRuns, TaskRuns and
 * CustomRuns, pods (with logs), events, namespaces, leases, the kinds of a deployment (workloads,
 * Services, Secrets, ConfigMaps, RBAC roles and bindings), TokenReview and SubjectAccessReview,
 * with RBAC enforcement on request, served over plain HTTP to the real `@kubernetes/client-node`
 * and `kubectl`, and in-process.
 *
 * ```ts
 * import { createKubeFake } from "@tekton-results/kube-fake";
 * import { KubeConfig, CustomObjectsApi } from "@kubernetes/client-node";
 *
 * const fake = await createKubeFake();
 * const kc = new KubeConfig();
 * kc.loadFromString(fake.kubeconfigYaml());
 * const api = kc.makeApiClient(CustomObjectsApi);
 * await api.createNamespacedCustomObject({ group: "tekton.dev", version: "v1", namespace: "default",
 *   plural: "pipelineruns", body: { apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { name: "pr" } } });
 * await fake.close();
 * ```
 *
 * @module
 */

// ---- The fake server ----
export {
  createKubeFake,
  type KubeFake,
  type PatchOptions,
  type DeleteOptions,
  type KubeconfigOptions,
} from "./kube-fake.js";
export type {
  KubeFakeOptions,
  KubeObject,
  FailRequestsRule,
  RecordedRequest,
  DeniedRequest,
  RequestVerb,
  AdmissionHook,
  AdmissionRequest,
  ObjectMeta,
  OwnerReference,
  ManagedFieldsEntry,
  Status,
  StatusCause,
  TokenUser,
  AuthorizeDecision,
  PortForwardTarget,
} from "./types.js";
export { KubeApiError } from "./errors.js";
export { requireSpec } from "./admission.js";

// ---- For library authors: the building blocks ----
export {
  RESOURCES,
  findResource,
  findResourceByKind,
  type ResourceInfo,
  type PrinterColumn,
} from "./resources.js";
export {
  parseLabelSelector,
  matchesLabels,
  parseFieldSelector,
  type LabelSelector,
  type LabelRequirement,
  type FieldSelector,
  type FieldRequirement,
  type CompiledFieldSelector,
} from "./selectors.js";
export { applyMergePatch, applyJsonPatch, type JsonPatchOperation } from "./patch.js";
