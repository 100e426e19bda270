import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake, type KubeObject } from "../src/index.js";
import { pipelineRun, rawWatch, waitFor } from "./helpers.js";

let fake: KubeFake;
beforeEach(async () => {
  fake = await createKubeFake({ bookmarkIntervalMs: 30, historyLimit: 50 });
});
afterEach(async () => {
  await fake.close();
});

const PRS = "/apis/tekton.dev/v1/namespaces/default/pipelineruns";

async function req(
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const init: RequestInit = { method, headers: { "Content-Type": contentType } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(`${fake.url}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

describe("HTTP CRUD", () => {
  it("answers 201/200/404 with objects and Status bodies", async () => {
    const created = await req("POST", PRS, pipelineRun("a"));
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/json");
    const got = await req("GET", `${PRS}/a`);
    expect(got.status).toBe(200);
    expect((got.json["metadata"] as KubeObject["metadata"]).uid).toBeDefined();
    const missing = await req("GET", `${PRS}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: 'pipelineruns.tekton.dev "nope" not found',
      details: { name: "nope", group: "tekton.dev", kind: "pipelineruns" },
    });
    const unknown = await req("GET", "/apis/tekton.dev/v1/namespaces/default/widgets");
    expect(unknown.status).toBe(404);
  });

  it("drops status on create for kinds with a status subresource (like the real server)", async () => {
    const created = await req("POST", PRS, { ...pipelineRun("a"), status: { conditions: [] } });
    expect(created.json["status"]).toBeUndefined();
    const pod = await req("POST", "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c" }] },
    });
    expect(pod.json["status"]).toMatchObject({ phase: "Pending" });
  });

  it("refuses strategic merge patches on custom resources with 415 but accepts them on core kinds", async () => {
    await req("POST", PRS, pipelineRun("a"));
    const smp = await req(
      "PATCH",
      `${PRS}/a`,
      { metadata: { labels: { a: "1" } } },
      "application/strategic-merge-patch+json",
    );
    expect(smp.status).toBe(415);
    expect(smp.json["reason"]).toBe("UnsupportedMediaType");
    await req("POST", "/api/v1/namespaces/default/events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e" },
      reason: "R",
    });
    const core = await req(
      "PATCH",
      "/api/v1/namespaces/default/events/e",
      { reason: "S" },
      "application/strategic-merge-patch+json",
    );
    expect(core.status).toBe(200);
    expect(core.json["reason"]).toBe("S");
  });

  it("server-side applies over HTTP: fieldManager required (422), YAML body, 201 on create", async () => {
    const yamlBody =
      "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: y\n  labels:\n    a: b\nspec: {}\n";
    const noManager = await req("PATCH", `${PRS}/y`, yamlBody, "application/apply-patch+yaml");
    expect(noManager.status).toBe(422);
    const created = await req(
      "PATCH",
      `${PRS}/y?fieldManager=me`,
      yamlBody,
      "application/apply-patch+yaml",
    );
    expect(created.status).toBe(201);
    expect((created.json["metadata"] as KubeObject["metadata"]).labels).toEqual({ a: "b" });
    const again = await req(
      "PATCH",
      `${PRS}/y?fieldManager=me`,
      yamlBody,
      "application/apply-patch+yaml",
    );
    expect(again.status).toBe(200);
  });

  it("answers 405 for writes on all-namespaces paths", async () => {
    const res = await req("POST", "/apis/tekton.dev/v1/pipelineruns", pipelineRun("a"));
    expect(res.status).toBe(405);
  });
});

