/**
 * Namespaces over HTTP, as the watcher's namespace clean-up uses them through client-node:
 * a paged list (`limit`, `continue`), a list and a watch by `metadata.name` field selector,
 * and a DELETE that makes the namespace Terminating (MODIFIED), deletes its contents and
 * removes it (DELETED) once empty, or once the last finalizer of its contents is released.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake } from "../src/index.js";
import { pipelineRun, waitFor } from "./helpers.js";

let fake: KubeFake;
let kc: KubeConfig;
let core: CoreV1Api;

beforeEach(async () => {
  fake = await createKubeFake();
  kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml());
  core = kc.makeApiClient(CoreV1Api);
});
afterEach(async () => {
  await fake.close();
});

/** Watch namespaces from `resourceVersion`, collecting `TYPE name[:phase]`. */
async function watchNamespaces(
  resourceVersion: string,
  fieldSelector?: string,
): Promise<{ events: string[]; stop(): void }> {
  const events: string[] = [];
  const controller = await new Watch(kc).watch(
    "/api/v1/namespaces",
    { resourceVersion, ...(fieldSelector ? { fieldSelector } : {}) },
    (type, obj: { metadata: { name: string }; status?: { phase?: string } }) => {
      events.push(`${type} ${obj.metadata.name}${obj.status?.phase ? `:${obj.status.phase}` : ""}`);
    },
    () => {},
  );
  return { events, stop: () => controller.abort() };
}

describe("namespaces over HTTP", () => {
  it("are listed in pages (limit, continue) and by metadata.name", async () => {
    for (const name of ["a", "b", "c"])
      await core.createNamespace({ body: { metadata: { name } } });
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespace({ limit: 2, ...(token ? { _continue: token } : {}) });
      names.push(...page.items.map((n) => n.metadata!.name!));
      token = page.metadata?._continue || undefined;
      pages++;
    } while (token);
    expect(names.sort()).toEqual(["a", "b", "c", "default"]);
    expect(pages).toBe(2);
    const one = await core.listNamespace({ fieldSelector: "metadata.name=b" });
    expect(one.items.map((n) => n.metadata!.name)).toEqual(["b"]);
  });

  it("a DELETE makes it Terminating, deletes its runs, and removes it: MODIFIED then DELETED", async () => {
    await core.createNamespace({ body: { metadata: { name: "team" } } });
    await core.createNamespace({ body: { metadata: { name: "other" } } });
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: "tekton.dev",
      version: "v1",
      plural: "pipelineruns",
      namespace: "team",
      body: pipelineRun("build", {
        namespace: "team",
        finalizers: ["results.tekton.dev/pipelinerun"],
      }),
    });
    const rv = (await core.listNamespace()).metadata!.resourceVersion!;
    const all = await watchNamespaces(rv);
    const team = await watchNamespaces(rv, "metadata.name=team");
    try {
      await core.deleteNamespace({ name: "team" });
      // A finalizer of its run holds the namespace Terminating.
      await waitFor(() => all.events.includes("MODIFIED team:Terminating"), "Terminating");
      expect((await core.readNamespace({ name: "team" })).status?.phase).toBe("Terminating");
      fake.patch("tekton.dev/v1", "PipelineRun", "team", "build", {
        metadata: { finalizers: null },
      });
      await waitFor(() => all.events.some((e) => e.startsWith("DELETED team")), "DELETED");
      expect((await core.listNamespace()).items.map((n) => n.metadata!.name).sort()).toEqual([
        "default",
        "other",
      ]);
      expect(team.events.map((e) => e.split(":")[0])).toEqual(["MODIFIED team", "DELETED team"]);
      expect(all.events.filter((e) => e.includes("other"))).toEqual([]);
    } finally {
      all.stop();
      team.stop();
    }
  });
});
