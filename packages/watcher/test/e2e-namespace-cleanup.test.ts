/**
 * The namespace clean-up end to end: kube-fake, the real Results API on
 * SQLite with logs in a directory, and the watcher with
 * `deleteResultsOnNamespaceDeletion`. Runs with logs in three namespaces are
 * stored; deleting one namespace deletes its Results and log files and
 * nothing else; a namespace deleted while the watcher is down is cleaned by
 * the sweep of the next watcher.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryLogStore } from "@tekton-results/log-store";
import type { KubeObject } from "@tekton-results/kube-fake";
import { afterEach, describe, expect, it } from "vitest";
import {
  childTaskRunObject,
  collect,
  pipelineRunObject,
  setStatus,
  startStack,
  waitFor,
  type Stack,
} from "./stack.js";

let stack: Stack | undefined;
let dir: string | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A PipelineRun with one TaskRun whose pod has a step log, finished. */
function finishedRun(stack: Stack, namespace: string, name: string): void {
  const { kube } = stack;
  const pr = kube.create(pipelineRunObject(name, namespace));
  const tr = kube.create(childTaskRunObject(`${name}-build`, pr));
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${name}-pod`,
      namespace,
      labels: { "tekton.dev/taskRun": `${name}-build`, "tekton.dev/pipelineRun": name },
    },
    spec: { containers: [{ name: "step-build", image: "busybox" }] },
  };
  kube.create(pod);
  kube.setPodLogs(namespace, `${name}-pod`, { "step-build": `building ${namespace}/${name}\n` });
  setStatus(kube, tr, "Succeeded");
  setStatus(kube, pr, "Succeeded");
}

/** Every run of the cluster is stored, its log included. */
function allStored(stack: Stack): boolean {
  const runs = [
    ...stack.kube.list("tekton.dev/v1", "PipelineRun"),
    ...stack.kube.list("tekton.dev/v1", "TaskRun"),
  ];
  return runs.every(
    (r) =>
      r.metadata.annotations?.["results.tekton.dev/stored"] === "true" &&
      r.metadata.annotations["results.tekton.dev/log"] !== undefined &&
      (r.metadata.finalizers ?? []).length === 0,
  );
}

/** The namespaces holding Results, with how many each. */
async function resultsByNamespace(stack: Stack): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await collect(stack.client.listAllResults({ parent: "-" }))) {
    const ns = r.name.split("/")[0]!;
    out[ns] = (out[ns] ?? 0) + 1;
  }
  return out;
}

/** The log files under the directory, per namespace. */
function logFilesByNamespace(logsDir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const files = readdirSync(logsDir, { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile(),
  );
  for (const f of files) {
    const ns = f.parentPath.slice(logsDir.length + 1).split("/")[0]!;
    out[ns] = (out[ns] ?? 0) + 1;
  }
  return out;
}

/** Deletes a namespace and waits until it is gone (its runs deleted with it). */
async function deleteNamespace(stack: Stack, name: string): Promise<void> {
  stack.kube.delete("v1", "Namespace", undefined, name);
  await waitFor(() => !stack.kube.get("v1", "Namespace", undefined, name), `${name} gone`);
}

describe("e2e: namespace clean-up (--delete-results-on-namespace-deletion)", () => {
  it("a deleted namespace's Results and log files go, other namespaces' stay; a deletion missed while down is swept", async () => {
    dir = mkdtempSync(join(tmpdir(), "watcher-ns-cleanup-"));
    const logsDir = join(dir, "logs");
    stack = await startStack(
      { logs: true, deleteResultsOnNamespaceDeletion: true, namespaceSweepMarginMs: 0 },
      { logs: createDirectoryLogStore({ dir: logsDir }) },
    );
    const { watcher } = stack;
    await watcher.start();
    for (const ns of ["team-a", "team-b", "team-c"]) {
      finishedRun(stack, ns, "build-1");
      finishedRun(stack, ns, "build-2");
    }
    await waitFor(() => allStored(stack!), "every run and log stored", 20_000);
    // Per namespace: two Results, each with a PipelineRun log and a TaskRun log.
    expect(await resultsByNamespace(stack)).toEqual({ "team-a": 2, "team-b": 2, "team-c": 2 });
    expect(logFilesByNamespace(logsDir)).toEqual({ "team-a": 4, "team-b": 4, "team-c": 4 });

    await deleteNamespace(stack, "team-a");
    await waitFor(
      async () => !("team-a" in (await resultsByNamespace(stack!))),
      "team-a's Results deleted",
    );
    await waitFor(() => watcher.namespaceCleanup?.idle(), "the clean-up idle");
    expect(await resultsByNamespace(stack)).toEqual({ "team-b": 2, "team-c": 2 });
    expect(logFilesByNamespace(logsDir)).toEqual({ "team-b": 4, "team-c": 4 });
    expect(
      watcher.metrics.counter("watcher_namespace_results_deleted_total", { trigger: "deleted" }),
    ).toBe(2);

    // The watcher is down while team-c is deleted; the next one's sweep cleans it.
    await watcher.stop({ deadlineMs: 2000 });
    await deleteNamespace(stack, "team-c");
    expect(await resultsByNamespace(stack)).toEqual({ "team-b": 2, "team-c": 2 });
    const next = stack.newWatcher();
    await next.start();
    await waitFor(
      async () => !("team-c" in (await resultsByNamespace(stack!))),
      "team-c's Results swept",
    );
    await waitFor(() => next.namespaceCleanup?.idle(), "the clean-up idle");
    expect(await resultsByNamespace(stack)).toEqual({ "team-b": 2 });
    expect(logFilesByNamespace(logsDir)).toEqual({ "team-b": 4 });
    expect(
      next.metrics.counter("watcher_namespace_results_deleted_total", { trigger: "sweep" }),
    ).toBe(2);
  }, 60_000);

  it("with --namespace: only that namespace is followed, and cleaned once it is gone", async () => {
    stack = await startStack({
      namespace: "team-a",
      deleteResultsOnNamespaceDeletion: true,
      namespaceSweepMarginMs: 0,
    });
    const { watcher, kube } = stack;
    await watcher.start();
    const stored = (ns: string) => () =>
      kube.get("tekton.dev/v1", "PipelineRun", ns, "run")?.metadata.annotations?.[
        "results.tekton.dev/stored"
      ] === "true";
    setStatus(kube, kube.create(pipelineRunObject("run", "team-a")), "Succeeded");
    await waitFor(stored("team-a"), "team-a's run stored");
    // A Result of another namespace, written by someone else.
    await stack.client.createResult({ parent: "team-b", result: { name: "team-b/results/x" } });
    kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-b" } });
    await deleteNamespace(stack, "team-b");
    await new Promise((r) => setTimeout(r, 300));
    expect(await resultsByNamespace(stack)).toEqual({ "team-a": 1, "team-b": 1 });
    await deleteNamespace(stack, "team-a");
    await waitFor(
      async () => !("team-a" in (await resultsByNamespace(stack!))),
      "team-a's Results deleted",
    );
    expect(await resultsByNamespace(stack)).toEqual({ "team-b": 1 });
  });

  it("off by default: a deleted namespace's Results stay", async () => {
    stack = await startStack({ namespaceSweepMarginMs: 0 });
    const { watcher, kube } = stack;
    await watcher.start();
    expect(watcher.namespaceCleanup).toBeUndefined();
    const pr = kube.create(pipelineRunObject("keep", "team-x"));
    setStatus(kube, pr, "Succeeded");
    await waitFor(
      () =>
        kube.get("tekton.dev/v1", "PipelineRun", "team-x", "keep")?.metadata.annotations?.[
          "results.tekton.dev/stored"
        ] === "true",
      "stored",
    );
    await deleteNamespace(stack, "team-x");
    await new Promise((r) => setTimeout(r, 300));
    expect(await resultsByNamespace(stack)).toEqual({ "team-x": 1 });
  });
});
