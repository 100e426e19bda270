import { describe, expect, it } from "vitest";
import { RE2_CACHE_LIMIT, compileRe2, re2CaseFolds, re2PatternError, re2Search } from "./regex.js";

describe("RE2 patterns of matches()", () => {
  it("names what RE2 refuses and accepts RE2-only syntax", () => {
    expect(re2PatternError("(a)\\1")).toBe("invalid escape sequence: `\\1`");
    expect(re2PatternError("(?=a)")).toContain("invalid or unsupported Perl syntax");
    expect(re2PatternError("a++")).toContain("invalid nested repetition operator");
    expect(re2PatternError("a{1001}")).toContain("invalid repeat count");
    for (const ok of [
      "(?i)a",
      "(?i:a)b",
      "\\pL",
      "[[:alpha:]]",
      "\\Aa\\z",
      "\\Q.*\\E",
      "(?P<n>a)",
    ]) {
      expect(re2PatternError(ok), ok).toBeUndefined();
    }
  });

  it("searches unanchored in linear time", () => {
    expect(re2Search("b", "abc")).toBe(true);
    expect(re2Search("^b", "abc")).toBe(false);
    expect(re2Search("(", "abc")).toBeUndefined();
    const started = performance.now();
    expect(re2Search("^(a+)+$", `${"a".repeat(100_000)}b`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("keeps compiled patterns in a bounded LRU cache", () => {
    const first = compileRe2("^first$");
    expect(compileRe2("^first$")).toBe(first);
    for (let i = 0; i < RE2_CACHE_LIMIT - 1; i++) compileRe2(`^p${i}$`);
    expect(compileRe2("^first$")).toBe(first); // used again, so kept
    for (let i = 0; i < RE2_CACHE_LIMIT; i++) compileRe2(`^q${i}$`);
    expect(compileRe2("^first$")).not.toBe(first); // evicted
  });

  it("gives RE2's case-folding orbits", () => {
    expect(re2CaseFolds(0x6b)).toEqual([0x4b, 0x6b, 0x212a]); // k K Kelvin sign
    expect(re2CaseFolds(0x73)).toEqual([0x53, 0x73, 0x17f]); // s S long s
    expect(re2CaseFolds(0xe9)).toEqual([0xc9, 0xe9]);
    expect(re2CaseFolds(0x31)).toEqual([0x31]);
  });
});
