import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import {
  createKubeFake,
  KubeApiError,
  requireSpec,
  type AdmissionRequest,
  type KubeFake,
  type KubeFakeOptions,
  type KubeObject,
} from "../src/index.js";
import { apiError, pipelineRun, tekton } from "./helpers.js";

let fake: KubeFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: KubeFakeOptions): Promise<{ f: KubeFake; custom: CustomObjectsApi }> {
  const f = await createKubeFake(options);
  fake = f;
  const kc = new KubeConfig();
  kc.loadFromString(f.kubeconfigYaml());
  return { f, custom: kc.makeApiClient(CustomObjectsApi) };
}

const specless = (kind: string, name: string): KubeObject => ({
  apiVersion: "tekton.dev/v1",
  kind,
  metadata: { name, namespace: "default" },
});

const DENIED =
  'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: missing field(s): spec';

describe("admission: requireSpec", () => {
  it("refuses a PipelineRun created without spec over HTTP (400, the webhook's message)", async () => {
    const { f, custom } = await start({ admission: requireSpec });
    const err = await apiError(
      custom.createNamespacedCustomObject({
        ...tekton("pipelineruns"),
        body: specless("PipelineRun", "bare"),
      }),
    );
    expect(err.code).toBe(400);
    expect(JSON.parse(err.body)).toMatchObject({ code: 400, message: DENIED });
    expect(f.get("tekton.dev/v1", "PipelineRun", "default", "bare")).toBeUndefined();
    await custom.createNamespacedCustomObject({
      ...tekton("pipelineruns"),
      body: pipelineRun("with-spec"),
    });
    expect(f.get("tekton.dev/v1", "PipelineRun", "default", "with-spec")).toBeDefined();
  });

  it("refuses a server-side apply that would create a spec-less TaskRun", async () => {
    const { f, custom } = await start({ admission: requireSpec });
    const ssa = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
    const apply = (body: KubeObject) =>
      custom.patchNamespacedCustomObject(
        { ...tekton("taskruns"), name: "tr", body, fieldManager: "test" },
        ssa,
      );
    const err = await apiError(apply(specless("TaskRun", "tr")));
    expect(err.code).toBe(400);
    expect(JSON.parse(err.body)).toMatchObject({ message: DENIED });
    expect(f.get("tekton.dev/v1", "TaskRun", "default", "tr")).toBeUndefined();
    await apply({ ...specless("TaskRun", "tr"), spec: { taskRef: { name: "t" } } });
    expect(f.get("tekton.dev/v1", "TaskRun", "default", "tr")).toBeDefined();
  });

  it("refuses an update that removes spec; admits status writes and other kinds", async () => {
    const { f } = await start({ admission: requireSpec });
    f.create(pipelineRun("p"));
    let err: unknown;
    try {
      f.patch("tekton.dev/v1", "PipelineRun", "default", "p", { spec: null });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe(400);
    f.patch(
      "tekton.dev/v1",
      "PipelineRun",
      "default",
      "p",
      { status: { conditions: [] } },
      { subresource: "status" },
    );
    expect(f.create({ apiVersion: "v1", kind: "Event", metadata: { name: "e" } })).toBeDefined();
  });

  it("judges in-process creates too", async () => {
    const { f } = await start({ admission: requireSpec });
    expect(() => f.create(specless("TaskRun", "x"))).toThrow(/missing field\(s\): spec/);
  });
});

describe("admission: a custom hook", () => {
  it("receives verb, resource, subresource, object and oldObject", async () => {
    const seen: AdmissionRequest[] = [];
    const { f, custom } = await start({
      admission: (request) => {
        if (request.resource !== "pipelineruns") return undefined;
        seen.push(request);
        return request.object.metadata.labels?.["frozen"] === "yes" && request.oldObject
          ? "frozen runs cannot change"
          : undefined;
      },
    });
    await custom.createNamespacedCustomObject({
      ...tekton("pipelineruns"),
      body: pipelineRun("p", { labels: { frozen: "yes" } }),
    });
    const err = await apiError(
      custom.patchNamespacedCustomObject(
        { ...tekton("pipelineruns"), name: "p", body: { metadata: { annotations: { a: "1" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(err.code).toBe(400);
    expect(JSON.parse(err.body)).toMatchObject({ message: "frozen runs cannot change" });
    expect(seen.map((r) => r.verb)).toEqual(["create", "update"]);
    expect(seen[0]).toMatchObject({
      resource: "pipelineruns",
      object: { metadata: { name: "p" } },
    });
    expect(seen[0]!.oldObject).toBeUndefined();
    expect(seen[1]!.oldObject?.metadata.annotations).toBeUndefined();
    expect(seen[1]!.object.metadata.annotations).toEqual({ a: "1" });
    expect(
      f.get("tekton.dev/v1", "PipelineRun", "default", "p")?.metadata.annotations,
    ).toBeUndefined();
  });
});
