/** The standard gRPC health protocol, `grpc.health.v1`. @module */
export * from "./gen/grpc/health/v1/health_pb.js";
