import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { create, jsonRecordData, RecordSchema } from "@tekton-results/client";
import { barPlacement, buildTimeline } from "./run-timeline-data.js";
import { RunTimeline } from "./run-timeline.js";
import { runRow } from "./runs.js";

const NOW = new Date("2026-12-01T11:00:00Z");

function row(kind: "PipelineRun" | "TaskRun", name: string, status: object, labels = {}) {
  return runRow(
    create(RecordSchema, {
      name: `ci/results/pr/records/${name}`,
      data: jsonRecordData(`tekton.dev/v1.${kind}`, {
        kind,
        metadata: { name, namespace: "ci", labels },
        status,
      }),
    }),
  );
}

const pipelineRun = row("PipelineRun", "pr", {
  startTime: "2026-12-01T10:00:00Z",
  completionTime: "2026-12-01T10:02:00Z",
  conditions: [{ type: "Succeeded", status: "False", reason: "Failed" }],
});

const fetch = row(
  "TaskRun",
  "pr-fetch",
  {
    startTime: "2026-12-01T10:00:00Z",
    completionTime: "2026-12-01T10:01:00Z",
    conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }],
    steps: [
      {
        name: "clone",
        terminated: {
          exitCode: 0,
          reason: "Completed",
          startedAt: "2026-12-01T10:00:00Z",
          finishedAt: "2026-12-01T10:01:00Z",
        },
      },
    ],
  },
  { "tekton.dev/pipelineTask": "fetch" },
);

const test = row(
  "TaskRun",
  "pr-test",
  {
    startTime: "2026-12-01T10:01:00Z",
    completionTime: "2026-12-01T10:02:00Z",
    conditions: [
      { type: "Succeeded", status: "False", reason: "Failed", message: "step unit exited 2" },
    ],
    steps: [
      {
        name: "unit",
        terminated: {
          exitCode: 2,
          reason: "Error",
          message: "3 tests failed",
          startedAt: "2026-12-01T10:01:00Z",
          finishedAt: "2026-12-01T10:02:00Z",
        },
      },
    ],
  },
  { "tekton.dev/pipelineTask": "test" },
);

describe("buildTimeline", () => {
  it("lists the TaskRuns by start, each followed by its steps, on the run's span", () => {
    const t = buildTimeline(pipelineRun, [test, fetch], NOW);
    expect(t.bars.map((b) => `${b.level}:${b.label}:${b.status}`)).toEqual([
      "taskrun:fetch:succeeded",
      "step:clone:succeeded",
      "taskrun:test:failed",
      "step:unit:failed",
    ]);
    expect(t.from.toISOString()).toBe("2026-12-01T10:00:00.000Z");
    expect(t.to.toISOString()).toBe("2026-12-01T10:02:00.000Z");
    expect(barPlacement(t.bars[2]!, t, NOW)).toEqual({ left: 50, width: 50 });
    expect(t.bars[3]).toMatchObject({ reason: "Error", message: "3 tests failed" });
  });

  it("draws a running bar up to now", () => {
    const running = row("TaskRun", "pr-run", {
      startTime: "2026-12-01T10:00:00Z",
      conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }],
    });
    const t = buildTimeline(running, [running], new Date("2026-12-01T10:04:00Z"));
    expect(t.to.toISOString()).toBe("2026-12-01T10:04:00.000Z");
    expect(barPlacement(t.bars[0]!, t, new Date("2026-12-01T10:04:00Z")).width).toBe(100);
  });
});

describe("RunTimeline", () => {
  const renderIt = () =>
    render(
      <MemoryRouter>
        <RunTimeline run={pipelineRun} taskRuns={[fetch, test]} now={NOW} />
      </MemoryRouter>,
    );

  it("gives each bar its status colour and an accessible name with status, duration, reason", () => {
    renderIt();
    const bars = screen.getAllByRole("button");
    expect(bars.map((b) => b.getAttribute("aria-label"))).toEqual([
      "TaskRun fetch: Succeeded, 1m, Succeeded",
      "Step clone: Succeeded, 1m, Completed",
      "TaskRun test: Failed, 1m, Failed",
      "Step unit: Failed, 1m, Error",
    ]);
    expect(bars[2]!.className).toContain("tr-tl-bar--failed");
    expect(screen.getByRole("link", { name: "test" }).getAttribute("href")).toBe(
      "/namespaces/ci/results/pr/records/pr-test",
    );
  });

  it("describes a bar (reason and message) to whoever focuses it, and moves with the arrow keys", async () => {
    renderIt();
    const user = userEvent.setup();
    await user.tab();
    expect(document.activeElement?.getAttribute("aria-label")).toContain("TaskRun fetch");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}");
    const focused = document.activeElement!;
    expect(focused.getAttribute("aria-label")).toContain("Step unit");
    const described = focused.getAttribute("aria-describedby") ?? "";
    const details = document.getElementById(described);
    expect(details?.textContent).toContain("Reason: Error");
    expect(details?.textContent).toContain("3 tests failed");
    await user.keyboard("{Home}");
    expect(document.activeElement?.getAttribute("aria-label")).toContain("TaskRun fetch");
  });
});
