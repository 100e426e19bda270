/**
 * `pipelinerun describe` and `taskrun describe` as processes against a real server over SQLite,
 * seeded with runs that fill every section of upstream's templates; the output compared to the
 * expected text. "Now" is fixed (`TKN_RESULTS_NOW`, for tests only) so STARTED does not move.
 */
import { describe, expect, it } from "vitest";
import { hasScript, onTerminal, useSeededCli, type SeedRun } from "./support/cli.js";

const RUNS: SeedRun[] = [
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "build",
    uid: "uid-build-old",
    startedAgo: 86400 * 3,
    took: 60,
    status: "True",
    reason: "Succeeded",
  },
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "build",
    uid: "uid-build",
    startedAgo: 330,
    took: 90,
    status: "False",
    reason: "Failed",
    labels: { app: "myapp", "tekton.dev/pipeline": "build-pipeline" },
    more: {
      metadata: { annotations: { "results.tekton.dev/log": "yes" } },
      spec: {
        pipelineRef: { name: "build-pipeline" },
        taskRunTemplate: { serviceAccountName: "builder" },
        timeouts: { pipeline: "1h", tasks: "45m0s", finally: "900s" },
        params: [
          { name: "revision", value: "main" },
          { name: "flags", value: ["-v", "--race"] },
          { name: "image", value: { repo: "ghcr.io/acme/app", tag: "v1" } },
        ],
        workspaces: [
          { name: "source", persistentVolumeClaim: { claimName: "src-pvc" }, subPath: "app" },
          { name: "cache", emptyDir: {} },
          { name: "creds", secret: { secretName: "git-creds" } },
        ],
      },
      status: {
        results: [{ name: "digest", value: "sha256:abc" }],
        childReferences: [
          { name: "build-fetch", pipelineTaskName: "fetch" },
          { name: "build-compile", pipelineTaskName: "compile" },
        ],
        skippedTasks: [{ name: "deploy" }],
      },
    },
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-compile",
    uid: "uid-compile",
    startedAgo: 300,
    took: 42,
    status: "False",
    reason: "Failed",
    labels: { "tekton.dev/pipelineRun": "build", "tekton.dev/pipelineTask": "compile" },
    more: {
      spec: {
        serviceAccountName: "builder",
        params: [{ name: "target", value: "linux/amd64" }],
        workspaces: [{ name: "source", configMap: { name: "cfg" } }],
      },
      status: {
        results: [{ name: "binary", value: "/out/app" }],
        steps: [
          { name: "compile", terminated: { reason: "Completed" } },
          { name: "test", terminated: { reason: "Error" } },
        ],
      },
    },
  },
  // What upstream's examples name.
  ...["foo", "default"].flatMap((namespace): SeedRun[] => [
    { kind: "PipelineRun", namespace, name: "my-pipelinerun", uid: `pr-${namespace}`, took: 1 },
    { kind: "TaskRun", namespace, name: "my-taskrun", uid: `tr-${namespace}`, took: 1 },
  ]),
  {
    kind: "TaskRun",
    namespace: "default",
    name: "lint",
    uid: "uid-lint",
    startedAgo: 30,
    status: "Unknown",
    reason: "Running",
  },
];

const { run, kubeconfig } = useSeededCli(RUNS);

const BUILD = [
  "Name: build",
  "Namespace: default",
  "Pipeline Ref: build-pipeline",
  "Service Account: builder",
  "Labels:",
  " app=myapp",
  " tekton.dev/pipeline=build-pipeline",
  "Annotations:",
  " results.tekton.dev/log=yes",
  "",
  "📌 Status",
  "STARTED          DURATION         STATUS",
  "5m ago           1m30s            Failed",
  "",
  "⏱ Timeouts",
  "Pipeline:   1h0m0s",
  "Tasks:      45m0s",
  "Finally:    15m0s",
  "",
  "⚓ Params",
  "  NAME                          VALUE",
  "  • revision                    main",
  "  • flags                       [-v --race]",
  "  • image                       map[repo:ghcr.io/acme/app tag:v1]",
  "📝 Results",
  "  NAME                          VALUE",
  "  • digest                      sha256:abc",
  "",
  "🗂  Workspaces",
  "  NAME                SUB PATH            WORKSPACE BINDING",
  "  • source             app                PersistentVolumeClaim (claimName=src-pvc)",
  "  • cache              ---                EmptyDir (emptyDir=)",
  "  • creds              ---                Secret (secret=git-creds)",
  "",
  "📦 Taskruns",
  `  NAME${" ".repeat(73)}TASK NAME`,
  `  • build-fetch${" ".repeat(64)}fetch`,
  `  • build-compile${" ".repeat(62)}compile`,
  "⏭️  Skipped Tasks",
  "NAME",
  "• deploy",
  "",
].join("\n");

