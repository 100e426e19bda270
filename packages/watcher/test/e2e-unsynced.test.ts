/**
 * A run must not be lost while an informer has not listed its kind yet: no
 * run is processed (and nothing is deleted) until every informer has synced.
 * The cluster is kube-fake, the API the real server on SQLite; the TaskRun
 * list fails at first (an API server slow or restarting).
 */
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import type { KubeObject } from "@tekton-results/kube-fake";
import { recordData } from "@tekton-results/client";
import { createBackoff } from "../src/backoff.js";
import type { TektonRun } from "../src/run.js";
import { finishedStatus } from "./finished.js";
import {
  childTaskRunObject,
  collect,
  pipelineRunObject,
  startStack,
  waitFor,
  type Stack,
} from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("e2e: informers not synced yet", () => {
  it("a finished PipelineRun is not deleted while the TaskRun list fails; its finished child is stored first", async () => {
    stack = await startStack({}, {});
    const { kube } = stack;
    // Both finished while no watcher ran; the child carries no finalizer.
    const parent = kube.create({
      ...pipelineRunObject("lost"),
      status: {
        ...finishedStatus(),
        childReferences: [{ apiVersion: "tekton.dev/v1", kind: "TaskRun", name: "lost-build" }],
      },
    } as KubeObject);
    const child = kube.create({
      ...childTaskRunObject("lost-build", parent),
      status: finishedStatus(),
    } as KubeObject);

    // The API server answers 503 to every TaskRun list until cleared.
    const listsServed = () => kube.requestCounts()["list taskruns"] ?? 0;
    const healTaskRunLists = kube.failRequests({ verb: "list", resource: "taskruns" });
    const lines: string[] = [];
    const log = (level: string) => (fields: object, msg: string) =>
      lines.push(`${level} ${msg} ${JSON.stringify(fields)}`);
    const logger = {
      debug: log("debug"),
      info: log("info"),
      warn: log("warn"),
      error: log("error"),
    };
    onTestFailed(() => console.error(`--- watcher log ---\n${lines.join("\n")}`));
    const watcher = stack.newWatcher({
      completedRunGracePeriodMs: -1,
      backoff: createBackoff({ baseMs: 20, maxMs: 100 }),
      logger,
    });
    await watcher.start();
    // The PipelineRun informer syncs; the TaskRun one keeps failing.
    await waitFor(() => listsServed() >= 4, "the TaskRun list failing a few times");
    expect(watcher.ready()).toBe(false);
    expect(kube.get("tekton.dev/v1", "PipelineRun", "ns", "lost")).toBeDefined();
    expect(kube.get("tekton.dev/v1", "TaskRun", "ns", "lost-build")).toBeDefined();
    expect(stack.calls).toEqual([]);

    healTaskRunLists();
    await waitFor(() => watcher.ready(), "every informer synced");
    await waitFor(
      () => kube.get("tekton.dev/v1", "PipelineRun", "ns", "lost") === undefined,
      "the stored PipelineRun deleted",
      20_000,
    );
    const records = await collect(stack.client.listAllRecords({ parent: "ns/results/-" }));
    const uids = records.map((r) => recordData<TektonRun>(r)?.metadata?.uid).sort();
    expect(uids).toEqual([parent.metadata.uid, child.metadata.uid].sort());
  });
});
