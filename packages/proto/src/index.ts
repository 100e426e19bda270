/**
 * The Tekton Results API: generated messages and services of
 * `tekton.results.v1alpha2`, and helpers for resource names.
 *
 * Other packages of the API live under sub-paths:
 * `@tekton-results/proto/v1alpha3`, `@tekton-results/proto/google-api`,
 * `@tekton-results/proto/grpc-health`, `@tekton-results/proto/grpc-reflection`.
 *
 * @module
 */
export * from "./gen/tekton/results/v1alpha2/resources_pb.js";
export * from "./gen/tekton/results/v1alpha2/api_pb.js";
export * from "./names.js";
export { allFiles, createApiRegistry, RECORD_TYPES } from "./registry.js";