const COMPILE = [
  "Name: build-compile",
  "Namespace: default",
  "Service Account: builder",
  "Labels:",
  " tekton.dev/pipelineRun=build",
  " tekton.dev/pipelineTask=compile",
  "",
  "📌 Status",
  "STARTED          DURATION         STATUS",
  "5m ago           42s              Failed",
  "",
  "⚓ Params",
  "  NAME                          VALUE",
  "  • target                      linux/amd64",
  "",
  "📝 Results",
  "  NAME                          VALUE",
  "  • binary                      /out/app",
  "",
  "🗂  Workspaces",
  "  NAME                SUB PATH            WORKSPACE BINDING",
  "  • source             ---                ConfigMap (config=cfg)",
  "",
  "🦶 Steps",
  "  NAME                          STATUS",
  "  • compile                     Completed",
  "  • test                        Error",
  "",
].join("\n");

describe("pipelinerun describe", () => {
  it("prints upstream's template for the most recent PipelineRun of the name", async () => {
    const out = await run("pipelinerun", "describe", "build");
    expect(out).toEqual({ code: 0, stdout: BUILD, stderr: "" });
  });

  it("--uid picks one of the runs of a name (with or without the name); desc is its alias", async () => {
    const [old, both] = await Promise.all([
      run("pr", "desc", "--uid", "uid-build-old"),
      run("pipelinerun", "describe", "build", "--uid", "uid-build-old"),
    ]);
    const text = [
      "Name: build",
      "Namespace: default",
      "",
      "📌 Status",
      "STARTED          DURATION         STATUS",
      "3d ago           1m0s             Succeeded",
      "",
      "⏱ Timeouts",
      "",
      "⚓ Params",
      "",
    ].join("\n");
    expect(old).toEqual({ code: 0, stdout: text, stderr: "" });
    expect(both).toEqual({ code: 0, stdout: text, stderr: "" });
  });

  it("-o json (kubectl's four-space indent), -o yaml (keys sorted), -o name", async () => {
    const [json, yaml, name] = await Promise.all([
      run("pipelinerun", "describe", "build", "-o", "json"),
      run("pipelinerun", "describe", "build", "-o", "yaml"),
      run("pipelinerun", "describe", "build", "-o", "name"),
    ]);
    expect(json.code).toBe(0);
    expect(json.stdout).toMatch(
      /^\{\n {4}"apiVersion": "tekton.dev\/v1",\n {4}"kind": "PipelineRun",\n/,
    );
    const object = JSON.parse(json.stdout);
    expect(object).toMatchObject({ metadata: { name: "build", uid: "uid-build" } });
    expect(object.spec.params[2]).toEqual({
      name: "image",
      value: { repo: "ghcr.io/acme/app", tag: "v1" },
    });
    expect(yaml.stdout).toMatch(
      /^apiVersion: tekton.dev\/v1\nkind: PipelineRun\nmetadata:\n {2}annotations:\n/,
    );
    expect(yaml.stdout).toContain("\n  uid: uid-build\n");
    expect(name).toEqual({ code: 0, stdout: "pipelinerun.tekton.dev/build\n", stderr: "" });
    const path = await run("pipelinerun", "describe", "build", "-o", "jsonpath={.metadata.uid}");
    expect(path).toEqual({ code: 0, stdout: "uid-build", stderr: "" });
  });
});

describe("taskrun describe", () => {
  it("prints upstream's template, and the steps as tkn does", async () => {
    expect(await run("taskrun", "describe", "build-compile")).toEqual({
      code: 0,
      stdout: COMPILE,
      stderr: "",
    });
  });

  it("a running TaskRun without params: the sections upstream always prints", async () => {
    const [lint, byUid] = await Promise.all([
      run("tr", "describe", "lint"),
      // A TaskRun of a PipelineRun is in the PipelineRun's Result: found by its uid all the same.
      run("taskrun", "describe", "--uid", "uid-compile", "-o", "name"),
    ]);
    expect(lint).toEqual({
      code: 0,
      stdout: [
        "Name: lint",
        "Namespace: default",
        "",
        "📌 Status",
        "STARTED          DURATION         STATUS",
        "30s ago          ---              Running",
        "",
        "⚓ Params",
        "",
      ].join("\n"),
      stderr: "",
    });
    expect(byUid).toEqual({ code: 0, stdout: "taskrun.tekton.dev/build-compile\n", stderr: "" });
  });
});

describe.skipIf(!hasScript)("on a terminal", () => {
  it("headings bold (and underlined), the status coloured; none of it with NO_COLOR", async () => {
    const args = ["taskrun", "describe", "build-compile", "-k", kubeconfig];
    const [coloured, plain] = await Promise.all([
      onTerminal(args),
      onTerminal(args, { NO_COLOR: "1" }),
    ]);
    expect(coloured).toContain("\u001b[1mName\u001b[22m: build-compile");
    expect(coloured).toContain("📌 \u001b[4m\u001b[1mStatus\u001b[22m\u001b[24m");
    expect(coloured).toContain("\u001b[91mFailed\u001b[39m");
    expect(plain).toContain("Name: build-compile");
    expect(plain).not.toContain("\u001b[");
  });
});

describe("bad input: one line on stderr, exit code 1", () => {
  it.each([
    [["pipelinerun", "describe", "nope"], "Error: no PipelineRun found with name nope"],
    [["taskrun", "describe", "nope", "-n", "foo"], "Error: no TaskRun found with name nope"],
    [
      ["pipelinerun", "describe", "--uid", "no-such-uid"],
      "Error: no PipelineRun found with UID no-such-uid",
    ],
    [
      ["pipelinerun", "describe", "build", "--uid", "bad uid/../x"],
      "Error: no PipelineRun found with name build and UID bad uid/../x",
    ],
    // The uid of a TaskRun is not a PipelineRun's.
    [
      ["pipelinerun", "describe", "--uid", "uid-lint"],
      "Error: no PipelineRun found with UID uid-lint",
    ],
    [["taskrun", "describe"], "Error: requires exactly one argument when --uid is not provided"],
    [
      ["taskrun", "describe", "lint", "-o", "wide"],
      "Error: option '-o, --output <format>' argument 'wide' is invalid. Allowed formats are json, yaml, name, jsonpath=<template>, jsonpath-file=<file>, jsonpath-as-json=<template>.",
    ],
  ])("%j", async (args, line) => {
    const out = await run(...args);
    expect(out).toEqual({ code: 1, stdout: "", stderr: `${line}\n` });
  });

  it("a server that is not there", async () => {
    const out = await run("pipelinerun", "describe", "build", "--host", "http://127.0.0.1:1");
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(
      /^Error: failed to find PipelineRun: cannot reach the Results API at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)[^\n]*\n$/,
    );
  });
});

