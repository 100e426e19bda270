import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  parseAnnotations,
  parseJsonValue,
  parsePageSize,
  parseRecordListSummaryRequest,
  parseRecordUpdateMask,
  parseTimestamp,
  parseType,
} from "./validate.js";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    return (err as ConnectError).rawMessage;
  }
  throw new Error("accepted");
}

const enc = (s: string) => new TextEncoder().encode(s);

describe("parseJsonValue", () => {
  it("returns the text exactly", () => {
    expect(parseJsonValue(enc(' {"a" : [1, 2.50]} \n'))).toBe(' {"a" : [1, 2.50]} \n');
    expect(parseJsonValue(enc("null"))).toBe("null");
  });

  it("rejects invalid UTF-8, a BOM, and invalid JSON without echoing it", () => {
    expect(message(() => parseJsonValue(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d])))).toBe(
      "record data.value is not valid UTF-8",
    );
    expect(message(() => parseJsonValue(enc("\uFEFF{}")))).toMatch(
      /^record data\.value is not valid JSON: /,
    );
    expect(message(() => parseJsonValue(new Uint8Array()))).toMatch(
      /^record data\.value is not valid JSON: /,
    );
    const huge = message(() => parseJsonValue(enc(`[${"1,".repeat(1_000_000)}`)));
    expect(huge.length).toBeLessThan(260);
  });
});

describe("parseType", () => {
  it("requires 1 to 768 characters (code points)", () => {
    expect(parseType("😀".repeat(768), "f")).toHaveLength(1536);
    expect(message(() => parseType("", "record.data.type"))).toBe("record.data.type is required");
    expect(message(() => parseType("a".repeat(769), "f"))).toBe("f is longer than 768 characters");
  });
});

describe("parseAnnotations", () => {
  it('keeps a "__proto__" key (found by the injection test: it was dropped)', () => {
    const parsed = parseAnnotations(
      JSON.parse('{"__proto__": "v", "a": "b"}') as Record<string, string>,
      "a",
    );
    expect(Object.getOwnPropertyNames(parsed)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toBe("v");
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it("copies valid maps and enforces key and size limits", () => {
    expect(parseAnnotations({ "tekton.dev/pipeline": "p", empty: "" }, "a")).toEqual({
      "tekton.dev/pipeline": "p",
      empty: "",
    });
    expect(message(() => parseAnnotations({ "": "x" }, "a"))).toBe("a: keys must not be empty");
    expect(message(() => parseAnnotations({ ["k".repeat(318)]: "x" }, "a"))).toMatch(
      /longer than 317 characters/,
    );
    expect(message(() => parseAnnotations({ a: "é".repeat(131_072) }, "a"))).toMatch(
      /exceed 262144 bytes/,
    );
    expect(parseAnnotations({ a: "v".repeat(262_143) }, "a")["a"]).toHaveLength(262_143);
  });
});

describe("parseTimestamp", () => {
  it("accepts the protobuf range and rejects the rest", () => {
    expect(parseTimestamp({ seconds: 1n, nanos: 500_000_000 } as never, "t").getTime()).toBe(1500);
    expect(
      parseTimestamp({ seconds: -62_135_596_800n, nanos: 0 } as never, "t").toISOString(),
    ).toBe("0001-01-01T00:00:00.000Z");
    expect(
      message(() => parseTimestamp({ seconds: 253_402_300_800n, nanos: 0 } as never, "t")),
    ).toBe("t is out of range");
    expect(message(() => parseTimestamp({ seconds: 0n, nanos: -1 } as never, "t"))).toBe(
      "t has invalid nanos",
    );
    expect(message(() => parseTimestamp({ seconds: 0n, nanos: 1_000_000_000 } as never, "t"))).toBe(
      "t has invalid nanos",
    );
  });
});

describe("parsePageSize", () => {
  it("defaults 0 to 50 and bounds the rest", () => {
    expect(parsePageSize(0)).toBe(50);
    expect(parsePageSize(0, 20)).toBe(20);
    expect(parsePageSize(1)).toBe(1);
    expect(parsePageSize(10_000)).toBe(10_000);
    expect(message(() => parsePageSize(-1))).toBe("page_size must be between 0 and 10000");
    expect(message(() => parsePageSize(10_001))).toBe("page_size must be between 0 and 10000");
  });
});

describe("parseRecordUpdateMask", () => {
  it("maps the allowed paths and rejects others", () => {
    expect(parseRecordUpdateMask(undefined)).toBeUndefined();
    expect(parseRecordUpdateMask({ paths: [] } as never)).toBeUndefined();
    expect(parseRecordUpdateMask({ paths: ["data"] } as never)).toEqual({
      type: true,
      value: true,
    });
    expect(parseRecordUpdateMask({ paths: ["data.type"] } as never)).toEqual({
      type: true,
      value: false,
    });
    expect(parseRecordUpdateMask({ paths: ["data.value", "data.type"] } as never)).toEqual({
      type: true,
      value: true,
    });
    expect(message(() => parseRecordUpdateMask({ paths: ["data.value", "name"] } as never))).toBe(
      'update_mask: unsupported path "name" (allowed: data, data.type, data.value)',
    );
  });
});

describe("parseRecordListSummaryRequest", () => {
  it("parses summary, group_by and order_by", () => {
    expect(parseRecordListSummaryRequest({ summary: "", groupBy: "", orderBy: "" })).toEqual({
      summary: ["total"],
    });
    expect(
      parseRecordListSummaryRequest({
        summary: " total ,failed, total,p95_duration",
        groupBy: "week completionTime",
        orderBy: "failed desc",
      }),
    ).toEqual({
      summary: ["total", "failed", "p95_duration"],
      groupBy: { kind: "time", period: "week", timeField: "completionTime" },
      orderBy: { field: "failed", direction: "desc" },
    });
    expect(
      parseRecordListSummaryRequest({ summary: "total", groupBy: "day", orderBy: "" }).groupBy,
    ).toEqual({
      kind: "time",
      period: "day",
      timeField: "creationTimestamp",
    });
    expect(
      parseRecordListSummaryRequest({ summary: "", groupBy: "pipeline", orderBy: "total ASC" })
        .groupBy,
    ).toEqual({ kind: "pipeline" });
  });

  it("rejects unknown names", () => {
    const bad = (summary: string, groupBy: string, orderBy: string) =>
      message(() => parseRecordListSummaryRequest({ summary, groupBy, orderBy }));
    expect(bad("total,,failed", "", "")).toBe("summary: empty field name");
    expect(bad("median", "", "")).toMatch(/^summary: unknown field "median"/);
    expect(bad("", "decade", "")).toMatch(/^group_by: unknown grouping/);
    expect(bad("", "namespace startTime", "")).toMatch(/^group_by: unknown grouping/);
    expect(bad("", "day startTime extra", "")).toMatch(/^group_by: expected/);
    expect(bad("", "", "total desc")).toBe("order_by: only allowed with group_by");
    expect(bad("", "day", "total")).toMatch(/^order_by: expected/);
    expect(bad("", "day", "bogus asc")).toMatch(/^order_by: expected/);
  });
});
