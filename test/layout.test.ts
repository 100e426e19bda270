/**
 * The house rules of the repository's layout, checked so that they stay true:
 * every package is documented and drawn in the architecture, no source file
 * grows past the size a reader can hold, and no production package pulls
 * test tooling or both native database drivers.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const packagesDir = join(root, "packages");

interface PackageJson {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const packages = readdirSync(packagesDir)
  .filter((dir) => existsSync(join(packagesDir, dir, "package.json")))
  .map((dir) => ({
    dir,
    json: JSON.parse(readFileSync(join(packagesDir, dir, "package.json"), "utf8")) as PackageJson,
  }));

/** The largest a hand-written source file may be, in lines. */
const MAX_SOURCE_LINES = 500;

/**
 * Files allowed past the limit: generated code, and the conformance suites
 * and case tables (long lists of cases, one concern each).
 */
const LONG_FILES_ALLOWED = [
  /^proto\/src\/gen\//,
  /^storage-conformance\/src\/suite-[a-z-]+\.ts$/,
  /^storage-conformance\/src\/[a-z-]+-(cases|fixtures)\.ts$/,
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) out.push(path);
  }
  return out;
}

describe("repository layout", () => {
  it("finds the packages it checks", () => {
    expect(packages.map((p) => p.json.name)).toEqual(
      expect.arrayContaining(["@tekton-results/server", "@tekton-results/storage-sql"]),
    );
  });

  it("every package has a README and is drawn in docs/architecture.md", () => {
    const architecture = readFileSync(join(root, "docs", "architecture.md"), "utf8");
    const missing = packages.flatMap(({ dir, json }) => [
      ...(existsSync(join(packagesDir, dir, "README.md")) ? [] : [`${dir}/README.md`]),
      ...(architecture.includes(json.name) || architecture.includes(`\`${dir}\``)
        ? []
        : [`${json.name} in docs/architecture.md`]),
    ]);
    expect(missing).toEqual([]);
  });

  it(`no hand-written source file in packages/*/src is over ${MAX_SOURCE_LINES} lines`, () => {
    const long = packages
      .flatMap(({ dir }) => {
        const src = join(packagesDir, dir, "src");
        return existsSync(src) ? sourceFiles(src) : [];
      })
      .map((file) => ({
        file: relative(packagesDir, file),
        lines: readFileSync(file, "utf8").split("\n").length,
      }))
      .filter(({ file, lines }) => {
        return lines > MAX_SOURCE_LINES && !LONG_FILES_ALLOWED.some((re) => re.test(file));
      })
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it("no published package depends on vitest, except as an optional peer", () => {
    const offenders = packages
      .filter(({ json }) => !json.private)
      .filter(({ json }) => {
        const required = json.dependencies?.["vitest"] !== undefined;
        const peer =
          json.peerDependencies?.["vitest"] !== undefined &&
          json.peerDependenciesMeta?.["vitest"]?.optional !== true;
        // The conformance package is a test suite by purpose: a dev dependency of its users.
        return json.name !== "@tekton-results/storage-conformance" && (required || peer);
      })
      .map(({ json }) => json.name);
    expect(offenders).toEqual([]);
  });

  it("installing the server does not pull both native database drivers", () => {
    const server = packages.find((p) => p.json.name === "@tekton-results/server")!.json;
    for (const adapter of ["@tekton-results/storage-sqlite", "@tekton-results/storage-pg"]) {
      expect(server.dependencies?.[adapter], adapter).toBeUndefined();
      expect(server.peerDependenciesMeta?.[adapter]?.optional, adapter).toBe(true);
    }
  });
});
