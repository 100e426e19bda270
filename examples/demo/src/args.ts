/**
 * The command line of `npm run demo`.
 *
 * @module
 */

/** The usage text of `--help`. */
export const DEMO_USAGE = `Usage: npm run demo -- [--keep] [--data <dir>] [--port <n>]

Shows the whole life of a Tekton Result on this machine: a fake Kubernetes API
server, the Results API server (SQLite) and the watcher; two PipelineRuns are
applied, run (one succeeds, one fails), stored, queried, and deleted from the
cluster while their Results stay.

  --keep          keep everything running after the tour (Ctrl-C stops it)
  --data <dir>    keep the database, logs and kubeconfig in <dir>
                  (default: a temporary directory, removed at the end)
  --port <n>      port of the Results API (default: a free port)
  --http          apply and delete over HTTP even when kubectl is installed
  -h, --help      show this help`;

/** What the command line asks for. */
export type DemoCommand =
  | { kind: "help" }
  | { kind: "run"; keep: boolean; dataDir?: string; port?: number; useKubectl: boolean };

/** A command line that cannot be used; the message is meant for the user. */
export class DemoUsageError extends Error {
  override readonly name = "DemoUsageError";
}

/** Parse the demo's arguments (without `node` and the script). */
export function parseDemoArgs(argv: readonly string[]): DemoCommand {
  let keep = false;
  let useKubectl = true;
  let dataDir: string | undefined;
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new DemoUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "-h":
      case "--help":
        return { kind: "help" };
      case "--keep":
        keep = true;
        break;
      case "--http":
        useKubectl = false;
        break;
      case "--data":
        dataDir = value();
        break;
      case "--port": {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) {
          throw new DemoUsageError(
            `--port must be a port number (0-65535), got ${JSON.stringify(v)}`,
          );
        }
        port = n;
        break;
      }
      default:
        throw new DemoUsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return {
    kind: "run",
    keep,
    useKubectl,
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}
