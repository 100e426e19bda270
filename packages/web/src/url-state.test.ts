import { describe, expect, it } from "vitest";
import { DEFAULT_SEARCH, formatRunsSearch, parseRunsSearch, runPath } from "./url-state.js";

describe("the Runs page's URL state", () => {
  it("reads every part, unknown values as the defaults", () => {
    expect(
      parseRunsSearch(
        new URLSearchParams("ns=ci&kind=taskrun&status=failed&filter=a%20%3D%3D%201"),
      ),
    ).toEqual({ namespace: "ci", kind: "taskrun", status: "failed", filter: "a == 1" });
    expect(parseRunsSearch(new URLSearchParams("kind=bogus&status=weird"))).toEqual(DEFAULT_SEARCH);
  });

  it("writes the parts that differ from the defaults, keeping other parameters", () => {
    const params = formatRunsSearch(
      { ...DEFAULT_SEARCH, status: "running", filter: 'x == "y"' },
      new URLSearchParams("api=http://a&kind=taskrun"),
    );
    expect(params.toString()).toBe("api=http%3A%2F%2Fa&status=running&filter=x+%3D%3D+%22y%22");
    expect(parseRunsSearch(params)).toMatchObject({ status: "running", filter: 'x == "y"' });
  });

  it("builds a run's path", () => {
    expect(runPath("ci", "build-1", "r-1")).toBe("/namespaces/ci/results/build-1/records/r-1");
  });
});
