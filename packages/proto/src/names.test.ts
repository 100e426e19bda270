import { describe, expect, it } from "vitest";
import {
  InvalidNameError,
  formatLogName,
  formatRecordName,
  formatResultName,
  logNameOfRecord,
  parseLogName,
  parseRecordName,
  parseResultName,
  parseResultParent,
  parseResultsParent,
  recordNameOfLog,
} from "./names.js";

describe("parseResultName", () => {
  it("splits a valid name into parent and result", () => {
    expect(parseResultName("default/results/abc-1_2")).toEqual({
      parent: "default",
      result: "abc-1_2",
    });
  });

  it.each([
    ["", "expected {parent}/results/{result}"],
    ["default", "expected {parent}/results/{result}"],
    ["default/results", "expected {parent}/results/{result}"],
    ["default/result/x", "expected {parent}/results/{result}"],
    ["default/results/x/extra", "expected {parent}/results/{result}"],
    ["Default/results/x", 'parent "Default" must be 1-63 characters'],
    ["default/results/a.b", 'result "a.b" must be 1-63 characters'],
    ["/results/x", "parent is empty"],
    ["default/results/", "result is empty"],
    [`default/results/${"a".repeat(64)}`, "must be 1-63 characters"],
    ["-/results/x", 'parent "-" is reserved as the list wildcard'],
    ["ns/results/-", 'result "-" is reserved as the list wildcard'],
  ])("rejects %j", (name, message) => {
    const parse = () => parseResultName(name);
    expect(parse).toThrow(InvalidNameError);
    expect(parse).toThrow(message);
  });

  it("accepts a 63-character segment", () => {
    const long = "a".repeat(63);
    expect(parseResultName(`${long}/results/${long}`).result).toBe(long);
  });

  it("accepts '-' inside a segment", () => {
    expect(parseResultName("a-b/results/-x-").parent).toBe("a-b");
  });
});

describe("parseRecordName and parseLogName", () => {
  it("split valid names", () => {
    expect(parseRecordName("ns/results/r/records/x")).toEqual({
      parent: "ns",
      result: "r",
      record: "x",
    });
    expect(parseLogName("ns/results/r/logs/x")).toEqual({ parent: "ns", result: "r", record: "x" });
  });

  it("reject the other collection", () => {
    expect(() => parseRecordName("ns/results/r/logs/x")).toThrow(
      "{parent}/results/{result}/records/{record}",
    );
    expect(() => parseLogName("ns/results/r/records/x")).toThrow(
      "{parent}/results/{result}/logs/{record}",
    );
  });

  it("names the kind and the bad segment", () => {
    expect(() => parseRecordName("ns/results/r/records/UPPER")).toThrow(
      'invalid record name "ns/results/r/records/UPPER": record "UPPER"',
    );
  });

  it("truncate huge names in messages", () => {
    const huge = "x".repeat(100_000);
    try {
      parseRecordName(huge);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(400);
    }
  });
});

describe("list parents", () => {
  it("map the wildcard to undefined", () => {
    expect(parseResultsParent("-")).toBeUndefined();
    expect(parseResultsParent("ns")).toBe("ns");
    expect(parseResultParent("-/results/-")).toEqual({ parent: undefined, result: undefined });
    expect(parseResultParent("ns/results/-")).toEqual({ parent: "ns", result: undefined });
    expect(parseResultParent("-/results/r")).toEqual({ parent: undefined, result: "r" });
  });

  it("reject malformed parents", () => {
    expect(() => parseResultsParent("a/b")).toThrow(InvalidNameError);
    expect(() => parseResultsParent("")).toThrow("parent is empty");
    expect(() => parseResultParent("ns")).toThrow(InvalidNameError);
    expect(() => parseResultParent("ns/results/*")).toThrow('result "*"');
  });
});

describe("format helpers", () => {
  it("round-trip with the parsers", () => {
    expect(parseResultName(formatResultName("a", "b"))).toEqual({ parent: "a", result: "b" });
    expect(parseRecordName(formatRecordName("a", "b", "c"))).toEqual({
      parent: "a",
      result: "b",
      record: "c",
    });
    expect(parseLogName(formatLogName("a", "b", "c"))).toEqual({
      parent: "a",
      result: "b",
      record: "c",
    });
  });

  it("convert between record and log names", () => {
    expect(logNameOfRecord("a/results/b/records/c")).toBe("a/results/b/logs/c");
    expect(recordNameOfLog("a/results/b/logs/c")).toBe("a/results/b/records/c");
    expect(() => logNameOfRecord("a/results/b")).toThrow(InvalidNameError);
  });
});
