/**
 * `tkn-results export` and `tkn-results import` as processes: a data set on a server over SQLite
 * (PipelineRuns, TaskRuns, their Log records and logs: text, binary, empty, one of 2.5 MiB;
 * record data of 1.5 MB and data that is JSON but not as JSON.stringify writes it) exported and
 * imported into servers over PostgreSQL (embedded), both sides compared record by record;
 * selection; an import and an export killed and run again; conflicts; a malformed line.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AnySchema,
  create,
  formatRecordName,
  formatResultName,
  jsonRecordData,
  RECORD_TYPES,
  RecordSummary_Status,
} from "@tekton-results/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasScript, onTerminal, startCli } from "./support/cli.js";
import {
  snapshot,
  startPgServer,
  startSqliteServer,
  stopPostgres,
  type Snapshot,
  type TestServer,
} from "./support/transfer.js";

const T0 = Date.parse("2026-11-01T00:00:00Z");
const MIN = 60_000;
const DAY = 86_400_000;

/** A log of 2.5 MiB of UTF-8 text with two- and three-byte characters, across chunk boundaries. */
const LARGE_LOG = Buffer.from(
  Array.from({ length: 80_000 }, (_, i) => `line ${i}: héllo 日本語 ✓\n`).join(""),
  "utf8",
);
/** Every byte value, and sequences that are not UTF-8. */
const BINARY_LOG = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x00, 0x80]),
  Buffer.from("\ntext after the binary\n"),
]);
const BIG_FIELD = "x".repeat(1_500_000);
/** JSON, but not as JSON.stringify writes it: kept as text, byte for byte. */
const ODD_JSON =
  '{ "apiVersion" : "tekton.dev/v1", "kind": "TaskRun",\n  "metadata": {"name": "odd-1", "namespace": "default", "uid": "odd-1"}, "spec": {"n": 1.50, "e": 1e3} }';

function run(
  kind: "PipelineRun" | "TaskRun",
  namespace: string,
  name: string,
  uid: string,
  more: object = {},
) {
  return {
    apiVersion: "tekton.dev/v1",
    kind,
    metadata: { name, namespace, uid, labels: {}, ...more },
    spec: {},
    status: { conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }] },
  };
}

function logRecord(kind: string, namespace: string, name: string, uid: string) {
  return jsonRecordData(RECORD_TYPES.LOG, {
    kind: "Log",
    apiVersion: "results.tekton.dev/v1alpha3",
    metadata: { name: `${name}-log`, namespace, uid: `${uid}-log` },
    spec: { resource: { kind, namespace, name, uid }, type: "File" },
    status: { path: "", size: 0, isStored: false, errorOnStoreMsg: "", isRetryableErr: false },
  });
}

