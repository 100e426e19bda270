/**
 * `pipelinerun list` and `taskrun list` as processes against a real server over SQLite, with a
 * seeded data set; the output compared to the expected text. The runs started a number of
 * seconds before a fixed time, which the program takes for "now" (`TKN_RESULTS_NOW`, for tests
 * only), so the STARTED column does not depend on how long the test takes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cli,
  startSeededServer,
  tempKubeconfig,
  type SeededServer,
  type SeedRun,
} from "./support/cli.js";

const PR = (labels: Record<string, string> = {}) => ({ kind: "PipelineRun" as const, labels });
const RUNS: SeedRun[] = [
  {
    ...PR({ app: "myapp" }),
    namespace: "default",
    name: "build-2",
    uid: "uid-b2",
    startedAgo: 3 * 3600 + 1800,
    took: 2 * 3600 + 5,
    status: "False",
    reason: "Failed",
  },
  {
    ...PR({ app: "myapp", env: "prod" }),
    namespace: "default",
    name: "build-1",
    uid: "uid-b1",
    startedAgo: 330,
    took: 90,
    status: "True",
    reason: "Succeeded",
  },
  {
    ...PR(),
    namespace: "default",
    name: "release-1",
    uid: "uid-r1",
    startedAgo: 2 * 86400 + 43200,
    status: "Unknown",
    reason: "Running",
  },
  {
    ...PR({ app: "myapp" }),
    namespace: "team-a",
    name: "deploy-1",
    uid: "uid-d1",
    startedAgo: 630,
    took: 45,
    status: "True",
    reason: "Completed",
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-1-fetch",
    uid: "uid-t1",
    startedAgo: 330,
    took: 20,
    status: "True",
    reason: "Succeeded",
    labels: { "tekton.dev/pipelineRun": "build-1", "tekton.dev/task": "git-clone" },
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-1-compile",
    uid: "uid-t2",
    startedAgo: 300,
    took: 60,
    status: "True",
    reason: "Succeeded",
    labels: { "tekton.dev/pipelineRun": "build-1", "tekton.dev/task": "compile" },
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "lint",
    uid: "uid-t3",
    startedAgo: 7200 + 600,
    took: 3,
    status: "False",
    reason: "Failed",
  },
];
for (let i = 1; i <= 6; i++) {
  RUNS.push({
    ...PR({ batch: "yes" }),
    namespace: "batch",
    name: `nightly-${i}`,
    uid: `uid-n${i}`,
    startedAgo: 86400 * (10 - i) + 3600,
    took: 600,
    status: "True",
    reason: "Succeeded",
  });
}

let server: SeededServer;
let kubeconfig: string;
const NOW = "2026-11-20T12:00:00Z";
const run = (...args: string[]) => cli([...args, "-k", kubeconfig], { TKN_RESULTS_NOW: NOW });

beforeAll(async () => {
  server = await startSeededServer(RUNS, Date.parse(NOW));
  kubeconfig = tempKubeconfig("default");
  const set = await cli(["config", "set", `--host=${server.url}`, "-k", kubeconfig]);
  expect(set).toMatchObject({ code: 0, stderr: "" });
});
afterAll(async () => {
  await server?.close();
});

describe("pipelinerun list", () => {
  it("lists the namespace's PipelineRuns, newest first, as tkn-results prints them", async () => {
    const out = await run("pipelinerun", "list");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      [
        "NAME        UID      STARTED   DURATION   STATUS",
        "release-1   uid-r1   2d ago    ---        Running",
        "build-1     uid-b1   5m ago    1m30s      Succeeded",
        "build-2     uid-b2   3h ago    2h0m5s     Failed",
        "",
      ].join("\n"),
    );
  });

  it("-A adds the NAMESPACE column; -L filters by labels (upstream's examples)", async () => {
    const all = await run("pipelinerun", "list", "-A", "-L", "app=myapp");
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(
      [
        "NAMESPACE   NAME       UID      STARTED   DURATION   STATUS",
        "team-a      deploy-1   uid-d1   10m ago   45s        Succeeded",
        "default     build-1    uid-b1   5m ago    1m30s      Succeeded",
        "default     build-2    uid-b2   3h ago    2h0m5s     Failed",
        "",
      ].join("\n"),
    );
    const two = await run("pipelinerun", "list", "-L", "app=myapp,env=prod");
    expect(two.stdout.split("\n")[1]).toMatch(/^build-1 /);
    expect(two.stdout.split("\n")).toHaveLength(3);
  });

  it("the pipeline-name argument matches part of the name; -n picks the namespace", async () => {
    expect((await run("pipelinerun", "list", "build")).stdout).toMatch(
      /^NAME.*\nbuild-1 .*\nbuild-2 .*\n$/,
    );
    const other = await run("pr", "ls", "deploy", "-n", "team-a");
    expect(other.stdout).toMatch(/^NAME.*\ndeploy-1 .*Succeeded\n$/);
    expect((await run("pipelinerun", "list", "-n", "nowhere")).stdout).toBe(
      "No PipelineRuns found\n",
    );
  });

  it("--limit prints the next page's token on stderr and --page continues", async () => {
    const first = await run("pipelinerun", "list", "-n", "batch", "--limit=5");
    expect(first.code).toBe(0);
    expect(
      first.stdout
        .split("\n")
        .slice(1, -1)
        .map((l) => l.split(" ")[0]),
    ).toEqual(["nightly-6", "nightly-5", "nightly-4", "nightly-3", "nightly-2"]);
    const token = /^next page: --page=(\S+)\n$/.exec(first.stderr)?.[1];
    expect(token).toBeTruthy();
    const second = await run("pipelinerun", "list", "-n", "batch", "--limit=5", `--page=${token}`);
    expect(second).toMatchObject({ code: 0, stderr: "" });
    expect(second.stdout).toMatch(/^NAME.*\nnightly-1 .*\n$/);
  });

  it("--single-page=false asks for the next page as upstream does", async () => {
    const out = await cli(
      [
        "pipelinerun",
        "list",
        "-n",
        "batch",
        "--limit",
        "5",
        "--single-page=false",
        "-k",
        kubeconfig,
      ],
      {},
      "n\n",
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("\nPress 'n' for next page, 'q' to quit: NAME");
    expect(out.stdout).toMatch(/nightly-1 /);
  });

  it("-o json, yaml and name", async () => {
    const json = JSON.parse(
      (await run("pipelinerun", "list", "-o", "json", "-L", "env=prod")).stdout,
    );
    expect(json).toMatchObject({
      apiVersion: "v1",
      kind: "List",
      items: [{ metadata: { name: "build-1", uid: "uid-b1" } }],
    });
    const yaml = await run("pipelinerun", "list", "-o", "yaml", "-n", "batch", "--limit=5");
    expect(yaml.stdout).toMatch(/^apiVersion: v1\nkind: List\nitems:\n/);
    expect(yaml.stdout).toMatch(/\nmetadata:\n {2}continue: \S+\n$/);
    expect((await run("pipelinerun", "list", "-o", "name")).stdout).toBe(
      "pipelinerun.tekton.dev/release-1\npipelinerun.tekton.dev/build-1\npipelinerun.tekton.dev/build-2\n",
    );
  });
});

describe("taskrun list", () => {
  it("lists TaskRuns; --pipelinerun keeps a PipelineRun's; the task-name argument filters", async () => {
    const all = await run("taskrun", "list");
    expect(all.stdout).toBe(
      [
        "NAME              UID      STARTED   DURATION   STATUS",
        "lint              uid-t3   2h ago    3s         Failed",
        "build-1-compile   uid-t2   5m ago    1m0s       Succeeded",
        "build-1-fetch     uid-t1   5m ago    20s        Succeeded",
        "",
      ].join("\n"),
    );
    const of = await run("taskrun", "list", "--pipelinerun", "build-1", "-n", "default");
    expect(
      of.stdout
        .split("\n")
        .slice(1, -1)
        .map((l) => l.split(" ")[0]),
    ).toEqual(["build-1-compile", "build-1-fetch"]);
    expect((await run("tr", "list", "fetch")).stdout).toMatch(/^NAME.*\nbuild-1-fetch .*\n$/);
    expect((await run("taskrun", "list", "-n", "team-a")).stdout).toBe("No TaskRuns found\n");
  });
});

describe("bad input: one line on stderr, exit code 1", () => {
  it.each([
    [["pipelinerun", "list", "--bogus"], "Error: unknown option '--bogus'"],
    [
      ["pipelinerun", "list", "-L", "app"],
      "Error: invalid label format: app. Expected format: key=value",
    ],
    [["taskrun", "list", "--label", "a=1,=2"], "Error: label key cannot be empty in pair: =2"],
    [["pipelinerun", "list", "--limit=3"], "Error: limit should be between 5 and 1000"],
    [
      ["pipelinerun", "list", "--limit=x"],
      `Error: option '--limit <int>' argument 'x' is invalid. invalid argument "x" for "--limit" flag`,
    ],
    [
      ["pipelinerun", "list", "-A", "-n", "x"],
      "Error: cannot use --all-namespaces/-A and --namespace/-n together",
    ],
    [
      ["pipelinerun", "list", "-o", "wide"],
      `Error: option '-o, --output <format>' argument 'wide' is invalid. Allowed formats are json, yaml, name, jsonpath=<template>, jsonpath-file=<file>, jsonpath-as-json=<template>.`,
    ],
  ])("%j", async (args, line) => {
    const out = await run(...args);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe(`${line}\n`);
  });

  it("a server that is not there", async () => {
    const out = await run("pipelinerun", "list", "--host", "http://127.0.0.1:1");
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      "Error: cannot reach the Results API at http://127.0.0.1:1 (ECONNREFUSED); is the server running, and is --host (or 'tkn-results config set --host') right?\n",
    );
  });

  it("no host configured and no cluster to port-forward through: upstream's message, and why", async () => {
    const out = await cli(["pipelinerun", "list", "-k", tempKubeconfig()]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      "Error: invalid config. You may need to run the 'config set' command to configure the CLI: API server host not configured: host field is empty; and no port-forward either: cannot port-forward to service/tekton-results-api-service in namespace tekton-pipelines: request to https://127.0.0.1:6443/api/v1/namespaces/tekton-pipelines/services/tekton-results-api-service failed, reason: connect ECONNREFUSED 127.0.0.1:6443\n",
    );
  });
});

/** The examples of upstream's docs/cli/tkn-results_{pipelinerun,taskrun}_list.md, verbatim. */
const UPSTREAM_EXAMPLES = [
  "tkn-results pipelinerun list -n foo",
  "tkn-results pipelinerun list -L app=myapp",
  "tkn-results pipelinerun list -L app=myapp,env=prod",
  "tkn-results pipelinerun list -A",
  "tkn-results pipelinerun list --limit=20",
  "tkn-results pipelinerun list foo -n namespace",
  "tkn-results pipelinerun list build -n namespace",
  "tkn-results taskrun list -n foo",
  "tkn-results taskrun list -L app=myapp",
  "tkn-results taskrun list --label app=myapp,env=prod",
  "tkn-results taskrun list -A",
  "tkn-results taskrun list --limit=20",
  "tkn-results taskrun list foo -n namespace",
  "tkn-results taskrun list build -n namespace",
  "tkn-results taskrun list --pipelinerun my-pipeline-run -n namespace",
];

describe("upstream's examples run unchanged", () => {
  it.each(UPSTREAM_EXAMPLES)("%s", async (line) => {
    const out = await run(...line.split(" ").slice(1));
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^(NAME|NAMESPACE) .*\n|^No (PipelineRuns|TaskRuns) found\n$/);
  });
});
