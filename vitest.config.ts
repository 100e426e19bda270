import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Test files at once. Vitest's default (CPUs - 1) is one at a time on a 2-core machine, while
 * most files wait on processes and sockets (servers, the CLI, Chromium, PostgreSQL): one more
 * file than cores keeps the cores busy (`VITEST_MAX_WORKERS` overrides it).
 */
const maxWorkers = Number(process.env["VITEST_MAX_WORKERS"]) || availableParallelism() + 1;

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
    maxWorkers,
  },
});
