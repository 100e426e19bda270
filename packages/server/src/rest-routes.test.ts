import { describe, expect, it } from "vitest";
import { Logs, Results } from "@tekton-results/proto";
import { buildRestRoutes, matchPathTemplate, parsePathTemplate } from "./rest-routes.js";

describe("path templates", () => {
  it("binds a nested field with a multi-segment pattern", () => {
    const t = parsePathTemplate(`/apis/v1/parents/{record.name=*/results/*/records/*}`);
    const bound = matchPathTemplate(t, [
      "apis",
      "v1",
      "parents",
      "ns",
      "results",
      "r",
      "records",
      "x",
    ]);
    expect(bound).toEqual(new Map([["record.name", "ns/results/r/records/x"]]));
    expect(
      matchPathTemplate(t, ["apis", "v1", "parents", "ns", "results", "r", "records"]),
    ).toBeUndefined();
    expect(
      matchPathTemplate(t, ["apis", "v1", "parents", "ns", "other", "r", "records", "x"]),
    ).toBeUndefined();
    expect(
      matchPathTemplate(t, ["apis", "v1", "parents", "", "results", "r", "records", "x"]),
    ).toBeUndefined();
  });

  it("handles plain variables, ** and verbs", () => {
    const t = parsePathTemplate("/v1/{name}/files/{path=**}:download");
    expect(t.verb).toBe("download");
    expect(matchPathTemplate(t, ["v1", "a", "files", "x", "y:download"])).toEqual(
      new Map([
        ["name", "a"],
        ["path", "x/y"],
      ]),
    );
    expect(matchPathTemplate(t, ["v1", "a", "files", "x", "y"])).toBeUndefined();
    expect(() => parsePathTemplate("v1/x")).toThrow();
    expect(() => parsePathTemplate("/v1/{name")).toThrow();
  });
});

describe("buildRestRoutes", () => {
  it("reads the route table from the annotations, literal segments first", () => {
    const routes = buildRestRoutes([Results, Logs]);
    expect(routes.filter((r) => r.method.parent === Results)).toHaveLength(11);
    const names = routes.map((r) => r.method.name);
    expect(names.indexOf("GetRecordListSummary")).toBeLessThan(names.indexOf("GetRecord"));
    const update = routes.find((r) => r.method.name === "UpdateRecord")!;
    expect(update.httpMethod).toBe("PATCH");
    expect(update.body).toBe("record");
    // UpdateLog is client streaming and has no annotation.
    expect(names).not.toContain("UpdateLog");
  });
});
