import { defineProject } from "vitest/config";

/** Tests of the repository as a whole: its documents, its scripts. */
export default defineProject({
  test: {
    name: "repo",
    include: ["**/*.test.ts"],
  },
});
