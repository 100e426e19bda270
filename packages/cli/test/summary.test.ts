/**
 * `tkn-results summary` and `-o jsonpath=...` as processes against a real server over SQLite
 * with a seeded data set at a fixed time (the program takes it for "now": `TKN_RESULTS_NOW`),
 * the output compared to the expected text. Lists are newest record first (the seed's order,
 * reversed).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startSeededServer, type SeededServer, type SeedRun } from "./support/cli.js";

const NOW = Date.parse("2026-06-10T12:00:00Z");
const ENV = { TKN_RESULTS_NOW: new Date(NOW).toISOString() };
const pipeline = (name: string) => ({ "tekton.dev/pipeline": name });
const RUNS: SeedRun[] = [
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "build-1",
    uid: "uid-b1",
    startedAgo: 3600,
    took: 60,
    status: "True",
    reason: "Succeeded",
    labels: pipeline("build"),
  },
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "build-2",
    uid: "uid-b2",
    startedAgo: 26 * 3600,
    took: 120,
    status: "False",
    reason: "Failed",
    labels: { ...pipeline("build"), app: "myapp" },
  },
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "build-3",
    uid: "uid-b3",
    startedAgo: 1800,
    status: "Unknown",
    reason: "Running",
    labels: pipeline("build"),
  },
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "deploy-1",
    uid: "uid-d1",
    startedAgo: 7200,
    took: 30,
    status: "True",
    reason: "Succeeded",
    labels: { ...pipeline("deploy"), app: "myapp" },
  },
  {
    kind: "PipelineRun",
    namespace: "team-a",
    name: "build-1",
    uid: "uid-a1",
    startedAgo: 3 * 3600,
    took: 90,
    status: "True",
    reason: "Succeeded",
    labels: pipeline("build"),
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-1-fetch",
    uid: "uid-t1",
    startedAgo: 3600,
    took: 20,
    status: "True",
    reason: "Succeeded",
    labels: { "tekton.dev/pipelineRun": "build-1", "tekton.dev/task": "git-clone" },
  },
];

let server: SeededServer;
beforeAll(async () => {
  server = await startSeededServer(RUNS, NOW);
});
afterAll(async () => {
  await server?.close();
});

const run = (...args: string[]) => cli([...args, "--host", server.url], ENV);
const ok = (stdout: string) => ({ code: 0, stdout, stderr: "" });
const fails = (line: string) => ({ code: 1, stdout: "", stderr: `${line}\n` });

describe("summary", () => {
  it("of a namespace: counts, average and 95th percentile of the durations, the last start", async () => {
    // default: 4 PipelineRuns; durations 60 s, 120 s, 30 s (build-3 runs): average 70 s,
    // p95 at position 0.95 * 2 = 1.9 of [30, 60, 120]: 60 + 0.9 * 60 = 114 s; last start 30m ago.
    expect(await run("summary")).toEqual(
      ok(
        [
          "TOTAL   SUCCEEDED   FAILED   RUNNING   AVG DURATION   P95 DURATION   LAST RUNTIME",
          "4       2           1        1         1m10s          1m54s          30m ago",
          "",
        ].join("\n"),
      ),
    );
  });

  it("--group-by pipeline -A, with percentiles and an order", async () => {
    // build: default 60 s, 120 s (and one running), team-a 90 s; deploy: 30 s.
    expect(
      await run(
        "summary",
        "-A",
        "--group-by",
        "pipeline",
        "--summary",
        "total,failed,p50_duration,max_duration",
        "--order-by",
        "total desc",
      ),
    ).toEqual(
      ok(
        [
          "PIPELINE         TOTAL   FAILED   P50 DURATION   MAX DURATION",
          "default/build    3       1        1m30s          2m0s",
          "default/deploy   1       0        30s            30s",
          "team-a/build     1       0        1m30s          1m30s",
          "",
        ].join("\n"),
      ),
    );
  });

  it("--group-by 'day startTime' as dates; --kind taskrun", async () => {
    expect(
      await run("summary", "--group-by", "day startTime", "--summary", "total,succeeded"),
    ).toEqual(
      ok(
        [
          "DAY          TOTAL   SUCCEEDED",
          "2026-06-09   1       0",
          "2026-06-10   3       2",
          "",
        ].join("\n"),
      ),
    );
    expect(await run("summary", "--kind", "taskrun", "--summary", "total,avg_duration")).toEqual(
      ok(["TOTAL   AVG DURATION", "1       20s", ""].join("\n")),
    );
  });

  it("-L and --filter narrow it; a group-by over nothing says so", async () => {
    expect(
      await run(
        "summary",
        "-L",
        "app=myapp",
        "--filter",
        'data.status.conditions[0].reason == "Failed"',
        "--summary",
        "total",
      ),
    ).toEqual(ok("TOTAL\n1\n"));
    expect(await run("summary", "-n", "nowhere", "--group-by", "pipeline")).toEqual(
      ok("No PipelineRuns found\n"),
    );
  });

  it("-o json and yaml: the API's RecordListSummary", async () => {
    const json = await run(
      "summary",
      "--group-by",
      "namespace",
      "-A",
      "--summary",
      "total,avg_duration",
      "-o",
      "json",
    );
    expect(json).toEqual(
      ok(
        JSON.stringify(
          {
            summary: [
              { total: 4, avg_duration: "00:01:10", group_value: "default" },
              { total: 1, avg_duration: "00:01:30", group_value: "team-a" },
            ],
          },
          null,
          2,
        ) + "\n",
      ),
    );
    expect(await run("summary", "--summary", "total,failed", "-o", "yaml")).toEqual(
      ok("summary:\n  - total: 4\n    failed: 1\n"),
    );
  });

  it("-o jsonpath", async () => {
    expect(
      await run(
        "summary",
        "-A",
        "--group-by",
        "namespace",
        "--summary",
        "total",
        "-o",
        'jsonpath={range .summary[*]}{.group_value}{"\\t"}{.total}{"\\n"}{end}',
      ),
    ).toEqual(ok("default\t4\nteam-a\t1\n"));
  });

  it.each([
    [
      ["--summary", "total,bogus"],
      /^Error: InvalidArgument: summary: unknown field "bogus" \(allowed: total, .*p99_duration\)$/,
    ],
    [
      ["--group-by", "fortnight"],
      /^Error: InvalidArgument: group_by: unknown grouping "fortnight" \(allowed: .*\)$/,
    ],
    [
      ["--order-by", "total sideways", "--group-by", "pipeline"],
      /^Error: InvalidArgument: order_by: expected .*$/,
    ],
    [["--filter", "data.status.(("], /^Error: InvalidArgument: .*$/],
    [
      ["--kind", "job"],
      /^Error: option '--kind <kind>' argument 'job' is invalid\. Allowed choices are pipelinerun, taskrun\.$/,
    ],
    [
      ["-o", "jsonpath={.summary[*"],
      /^Error: error parsing jsonpath \{\.summary\[\*: unclosed array expect \]$/,
    ],
    [
      ["-o", "name"],
      /^Error: option '-o, --output <format>' argument 'name' is invalid\. Allowed formats are json, yaml, jsonpath=<template>, jsonpath-file=<file>, jsonpath-as-json=<template>\.$/,
    ],
  ])("bad input %j: one line, exit 1", async (args, line) => {
    const out = await run("summary", ...args);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(new RegExp(line.source.replace(/\$$/, "\\n$")));
  });
});

describe("-o jsonpath on the lists", () => {
  it("{.items[*].metadata.name}, range/end, escaped dots, filters", async () => {
    expect(await run("pipelinerun", "list", "-o", "jsonpath={.items[*].metadata.name}")).toEqual(
      ok("deploy-1 build-3 build-2 build-1"),
    );
    expect(
      await run(
        "pipelinerun",
        "list",
        "-o",
        'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels.tekton\\.dev/pipeline}{"\\t"}{.status.conditions[0].reason}{"\\n"}{end}',
      ),
    ).toEqual(
      ok(
        "deploy-1\tdeploy\tSucceeded\nbuild-3\tbuild\tRunning\nbuild-2\tbuild\tFailed\nbuild-1\tbuild\tSucceeded\n",
      ),
    );
    expect(
      await run(
        "taskrun",
        "list",
        "-o",
        `jsonpath={.items[?(@.metadata.labels['tekton.dev/task']=="git-clone")].status.completionTime}`,
      ),
    ).toEqual(ok("2026-06-10T11:00:20Z"));
  });

  it("jsonpath-file and jsonpath-as-json", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tkn-results-jp-")), "names.tmpl");
    writeFileSync(file, '{range .items[*]}{.metadata.uid}{"\\n"}{end}');
    expect(await run("pipelinerun", "list", "-A", "-o", `jsonpath-file=${file}`)).toEqual(
      ok("uid-a1\nuid-d1\nuid-b3\nuid-b2\nuid-b1\n"),
    );
    expect(
      await run("taskrun", "list", "-o", "jsonpath-as-json={.items[*].metadata.name}"),
    ).toEqual(ok('[\n    "build-1-fetch"\n]\n'));
  });

  it.each([
    [
      ["-o", "jsonpath={.items[*"],
      "Error: error parsing jsonpath {.items[*: unclosed array expect ]",
    ],
    [
      ["-o", "jsonpath={range .items[*]}{.x}"],
      "Error: error parsing jsonpath {range .items[*]}{.x}: range without end",
    ],
    [
      ["-o", "jsonpath="],
      "Error: template format specified but no template given (-o jsonpath=...)",
    ],
    [
      ["-o", "jsonpath-file=/nonexistent.tmpl"],
      "Error: cannot read the template file /nonexistent.tmpl: ENOENT",
    ],
  ])("bad %j: one line, exit 1", async (args, line) => {
    expect(await run("pipelinerun", "list", ...args)).toEqual(fails(line));
  });
});