describe("HTTP list", () => {
  it("paginates with limit/continue, remainingItemCount and a stable resourceVersion", async () => {
    for (const n of ["e", "a", "d", "c", "b"]) await req("POST", PRS, pipelineRun(n));
    const p1 = await req("GET", `${PRS}?limit=2`);
    const m1 = p1.json["metadata"] as {
      continue: string;
      resourceVersion: string;
      remainingItemCount: number;
    };
    expect((p1.json["items"] as KubeObject[]).map((i) => i.metadata.name)).toEqual(["a", "b"]);
    expect(p1.json["kind"]).toBe("PipelineRunList");
    expect(m1.remainingItemCount).toBe(3);
    // A change after the first page does not show up in the continued list (consistent snapshot).
    await req("DELETE", `${PRS}/d`);
    const p2 = await req("GET", `${PRS}?limit=2&continue=${m1.continue}`);
    expect((p2.json["items"] as KubeObject[]).map((i) => i.metadata.name)).toEqual(["c", "d"]);
    const m2 = p2.json["metadata"] as { continue: string; resourceVersion: string };
    expect(m2.resourceVersion).toBe(m1.resourceVersion);
    const p3 = await req("GET", `${PRS}?limit=2&continue=${m2.continue}`);
    expect((p3.json["items"] as KubeObject[]).map((i) => i.metadata.name)).toEqual(["e"]);
    expect((p3.json["metadata"] as { continue?: string }).continue).toBeUndefined();
  });

  it("answers 410 Expired for a continue token older than the history", async () => {
    for (const n of ["a", "b", "c"]) await req("POST", PRS, pipelineRun(n));
    const p1 = await req("GET", `${PRS}?limit=1`);
    fake.compact();
    const p2 = await req(
      "GET",
      `${PRS}?limit=1&continue=${(p1.json["metadata"] as { continue: string }).continue}`,
    );
    expect(p2.status).toBe(410);
    expect(p2.json["reason"]).toBe("Expired");
    const bad = await req("GET", `${PRS}?limit=1&continue=garbage`);
    expect(bad.status).toBe(400);
  });

  it("filters by label and field selectors; 400 on unsupported fields", async () => {
    await req("POST", PRS, pipelineRun("a", { labels: { app: "x" } }));
    await req("POST", PRS, pipelineRun("b", { labels: { app: "y" } }));
    await req("POST", "/apis/tekton.dev/v1/namespaces/other/pipelineruns", {
      ...pipelineRun("c"),
      metadata: { name: "c", labels: { app: "x" } },
    });
    const names = async (q: string): Promise<string[]> =>
      (
        (await req("GET", `/apis/tekton.dev/v1/pipelineruns?${q}`)).json["items"] as KubeObject[]
      ).map((i) => i.metadata.name!);
    expect(await names("labelSelector=app%3Dx")).toEqual(
      ["c", "a"].sort((p, q) => (p === "a" ? -1 : q === "a" ? 1 : 0)),
    );
    expect(await names("fieldSelector=metadata.namespace%3Dother")).toEqual(["c"]);
    expect(await names("fieldSelector=metadata.name%21%3Da&labelSelector=app")).toEqual(["b", "c"]);
    expect(
      (await req("GET", "/apis/tekton.dev/v1/pipelineruns?fieldSelector=spec.x%3D1")).status,
    ).toBe(400);
  });

  it("reports the current global resourceVersion on lists", async () => {
    const created = await req("POST", PRS, pipelineRun("a"));
    await req("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "l" },
    });
    const list = await req("GET", PRS);
    expect(Number((list.json["metadata"] as { resourceVersion: string }).resourceVersion)).toBe(
      Number((created.json["metadata"] as { resourceVersion: string }).resourceVersion) + 1,
    );
  });
});

