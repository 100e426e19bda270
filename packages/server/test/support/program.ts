/**
 * Runs the real server program (packages/server/src/bin.ts) as a child
 * process, for the end-to-end tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../../..");
export const BIN = join(ROOT, "packages/server/src/bin.ts");

export interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Start the program and wait for its "listening" log line. */
export async function startMain(args: string[]): Promise<Running> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", BIN, "--host", "127.0.0.1", "--port", "0", ...args],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LOG_LEVEL: "info" } },
  );
  let err = "";
  child.stderr!.setEncoding("utf8");
  child.stdout!.resume();
  const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 30_000);
    child.stderr!.on("data", (chunk: string) => {
      err += chunk;
      for (const line of err.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; address?: string };
          if (entry.msg === "listening" && entry.address) {
            clearTimeout(timer);
            resolveUrl(entry.address);
          }
        } catch {
          // a partial line; wait for the rest
        }
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${err}`));
    });
  });
  return { child, url, stderr: () => err, exit };
}

/** Run the program to completion (for flags that exit at once). */
export function runToExit(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", BIN, ...args],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}