/** Create the data set, each thing at the time it names. */
async function seed(s: TestServer): Promise<void> {
  const at = (ms: number) => s.setNow(ms);
  const result = async (ns: string, name: string, extra: object = {}) =>
    s.client.createResult({ parent: ns, result: { name: formatResultName(ns, name), ...extra } });
  const record = async (
    ns: string,
    res: string,
    name: string,
    data: ReturnType<typeof jsonRecordData>,
  ) =>
    s.client.createRecord({
      parent: formatResultName(ns, res),
      record: { name: formatRecordName(ns, res, name), data },
    });
  const log = (ns: string, res: string, name: string, bytes: Buffer) =>
    s.logs.uploadLog(`${ns}/results/${res}/logs/${name}`, [bytes]);

  at(T0);
  await result("default", "build-1", {
    annotations: { team: "ci", "example.com/note": "ünïcode" },
    summary: {
      record: "default/results/build-1/records/pr-1",
      type: "tekton.dev/v1.PipelineRun",
      status: RecordSummary_Status.SUCCESS,
      startTime: { seconds: BigInt(T0 / 1000), nanos: 0 },
      endTime: { seconds: BigInt(T0 / 1000 + 90), nanos: 0 },
      annotations: { repo: "r" },
    },
  });
  await record(
    "default",
    "build-1",
    "pr-1",
    jsonRecordData("tekton.dev/v1.PipelineRun", run("PipelineRun", "default", "build-1", "pr-1")),
  );
  at(T0 + MIN);
  for (const tr of ["tr-1a", "tr-1b"]) {
    const obj = run("TaskRun", "default", `build-1-${tr}`, tr, {
      labels: { "tekton.dev/pipelineRun": "build-1" },
    });
    await record("default", "build-1", tr, jsonRecordData("tekton.dev/v1.TaskRun", obj));
  }
  at(T0 + 2 * MIN);
  await record(
    "default",
    "build-1",
    "pr-1-log",
    logRecord("PipelineRun", "default", "build-1", "pr-1"),
  );
  await log("default", "build-1", "pr-1-log", LARGE_LOG);
  await record(
    "default",
    "build-1",
    "tr-1a-log",
    logRecord("TaskRun", "default", "build-1-tr-1a", "tr-1a"),
  );
  await log("default", "build-1", "tr-1a-log", Buffer.from("step one\n[done]\n"));
  await record(
    "default",
    "build-1",
    "tr-1b-log",
    logRecord("TaskRun", "default", "build-1-tr-1b", "tr-1b"),
  );
  await log("default", "build-1", "tr-1b-log", BINARY_LOG);

  at(T0 + DAY);
  await result("other", "deploy-1");
  await record(
    "other",
    "deploy-1",
    "dp-1",
    jsonRecordData("tekton.dev/v1.PipelineRun", run("PipelineRun", "other", "deploy-1", "dp-1")),
  );
  await record(
    "other",
    "deploy-1",
    "dp-1-log",
    logRecord("PipelineRun", "other", "deploy-1", "dp-1"),
  );
  await log("other", "deploy-1", "dp-1-log", Buffer.alloc(0));

  at(T0 + 2 * DAY);
  await result("default", "odd");
  await record(
    "default",
    "odd",
    "odd-1",
    create(AnySchema, { type: "tekton.dev/v1.TaskRun", value: Buffer.from(ODD_JSON) }),
  );
  await result("default", "big");
  const big = run("TaskRun", "default", "big-1", "big-1", { annotations: { big: BIG_FIELD } });
  await record("default", "big", "big-1", jsonRecordData("tekton.dev/v1.TaskRun", big));
  // A Log record whose log was never stored.
  await record("default", "big", "big-1-log", logRecord("TaskRun", "default", "big-1", "big-1"));

  at(T0 + 3 * DAY);
  await record(
    "default",
    "odd",
    "event-1",
    jsonRecordData("example.com/v1.Event", { reason: "Note", count: 3 }),
  );
  s.setNow(undefined);
}

let source: TestServer;
let expected: Snapshot;
const servers: TestServer[] = [];
const dir = mkdtempSync(join(tmpdir(), "tkn-results-transfer-"));

async function destination(): Promise<TestServer> {
  const s = await startPgServer();
  servers.push(s);
  return s;
}

const lines = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as { kind: string; [k: string]: unknown });
const names = (text: string) =>
  lines(text)
    .filter((l) => l.kind === "record")
    .map((l) => l["name"] as string);

/** Export from the source (extra arguments), to a file; its text. */
async function exportTo(file: string, ...args: string[]): Promise<string> {
  const r = await startCli(["export", "--host", source.url, "--output", file, "-q", ...args])
    .exited;
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return readFileSync(file, "utf8");
}

function expectSame(actual: Snapshot, wanted: Snapshot): void {
  expect([...actual.results.keys()]).toEqual([...wanted.results.keys()]);
  expect(actual.results).toEqual(wanted.results);
  expect([...actual.records.keys()]).toEqual([...wanted.records.keys()]);
  for (const [name, r] of wanted.records) {
    const got = actual.records.get(name)!;
    expect(got.type, name).toBe(r.type);
    expect(got.data.equals(r.data), `data of ${name}`).toBe(true);
  }
  expect([...actual.logs.keys()]).toEqual([...wanted.logs.keys()]);
  for (const [name, bytes] of wanted.logs) {
    expect(actual.logs.get(name)!.equals(bytes), `log of ${name}`).toBe(true);
  }
}