describe("HTTP watch", () => {
  it("streams chunked events from a resourceVersion (exclusive), with synthetic ADDED for rv 0", async () => {
    const a = await req("POST", PRS, pipelineRun("a"));
    await req("POST", PRS, pipelineRun("b"));
    const rvA = (a.json["metadata"] as { resourceVersion: string }).resourceVersion;
    const fromA = await rawWatch(`${fake.url}${PRS}?watch=true&resourceVersion=${rvA}`);
    const initial = await rawWatch(`${fake.url}${PRS}?watch=1&resourceVersion=0`);
    try {
      expect(fromA.headers.get("transfer-encoding")).toBe("chunked");
      await req(
        "PATCH",
        `${PRS}/a`,
        { metadata: { labels: { x: "1" } } },
        "application/merge-patch+json",
      );
      await waitFor(() => fromA.events.length >= 2 && initial.events.length >= 3, "events");
      expect(fromA.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
        "ADDED b",
        "MODIFIED a",
      ]);
      expect(initial.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
        "ADDED a",
        "ADDED b",
        "MODIFIED a",
      ]);
    } finally {
      fromA.close();
      initial.close();
    }
  });

  it("sends one ERROR 410 Expired event for a too old resourceVersion, then ends", async () => {
    const a = await req("POST", PRS, pipelineRun("a"));
    await req("POST", PRS, pipelineRun("b"));
    fake.compact();
    const rv = (a.json["metadata"] as { resourceVersion: string }).resourceVersion;
    const w = await rawWatch(`${fake.url}${PRS}?watch=true&resourceVersion=${rv}`);
    await w.ended;
    expect(w.status).toBe(200);
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.type).toBe("ERROR");
    expect(w.events[0]!.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(w.events[0]!.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it("expires history beyond historyLimit", async () => {
    const first = await req("POST", PRS, pipelineRun("first"));
    for (let i = 0; i < 60; i++) fake.create(pipelineRun(`r${i}`));
    const rv = (first.json["metadata"] as { resourceVersion: string }).resourceVersion;
    const w = await rawWatch(`${fake.url}${PRS}?watch=true&resourceVersion=${rv}`);
    await w.ended;
    expect(w.events[0]?.object.code).toBe(410);
  });

  it("turns selector transitions into ADDED/DELETED like the watch cache", async () => {
    await req("POST", PRS, pipelineRun("a"));
    const w = await rawWatch(
      `${fake.url}${PRS}?watch=true&labelSelector=app%3Dx&resourceVersion=${fake.list("tekton.dev/v1", "PipelineRun")[0]!.metadata.resourceVersion}`,
    );
    try {
      fake.patch("tekton.dev/v1", "PipelineRun", "default", "a", {
        metadata: { labels: { app: "x" } },
      });
      fake.patch("tekton.dev/v1", "PipelineRun", "default", "a", {
        metadata: { labels: { app: "x", more: "1" } },
      });
      const last = fake.patch("tekton.dev/v1", "PipelineRun", "default", "a", {
        metadata: { labels: { app: "y" } },
      });
      await waitFor(() => w.events.length >= 3, "3 events");
      expect(w.events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
      expect(w.events[2]!.object.metadata.resourceVersion).toBe(last.metadata.resourceVersion);
      expect(w.events[2]!.object.metadata.labels).toEqual({ app: "x", more: "1" });
    } finally {
      w.close();
    }
  });

  it("sends BOOKMARK events with only the resourceVersion when allowed", async () => {
    await req("POST", PRS, pipelineRun("a"));
    const w = await rawWatch(
      `${fake.url}${PRS}?watch=true&allowWatchBookmarks=true&resourceVersion=${fake.list("tekton.dev/v1", "PipelineRun")[0]!.metadata.resourceVersion}`,
    );
    const plain = await rawWatch(
      `${fake.url}${PRS}?watch=true&resourceVersion=${fake.list("tekton.dev/v1", "PipelineRun")[0]!.metadata.resourceVersion}`,
    );
    try {
      await waitFor(() => w.events.some((e) => e.type === "BOOKMARK"), "a bookmark");
      const bm = w.events.find((e) => e.type === "BOOKMARK")!;
      expect(bm.object).toEqual({
        kind: "PipelineRun",
        apiVersion: "tekton.dev/v1",
        metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
      });
      expect(plain.events.some((e) => e.type === "BOOKMARK")).toBe(false);
    } finally {
      w.close();
      plain.close();
    }
  });

  it("ends after timeoutSeconds and on dropWatches()", async () => {
    const timed = await rawWatch(`${fake.url}${PRS}?watch=true&timeoutSeconds=1`);
    const open = await rawWatch(`${fake.url}${PRS}?watch=true`);
    await timed.ended;
    fake.dropWatches();
    await open.ended;
    expect(open.events).toEqual([]);
  });
});

describe("pod logs", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { containers: [{ name: "step-a" }, { name: "step-b" }] },
  };

  it("serves a container log, requires a container name for multi-container pods, 404 for missing pods", async () => {
    fake.create(pod);
    fake.setPodLogs("default", "p", { "step-a": "line 1\nline 2\nline 3\n" });
    const res = await fetch(`${fake.url}/api/v1/namespaces/default/pods/p/log?container=step-a`);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("line 1\nline 2\nline 3\n");
    expect(
      await (
        await fetch(`${fake.url}/api/v1/namespaces/default/pods/p/log?container=step-a&tailLines=1`)
      ).text(),
    ).toBe("line 3\n");
    const none = await fetch(`${fake.url}/api/v1/namespaces/default/pods/p/log`);
    expect(none.status).toBe(400);
    expect(((await none.json()) as { message: string }).message).toContain(
      "a container name must be specified for pod p, choose one of: [step-a step-b]",
    );
    expect(
      (await fetch(`${fake.url}/api/v1/namespaces/default/pods/p/log?container=zzz`)).status,
    ).toBe(400);
    expect(
      (await fetch(`${fake.url}/api/v1/namespaces/default/pods/q/log?container=a`)).status,
    ).toBe(404);
  });

  it("cuts planned log reads off midway, then serves the whole log again", async () => {
    fake.create(pod);
    fake.setPodLogs("default", "p", { "step-a": "0123456789abcdef\n" });
    fake.cutPodLogs("default", "p", "step-a", 10, 2);
    const url = `${fake.url}/api/v1/namespaces/default/pods/p/log?container=step-a`;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-length")).toBe("17");
      await expect(res.text()).rejects.toThrow();
    }
    expect(await (await fetch(url)).text()).toBe("0123456789abcdef\n");
    // Other containers are not affected; bad arguments are refused.
    fake.setPodLogs("default", "p", { "step-b": "b\n" });
    fake.cutPodLogs("default", "p", "step-a", 1);
    expect(
      await (
        await fetch(`${fake.url}/api/v1/namespaces/default/pods/p/log?container=step-b`)
      ).text(),
    ).toBe("b\n");
    expect(() => fake.cutPodLogs("default", "p", "step-a", -1)).toThrow(TypeError);
    expect(() => fake.cutPodLogs("default", "p", "step-a", 1, 0)).toThrow(TypeError);
  });

  it("follows a log until the pod is deleted", async () => {
    fake.create(pod);
    fake.setPodLogs("default", "p", { "step-a": "one\n" });
    const res = await fetch(
      `${fake.url}/api/v1/namespaces/default/pods/p/log?container=step-a&follow=true`,
    );
    const textPromise = res.text();
    fake.appendPodLogs("default", "p", { "step-a": "two\n" });
    fake.setPodLogs("default", "p", { "step-a": "one\ntwo\nthree\n" });
    fake.delete("v1", "Pod", "default", "p");
    expect(await textPromise).toBe("one\ntwo\nthree\n");
  });
});

