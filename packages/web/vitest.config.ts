import react from "@vitejs/plugin-react";
import { defineProject } from "vitest/config";

// Unlike the other projects, no `source` condition: third-party packages publish it too
// (@internationalized/number, under Carbon), pointing at TypeScript that Node cannot load. The
// workspace packages are used from their builds (`npm test` builds them first).
export default defineProject({
  plugins: [react()],
  test: {
    // Project configs do not inherit the root's test options: the same budget
    // as the root config, for machines whose cores are busy.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    name: "@tekton-results/web",
    // Components render in happy-dom; the end-to-end test (test/) runs in Node and drives Chromium.
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.ts"],
    setupFiles: ["./src/test-setup.ts"],
  },
});
