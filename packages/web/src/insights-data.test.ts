import { describe, expect, it } from "vitest";
import {
  flakiest,
  formatRate,
  groupStats,
  insightsFilter,
  intervalMs,
  rangeOf,
  series,
  slowest,
  summaryParent,
} from "./insights-data.js";

const pipeline = (key: string, succeeded: number, failed: number, p95?: string) =>
  groupStats({
    group_value: key,
    total: succeeded + failed,
    succeeded,
    failed,
    p50_duration: p95 ?? null,
    p95_duration: p95 ?? null,
  });

describe("intervalMs", () => {
  it("reads the API's interval text, days and negatives included", () => {
    expect(intervalMs("00:01:16.21875")).toBe(76_218.75);
    expect(intervalMs("1 day 02:03:04")).toBe(86_400_000 + 7_384_000);
    expect(intervalMs("2 days 00:00:00.5")).toBe(2 * 86_400_000 + 500);
    expect(intervalMs("-00:00:05")).toBe(-5000);
    expect(intervalMs(null)).toBeUndefined();
    expect(intervalMs("soon")).toBeUndefined();
  });
});

describe("groupStats", () => {
  it("is 75% for 3 successes and 1 failure, cancelled and running left out of the rate", () => {
    const s = groupStats({
      group_value: "ci/build",
      total: 6,
      succeeded: 3,
      failed: 1,
      cancelled: 1,
      running: 1,
      p50_duration: "00:02:05",
      p95_duration: "00:04:00",
      last_runtime: 1_796_119_200,
    });
    expect(s).toMatchObject({ key: "ci/build", total: 6, successRate: 0.75, failureRate: 0.25 });
    expect(formatRate(s.successRate)).toBe("75%");
    expect(s.p50Ms).toBe(125_000);
    expect(s.lastRun?.toISOString()).toBe("2026-12-01T10:00:00.000Z");
  });

  it("has no rate without a success or a failure", () => {
    expect(groupStats({ total: 2, running: 2 }).successRate).toBeUndefined();
    expect(formatRate(undefined)).toBe("-");
    expect(formatRate(2 / 3)).toBe("66.7%");
  });
});

describe("flakiest and slowest", () => {
  const stats = [
    pipeline("ci/build", 3, 1, "00:02:00"),
    pipeline("ci/always-green", 5, 0, "00:10:00"),
    pipeline("ci/broken", 0, 4, "00:01:00"),
    pipeline("team-b/deploy", 1, 1, "00:05:00"),
    pipeline("ci/", 1, 1, "01:00:00"),
  ];

  it("flaky: both successes and failures, highest failure rate first; unlabelled runs left out", () => {
    expect(flakiest(stats).map((s) => s.key)).toEqual(["team-b/deploy", "ci/build"]);
  });

  it("slowest: highest p95 first", () => {
    expect(slowest(stats).map((s) => s.key)).toEqual([
      "ci/always-green",
      "team-b/deploy",
      "ci/build",
      "ci/broken",
    ]);
  });
});

describe("requests", () => {
  it("asks for PipelineRuns started in the window, of one pipeline when chosen", () => {
    const now = new Date("2026-12-08T00:00:00Z");
    const f = insightsFilter(rangeOf("7d").ms, now, "ci/build");
    expect(f).toContain("data_type == PIPELINE_RUN");
    expect(f).toContain(
      'timestamp(data.status.startTime) >= timestamp("2026-12-01T00:00:00.000Z")',
    );
    expect(f).toContain('data.metadata.namespace == "ci"');
    expect(f).toContain('data.metadata.labels["tekton.dev/pipeline"] == "build"');
    expect(insightsFilter(rangeOf("24h").ms, now)).not.toContain("labels");
    expect(summaryParent("")).toBe("-/results/-");
    expect(summaryParent("ci")).toBe("ci/results/-");
    expect(rangeOf("nonsense").id).toBe("7d");
    expect(rangeOf("24h").bucket).toBe("hour");
  });
});

describe("series", () => {
  it("turns period groups into chart points: percent, minutes, runs by outcome", () => {
    const day = groupStats({
      group_value: 1_796_083_200,
      total: 4,
      succeeded: 3,
      failed: 1,
      p50_duration: "00:01:30",
      p95_duration: "00:03:00",
    });
    const s = series([day]);
    const date = new Date("2026-12-01T00:00:00Z");
    expect(s.successRate).toEqual([{ group: "Success rate", date, value: 75 }]);
    expect(s.duration).toEqual([
      { group: "p50", date, value: 1.5 },
      { group: "p95", date, value: 3 },
    ]);
    expect(s.runs).toEqual([
      { group: "Succeeded", date, value: 3 },
      { group: "Failed", date, value: 1 },
    ]);
  });
});
