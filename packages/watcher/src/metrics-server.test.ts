import { describe, expect, it } from "vitest";
import { createWatcherMetrics } from "./metrics.js";
import { parseListenAddress, startMetricsServer } from "./metrics-server.js";

describe("metrics server", () => {
  it("parses [host]:port addresses", () => {
    expect(parseListenAddress(":9090")).toEqual({ host: "0.0.0.0", port: 9090 });
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("[::1]:8080")).toEqual({ host: "::1", port: 8080 });
    expect(() => parseListenAddress("9090")).toThrow(RangeError);
  });
  it("serves /metrics, /healthz and /readyz (503 until ready)", async () => {
    const metrics = createWatcherMetrics();
    metrics.setQueueDepth(7);
    let ready = false;
    const server = await startMetricsServer("127.0.0.1:0", metrics, () => ready);
    try {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      expect(await res.text()).toContain("watcher_queue_depth 7");
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
