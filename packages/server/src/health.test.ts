import { describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { Health } from "@tekton-results/proto/grpc-health";
import {
  createHealthRoutes,
  createHealthStatus,
  createReadinessProbe,
  ServingStatus,
} from "./health.js";

function setup() {
  const status = createHealthStatus(["svc"]);
  const client = createClient(Health, createRouterTransport(createHealthRoutes(status)));
  return { status, client };
}

describe("createHealthStatus", () => {
  it("registers the server and the given services as SERVING and notifies watchers of changes only", () => {
    const status = createHealthStatus(["a"]);
    expect(status.list()).toEqual(
      new Map([
        ["", ServingStatus.SERVING],
        ["a", ServingStatus.SERVING],
      ]),
    );
    const seen: ServingStatus[] = [];
    const stop = status.watch("a", (s) => seen.push(s));
    status.set("a", ServingStatus.SERVING);
    status.set("a", ServingStatus.NOT_SERVING);
    stop();
    status.set("a", ServingStatus.SERVING);
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    status.setAll(ServingStatus.NOT_SERVING);
    expect(status.get("")).toBe(ServingStatus.NOT_SERVING);
  });
});

describe("createHealthRoutes", () => {
  it("Check answers the status and NOT_FOUND for an unknown service", async () => {
    const { status, client } = setup();
    expect((await client.check({ service: "svc" })).status).toBe(ServingStatus.SERVING);
    status.set("svc", ServingStatus.NOT_SERVING);
    expect((await client.check({ service: "svc" })).status).toBe(ServingStatus.NOT_SERVING);
    const err = await client.check({ service: "other" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });

  it("List answers every service", async () => {
    const { client } = setup();
    const res = await client.list({});
    expect(Object.fromEntries(Object.entries(res.statuses).map(([k, v]) => [k, v.status]))).toEqual(
      {
        "": ServingStatus.SERVING,
        svc: ServingStatus.SERVING,
      },
    );
  });

  it("Watch streams the current status and each change, and ends on shutdown", async () => {
    const { status, client } = setup();
    const seen: ServingStatus[] = [];
    const done = (async () => {
      for await (const res of client.watch({ service: "svc" })) {
        seen.push(res.status);
        if (seen.length === 1) status.set("svc", ServingStatus.NOT_SERVING);
        if (seen.length === 2) status.shutdown();
      }
    })();
    await done;
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });

  it("Watch of an unknown service answers SERVICE_UNKNOWN, then its status once registered", async () => {
    const { status, client } = setup();
    const seen: ServingStatus[] = [];
    for await (const res of client.watch({ service: "later" })) {
      seen.push(res.status);
      if (seen.length === 1) status.set("later", ServingStatus.SERVING);
      else break;
    }
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING]);
  });

  it("Watch ends when the client cancels", async () => {
    const { client } = setup();
    const abort = new AbortController();
    const seen: ServingStatus[] = [];
    const err = await (async () => {
      for await (const res of client.watch({ service: "svc" }, { signal: abort.signal })) {
        seen.push(res.status);
        abort.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual([ServingStatus.SERVING]);
    expect(ConnectError.from(err).code).toBe(Code.Canceled);
  });
});

describe("createReadinessProbe", () => {
  it("is ready when the check resolves, not ready when it rejects or hangs, without leaking the error", async () => {
    const errors: unknown[] = [];
    expect(await createReadinessProbe(() => Promise.resolve())()).toEqual({ ready: true });
    const failed = await createReadinessProbe(
      () => Promise.reject(new Error("SQLITE_CANTOPEN /secret/path")),
      {
        onError: (e) => errors.push(e),
      },
    )();
    expect(failed.ready).toBe(false);
    expect(failed.reason).not.toContain("secret");
    expect(errors).toHaveLength(1);
    const hung = await createReadinessProbe(() => new Promise(() => {}), { timeoutMs: 20 })();
    expect(hung).toEqual({ ready: false, reason: "store did not answer in time" });
  });
});
