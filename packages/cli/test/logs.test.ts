/**
 * `taskrun logs` and `pipelinerun logs` as processes against a real server over SQLite with a
 * log store in memory: logs stored as the watcher stores them (a Log record `<run uid>-log`, the
 * text by UpdateLog, lines marked `[task : step]`), the output compared to the expected text;
 * `-f` against runs that finish (and whose logs grow) during the test, and Ctrl-C.
 */
import { describe, expect, it } from "vitest";
import { hasScript, onTerminal, startCli, useSeededCli, type SeedRun } from "./support/cli.js";

const EX_UID = "12345678-1234-1234-1234-1234567890ab";
const child = (pr: string, task: string): Record<string, string> => ({
  "tekton.dev/pipelineRun": pr,
  "tekton.dev/pipelineTask": task,
});
const done = { took: 10, status: "True" as const, reason: "Succeeded" };

const RUNS: SeedRun[] = [
  // Created in another order than they started: the log follows the start times.
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-report",
    uid: "uid-report",
    startedAgo: 250,
    ...done,
    labels: child("build", "report"),
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-lint",
    uid: "uid-lint",
    startedAgo: 280,
    ...done,
    labels: child("build", "lint"),
    more: { status: { steps: [{ name: "golangci", terminated: { reason: "Completed" } }] } },
    // Stored by something else than the watcher: no markers, no newline at the end.
    log: "lint ok\nno issues",
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-compile",
    uid: "uid-compile",
    startedAgo: 280,
    ...done,
    labels: child("build", "compile"),
    log: "[compile : build] go build ./...\n[compile : test] ok  \tacme/app\t0.4s\n",
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "build-fetch",
    uid: "uid-fetch",
    startedAgo: 300,
    ...done,
    labels: child("build", "fetch"),
    log: "[fetch : clone] Cloning into 'src'...\n[fetch : clone] HEAD is now at 1a2b3c\n",
  },
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "build",
    uid: "uid-build",
    startedAgo: 310,
    took: 100,
    status: "True",
    reason: "Succeeded",
    more: {
      status: {
        childReferences: ["fetch", "compile", "lint", "report"].map((t) => ({
          name: `build-${t}`,
          pipelineTaskName: t,
        })),
      },
    },
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "unit",
    uid: "uid-unit",
    startedAgo: 60,
    ...done,
    log: "[unit : test] héllo ✓\nlast line without a newline",
  },
  {
    kind: "TaskRun",
    namespace: "default",
    name: "nolog",
    uid: "uid-nolog",
    startedAgo: 60,
    ...done,
  },
  { kind: "TaskRun", namespace: "default", name: "busy", uid: "uid-busy", startedAgo: 5 },
  { kind: "PipelineRun", namespace: "default", name: "busy-pr", uid: "uid-busy-pr", startedAgo: 5 },
  {
    kind: "PipelineRun",
    namespace: "default",
    name: "own-log",
    uid: "uid-own-log",
    startedAgo: 60,
    ...done,
    log: "[only : step] the PipelineRun's own log\n",
  },
  // What upstream's examples name: foo in the current namespace and in my-namespace, the one
  // in the current namespace with the example's uid.
  ...(["default", "my-namespace"] as const).flatMap((namespace): SeedRun[] => {
    const uid = namespace === "default" ? EX_UID : "uid-foo-elsewhere";
    return [
      { kind: "PipelineRun", namespace, name: "foo", uid, startedAgo: 60, ...done },
      {
        kind: "TaskRun",
        namespace,
        name: "foo-hello",
        uid: `${uid}-hello`,
        startedAgo: 59,
        ...done,
        labels: child("foo", "hello"),
        log: `[hello : echo] hello from ${namespace}\n`,
      },
      {
        kind: "TaskRun",
        namespace,
        name: "foo",
        uid,
        startedAgo: 30,
        ...done,
        labels: child("foo-parent", "foo"),
        log: `[foo : echo] the TaskRun foo in ${namespace}\n`,
      },
    ];
  }),
];

const seeded = useSeededCli(RUNS);
const { run, kubeconfig } = seeded;

