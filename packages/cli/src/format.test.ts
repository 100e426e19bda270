import { describe, expect, it } from "vitest";
import {
  colourEnabled,
  formatAge,
  formatCondition,
  formatDuration,
  renderTable,
} from "./format.js";
import { buildFilter } from "./filter.js";
import { baseUrl } from "./connection.js";

const t = (s: string) => new Date(s);

describe("formatAge (upstream's FormatAge)", () => {
  const now = t("2026-01-02T00:00:00Z");
  it.each([
    ["2026-01-01T23:59:15Z", "45s ago"],
    ["2026-01-01T23:55:00Z", "5m ago"],
    ["2026-01-01T21:00:01Z", "2h ago"],
    ["2025-12-30T00:00:00Z", "3d ago"],
  ])("%s", (start, text) => expect(formatAge(t(start), now)).toBe(text));
  it("is empty without a start", () => expect(formatAge(undefined, now)).toBe(""));
});

describe("formatDuration (Go's Duration.String)", () => {
  const start = t("2026-01-01T00:00:00Z");
  it.each([
    [0, "0s"],
    [450, "450ms"],
    [45_000, "45s"],
    [90_000, "1m30s"],
    [3_600_000, "1h0m0s"],
    [7_205_000, "2h0m5s"],
    [1500, "1.5s"],
  ])("%d ms", (ms, text) =>
    expect(formatDuration(start, new Date(start.getTime() + ms))).toBe(text),
  );
  it("is --- without an end", () => expect(formatDuration(start, undefined)).toBe("---"));
});

describe("formatCondition (tkn's formatted.Condition)", () => {
  it.each([
    [[{ status: "True", reason: "Succeeded" }], "Succeeded"],
    [[{ status: "True", reason: "Completed" }], "Succeeded"],
    [[{ status: "False", reason: "Failed" }], "Failed"],
    [[{ status: "False", reason: "PipelineRunTimeout" }], "Failed(PipelineRunTimeout)"],
    [[{ status: "False", reason: "PipelineRunCancelled" }], "Cancelled(PipelineRunCancelled)"],
    [[{ status: "False", reason: "Cancelled" }], "Cancelled"],
    [[{ status: "Unknown", reason: "Running" }], "Running"],
    [[{ status: "Unknown", reason: "PipelineRunPending" }], "Pending"],
    [[{ status: "Unknown", reason: "ExceededNodeResources" }], "Pending(ExceededNodeResources)"],
    [[], "---"],
    [undefined, "---"],
  ])("%j", (conditions, text) => expect(formatCondition(conditions, false)).toBe(text));

  it("colours the status word only when asked", () => {
    expect(formatCondition([{ status: "False", reason: "X" }], true)).toBe(
      "\u001b[91mFailed\u001b[39m(X)",
    );
    expect(formatCondition([{ status: "True" }], true)).toBe("\u001b[92mSucceeded\u001b[39m");
  });
});

describe("colourEnabled", () => {
  it("only on a terminal, never with NO_COLOR or TERM=dumb", () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({}, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(colourEnabled({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});

describe("renderTable", () => {
  it("aligns as tabwriter with padding 3, coloured cells by their visible width", () => {
    const red = "\u001b[91mFailed\u001b[39m";
    expect(
      renderTable(
        ["A", "BB"],
        [
          ["long-name", red],
          ["x", "y"],
        ],
      ),
    ).toBe(`A           BB\nlong-name   ${red}\nx           y\n`);
  });
});

describe("buildFilter (upstream's BuildFilterString)", () => {
  it("data types, labels, name, PipelineRun", () => {
    expect(buildFilter({ kind: "pipelinerun" })).toBe(
      '(data_type=="tekton.dev/v1.PipelineRun" || data_type=="tekton.dev/v1beta1.PipelineRun")',
    );
    expect(
      buildFilter({ kind: "taskrun", label: "app=a, env=prod", name: "build", pipelineRun: "p" }),
    ).toBe(
      '(data_type=="tekton.dev/v1.TaskRun" || data_type=="tekton.dev/v1beta1.TaskRun")' +
        ' && data.metadata.labels["app"]=="a" && data.metadata.labels["env"]=="prod"' +
        ' && data.metadata.name.contains("build")' +
        ' && data.metadata.labels["tekton.dev/pipelineRun"] == "p"',
    );
  });
  it("quotes values so that no input breaks out of its string", () => {
    expect(buildFilter({ kind: "taskrun", name: 'a"b' })).toContain('contains("a\\"b")');
  });
});

describe("baseUrl (client-go's default scheme)", () => {
  it.each([
    ["http://h:8080", "", false, "http://h:8080"],
    ["h:8080", "", false, "http://h:8080"],
    ["h:8080", "", true, "https://h:8080"],
    ["https://h/", "/api/v1/", false, "https://h/api/v1"],
    ["https://h", "/", false, "https://h"],
  ])("%s %s %s", (host, path, insecure, url) => expect(baseUrl(host, path, insecure)).toBe(url));
});
