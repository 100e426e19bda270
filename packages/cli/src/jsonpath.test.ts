import { describe, expect, it } from "vitest";
import { CliError } from "./errors.js";
import { printJsonPath } from "./jsonpath.js";

const list = {
  kind: "List",
  items: [
    {
      metadata: { name: "a", labels: { "tekton.dev/pipeline": "p1" } },
      status: { conditions: [{ reason: "Succeeded" }], n: 3, ok: true },
    },
    { metadata: { name: "b", labels: {} }, status: { conditions: [{ reason: "Failed" }] } },
  ],
};

describe("kubectl's JSONPath templates", () => {
  it.each([
    ["{.items[*].metadata.name}", "a b"],
    [
      '{range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[0].reason}{"\\n"}{end}',
      "a\tSucceeded\nb\tFailed\n",
    ],
    ["{.items[0].metadata.labels.tekton\\.dev/pipeline}", "p1"],
    ["{.items[0].metadata.labels['tekton.dev/pipeline']}", "p1"],
    ["{.items[0].metadata}", '{"labels":{"tekton.dev/pipeline":"p1"},"name":"a"}'],
    ["kind={$.kind} {@.kind}", "kind=List List"],
    ['{.items[?(@.metadata.name=="b")].status.conditions[0].reason}', "Failed"],
    ["{.items[0].status.n} {.items[0].status.ok}{.missing}", "3 true"],
    ["{..name}", "a b"],
    ["{.items[-1:].metadata.name}", "b"],
    ["{.items[*].metadata.name}}", "a b}"],
  ])("%s", (template, expected) => {
    expect(printJsonPath(template, list)).toBe(expected);
  });

  it("jsonpath-as-json prints each action's results as an indented list", () => {
    expect(printJsonPath("{.items[*].metadata.name}", list, true)).toBe(
      '[\n    "a",\n    "b"\n]\n',
    );
  });

  it.each([
    ["{.items[*", "unclosed array expect ]"],
    ["{range .items[*]}{.x}", "range without end"],
    ["{end}", "not in range, nothing to end"],
    ["{metadata.name}", "unrecognized identifier metadata.name"],
    ["{.items", "unclosed action"],
  ])("%s is an error: %s", (template, why) => {
    expect(() => printJsonPath(template, list)).toThrow(
      new CliError(`error parsing jsonpath ${template}: ${why}`),
    );
  });
});
