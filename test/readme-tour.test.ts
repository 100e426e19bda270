/**
 * The README's five-minute tour, run as a new user runs it: the real server
 * command in an empty directory, the tour's shell block (curl on the REST
 * paths, `npx buf curl` by reflection) and its client snippet saved as
 * `tour.mjs` in the clone and run with `node`. The only change to the
 * documented text is the port (8080 may be taken where tests run).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);

/** The fenced blocks of `lang` in the README section titled `title`. */
function blocks(title: string, lang: string): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README section "${title}"`).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map(
    (m) => m[1]!,
  );
}

let dir: string;
let server: ChildProcess | undefined;
let port = 0;
let serverLog = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "readme-tour-"));
  server = spawn(join(root, "node_modules/.bin/tekton-results-server"), ["--port", "0"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  server.stderr!.setEncoding("utf8");
  port = await new Promise<number>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no listening line:\n${serverLog}`)), 30_000);
    server!.stderr!.on("data", (text: string) => {
      serverLog += text;
      const m = /"port":(\d+).*"msg":"listening"/.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        done(Number(m[1]));
      }
    });
    server!.once("exit", (code) => fail(new Error(`server exited ${code}:\n${serverLog}`)));
  });
}, 40_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const onPort = (text: string) => text.replaceAll("localhost:8080", `localhost:${port}`);

describe("the README's five-minute tour", () => {
  it("the server's first line names the database file it created in the working directory", () => {
    expect(serverLog).toContain(`"database":"sqlite:${join(dir, "data", "results.db")}"`);
  });

  it("the shell block runs verbatim: creates, filters, and lists over gRPC by reflection", async () => {
    const [shell] = blocks("Five-minute tour", "sh");
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", onPort(shell!)], {
      cwd: root,
      env: { ...process.env, npm_config_yes: "false" },
      timeout: 60_000,
    });
    // The filter's answer holds the failed TaskRun; buf curl lists the Result.
    expect(stdout).toContain('"name":"default/results/build-1/records/run-1"');
    expect(stdout).toMatch(/"name":\s*"default\/results\/build-1"/);
    expect(stdout).toContain('"repo": "demo"');
  }, 90_000);

  it("the client snippet, saved as tour.mjs in the clone, prints the failed TaskRun", async () => {
    const [snippet] = blocks("Five-minute tour", "js");
    // A name of its own in the clone's root (where the README says to save
    // it), so a user's tour.mjs is never touched.
    const file = join(root, `.tour-${process.pid}.mjs`);
    writeFileSync(file, onPort(snippet!));
    try {
      const { stdout } = await run(process.execPath, [file], { cwd: root, timeout: 30_000 });
      expect(stdout).toBe("default/results/build-1/records/run-1 Failed\n");
    } finally {
      rmSync(file, { force: true });
    }
  }, 40_000);
});