describe("taskrun logs", () => {
  it("prints the TaskRun's stored log byte for byte", async () => {
    expect(await run("taskrun", "logs", "unit")).toEqual({
      code: 0,
      stdout: "[unit : test] héllo ✓\nlast line without a newline",
      stderr: "",
    });
  });

  it("a TaskRun still running: upstream's message (exit 0), and a hint about -f", async () => {
    expect(await run("taskrun", "logs", "busy")).toEqual({
      code: 0,
      stdout:
        "Logs are not available for running TaskRuns. Please wait for the TaskRun to complete before retrieving logs.\n",
      stderr: "(-f follows the TaskRun until it has finished)\n",
    });
  });
});

describe("pipelinerun logs", () => {
  it("assembles its TaskRuns' logs in the order they started, each line marked [task : step]", async () => {
    const out = await run("pipelinerun", "logs", "build");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      [
        "[fetch : clone] Cloning into 'src'...",
        "[fetch : clone] HEAD is now at 1a2b3c",
        "[compile : build] go build ./...",
        "[compile : test] ok  \tacme/app\t0.4s",
        // No markers stored: the pipeline task and its only step.
        "[lint : golangci] lint ok",
        "[lint : golangci] no issues",
        "",
      ].join("\n"),
    );
    expect(out.stderr).toBe("no log stored for TaskRun build-report\n");
  });

  it("a PipelineRun without TaskRun logs: its own log, as upstream asks for it", async () => {
    expect(await run("pr", "logs", "own-log")).toEqual({
      code: 0,
      stdout: "[only : step] the PipelineRun's own log\n",
      stderr: "",
    });
  });

  it("a PipelineRun still running: upstream's message", async () => {
    const out = await run("pipelinerun", "logs", "busy-pr");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      "Logs are not available for running PipelineRuns. Please wait for the PipelineRun to complete before retrieving logs.\n",
    );
  });
});

describe.skipIf(!hasScript)("on a terminal", () => {
  it("the [task : step] markers in bold colours, one per task; none with NO_COLOR", async () => {
    const args = ["pipelinerun", "logs", "build", "-k", kubeconfig];
    const [coloured, plain] = await Promise.all([
      onTerminal(args),
      onTerminal(args, { NO_COLOR: "1" }),
    ]);
    const mark = (colour: number, marker: string) =>
      `\u001b[${colour}m\u001b[1m${marker}\u001b[22m\u001b[39m`;
    expect(coloured).toContain(`${mark(92, "[fetch : clone]")} Cloning into 'src'...`);
    expect(coloured).toContain(`${mark(93, "[compile : build]")} go build ./...`);
    expect(coloured).toContain(`${mark(94, "[lint : golangci]")} lint ok`);
    expect(plain).toContain("[fetch : clone] Cloning into 'src'...");
    expect(plain).not.toContain("\u001b[");
  });
});

describe("bad input: one line on stderr, exit code 1", () => {
  it.each([
    [["taskrun", "logs", "nope"], "Error: no TaskRun found with name nope"],
    [["pipelinerun", "logs", "--uid", "bad/uid"], "Error: no PipelineRun found with UID bad/uid"],
    [["taskrun", "logs", "nolog"], "Error: failed to get logs: no log stored for TaskRun nolog"],
    [["pipelinerun", "logs"], "Error: requires exactly one argument when --uid is not provided"],
    [["taskrun", "logs", "unit", "--bogus"], "Error: unknown option '--bogus'"],
  ])("%j", async (args, line) => {
    expect(await run(...args)).toEqual({ code: 1, stdout: "", stderr: `${line}\n` });
  });

  it("a server that is not there", async () => {
    const out = await run("taskrun", "logs", "unit", "--host", "http://127.0.0.1:1");
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /^Error: failed to find TaskRun: cannot reach the Results API at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)[^\n]*\n$/,
    );
  });
});