beforeAll(async () => {
  source = await startSqliteServer();
  await seed(source);
  expected = await snapshot(source);
  // The whole data set, logs inline: the stream most tests import (checked by the first).
  await exportTo(join(dir, "all.ndjson"), "-A");
}, 120_000);

afterAll(async () => {
  for (const s of [source, ...servers]) await s?.close();
  await stopPostgres();
});

describe("export from SQLite, import into PostgreSQL", () => {
  it("the data set is what the test means it to be", () => {
    expect(expected.records.size).toBe(12);
    expect([...expected.logs.keys()].map((n) => n.split("/").pop())).toEqual([
      "pr-1-log",
      "tr-1a-log",
      "tr-1b-log",
      "dp-1-log",
    ]);
    expect(expected.logs.get("default/results/build-1/records/tr-1b-log")!.equals(BINARY_LOG)).toBe(
      true,
    );
  });

  it("moves everything with logs inline (the stream of -A): names, types, data and logs byte for byte", async () => {
    const file = join(dir, "all.ndjson");
    const text = readFileSync(file, "utf8");
    const all = lines(text);
    expect(all[0]).toMatchObject({
      kind: "header",
      format: "tekton-results-export",
      version: 1,
      logs: "inline",
    });
    expect(all.at(-1)).toEqual({
      kind: "end",
      results: 4,
      records: 12,
      logs: 4,
      logBytes: LARGE_LOG.length + 16 + BINARY_LOG.length,
    });
    // Each Result before its Records, each Record once.
    expect(new Set(names(text)).size).toBe(12);
    const binary = all.filter((l) => l.kind === "log" && String(l["record"]).endsWith("tr-1b-log"));
    expect(binary).toHaveLength(1);
    expect(binary[0]).toMatchObject({
      encoding: "base64",
      offset: 0,
      end: true,
      size: BINARY_LOG.length,
    });
    const large = all.filter((l) => l.kind === "log" && String(l["record"]).endsWith("pr-1-log"));
    expect(large.length).toBe(3); // 1 MiB a line
    expect(large.every((l) => l["encoding"] === "text")).toBe(true);
    const odd = all.find((l) => l["name"] === "default/results/odd/records/odd-1");
    expect(odd).toMatchObject({ encoding: "text", data: ODD_JSON });

    const dest = await destination();
    const r = await startCli(["import", file, "--host", dest.url]).exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    // Plain progress lines ("... so far, N records/s") come first when the import is slow.
    expect(r.stderr).toMatch(
      /^(import: .* so far, .*\n)*import: 4 results, 12 records, 4 logs \(2\.\d MiB\) from .*all\.ndjson: 20 created, 0 already there, 0 conflicts skipped, 0 overwritten, in \d+\.\ds\n$/,
    );
    expectSame(await snapshot(dest), expected);
  });

  it("moves everything with logs as files, and from standard input", async () => {
    const file = join(dir, "files.ndjson");
    const text = await exportTo(file, "-", "--logs-dir", join(dir, "files-logs"));
    expect(lines(text)[0]).toMatchObject({ logs: "files", logsDir: "files-logs" });
    const logLines = lines(text).filter((l) => l.kind === "log");
    expect(logLines.map((l) => l["file"]).sort()).toEqual([
      "default/build-1/pr-1-log.log",
      "default/build-1/tr-1a-log.log",
      "default/build-1/tr-1b-log.log",
      "other/deploy-1/dp-1-log.log",
    ]);
    expect(
      readFileSync(join(dir, "files-logs/default/build-1/tr-1b-log.log")).equals(BINARY_LOG),
    ).toBe(true);

    const dest = await destination();
    const r = await startCli(
      ["import", "--host", dest.url, "--logs-dir", join(dir, "files-logs")],
      {},
      text,
    ).exited;
    expect(r.stderr).toMatch(/from standard input: 20 created/);
    expect(r.code).toBe(0);
    expectSame(await snapshot(dest), expected);
  });
});

