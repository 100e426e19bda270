/** gRPC server reflection, `grpc.reflection.v1` (and `v1alpha` as `v1alpha`). @module */
export * from "./gen/grpc/reflection/v1/reflection_pb.js";
export * as v1alpha from "./gen/grpc/reflection/v1alpha/reflection_pb.js";
