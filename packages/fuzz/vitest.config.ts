import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    // Project configs do not inherit the root's test options.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    name: "@tekton-results/fuzz",
    include: ["src/**/*.test.ts"],
  },
});