describe("selection", () => {
  it("a filter and a parent: the selected runs, with their Log records and logs", async () => {
    const filter = 'data_type == "tekton.dev/v1.PipelineRun"';
    const text = await exportTo(join(dir, "prs.ndjson"), "default", "--filter", filter);
    expect(names(text)).toEqual([
      "default/results/build-1/records/pr-1",
      "default/results/build-1/records/pr-1-log",
    ]);
    expect(lines(text)[0]).toMatchObject({
      selection: { parent: "default", filter, since: null, until: null, logs: true },
    });
    expect(
      lines(text)
        .filter((l) => l.kind === "result")
        .map((l) => l["name"]),
    ).toEqual(["default/results/build-1"]);

    const everywhere = await exportTo(
      join(dir, "prs-all.ndjson"),
      "-A",
      "--filter",
      filter,
      "--no-logs",
    );
    expect(names(everywhere)).toEqual([
      "default/results/build-1/records/pr-1",
      "other/results/deploy-1/records/dp-1",
    ]);
    expect(lines(everywhere).some((l) => l.kind === "log")).toBe(false);
  });

  it("to standard output: the same stream as to a file", async () => {
    const filter = 'data_type == "tekton.dev/v1.PipelineRun"';
    const file = await exportTo(join(dir, "prs-file.ndjson"), "default", "--filter", filter);
    const r = await startCli(["export", "default", "--filter", filter, "--host", source.url, "-q"])
      .exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").slice(1)).toEqual(file.split("\n").slice(1));
  });

  it("a time range on create_time: RFC 3339 times and durations before now", async () => {
    const text = await exportTo(
      join(dir, "range.ndjson"),
      "-A",
      "--since",
      new Date(T0 + DAY).toISOString(),
      "--until",
      "2026-11-03T00:00:00.001Z",
      "--no-logs",
    );
    // In create_time order; records created at the same time in uid order (random): sorted.
    expect(names(text).slice(0, 2).sort()).toEqual([
      "other/results/deploy-1/records/dp-1",
      "other/results/deploy-1/records/dp-1-log",
    ]);
    expect(names(text).slice(2).sort()).toEqual([
      "default/results/big/records/big-1",
      "default/results/big/records/big-1-log",
      "default/results/odd/records/odd-1",
    ]);
    const now = new Date(T0 + 3 * DAY + 6 * 3_600_000).toISOString();
    const file = join(dir, "recent.ndjson");
    const r = await startCli(
      ["export", "--host", source.url, "--output", file, "-q", "--since", "20h"],
      {
        TKN_RESULTS_NOW: now,
      },
    ).exited;
    expect(r.code).toBe(0);
    expect(names(readFileSync(file, "utf8"))).toEqual(["default/results/odd/records/event-1"]);
  });

  it("bad selection flags: one line, exit 1", async () => {
    const r = await startCli(["export", "--host", source.url, "--since", "yesterday"]).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error: invalid --since "yesterday"; give an RFC 3339 time (2026-12-01T00:00:00Z) or a duration before now (24h, 90m, 1h30m)\n',
    );
    const resume = await startCli(["export", "--host", source.url, "--resume"]).exited;
    expect(resume.stderr).toBe("Error: --resume needs --output FILE: the file to continue\n");
    const filter = await startCli([
      "export",
      "--host",
      source.url,
      "--filter",
      "data_type ==",
      "-q",
    ]).exited;
    expect(filter.code).toBe(1);
    expect(filter.stderr.split("\n")).toHaveLength(2);
    expect(filter.stderr).toMatch(
      /^Error: invalid --filter "data_type ==": syntax error at 1:13: missing operand/,
    );
  });
});

