import { defineConfig } from "vitest/config";

/**
 * One vitest run over every package. Each package is its own project so that
 * `vitest --project @tekton-results/server` works, and the workspace packages
 * resolve to their TypeScript sources through the `source` export condition.
 */
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    projects: [
      "packages/*/vitest.config.ts",
      "examples/*/vitest.config.ts",
      "test/vitest.config.ts",
    ],
    // Lets the embedded PostgreSQL of the tests start wherever the clone lives.
    globalSetup: ["./scripts/embedded-postgres-access.mjs"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
