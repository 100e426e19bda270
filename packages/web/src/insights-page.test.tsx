import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import { Code, ConnectError, type ResultsClient } from "@tekton-results/client";
import type { JsonObject } from "@bufbuild/protobuf";
import InsightsPage from "./insights-page.js";
import type { InsightsChartsProps } from "./insights-charts.js";
import { renderWithApi } from "./test-fixtures.js";

// The charts (Carbon Charts, d3 on SVG) are drawn in Chromium by the end-to-end test; here they
// show the series they are given, so that the test checks what the page hands them.
vi.mock("./insights-charts.js", () => ({
  default: (p: InsightsChartsProps) => (
    <pre data-testid="charts-data">
      {JSON.stringify({ rate: p.successRate, duration: p.duration, bucket: p.bucket })}
    </pre>
  ),
}));

interface Call {
  parent: string;
  filter: string;
  groupBy: string;
  summary: string;
}

/** A client answering GetRecordListSummary from a table by `groupBy`, or failing with `error`. */
function summaryClient(answers: { [groupBy: string]: JsonObject[] }, error?: unknown) {
  const calls: Call[] = [];
  const client = {
    getRecordListSummary(req: Call) {
      calls.push(req);
      if (error !== undefined) return Promise.reject(error);
      return Promise.resolve({ summary: answers[req.groupBy] ?? [] });
    },
  };
  return { client: client as unknown as ResultsClient, calls };
}

const build = {
  total: 4,
  succeeded: 3,
  failed: 1,
  p50_duration: "00:02:05",
  p95_duration: "00:04:00",
};
const ANSWERS = {
  "": [build],
  "day startTime": [{ group_value: 1_796_083_200, ...build }],
  pipeline: [
    { group_value: "ci/build", ...build, last_runtime: 1_796_119_200 },
    { group_value: "ci/lint", total: 2, succeeded: 2, failed: 0, p95_duration: "00:00:30" },
  ],
  namespace: [{ group_value: "ci", ...build }],
};

describe("InsightsPage", () => {
  it("shows the success rate and durations of the window, the flaky and slowest pipelines", async () => {
    const { client, calls } = summaryClient(ANSWERS);
    renderWithApi(<InsightsPage />, client, "/insights?ns=ci");
    await waitFor(() => expect(screen.getByTestId("success-rate").textContent).toBe("75%"));
    expect(screen.getByTestId("total-runs").textContent).toBe("4");
    expect(screen.getByTestId("p50").textContent).toBe("2m 5s");
    expect(screen.getByTestId("p95").textContent).toBe("4m");
    const flaky = within(screen.getByTestId("flakiest"));
    expect(flaky.getAllByRole("link").map((a) => a.textContent)).toEqual(["build"]);
    expect(flaky.getByText("25%")).toBeTruthy();
    const slow = screen.getAllByTestId("slowest-row").map((r) => r.textContent);
    expect(slow[0]).toContain("build");
    expect(slow[1]).toContain("lint");
    expect(calls.map((c) => c.groupBy).sort()).toEqual([
      "",
      "day startTime",
      "namespace",
      "pipeline",
    ]);
    expect(calls.every((c) => c.parent === "ci/results/-")).toBe(true);
    expect(calls[0]!.filter).toContain("data_type == PIPELINE_RUN");
    const charts = JSON.parse((await screen.findByTestId("charts-data")).textContent ?? "{}");
    expect(charts.rate).toEqual([
      { group: "Success rate", date: "2026-12-01T00:00:00.000Z", value: 75 },
    ]);
    expect(charts.bucket).toBe("day");
  });

  it("links each pipeline to its own figures, and asks for them by the URL's pipeline", async () => {
    const { client, calls } = summaryClient(ANSWERS);
    renderWithApi(<InsightsPage />, client, "/insights?range=24h&pipeline=ci%2Fbuild");
    await screen.findByText("Insights: build");
    const link = within(screen.getByTestId("pipelines")).getAllByRole("link")[0]!;
    expect(link.getAttribute("href")).toBe("/insights?range=24h&pipeline=ci%2Fbuild");
    const overall = calls.find((c) => c.groupBy === "")!;
    expect(overall.filter).toContain('data.metadata.labels["tekton.dev/pipeline"] == "build"');
    expect(calls.find((c) => c.groupBy === "pipeline")!.filter).not.toContain("labels");
    expect(calls.some((c) => c.groupBy === "hour startTime")).toBe(true);
    expect(calls[0]!.parent).toBe("-/results/-");
  });

  it("says what to do when the window holds no run", async () => {
    renderWithApi(<InsightsPage />, summaryClient({}).client, "/insights?ns=empty");
    const empty = await screen.findByTestId("empty");
    expect(empty.textContent).toContain(
      "No PipelineRuns started in the last 7 days in namespace empty",
    );
    expect(empty.textContent).toContain("Pick a longer window");
    expect(screen.queryByTestId("charts-data")).toBeNull();
  });

  it("shows the loading state, then the server's denial", async () => {
    const error = new ConnectError(
      'user "alice" cannot list records in namespace "ci"',
      Code.PermissionDenied,
    );
    renderWithApi(<InsightsPage />, summaryClient({}, error).client, "/insights?ns=ci");
    expect(screen.getByTestId("loading")).toBeTruthy();
    await screen.findByText("Permission denied");
    expect(screen.getByTestId("error").textContent).toContain(
      'cannot list records in namespace "ci"',
    );
    expect(screen.queryByTestId("loading")).toBeNull();
  });

  it("defines success rate and flakiness in its help", async () => {
    renderWithApi(<InsightsPage />, summaryClient(ANSWERS).client, "/insights");
    const help = screen.getByTestId("insights-help").textContent ?? "";
    expect(help).toContain("Success rate = succeeded ÷ (succeeded + failed)");
    expect(help).toContain("at least one success and at least one failure");
    await screen.findByTestId("success-rate");
  });
});
