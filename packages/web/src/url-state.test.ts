import { describe, expect, it } from "vitest";
import {
  DEFAULT_SEARCH,
  formatRunsSearch,
  isFiltered,
  parseRunsSearch,
  runPath,
  searchFilter,
} from "./url-state.js";

describe("the Runs page's URL state", () => {
  it("reads every part, unknown values as the defaults", () => {
    expect(
      parseRunsSearch(
        new URLSearchParams("ns=ci&kind=taskrun&status=failed&filter=a%20%3D%3D%201"),
      ),
    ).toEqual({
      ...DEFAULT_SEARCH,
      namespace: "ci",
      kind: "taskrun",
      status: "failed",
      filter: "a == 1",
    });
    expect(
      parseRunsSearch(new URLSearchParams("pipeline=build&label=app%3Dshop&since=7d")),
    ).toEqual({ ...DEFAULT_SEARCH, pipeline: "build", label: "app=shop", since: "7d" });
    expect(parseRunsSearch(new URLSearchParams("kind=bogus&status=weird&since=2y"))).toEqual(
      DEFAULT_SEARCH,
    );
  });

  it("writes the parts that differ from the defaults, keeping other parameters", () => {
    const params = formatRunsSearch(
      { ...DEFAULT_SEARCH, status: "running", filter: 'x == "y"' },
      new URLSearchParams("api=http://a&kind=taskrun"),
    );
    expect(params.toString()).toBe("api=http%3A%2F%2Fa&status=running&filter=x+%3D%3D+%22y%22");
    expect(parseRunsSearch(params)).toMatchObject({ status: "running", filter: 'x == "y"' });
  });

  it("round-trips the quick filters and tells a filtered state from the default one", () => {
    const search = { ...DEFAULT_SEARCH, pipeline: "build", label: "a=b", since: "24h" as const };
    const params = formatRunsSearch(search);
    expect(params.toString()).toBe("pipeline=build&label=a%3Db&since=24h");
    expect(parseRunsSearch(params)).toEqual(search);
    expect(isFiltered(DEFAULT_SEARCH)).toBe(false);
    expect(isFiltered({ ...DEFAULT_SEARCH, kind: "taskrun" })).toBe(false);
    for (const change of [{ pipeline: "p" }, { label: "a=b" }, { since: "1h" as const }]) {
      expect(isFiltered({ ...DEFAULT_SEARCH, ...change })).toBe(true);
    }
    expect(searchFilter(search, 0)).toContain(
      'data.metadata.labels["tekton.dev/pipeline"] == "build"',
    );
  });

  it("builds a run's path", () => {
    expect(runPath("ci", "build-1", "r-1")).toBe("/namespaces/ci/results/build-1/records/r-1");
  });
});