/** The examples of upstream's docs/cli/tkn-results_{pipelinerun,taskrun}_logs.md, verbatim. */
const UPSTREAM_EXAMPLES: [string, string][] = [
  ["tkn-results pipelinerun logs foo", "[hello : echo] hello from default\n"],
  ["tkn-results pipelinerun logs foo -n my-namespace", "[hello : echo] hello from my-namespace\n"],
  [`tkn-results pipelinerun logs --uid ${EX_UID}`, "[hello : echo] hello from default\n"],
  ["tkn-results taskrun logs foo", "[foo : echo] the TaskRun foo in default\n"],
  [
    "tkn-results taskrun logs foo -n my-namespace",
    "[foo : echo] the TaskRun foo in my-namespace\n",
  ],
  [`tkn-results taskrun logs --uid ${EX_UID}`, "[foo : echo] the TaskRun foo in default\n"],
];

describe("upstream's examples run unchanged", () => {
  it.each(UPSTREAM_EXAMPLES)("%s", async (line, stdout) => {
    expect(await run(...line.split(" ").slice(1))).toEqual({ code: 0, stdout, stderr: "" });
  });
});

/** Wait until `test` holds, checking every 50 ms, for at most 20 s. */
async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !test(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(test()).toBe(true);
}

describe("-f follows a run until it has finished", () => {
  const FOLLOW = { TKN_RESULTS_POLL_MS: "100" };
  const start = (...args: string[]) => startCli([...args, "-k", kubeconfig], FOLLOW);

  it("taskrun logs -f: prints what the log gains, once, and exits 0 when the TaskRun is done", async () => {
    const now = Date.now();
    const tail: SeedRun = {
      kind: "TaskRun",
      namespace: "default",
      name: "tail",
      uid: "uid-tail",
      startedAgo: 1,
    };
    await seeded.server.put({ ...tail, log: "[tail : a] one\n" }, now);
    const follow = start("taskrun", "logs", "tail", "-f");
    await until(() => follow.output().stdout.includes("one"));
    await seeded.server.put({ ...tail, log: "[tail : a] one\n[tail : a] two\n" }, now);
    await until(() => follow.output().stdout.includes("two"));
    await seeded.server.put(
      { ...tail, ...done, log: "[tail : a] one\n[tail : a] two\n[tail : b] three\n" },
      now,
    );
    expect(await follow.exited).toEqual({
      code: 0,
      stdout: "[tail : a] one\n[tail : a] two\n[tail : b] three\n",
      stderr: "",
    });
  });

  it("pipelinerun logs -f: each TaskRun's log as it is stored, until the PipelineRun is done", async () => {
    const now = Date.now();
    const pr: SeedRun = {
      kind: "PipelineRun",
      namespace: "default",
      name: "live",
      uid: "uid-live",
      startedAgo: 20,
      status: "Unknown",
      reason: "Running",
    };
    const one: SeedRun = {
      kind: "TaskRun",
      namespace: "default",
      name: "live-one",
      uid: "uid-live-one",
      startedAgo: 19,
      ...done,
      took: 5,
      labels: child("live", "one"),
      log: "[one : s] first\n",
    };
    const two: SeedRun = {
      kind: "TaskRun",
      namespace: "default",
      name: "live-two",
      uid: "uid-live-two",
      startedAgo: 10,
      labels: child("live", "two"),
    };
    for (const r of [pr, one, two]) await seeded.server.put(r, now);
    const follow = start("pipelinerun", "logs", "live", "-f");
    await until(() => follow.output().stdout.includes("first"));
    expect(follow.child.exitCode).toBe(null);
    await seeded.server.put({ ...two, ...done, took: 9, log: "[two : s] second\n" }, now);
    await seeded.server.put({ ...pr, took: 20, status: "True", reason: "Succeeded" }, now);
    expect(await follow.exited).toEqual({
      code: 0,
      stdout: "[one : s] first\n[two : s] second\n",
      stderr: "",
    });
  });

  it("Ctrl-C ends a follow quietly, with the shell's code for an interrupt (130)", async () => {
    const follow = start("pipelinerun", "logs", "busy-pr", "-f");
    // Give it time to connect and poll once before the interrupt.
    await new Promise((r) => setTimeout(r, 4000));
    expect(follow.child.exitCode).toBe(null);
    follow.child.kill("SIGINT");
    expect(await follow.exited).toEqual({ code: 130, stdout: "", stderr: "" });
  });
});
