// One-off scaffolding helper kept for new packages: writes package.json and tsconfigs.
// usage: node scripts/mkpkg.mjs <dir> <name> <description>
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
const [dir, name, description] = process.argv.slice(2);
mkdirSync(`${dir}/src`, { recursive: true });
const pkg = {
  name,
  version: "0.1.0",
  description,
  type: "module",
  license: "Apache-2.0",
  engines: { node: ">=20.19" },
  sideEffects: false,
  exports: {
    ".": { source: "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
  },
  files: ["dist", "README.md"],
  scripts: {
    build: "tsc -p tsconfig.lib.json",
    typecheck: "tsc -p tsconfig.json --noEmit",
    test: "vitest run --root ../.. --project " + name,
  },
  dependencies: {},
};
if (!existsSync(`${dir}/package.json`))
  writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
writeFileSync(
  `${dir}/tsconfig.json`,
  JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: { noEmit: true },
      include: ["src", "test", "*.ts"],
    },
    null,
    2,
  ) + "\n",
);
writeFileSync(
  `${dir}/tsconfig.lib.json`,
  JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: {
        outDir: "dist",
        rootDir: "src",
        customConditions: [],
        tsBuildInfoFile: "dist/.tsbuildinfo",
      },
      include: ["src"],
      exclude: ["src/**/*.test.ts"],
    },
    null,
    2,
  ) + "\n",
);
writeFileSync(
  `${dir}/vitest.config.ts`,
  `import { defineProject } from "vitest/config";\n\nexport default defineProject({\n  resolve: { conditions: ["source"] },\n  ssr: { resolve: { conditions: ["source"] } },\n  test: { name: "${name}", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },\n});\n`,
);
