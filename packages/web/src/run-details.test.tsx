import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { KeyValues, paramsOf, resultsOf, tknCommand } from "./run-details.js";

describe("the Run page's parts", () => {
  it("writes the tkn-results command of a run", () => {
    expect(tknCommand({ kind: "taskrun", name: "build-1-test", namespace: "ci" })).toBe(
      "tkn-results taskrun describe build-1-test -n ci",
    );
    expect(tknCommand({ kind: undefined, name: "b", namespace: "x" })).toBe(
      "tkn-results pipelinerun describe b -n x",
    );
  });

  it("reads params and results of v1 and v1beta1 runs", () => {
    const run = {
      spec: { params: [{ name: "rev", value: "v1" }] },
      status: { results: [{ name: "a", value: "1" }], taskResults: [{ name: "b", value: ["x"] }] },
    };
    expect(paramsOf(run)).toEqual([["rev", "v1"]]);
    expect(resultsOf(run)).toEqual([
      ["a", "1"],
      ["b", ["x"]],
    ]);
  });

  it("shows names and values, JSON for non-strings, None when empty", () => {
    render(
      <>
        <KeyValues
          title="Params"
          entries={[
            ["rev", "v1"],
            ["list", ["a", "b"]],
          ]}
        />
        <KeyValues title="Results" entries={[]} />
      </>,
    );
    const params = screen.getByRole("region", { name: "Params" });
    expect(params.textContent).toContain("revv1");
    expect(params.textContent).toContain('["a","b"]');
    expect(screen.getByRole("region", { name: "Results" }).textContent).toContain("None");
  });
});
