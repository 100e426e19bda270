/** `google.api` annotations, `HttpRule` and `HttpBody`. @module */
export * from "./gen/google/api/http_pb.js";
export * from "./gen/google/api/annotations_pb.js";
export * from "./gen/google/api/field_behavior_pb.js";
export * from "./gen/google/api/httpbody_pb.js";
