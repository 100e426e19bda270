import { describe, expect, it } from "vitest";
import {
  compareGroupValues,
  formatSummaryDuration,
  parseSummaryTime,
  percentileCont,
  percentileIndexes,
  reasonCategory,
  sortSummaryRows,
  summaryFieldsToCompute,
  summaryTimeBucket,
} from "./summary.js";

const ms = (iso: string) => Date.parse(iso);
const sec = (iso: string) => Date.parse(iso) / 1000;

describe("formatSummaryDuration", () => {
  it("prints PostgreSQL interval text", () => {
    expect(formatSummaryDuration(76_218.75)).toBe("00:01:16.21875");
    expect(formatSummaryDuration(0)).toBe("00:00:00");
    expect(formatSummaryDuration(1_000)).toBe("00:00:01");
    expect(formatSummaryDuration(0.001)).toBe("00:00:00.000001");
    expect(formatSummaryDuration(0.0004)).toBe("00:00:00");
    expect(formatSummaryDuration(3_599_999)).toBe("00:59:59.999");
    expect(formatSummaryDuration(86_399_000)).toBe("23:59:59");
  });

  it("puts 24 hours or more into days", () => {
    expect(formatSummaryDuration(86_400_000)).toBe("1 day");
    expect(formatSummaryDuration(93_784_000)).toBe("1 day 02:03:04");
    expect(formatSummaryDuration(2 * 86_400_000 + 500)).toBe("2 days 00:00:00.5");
  });

  it("signs every part of a negative interval", () => {
    expect(formatSummaryDuration(-5_000)).toBe("-00:00:05");
    expect(formatSummaryDuration(-86_400_000)).toBe("-1 days");
    expect(formatSummaryDuration(-(86_400_000 + 7_200_000))).toBe("-1 days -02:00:00");
  });
});

describe("summaryTimeBucket", () => {
  const t = ms("2024-02-29T13:45:30.250Z"); // a Thursday
  it("truncates to each period in UTC", () => {
    expect(summaryTimeBucket(t, "minute")).toBe(sec("2024-02-29T13:45:00Z"));
    expect(summaryTimeBucket(t, "hour")).toBe(sec("2024-02-29T13:00:00Z"));
    expect(summaryTimeBucket(t, "day")).toBe(sec("2024-02-29T00:00:00Z"));
    expect(summaryTimeBucket(t, "week")).toBe(sec("2024-02-26T00:00:00Z"));
    expect(summaryTimeBucket(t, "month")).toBe(sec("2024-02-01T00:00:00Z"));
    expect(summaryTimeBucket(t, "year")).toBe(sec("2024-01-01T00:00:00Z"));
  });

  it("starts weeks on Monday, also before 1970", () => {
    expect(summaryTimeBucket(ms("2024-03-03T23:59:59Z"), "week")).toBe(sec("2024-02-26T00:00:00Z"));
    expect(summaryTimeBucket(ms("2024-03-04T00:00:00Z"), "week")).toBe(sec("2024-03-04T00:00:00Z"));
    expect(summaryTimeBucket(ms("1970-01-01T00:00:00Z"), "week")).toBe(sec("1969-12-29T00:00:00Z"));
    expect(summaryTimeBucket(ms("1969-12-31T23:59:59.999Z"), "minute")).toBe(
      sec("1969-12-31T23:59:00Z"),
    );
  });
});

describe("percentileCont", () => {
  it("interpolates linearly between the neighbours of p * (n - 1)", () => {
    expect(percentileCont([], 0.5)).toBeNull();
    expect(percentileCont([7], 0.99)).toBe(7);
    expect(percentileCont([10, 20, 30, 40], 0.5)).toBe(25);
    expect(percentileCont([10, 20, 30, 40], 0.95)).toBeCloseTo(38.5, 10);
    expect(percentileCont([10, 20, 30], 0.5)).toBe(20);
    expect(percentileCont([0, 100], 0.99)).toBeCloseTo(99, 10);
    expect(percentileIndexes(6, 0.95)).toEqual({ lo: 4, hi: 5, fraction: 0.75 });
  });
});

describe("reasons, times and group order", () => {
  it("classifies reasons like upstream", () => {
    expect(reasonCategory("Succeeded")).toBe("succeeded");
    expect(reasonCategory("Completed")).toBe("succeeded");
    expect(reasonCategory("Failed")).toBe("failed");
    expect(reasonCategory("Cancelled")).toBe("cancelled");
    expect(reasonCategory("Running")).toBe("running");
    expect(reasonCategory("PipelineRunTimeout")).toBe("others");
    expect(reasonCategory("TaskRunCancelled")).toBe("others");
    expect(reasonCategory(undefined)).toBeUndefined();
  });

  it("reads only RFC 3339 strings as times", () => {
    expect(parseSummaryTime("2024-01-15T10:00:00.5Z")).toBe(ms("2024-01-15T10:00:00.500Z"));
    expect(parseSummaryTime("2024-01-15T12:00:00+02:00")).toBe(ms("2024-01-15T10:00:00Z"));
    expect(parseSummaryTime("soon")).toBeUndefined();
    expect(parseSummaryTime(1705312800)).toBeUndefined();
    expect(parseSummaryTime(undefined)).toBeUndefined();
  });

  it("sorts by field with nulls largest, then group value with nulls last", () => {
    const rows = [
      { groupValue: "b", values: { avg_duration: null } },
      { groupValue: null, values: { avg_duration: 5 } },
      { groupValue: "a", values: { avg_duration: 5 } },
      { groupValue: "c", values: { avg_duration: 1 } },
    ];
    const order = (dir: "asc" | "desc") =>
      sortSummaryRows([...rows], { field: "avg_duration", direction: dir }).map(
        (r) => r.groupValue,
      );
    expect(order("asc")).toEqual(["c", "a", null, "b"]);
    expect(order("desc")).toEqual(["b", "a", null, "c"]);
    expect(sortSummaryRows([...rows], undefined).map((r) => r.groupValue)).toEqual([
      "a",
      "b",
      "c",
      null,
    ]);
    expect(compareGroupValues(2, 10)).toBeLessThan(0);
    // By code point: U+FF5E sorts before U+1F600 (UTF-16 code units would say otherwise).
    expect(compareGroupValues("\uff5e", "\u{1f600}")).toBeLessThan(0);
  });

  it("computes the order field even when it is not requested", () => {
    expect(
      summaryFieldsToCompute({
        fields: ["total"],
        orderBy: { field: "max_duration", direction: "asc" },
      }),
    ).toEqual(["total", "max_duration"]);
    expect(summaryFieldsToCompute({ fields: ["total", "failed"] })).toEqual(["total", "failed"]);
  });
});
