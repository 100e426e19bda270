/**
 * The repository's Markdown documents, for the tests that check them.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The Markdown files git tracks under `root`, as paths relative to it. */
export function markdownFiles(root: string): string[] {
  return execFileSync("git", ["ls-files", "-z", "--", "*.md"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && existsSync(join(root, f)));
}
