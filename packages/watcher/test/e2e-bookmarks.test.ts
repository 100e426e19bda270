/**
 * Watches ask for bookmarks: with `--namespace` or `--label-selector` most
 * changes in the cluster never reach the watcher, and without bookmarks its
 * resourceVersion stays at its last list, so a watch restarted once that
 * version has left the server's history answers 410 Gone and costs a full
 * relist. kube-fake sends a BOOKMARK every second on watches that allow them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { finishedPipelineRunObject } from "./finished.js";
import { pipelineRunObject, startStack, waitFor, type Stack } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const STORED = "results.tekton.dev/stored";

describe("e2e: watch bookmarks", () => {
  it.each([
    { selection: "--label-selector", options: { labelSelector: "team=a" } },
    { selection: "--namespace", options: { namespace: "ns" } },
  ])(
    "with $selection, every watch allows bookmarks and a restart after the history moved on resumes from the bookmark without a relist",
    async ({ options }) => {
      stack = await startStack(options, { kubeFake: { historyLimit: 10 } });
      const { kube, watcher } = stack;
      await watcher.start();
      await waitFor(() => watcher.ready(), "informers synced");
      for (const resource of ["pipelineruns", "taskruns", "customruns"]) {
        expect(kube.lastWatchQuery(resource)?.["allowWatchBookmarks"], resource).toBe("true");
      }

      // Changes the watcher does not select move the cluster's resourceVersion
      // on, past the history the server keeps (10 changes).
      for (let i = 0; i < 20; i++) {
        kube.create(pipelineRunObject(`unselected-${i}`, "elsewhere"));
      }
      // A bookmark (every second) brings the watcher's resourceVersion up to date.
      await new Promise((r) => setTimeout(r, 2_500));
      const lists = () =>
        Object.entries(kube.requestCounts())
          .filter(([k]) => k.startsWith("list "))
          .reduce((n, [, v]) => n + v, 0);
      const listsBefore = lists();
      kube.dropWatches();
      const run = finishedPipelineRunObject("selected");
      run.metadata.labels = { ...run.metadata.labels, team: "a" };
      kube.create(run);
      await waitFor(
        () =>
          kube.get("tekton.dev/v1", "PipelineRun", "ns", "selected")?.metadata.annotations?.[
            STORED
          ],
        "the run created after the restart stored",
      );
      expect(lists()).toBe(listsBefore);
    },
    30_000,
  );
});