describe("discovery and tables", () => {
  it("serves version, APIVersions, APIGroupList and APIResourceLists with plain JSON", async () => {
    const aggregatedAccept =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    const apis = await fetch(`${fake.url}/apis`, { headers: { Accept: aggregatedAccept } });
    expect(apis.headers.get("content-type")).toBe("application/json");
    expect(((await apis.json()) as { kind: string }).kind).toBe("APIGroupList");
    expect((await req("GET", "/version")).json["gitVersion"]).toMatch(/^v1\.32/);
    expect((await req("GET", "/api")).json["versions"]).toEqual(["v1"]);
    const tekton = await req("GET", "/apis/tekton.dev/v1");
    const prs = (tekton.json["resources"] as Array<Record<string, unknown>>).find(
      (r) => r["name"] === "pipelineruns",
    );
    expect(prs).toMatchObject({
      kind: "PipelineRun",
      namespaced: true,
      shortNames: ["pr", "prs"],
      categories: ["tekton", "tekton-pipelines"],
    });
    expect((await req("GET", "/apis/tekton.dev")).json["preferredVersion"]).toEqual({
      groupVersion: "tekton.dev/v1",
      version: "v1",
    });
  });

  it("serves OpenAPI v2 (JSON, and protobuf for old kubectl) and v3 documents", async () => {
    const v2 = await fetch(`${fake.url}/openapi/v2`);
    expect(v2.headers.get("content-type")).toBe("application/json");
    expect(await v2.json()).toMatchObject({ swagger: "2.0", paths: {}, definitions: {} });
    const pb = await fetch(`${fake.url}/openapi/v2`, {
      headers: { Accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" },
    });
    expect(pb.headers.get("content-type")).toBe("application/octet-stream");
    // openapi.v2.Document: swagger (field 1) "2.0", info (2) {title, version}, paths (8) empty.
    const bytes = Buffer.from(await pb.arrayBuffer());
    expect([...bytes.subarray(0, 5)]).toEqual([0x0a, 3, ...Buffer.from("2.0")]);
    expect(bytes.includes(Buffer.from("Kubernetes"))).toBe(true);
    expect([...bytes.subarray(-2)]).toEqual([0x42, 0]);

    const index = (await req("GET", "/openapi/v3")).json["paths"] as Record<
      string,
      { serverRelativeURL: string }
    >;
    const tekton = index["apis/tekton.dev/v1"]!.serverRelativeURL;
    const doc = (await req("GET", tekton)).json;
    expect(doc["openapi"]).toBe("3.0.0");
    expect(Object.keys(doc["paths"] as object)).toContain(
      "/apis/tekton.dev/v1/namespaces/{namespace}/pipelineruns/{name}",
    );
  });

  it("renders meta.k8s.io Tables with Tekton's printer columns", async () => {
    fake.create({
      ...pipelineRun("a"),
      status: {
        conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }],
        startTime: new Date(Date.now() - 65_000).toISOString(),
      },
    });
    const res = await fetch(`${fake.url}${PRS}`, {
      headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
    });
    const table = (await res.json()) as {
      kind: string;
      columnDefinitions: Array<{ name: string }>;
      rows: Array<{ cells: unknown[]; object: { kind: string } }>;
    };
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      "Name",
      "Succeeded",
      "Reason",
      "StartTime",
      "CompletionTime",
    ]);
    expect(table.rows[0]!.cells).toEqual(["a", "True", "Succeeded", "65s", null]);
    expect(table.rows[0]!.object.kind).toBe("PartialObjectMetadata");
  });
});

