/**
 * The commands the documents show run from a fresh clone: every `npx <bin>`
 * names a bin that `npm ci` links into node_modules/.bin (else npx would ask
 * the public registry for a package of that name), and the project's own
 * commands answer `--help`.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { markdownFiles } from "./markdown.js";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);

/** The bins `npx` runs in the documents (`npx [flags] <bin>`), with a place each. */
function npxCommands(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of markdownFiles(root)) {
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/\bnpx\s+(?:--?[a-z-]+(?:=\S+)?\s+)*([@a-z0-9][\w@/.-]*)/g)) {
        if (!out.has(m[1]!)) out.set(m[1]!, `${file}:${i + 1}`);
      }
    });
  }
  return out;
}

describe("commands the documents show", () => {
  const commands = npxCommands();

  it("finds the documented npx commands (the check reads what it thinks it reads)", () => {
    expect([...commands.keys()]).toContain("tekton-results-server");
    expect([...commands.keys()]).toContain("tekton-results-watcher");
  });

  for (const [bin, where] of commands) {
    it(`npx ${bin} (${where}) runs a bin npm ci links, not a registry download`, () => {
      expect(existsSync(join(root, "node_modules", ".bin", bin))).toBe(true);
    });
  }

  for (const bin of [
    "tekton-results-server",
    "tekton-results-watcher",
    "tekton-results-retention",
  ]) {
    it(`npx --no-install ${bin} --help prints its usage`, async () => {
      const { stdout } = await run("npx", ["--no-install", bin, "--help"], {
        cwd: root,
        env: { ...process.env, npm_config_yes: "false" },
      });
      expect(stdout).toContain(`Usage: ${bin}`);
    });
  }
});
