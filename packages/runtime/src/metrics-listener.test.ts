import { afterEach, describe, expect, it } from "vitest";
import { startMetricsListener, type MetricsListener } from "./metrics-listener.js";

describe("startMetricsListener", () => {
  let listener: MetricsListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it("serves /metrics with the source's content type, /healthz, /readyz when given, 404 and 405", async () => {
    let ready = false;
    listener = await startMetricsListener({
      port: 0,
      host: "127.0.0.1",
      source: {
        metrics: () => Promise.resolve("up 1\n"),
        contentType: "text/plain; version=0.0.4",
      },
      ready: () => ready,
    });
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
    const metrics = await fetch(`${listener.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4");
    expect(await metrics.text()).toBe("up 1\n");
    expect((await fetch(`${listener.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${listener.url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${listener.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${listener.url}/other`)).status).toBe(404);
    const post = await fetch(`${listener.url}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("answers 500 when collecting fails, has no /readyz without a readiness function", async () => {
    listener = await startMetricsListener({
      port: 0,
      host: "127.0.0.1",
      source: { metrics: () => Promise.reject(new Error("boom")), contentType: "text/plain" },
    });
    const res = await fetch(`${listener.url}/metrics`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("boom");
    expect((await fetch(`${listener.url}/readyz`)).status).toBe(404);
  });

  it("rejects when the port is taken", async () => {
    listener = await startMetricsListener({
      port: 0,
      host: "127.0.0.1",
      source: { metrics: () => Promise.resolve(""), contentType: "text/plain" },
    });
    await expect(
      startMetricsListener({
        port: listener.port,
        host: "127.0.0.1",
        source: { metrics: () => Promise.resolve(""), contentType: "text/plain" },
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
