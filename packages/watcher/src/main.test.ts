import { describe, expect, it } from "vitest";
import { EXIT_USAGE, main } from "./main.js";

describe("main with upstream's flags", () => {
  it("a refused upstream flag exits 2 with one line naming what to use", async () => {
    let err = "";
    const code = await main(["-api_addr", "results:8080", "-qps", "5"], {
      stderr: (t) => (err += t),
      env: {},
    });
    expect(code).toBe(EXIT_USAGE);
    expect(err.split("\n")[0]).toMatch(
      /^tekton-results-watcher: -qps limited upstream's Kubernetes client.*use --qps for the API$/,
    );
  });
  it("--help lists --deletion-label-selector and points at the migration doc", async () => {
    let out = "";
    expect(await main(["--help"], { stdout: (t) => (out += t), env: {} })).toBe(0);
    expect(out).toContain("--deletion-label-selector");
    expect(out).toContain("docs/migrating-from-upstream.md");
  });
});
