import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const srcDir = fileURLToPath(new URL("../src/", import.meta.url));

/** The Node-only subpath `@tekton-results/client/node`, under src/node/. */
const NODE_DIR = "node";

/** The library's source files (tests may use Node), without the Node-only subpath. */
function librarySources(): string[] {
  return readdirSync(srcDir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .filter((f) => !f.startsWith(`${NODE_DIR}/`))
    .map((f) => join(srcDir, f));
}

/** Module specifiers a browser has no Node built-ins for. */
const NODE_ONLY =
  /\bfrom\s+["'](node:[^"']+|fs|path|os|http|http2|https|crypto|stream|buffer|url|util|zlib|net|tls|child_process)["']/;

describe("browser safety of src/", () => {
  it("finds the library sources", () => {
    const files = librarySources();
    expect(files.some((f) => f.endsWith("index.ts"))).toBe(true);
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(librarySources())(
    "%s neither imports a Node built-in nor uses Buffer or process",
    (file) => {
      const text = readFileSync(file, "utf8");
      expect(text).not.toMatch(/["']node:/);
      expect(text).not.toMatch(NODE_ONLY);
      expect(text).not.toMatch(/\bBuffer\b/);
      expect(text).not.toMatch(/\bprocess\./);
      expect(text).not.toMatch(/\brequire\(/);
      // Nothing of the main entry reaches the Node-only subpath.
      expect(text).not.toMatch(/from\s+["']\.\.?\/node\//);
    },
  );

  it("keeps Node-only code in the ./node subpath, which package.json exports apart", () => {
    const pkg = JSON.parse(readFileSync(join(srcDir, "../package.json"), "utf8")) as {
      exports: Record<string, { source: string }>;
    };
    expect(pkg.exports["./node"]?.source).toBe("./src/node/index.ts");
    expect(readFileSync(join(srcDir, NODE_DIR, "tls.ts"), "utf8")).toMatch(/from "node:fs"/);
  });
});
