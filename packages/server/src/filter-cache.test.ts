import { describe, expect, it } from "vitest";
import { compileFilter, FilterError } from "@tekton-results/storage";
import { createFilterCache } from "./filter-cache.js";

describe("createFilterCache", () => {
  it("compiles like compileFilter and answers a repeated filter from the cache", () => {
    const cache = createFilterCache();
    const filter = 'data.status.conditions[0].reason == "Failed"';
    const first = cache.compile(filter, "records");
    expect(first).toEqual(compileFilter(filter, { target: "records" }));
    expect(cache.compile(filter, "records")).toBe(first);
    expect(cache.size()).toBe(1);
  });

  it("keeps targets apart", () => {
    const cache = createFilterCache();
    const records = cache.compile('annotations["a"] == "b"', "results");
    expect(() => cache.compile('annotations["a"] == "b"', "records")).toThrow(FilterError);
    expect(records).toBeDefined();
  });

  it("does not cache errors: a bad filter throws every time", () => {
    const cache = createFilterCache();
    expect(() => cache.compile("data.x ==", "records")).toThrow(FilterError);
    expect(() => cache.compile("data.x ==", "records")).toThrow(FilterError);
    expect(cache.size()).toBe(0);
  });

  it("evicts the least recently used filter beyond its bound", () => {
    const cache = createFilterCache(2);
    const a = cache.compile('data_type == "a"', "records");
    const b = cache.compile('data_type == "b"', "records");
    expect(cache.compile('data_type == "a"', "records")).toBe(a); // a is now the most recent
    cache.compile('data_type == "c"', "records"); // evicts b
    expect(cache.size()).toBe(2);
    expect(cache.compile('data_type == "a"', "records")).toBe(a);
    const b2 = cache.compile('data_type == "b"', "records");
    expect(b2).not.toBe(b); // compiled again
    expect(b2).toEqual(b);
    expect(() => createFilterCache(0)).toThrow(RangeError);
  });

  it("compiles a blank filter to undefined", () => {
    expect(createFilterCache().compile("  ", "records")).toBeUndefined();
  });
});
