import { describe, expect, it } from "vitest";
import { apiGroupList, apiResourceList } from "./discovery.js";
import { findResource, findResourceByKind, groupVersion, RESOURCES } from "./resources.js";

describe("resource catalogue", () => {
  it("serves the Tekton runs with their short names, categories and status subresource", () => {
    const pr = findResourceByKind("tekton.dev/v1", "PipelineRun")!;
    expect(pr).toMatchObject({
      resource: "pipelineruns",
      namespaced: true,
      shortNames: ["pr", "prs"],
      statusSubresource: true,
      custom: true,
    });
    expect(pr.categories).toContain("tekton");
    expect(findResource("tekton.dev", "v1", "taskruns")?.shortNames).toEqual(["tr", "trs"]);
    expect(findResource("tekton.dev", "v1beta1", "customruns")?.kind).toBe("CustomRun");
  });

  it("serves core and other groups, each kind once", () => {
    const keys = RESOURCES.map((r) => `${groupVersion(r)}/${r.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(findResource("", "v1", "pods")?.shortNames).toEqual(["po"]);
    expect(findResource("", "v1", "namespaces")?.namespaced).toBe(false);
    expect(findResource("coordination.k8s.io", "v1", "leases")?.kind).toBe("Lease");
    expect(findResource("authentication.k8s.io", "v1", "tokenreviews")?.verbs).toEqual(["create"]);
  });

  it("derives discovery documents from the catalogue", () => {
    const core = apiResourceList("", "v1")!;
    const names = (core["resources"] as Array<{ name: string }>).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(["pods", "pods/log", "pods/status", "events", "namespaces"]),
    );
    const groups = apiGroupList()["groups"] as Array<{
      name: string;
      preferredVersion: { version: string };
    }>;
    const tekton = groups.find((g) => g.name === "tekton.dev")!;
    expect(tekton.preferredVersion.version).toBe("v1");
    expect(apiResourceList("tekton.dev", "v2")).toBeUndefined();
  });
});