describe("table watches (kubectl get -w)", () => {
  it("sends Table objects, with column definitions only in the first event", async () => {
    fake.create(pipelineRun("a"));
    const res = await fetch(`${fake.url}${PRS}?watch=true`, {
      headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
    });
    const reader = res.body!.getReader();
    let text = "";
    const read = async (): Promise<void> => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    };
    await read();
    fake.create(pipelineRun("b"));
    while (text.split("\n").filter(Boolean).length < 2) await read();
    await reader.cancel();
    const events = text
      .split("\n")
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            object: {
              kind: string;
              columnDefinitions: unknown[];
              rows: Array<{ cells: unknown[] }>;
            };
          },
      );
    expect(
      events.map((e) => `${e.type} ${e.object.kind} ${String(e.object.rows[0]!.cells[0])}`),
    ).toEqual(["ADDED Table a", "ADDED Table b"]);
    expect(events[0]!.object.columnDefinitions).toHaveLength(5);
    expect(events[1]!.object.columnDefinitions).toEqual([]);
  });
});

describe("reviews", () => {
  it("authenticates known tokens and authorizes with the callback", async () => {
    const f = await createKubeFake({
      tokens: { good: { username: "alice", uid: "1", groups: ["devs"] } },
      authorize: (spec) => ({ allowed: spec["user"] === "alice", reason: "policy" }),
    });
    try {
      const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
        const res = await fetch(`${f.url}${path}`, {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "Content-Type": "application/json" },
        });
        expect(res.status).toBe(201);
        return (await res.json()) as Record<string, unknown>;
      };
      const tr = "/apis/authentication.k8s.io/v1/tokenreviews";
      const ok = await post(tr, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token: "good" },
      });
      expect(ok["status"]).toEqual({
        authenticated: true,
        user: { username: "alice", uid: "1", groups: ["devs"] },
      });
      const bad = await post(tr, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token: "bad" },
      });
      expect((bad["status"] as { authenticated?: boolean }).authenticated).toBeUndefined();
      const sar = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
      const spec = {
        user: "alice",
        resourceAttributes: {
          namespace: "ns",
          verb: "get",
          group: "results.tekton.dev",
          resource: "results",
        },
      };
      const yes = await post(sar, {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec,
      });
      expect(yes["status"]).toEqual({ allowed: true, reason: "policy" });
      const no = await post(sar, {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { ...spec, user: "bob" },
      });
      expect(no["status"]).toEqual({ allowed: false, reason: "policy" });
    } finally {
      await f.close();
    }
  });
});

