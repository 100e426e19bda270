import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { ResultSchema, Results } from "@tekton-results/proto";
import { describe, expect, it } from "vitest";
import { createServerMetrics } from "./metrics.js";

/** The exposition with each sample's labels sorted by name, so a check needs no label order. */
function sortedLabels(text: string): string {
  return text.replace(/\{([^}]*)\}/g, (_, inner: string) => {
    const pairs = inner.match(/[a-z_]+="(?:[^"\\]|\\.)*"/g) ?? [];
    return `{${pairs.sort().join(",")}}`;
  });
}

function setup() {
  let t = 0;
  const metrics = createServerMetrics({ now: () => (t += 0.003) });
  const transport = createRouterTransport(
    (router) =>
      router.service(Results, {
        getResult(req) {
          if (req.name === "missing") throw new ConnectError("nope", Code.NotFound);
          return create(ResultSchema, { name: req.name });
        },
      }),
    { router: { interceptors: [metrics.interceptor] } },
  );
  return { metrics, client: createClient(Results, transport) };
}

describe("createServerMetrics", () => {
  it("counts RPCs by service, method and code", async () => {
    const { metrics, client } = setup();
    await client.getResult({ name: "a" });
    await client.getResult({ name: "b" });
    await expect(client.getResult({ name: "missing" })).rejects.toThrow("nope");
    const text = await metrics.render();
    expect(text).toContain(
      'tekton_results_rpc_requests_total{service="tekton.results.v1alpha2.Results",method="GetResult",code="ok"} 2',
    );
    expect(text).toContain(
      'tekton_results_rpc_requests_total{service="tekton.results.v1alpha2.Results",method="GetResult",code="not_found"} 1',
    );
  });

  it("records latency in a cumulative histogram", async () => {
    const { metrics, client } = setup();
    await client.getResult({ name: "a" });
    const text = sortedLabels(await metrics.render());
    const labels = 'service="tekton.results.v1alpha2.Results",method="GetResult",code="ok"';
    // the fake clock advances 3 ms per reading: one RPC took 3 ms
    expect(text).toContain(
      sortedLabels(`tekton_results_rpc_duration_seconds_bucket{${labels},le="0.0025"} 0`),
    );
    expect(text).toContain(
      sortedLabels(`tekton_results_rpc_duration_seconds_bucket{${labels},le="0.005"} 1`),
    );
    expect(text).toContain(
      sortedLabels(`tekton_results_rpc_duration_seconds_bucket{${labels},le="+Inf"} 1`),
    );
    expect(text).toContain(sortedLabels(`tekton_results_rpc_duration_seconds_count{${labels}} 1`));
    expect(text).toMatch(/tekton_results_rpc_in_flight 0\n/);
  });

  it("renders every metric with HELP and TYPE lines", async () => {
    const text = await createServerMetrics().render();
    for (const name of [
      "tekton_results_rpc_requests_total",
      "tekton_results_rpc_duration_seconds",
      "process_resident_memory_bytes",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
      expect(text).toContain(`# HELP ${name} `);
    }
  });

  it("includes the default process and Node.js metrics, and the names the hand-made renderer had", async () => {
    const text = await createServerMetrics().render();
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "nodejs_heap_size_used_bytes",
      "nodejs_heap_used_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name} \\d`, "m"));
    }
  });

  it("keeps the counts of two servers in one process apart", async () => {
    const a = setup();
    const b = setup();
    await a.client.getResult({ name: "a" });
    await a.client.getResult({ name: "b" });
    await b.client.getResult({ name: "c" });
    const series =
      'tekton_results_rpc_requests_total{service="tekton.results.v1alpha2.Results",method="GetResult",code="ok"}';
    expect(await a.metrics.render()).toContain(`${series} 2`);
    expect(await b.metrics.render()).toContain(`${series} 1`);
    expect(a.metrics.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
  });
});
