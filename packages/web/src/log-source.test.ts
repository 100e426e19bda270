import { describe, expect, it } from "vitest";
import {
  Code,
  ConnectError,
  create,
  jsonRecordData,
  RecordSchema,
  type LogsClient,
  type Record,
  type ResultsClient,
} from "@tekton-results/client";
import { logParts, streamRunLog } from "./log-source.js";
import { LogText } from "./log-text.js";

function record(name: string, kind: string, run: object): Record {
  return create(RecordSchema, {
    name: `ci/results/r/records/${name}`,
    data: jsonRecordData(`tekton.dev/v1.${kind}`, run),
  });
}

const pr = record("pr", "PipelineRun", {
  metadata: { name: "pr", uid: "pr-uid" },
  status: { childReferences: [{ name: "pr-b" }, { name: "pr-a" }] },
});

function taskRun(name: string, task: string, start?: string, owner = "pr-uid"): Record {
  return record(name, "TaskRun", {
    metadata: {
      name,
      labels: { "tekton.dev/pipelineRun": "pr", "tekton.dev/pipelineTask": task },
      ownerReferences: [{ uid: owner }],
    },
    status: start ? { startTime: start } : {},
  });
}

const children = [
  taskRun("pr-late", "late", "2026-12-01T10:05:00Z"),
  taskRun("pr-a", "a"),
  taskRun("pr-b", "b"),
  taskRun("pr-first", "first", "2026-12-01T10:00:00Z"),
  taskRun("other", "x", "2026-12-01T09:00:00Z", "someone-else"),
];

function fakeClients(logs: { [name: string]: string }) {
  const filters: string[] = [];
  const client = {
    async *listAllRecords(req: { filter?: string }) {
      filters.push(req.filter ?? "");
      yield* children;
    },
  };
  const logsClient = {
    async *getLog(req: { name: string }) {
      const text = logs[req.name];
      if (text === undefined) throw new ConnectError("not found", Code.NotFound);
      yield { contentType: "text/plain", data: new TextEncoder().encode(text) };
    },
  };
  return {
    client: client as unknown as Pick<ResultsClient, "listAllRecords">,
    logsClient: logsClient as unknown as Pick<LogsClient, "getLog">,
    filters,
  };
}

describe("log sources", () => {
  it("reads a TaskRun's own log, and a PipelineRun's from its own TaskRuns", async () => {
    const { client, filters } = fakeClients({});
    const tr = taskRun("pr-a", "a");
    expect(await logParts(client, tr)).toEqual([
      { logName: "ci/results/r/logs/pr-a", run: "pr-a", title: undefined, task: "" },
    ]);
    const parts = await logParts(client, pr);
    expect(parts.map((p) => [p.logName, p.title])).toEqual([
      ["ci/results/r/logs/pr-first", "[first]"],
      ["ci/results/r/logs/pr-late", "[late]"],
      ["ci/results/r/logs/pr-b", "[b]"],
      ["ci/results/r/logs/pr-a", "[a]"],
    ]);
    expect(filters[0]).toContain('data.metadata.labels["tekton.dev/pipelineRun"] == "pr"');
  });

  it("streams the TaskRuns' logs in order, reporting those without one", async () => {
    const { client, logsClient } = fakeClients({
      "ci/results/r/logs/pr-first": "[first : s] one\n",
      "ci/results/r/logs/pr-a": "unmarked\n",
    });
    const text = new LogText();
    let calls = 0;
    const out = await streamRunLog(client, logsClient, pr, text, () => calls++);
    expect(out.stored.map((p) => p.run)).toEqual(["pr-first", "pr-a"]);
    expect(out.missing.map((p) => p.run)).toEqual(["pr-late", "pr-b"]);
    expect(text.sections.map((s) => s.title)).toEqual(["[first : s]", "[a]"]);
    expect(calls).toBeGreaterThan(0);
  });

  it("reads a PipelineRun's own log when none of its TaskRuns has one", async () => {
    const { client, logsClient } = fakeClients({ "ci/results/r/logs/pr": "own\n" });
    const text = new LogText();
    const out = await streamRunLog(client, logsClient, pr, text, () => undefined);
    expect(out.stored.map((p) => p.logName)).toEqual(["ci/results/r/logs/pr"]);
    expect(text.body(0)).toBe("own");
  });

  it("throws other errors, keeping what came", async () => {
    const { client } = fakeClients({});
    const logsClient = {
      async *getLog() {
        yield { contentType: "text/plain", data: new TextEncoder().encode("a\n") };
        throw new ConnectError("down", Code.Unavailable);
      },
    } as unknown as Pick<LogsClient, "getLog">;
    const text = new LogText();
    await expect(
      streamRunLog(client, logsClient, taskRun("pr-a", "a"), text, () => undefined),
    ).rejects.toThrow("down");
    expect(text.length).toBe(1);
  });
});
