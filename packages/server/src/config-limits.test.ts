import { describe, expect, it } from "vitest";
import { compileFilter, FilterError } from "@tekton-results/storage";
import { parseConfig, type ServerConfig } from "./config.js";
import { DEFAULT_MAX_FILTER_DEPTH, DEFAULT_MAX_FILTER_LENGTH } from "./config-limits.js";

function limits(argv: string[], env: Record<string, string> = {}): ServerConfig["limits"] {
  const c = parseConfig(argv, env, { defaultFile: "/nonexistent/config" });
  if (c.kind !== "run") throw new Error(`expected a run, got ${c.kind}`);
  return c.config.limits;
}

describe("the limits section", () => {
  it("reads every limit from its flag, else its variable, else the config file", () => {
    const fromFlags = limits([
      "--max-filter-length=100",
      "--max-filter-depth=10",
      "--max-record-bytes=2048",
      "--max-annotations-bytes=512",
      "--max-concurrent-streams=8",
      "--headers-timeout-ms=500",
      "--request-timeout-ms=0",
    ]);
    expect(fromFlags).toEqual({
      maxFilterLength: 100,
      maxFilterDepth: 10,
      maxRecordBytes: 2048,
      maxAnnotationsBytes: 512,
      maxConcurrentStreams: 8,
      headersTimeoutMs: 500,
      requestTimeoutMs: 0,
    });
    const fromEnv = limits([], {
      MAX_FILTER_LENGTH: "100",
      MAX_FILTER_DEPTH: "10",
      MAX_RECORD_BYTES: "2048",
      MAX_ANNOTATIONS_BYTES: "512",
      MAX_CONCURRENT_STREAMS: "8",
      HEADERS_TIMEOUT_MS: "500",
      REQUEST_TIMEOUT_MS: "0",
    });
    expect(fromEnv).toEqual(fromFlags);
  });

  it("refuses values out of range", () => {
    expect(() => limits(["--max-filter-depth=0"])).toThrow(/max-filter-depth/);
    expect(() => limits(["--max-concurrent-streams=0"])).toThrow(/max-concurrent-streams/);
    expect(() => limits(["--headers-timeout-ms=x"])).toThrow(/headers-timeout-ms/);
  });

  it("defaults the filter limits to compileFilter's own", () => {
    const atLength = `data.a == "${"x".repeat(DEFAULT_MAX_FILTER_LENGTH - 12)}"`;
    expect(atLength).toHaveLength(DEFAULT_MAX_FILTER_LENGTH);
    expect(() => compileFilter(atLength, { target: "records" })).not.toThrow();
    expect(() => compileFilter(`${atLength} `, { target: "records" })).toThrow(FilterError);
    // A chain of n additions is a tree about n deep (+ nodes over field selections).
    const chain = (n: number) => `${Array(n).fill("data.a").join(" + ")} == "x"`;
    expect(() =>
      compileFilter(chain(DEFAULT_MAX_FILTER_DEPTH - 5), { target: "records" }),
    ).not.toThrow();
    expect(() => compileFilter(chain(DEFAULT_MAX_FILTER_DEPTH + 5), { target: "records" })).toThrow(
      `at most ${DEFAULT_MAX_FILTER_DEPTH} levels of operators`,
    );
  });
});
