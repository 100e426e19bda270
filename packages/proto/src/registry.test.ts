import { getOption } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { http } from "./google-api.js";
import { RecordSchema, ResultSchema, Results, createApiRegistry } from "./index.js";

describe("the generated API", () => {
  it("keeps the wire field numbers of the contract", () => {
    const numbers = (fields: readonly { name: string; number: number }[]) =>
      Object.fromEntries(fields.map((f) => [f.name, f.number]));
    expect(numbers(ResultSchema.fields)).toEqual({
      name: 1,
      id: 2,
      created_time: 3,
      annotations: 4,
      etag: 5,
      updated_time: 6,
      uid: 7,
      create_time: 8,
      update_time: 9,
      summary: 10,
    });
    expect(numbers(RecordSchema.fields)).toEqual({
      name: 1,
      id: 2,
      data: 3,
      etag: 4,
      created_time: 5,
      updated_time: 6,
      uid: 7,
      create_time: 8,
      update_time: 9,
    });
  });

  it("annotates every Results RPC with its REST path", () => {
    const rules = Object.fromEntries(Results.methods.map((m) => [m.name, getOption(m, http)]));
    expect(rules.GetResult?.pattern).toEqual({
      case: "get",
      value: "/apis/results.tekton.dev/v1alpha2/parents/{name=*/results/*}",
    });
    expect(rules.UpdateRecord?.body).toBe("record");
    expect(Results.methods).toHaveLength(11);
    for (const m of Results.methods) expect(getOption(m, http).pattern.case, m.name).toBeDefined();
  });

  it("registers every message for JSON with Any", () => {
    const registry = createApiRegistry();
    expect(registry.getMessage("google.api.HttpBody")).toBeDefined();
    expect(registry.getService("tekton.results.v1alpha3.Logs")).toBeDefined();
    expect(registry.getService("grpc.reflection.v1alpha.ServerReflection")).toBeDefined();
  });
});
