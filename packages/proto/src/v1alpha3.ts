/** The `tekton.results.v1alpha3` Logs service. @module */
export * from "./gen/tekton/results/v1alpha3/api_pb.js";