/** The examples of upstream's docs/cli/tkn-results_{pipelinerun,taskrun}_describe.md, verbatim. */
const UPSTREAM_EXAMPLES = [
  "tkn-results pipelinerun describe my-pipelinerun -n foo",
  "tkn-results pipelinerun describe my-pipelinerun",
  "tkn-results pipelinerun describe my-pipelinerun -o yaml",
  "tkn-results pipelinerun describe my-pipelinerun -o json",
  "tkn-results taskrun describe my-taskrun -n foo",
  "tkn-results taskrun describe my-taskrun",
  "tkn-results taskrun describe my-taskrun -o yaml",
  "tkn-results taskrun describe my-taskrun -o json",
];

describe("upstream's examples run unchanged", () => {
  it.each(UPSTREAM_EXAMPLES)("%s", async (line) => {
    const args = line.split(" ").slice(1);
    const out = await run(...args);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const namespace = args.includes("foo") ? "foo" : "default";
    const name = args[2]!;
    if (args.includes("json")) {
      expect(JSON.parse(out.stdout)).toMatchObject({ metadata: { name, namespace } });
    } else if (args.includes("yaml")) {
      expect(out.stdout).toContain(`\n  name: ${name}\n  namespace: ${namespace}\n`);
    } else {
      expect(out.stdout).toMatch(
        new RegExp(`^Name: ${name}\nNamespace: ${namespace}\n\n📌 Status\n`),
      );
    }
  });
});
