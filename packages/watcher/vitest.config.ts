import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: { name: "@tekton-results/watcher", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
