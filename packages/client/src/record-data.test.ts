import { create } from "@bufbuild/protobuf";
import { AnySchema, RecordSchema } from "@tekton-results/proto";
import { describe, expect, it } from "vitest";
import { jsonRecordData, recordData } from "./record-data.js";

describe("jsonRecordData", () => {
  it("builds an Any with the type and the UTF-8 JSON bytes of the value", () => {
    const any = jsonRecordData("tekton.dev/v1.PipelineRun", {
      metadata: { name: "build-é" },
      n: 1,
    });
    expect(any.$typeName).toBe("tekton.results.v1alpha2.Any");
    expect(any.type).toBe("tekton.dev/v1.PipelineRun");
    expect(new TextDecoder().decode(any.value)).toBe('{"metadata":{"name":"build-é"},"n":1}');
  });

  it("rejects values without a JSON encoding", () => {
    expect(() => jsonRecordData("t", undefined)).toThrow(TypeError);
    expect(() => jsonRecordData("t", () => 1)).toThrow(TypeError);
    expect(() => jsonRecordData("t", 1n)).toThrow(TypeError);
  });
});

describe("recordData", () => {
  it("parses what jsonRecordData encoded", () => {
    const doc = { kind: "PipelineRun", status: { conditions: [{ reason: "Succeeded" }] } };
    const record = create(RecordSchema, {
      name: "ns/results/r/records/x",
      data: jsonRecordData("t", doc),
    });
    expect(recordData<typeof doc>(record)).toEqual(doc);
  });

  it("is undefined for a record without data or with empty bytes", () => {
    expect(recordData(create(RecordSchema, {}))).toBeUndefined();
    expect(
      recordData(create(RecordSchema, { data: create(AnySchema, { type: "t" }) })),
    ).toBeUndefined();
  });

  it("throws a SyntaxError for bytes that are not JSON", () => {
    const data = create(AnySchema, { type: "t", value: new TextEncoder().encode("{nope") });
    expect(() => recordData({ data })).toThrow(SyntaxError);
  });
});
