import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, delimiter } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** `$KUBECTL` (to test another version), else /usr/bin/kubectl, else the first on PATH. */
export function findKubectl(): string | undefined {
  const chosen = process.env["KUBECTL"];
  if (chosen) return chosen;
  if (existsSync("/usr/bin/kubectl")) return "/usr/bin/kubectl";
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "kubectl"))) return join(dir, "kubectl");
  }
  return undefined;
}

/**
 * A function running kubectl with a kubeconfig, HOME and cache in `dir`; resolves to stdout,
 * rejects with the process error (its `stderr` and `code`) on a non-zero exit.
 */
export function kubectlRunner(
  kubectl: string,
  dir: string,
  kubeconfig: string,
): (...args: string[]) => Promise<string> {
  return async (...args) => {
    const { stdout } = await run(kubectl, ["--kubeconfig", kubeconfig, ...args], {
      env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, "cache") },
      timeout: 20_000,
    });
    return stdout;
  };
}