describe("HTTP: more verbs and namespaces", () => {
  it("creates from a YAML body, refuses dryRun, and deletes a collection by label", async () => {
    const yamlBody =
      "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: from-yaml\n  labels: {batch: one}\n";
    expect((await req("POST", PRS, yamlBody, "application/yaml")).status).toBe(201);
    await req("POST", PRS, pipelineRun("other", { labels: { batch: "two" } }));
    expect((await req("POST", `${PRS}?dryRun=All`, pipelineRun("dry"))).status).toBe(400);
    const deleted = await req("DELETE", `${PRS}?labelSelector=batch%3Done`);
    expect(deleted.status).toBe(200);
    expect((deleted.json["items"] as KubeObject[]).map((i) => i.metadata.name)).toEqual([
      "from-yaml",
    ]);
    expect(fake.list("tekton.dev/v1", "PipelineRun").map((o) => o.metadata.name)).toEqual([
      "other",
    ]);
    expect(fake.requestCounts()["deletecollection pipelineruns"]).toBe(1);
  });

  it("serves a list at an exact older resourceVersion from history", async () => {
    await req("POST", PRS, pipelineRun("a"));
    const rv = fake.list("tekton.dev/v1", "PipelineRun")[0]!.metadata.resourceVersion!;
    await req("POST", PRS, pipelineRun("b"));
    await req("DELETE", `${PRS}/a`);
    const old = await req("GET", `${PRS}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect((old.json["items"] as KubeObject[]).map((i) => i.metadata.name)).toEqual(["a"]);
    expect((old.json["metadata"] as { resourceVersion: string }).resourceVersion).toBe(rv);
    const tooLarge = await req(
      "GET",
      `${PRS}?resourceVersion=999999&resourceVersionMatch=NotOlderThan`,
    );
    expect(tooLarge.status).toBe(504);
  });

  it("terminates a namespace: deletes its contents, waits for finalizers, refuses new content (403)", async () => {
    fake.create({ ...pipelineRun("a"), metadata: { name: "a", namespace: "team" } });
    fake.create({
      ...pipelineRun("held"),
      metadata: { name: "held", namespace: "team", finalizers: ["x"] },
    });
    const res = await req("DELETE", "/api/v1/namespaces/team");
    expect(res.status).toBe(200);
    expect(fake.get("v1", "Namespace", undefined, "team")?.["status"]).toEqual({
      phase: "Terminating",
    });
    expect(fake.get("tekton.dev/v1", "PipelineRun", "team", "a")).toBeUndefined();
    const refused = await req("POST", "/apis/tekton.dev/v1/namespaces/team/pipelineruns", {
      ...pipelineRun("new"),
      metadata: { name: "new" },
    });
    expect(refused.status).toBe(403);
    fake.patch("tekton.dev/v1", "PipelineRun", "team", "held", { metadata: { finalizers: null } });
    expect(fake.get("v1", "Namespace", undefined, "team")).toBeUndefined();
    expect((await req("DELETE", "/api/v1/namespaces/default")).status).toBe(403);
  });
});
