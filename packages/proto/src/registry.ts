import { createRegistry, type Registry } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
} from "@bufbuild/protobuf/wkt";
import { file_google_api_annotations } from "./gen/google/api/annotations_pb.js";
import { file_google_api_field_behavior } from "./gen/google/api/field_behavior_pb.js";
import { file_google_api_http } from "./gen/google/api/http_pb.js";
import { file_google_api_httpbody } from "./gen/google/api/httpbody_pb.js";
import { file_grpc_health_v1_health } from "./gen/grpc/health/v1/health_pb.js";
import { file_grpc_reflection_v1_reflection } from "./gen/grpc/reflection/v1/reflection_pb.js";
import { file_grpc_reflection_v1alpha_reflection } from "./gen/grpc/reflection/v1alpha/reflection_pb.js";
import { file_tekton_results_v1alpha2_api } from "./gen/tekton/results/v1alpha2/api_pb.js";
import { file_tekton_results_v1alpha2_resources } from "./gen/tekton/results/v1alpha2/resources_pb.js";
import { file_tekton_results_v1alpha3_api } from "./gen/tekton/results/v1alpha3/api_pb.js";

/** Every proto file the API is built from, dependencies included. */
export const allFiles = [
  file_google_protobuf_any,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_api_http,
  file_google_api_annotations,
  file_google_api_field_behavior,
  file_google_api_httpbody,
  file_tekton_results_v1alpha2_resources,
  file_tekton_results_v1alpha2_api,
  file_tekton_results_v1alpha3_api,
  file_grpc_health_v1_health,
  file_grpc_reflection_v1_reflection,
  file_grpc_reflection_v1alpha_reflection,
] as const;

/**
 * A registry of every message, enum, extension and service of the API. Pass it
 * as `jsonOptions: { registry }` to Connect so `google.protobuf.Any` values
 * (as in `google.api.HttpBody`) serialize to JSON.
 */
export function createApiRegistry(): Registry {
  return createRegistry(...allFiles);
}

/** The record types the watcher stores, as `Any.type` values and CEL constants. */
export const RECORD_TYPES = {
  PIPELINE_RUN: "tekton.dev/v1.PipelineRun",
  TASK_RUN: "tekton.dev/v1.TaskRun",
  CUSTOM_RUN: "tekton.dev/v1beta1.CustomRun",
  LOG: "results.tekton.dev/v1alpha3.Log",
} as const;
