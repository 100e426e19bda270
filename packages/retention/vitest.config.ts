import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    // Project configs do not inherit the root's test options: the same budget
    // as the root config, for machines whose cores are busy.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    name: "@tekton-results/retention",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
