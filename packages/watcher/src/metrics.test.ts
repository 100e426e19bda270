import { describe, expect, it } from "vitest";
import { createWatcherMetrics } from "./metrics.js";

describe("watcher metrics", () => {
  it("renders every family in the Prometheus text format", async () => {
    const m = createWatcherMetrics();
    m.runStored("PipelineRun", 0.3);
    m.runStored("PipelineRun", 7);
    m.runStored("TaskRun", undefined);
    m.runDeleted("PipelineRun");
    m.runNotStored("TaskRun");
    m.error("permanent");
    m.kubernetesRequest("patch");
    m.setQueueDepth(3);
    m.setLeader(true);
    const text = await m.render();
    expect(text).toContain('watcher_runs_stored_total{kind="PipelineRun"} 2');
    expect(text).toContain('watcher_runs_stored_total{kind="TaskRun"} 1');
    expect(text).toContain('watcher_runs_deleted_total{kind="PipelineRun"} 1');
    expect(text).toContain('watcher_runs_not_stored_total{kind="TaskRun"} 1');
    expect(text).toContain('watcher_errors_total{kind="permanent"} 1');
    expect(text).toContain('watcher_kubernetes_requests_total{verb="patch"} 1');
    expect(text).toContain('watcher_store_latency_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('watcher_store_latency_seconds_bucket{le="10"} 2');
    expect(text).toContain('watcher_store_latency_seconds_bucket{le="+Inf"} 2');
    expect(text).toContain("watcher_store_latency_seconds_count 2");
    expect(text).toContain("# TYPE watcher_store_latency_seconds histogram");
    expect(text).toContain("watcher_queue_depth 3");
    expect(text).toContain("watcher_is_leader 1");
    expect(m.counter("watcher_runs_stored_total", { kind: "PipelineRun" })).toBe(2);
    expect(m.counter("nope")).toBe(0);
  });

  it("includes the default process and Node.js metrics", async () => {
    const text = await createWatcherMetrics().render();
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name} \\d`, "m"));
    }
    expect(text).toContain("watcher_queue_depth 0");
    expect(text).toContain("watcher_is_leader 0");
  });

  it("keeps the counts of two watchers in one process apart", async () => {
    const a = createWatcherMetrics();
    const b = createWatcherMetrics();
    a.runStored("TaskRun", 1);
    a.runStored("TaskRun", 1);
    b.runStored("TaskRun", 1);
    expect(await a.render()).toContain('watcher_runs_stored_total{kind="TaskRun"} 2');
    expect(await b.render()).toContain('watcher_runs_stored_total{kind="TaskRun"} 1');
    expect(b.counter("watcher_runs_stored_total", { kind: "TaskRun" })).toBe(1);
  });
});
