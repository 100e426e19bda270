import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { ResultSchema, Results } from "@tekton-results/proto";
import { describe, expect, it } from "vitest";
import { createServerMetrics } from "./metrics.js";

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
    const text = metrics.render();
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
    const text = metrics.render();
    const labels = 'service="tekton.results.v1alpha2.Results",method="GetResult",code="ok"';
    // the fake clock advances 3 ms per reading: one RPC took 3 ms
    expect(text).toContain(`tekton_results_rpc_duration_seconds_bucket{${labels},le="0.0025"} 0`);
    expect(text).toContain(`tekton_results_rpc_duration_seconds_bucket{${labels},le="0.005"} 1`);
    expect(text).toContain(`tekton_results_rpc_duration_seconds_bucket{${labels},le="+Inf"} 1`);
    expect(text).toContain(`tekton_results_rpc_duration_seconds_count{${labels}} 1`);
    expect(text).toMatch(/tekton_results_rpc_in_flight 0\n/);
  });

  it("renders every metric with HELP and TYPE lines", () => {
    const text = createServerMetrics().render();
    for (const name of [
      "tekton_results_rpc_requests_total",
      "tekton_results_rpc_duration_seconds",
      "process_resident_memory_bytes",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
      expect(text).toContain(`# HELP ${name} `);
    }
  });
});
