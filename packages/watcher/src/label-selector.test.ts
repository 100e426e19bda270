import { describe, expect, it } from "vitest";
import { parseLabelSelector } from "./label-selector.js";

describe("label selector", () => {
  const labels = { app: "web", tier: "front", "tekton.dev/pipeline": "build" };
  it.each([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app=db", false],
    ["app!=db", true],
    ["missing!=x", true],
    ["app=web,tier=back", false],
    ["tier in (front, back)", true],
    ["tier notin (front)", false],
    ["app", true],
    ["!app", false],
    ["!missing", true],
    ["tekton.dev/pipeline=build,app in (web,api)", true],
  ])("%j matches: %s", (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });
  it("matches a run without labels only when nothing is required", () => {
    expect(parseLabelSelector("!app").matches(undefined)).toBe(true);
    expect(parseLabelSelector("app=web").matches(undefined)).toBe(false);
  });
  it.each(["app=(", "a b c", "app in web", "=x", "app=va lue"])("refuses %j", (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(/label/);
  });
});