/** Poll `check` every 50 ms until it is true (30 s at most). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out waiting");
}

describe("interrupted and resumed", () => {
  it("an import killed midway, run again, completes without duplicates", async () => {
    const file = join(dir, "all.ndjson");
    const dest = await destination();
    dest.setDelay(60); // every store call waits: the import takes seconds
    const first = startCli(["import", file, "--host", dest.url, "-q"]);
    let seen = 0;
    await until(async () => {
      seen = 0;
      for await (const _ of dest.client.listAllRecords({ parent: "-/results/-" })) seen++;
      return seen >= 4;
    });
    first.child.kill("SIGKILL");
    expect((await first.exited).code).toBeNull();
    dest.setDelay(0);
    expect(seen).toBeLessThan(12);

    const again = await startCli(["import", file, "--host", dest.url]).exited;
    expect(again.code).toBe(0);
    const m = /: (\d+) created, (\d+) already there, 0 conflicts skipped, 0 overwritten/.exec(
      again.stderr,
    );
    expect(m, again.stderr).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(4);
    expectSame(await snapshot(dest), expected);
  });

  it("an export killed midway, resumed, gives the stream an uninterrupted one gives", async () => {
    const whole = await exportTo(join(dir, "paged.ndjson"), "-A", "--page-size", "2");
    const file = join(dir, "killed.ndjson");
    source.setDelay(100);
    const args = ["export", "-A", "--page-size", "2", "--host", source.url, "--output", file];
    const first = startCli([...args, "-q"]);
    await until(() => {
      try {
        return readFileSync(file, "utf8").includes('"kind":"checkpoint"');
      } catch {
        return false;
      }
    });
    first.child.kill("SIGKILL");
    await first.exited;
    source.setDelay(0);
    // As a write cut by the kill would leave it.
    appendFileSync(file, '{"kind":"record","name":"default/res');
    expect(readFileSync(file, "utf8")).not.toContain('"kind":"end"');

    const resumeArgs = [...args, "--resume"];
    const resumed = await startCli(resumeArgs).exited;
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(
      /(^|\n)export: 4 results, 12 records, 4 logs \(2\.\d MiB\) written to .*killed\.ndjson in \d+\.\ds \(resumed\)\n$/,
    );
    const text = readFileSync(file, "utf8");
    expect(text.split("\n").slice(1)).toEqual(whole.split("\n").slice(1));

    const again = await startCli(resumeArgs).exited;
    expect(again.stderr).toMatch(/is complete already/);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("an export cut inside a log resumes that log whole", async () => {
    const whole = readFileSync(join(dir, "all.ndjson"), "utf8");
    const all = whole.split("\n");
    const firstPiece = all.findIndex(
      (l) => l.includes('"kind":"log"') && l.includes('"end":false'),
    );
    expect(firstPiece).toBeGreaterThan(0);
    const file = join(dir, "cut.ndjson");
    writeFileSync(file, all.slice(0, firstPiece + 1).join("\n") + "\n");
    const r = await startCli([
      "export",
      "-A",
      "--host",
      source.url,
      "--output",
      file,
      "--resume",
      "-q",
    ]).exited;
    expect(r.stderr).toBe("");
    expect(readFileSync(file, "utf8").split("\n").slice(1)).toEqual(all.slice(1));
  });

  it("resuming with another selection is refused", async () => {
    const r = await startCli([
      "export",
      "-A",
      "--filter",
      "true",
      "--host",
      source.url,
      "--output",
      join(dir, "cut.ndjson"),
      "--resume",
    ]).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "Error: " +
        join(dir, "cut.ndjson") +
        ' was started with --filter ""; resume it with the same selection, or start anew without --resume\n',
    );
  });
});

describe("conflicts and bad streams", () => {
  it("a record changed on the destination: fail (default), skip, overwrite", async () => {
    const file = join(dir, "all.ndjson");
    const dest = await destination();
    expect((await startCli(["import", file, "--host", dest.url, "-q"]).exited).code).toBe(0);
    const name = "default/results/build-1/records/tr-1a";
    await dest.client.updateRecord({
      record: { name, data: jsonRecordData("tekton.dev/v1.TaskRun", { changed: true }) },
    });
    const lineNo =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes(`"name":"${name}"`)) + 1;

    const failed = await startCli(["import", file, "--host", dest.url, "-q"]).exited;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `Error: line ${lineNo} of ${file}: record ${name} is on the server with another type or other data; --on-conflict=skip keeps the server's, --on-conflict=overwrite replaces it; what came before it is imported; a rerun skips it\n`,
    );

    const skipped = await startCli(["import", file, "--host", dest.url, "--on-conflict=skip"])
      .exited;
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(
      /: 0 created, 19 already there, 1 conflicts skipped, 0 overwritten/,
    );
    expect((await snapshot(dest)).records.get(name)!.data.toString()).toBe('{"changed":true}');

    const overwritten = await startCli([
      "import",
      file,
      "--host",
      dest.url,
      "--on-conflict",
      "overwrite",
    ]).exited;
    expect(overwritten.code).toBe(0);
    expect(overwritten.stderr).toMatch(
      /: 0 created, 19 already there, 0 conflicts skipped, 1 overwritten/,
    );
    expectSame(await snapshot(dest), expected);
  });

  it("a malformed line: one line naming it, and what came before stays imported", async () => {
    const good = readFileSync(join(dir, "all.ndjson"), "utf8").split("\n");
    const bad = good.findIndex((l) => l.includes('"name":"default/results/odd/records/odd-1"'));
    const before = names(good.slice(0, bad).join("\n"));
    expect(before.length).toBeGreaterThan(4);
    const file = join(dir, "bad.ndjson");
    writeFileSync(
      file,
      [...good.slice(0, bad), '{"kind":"record","name":', ...good.slice(bad + 1)].join("\n"),
    );
    const dest = await destination();
    const r = await startCli(["import", file, "--host", dest.url, "-q"]).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^Error: line ${bad + 1} of .*bad\\.ndjson: not JSON \\([^\\n]*\\); what came before it is imported; a rerun skips it\\n$`,
      ),
    );
    expect([...(await snapshot(dest)).records.keys()].sort()).toEqual([...before].sort());

    const fixed = await startCli(["import", join(dir, "all.ndjson"), "--host", dest.url, "-q"])
      .exited;
    expect(fixed.code).toBe(0);
    expectSame(await snapshot(dest), expected);
  });

  it("a stream cut short (no end line) is reported, after importing what it has", async () => {
    const good = readFileSync(join(dir, "all.ndjson"), "utf8")
      .split("\n")
      .filter((l) => l !== "");
    const file = join(dir, "short.ndjson");
    writeFileSync(file, good.slice(0, -1).join("\n") + "\n");
    const dest = await destination();
    const r = await startCli(["import", file, "--host", dest.url, "-q"]).exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Error: line \d+ of .*short\.ndjson: the stream ends without its end line: it is incomplete/,
    );
    expect((await snapshot(dest)).records.size).toBe(12);
  });

  it("not a stream: the first line says so", async () => {
    const file = join(dir, "not.ndjson");
    writeFileSync(file, '{"kind":"header","format":"something-else","version":1}\n');
    const r = await startCli(["import", file, "--host", "http://127.0.0.1:1", "-q"]).exited;
    expect(r.stderr).toBe(
      `Error: line 1 of ${file}: not a tekton-results-export stream (format "something-else")\n`,
    );
  });
});

// `script` (util-linux) gives the program a pseudo-terminal; without it there is none to test on.
describe.skipIf(!hasScript)("progress on a terminal", () => {
  it("a bar with counts and rate for an import of a file; counts and rate for an export", async () => {
    const file = join(dir, "tty.ndjson");
    const exported = await onTerminal(["export", "-A", "--host", source.url, "--output", file]);
    expect(exported).toMatch(
      /export 4 results, 12 records, 4 logs \(2\.\d MiB\) \| [\d.]+ records\/s/,
    );
    const dest = await destination();
    const imported = await onTerminal(["import", file, "--host", dest.url]);
    expect(imported).toMatch(
      /import \[[=-]+\] 100% \| 4 results, 12 records, 4 logs \(2\.\d MiB\) \| [\d.]+ records\/s/,
    );
    expect(imported).toMatch(/import: 4 results, 12 records, 4 logs .*: 20 created/);
    expectSame(await snapshot(dest), expected);
    const quiet = await onTerminal(["import", file, "--host", dest.url, "-q"]);
    expect(quiet.trim()).toBe("");
  });
});
