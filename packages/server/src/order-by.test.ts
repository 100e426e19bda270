import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { parseOrderBy } from "./order-by.js";

function rejects(orderBy: string, target: "results" | "records"): string {
  try {
    parseOrderBy(orderBy, target);
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    return (err as ConnectError).rawMessage;
  }
  throw new Error(`accepted ${orderBy}`);
}

describe("parseOrderBy", () => {
  it("defaults to create_time asc", () => {
    expect(parseOrderBy("", "results")).toEqual({
      terms: [{ field: "create_time", direction: "asc" }],
      normalized: "create_time asc",
    });
    expect(parseOrderBy("  \t ", "records").terms).toEqual([
      { field: "create_time", direction: "asc" },
    ]);
  });

  it("parses terms with case-insensitive directions and extra spaces", () => {
    const parsed = parseOrderBy(
      "  summary.start_time   DeSc ,update_time,create_time ASC",
      "results",
    );
    expect(parsed.terms).toEqual([
      { field: "summary.start_time", direction: "desc" },
      { field: "update_time", direction: "asc" },
      { field: "create_time", direction: "asc" },
    ]);
    expect(parsed.normalized).toBe("summary.start_time desc,update_time asc,create_time asc");
    expect(parseOrderBy("update_time", "records").normalized).toBe(
      parseOrderBy(" update_time  asc ", "records").normalized,
    );
  });

  it("allows the summary times on results only", () => {
    expect(parseOrderBy("summary.end_time", "results").terms[0]!.field).toBe("summary.end_time");
    expect(rejects("summary.end_time", "records")).toMatch(
      /unknown field "summary.end_time" \(allowed: create_time, update_time\)/,
    );
  });

  it("rejects anything else", () => {
    expect(rejects("name", "results")).toMatch(/unknown field "name"/);
    expect(rejects("create_time sideways", "results")).toMatch(/unknown direction "sideways"/);
    expect(rejects("create_time asc extra", "results")).toMatch(/expected "field \[asc\|desc\]"/);
    expect(rejects("create_time, create_time desc", "results")).toMatch(
      /duplicate field "create_time"/,
    );
    expect(rejects("create_time,,update_time", "results")).toMatch(/empty term/);
    expect(rejects("CREATE_TIME", "results")).toMatch(/unknown field/);
    expect(rejects(`${"x".repeat(500)}`, "results").length).toBeLessThan(400);
  });
});
