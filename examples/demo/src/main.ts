/**
 * `npm run demo`: run the tour of {@link runDemo} from the command line.
 * Exit codes: 0 done, 1 the tour failed, 2 bad arguments.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from "./args.js";
import { runDemo } from "./demo.js";

/** Exit code of a failed tour. */
export const EXIT_FAILURE = 1;
/** Exit code of unusable arguments. */
export const EXIT_USAGE = 2;

/** Where {@link main} writes. Default: the process's stdout and stderr. */
export interface MainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: MainIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Run the demo command with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: MainIo = processIo): Promise<number> {
  let command;
  try {
    command = parseDemoArgs(argv);
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    io.stderr(`demo: ${err.message}\n\n${DEMO_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (command.kind === "help") {
    io.stdout(`${DEMO_USAGE}\n`);
    return 0;
  }
  const stop = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) io.stderr("\nstopping...\n");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await runDemo({
      out: (line) => io.stdout(`${line}\n`),
      keep: command.keep,
      signal: stop.signal,
      ...(command.useKubectl ? {} : { kubectl: false }),
      ...(command.dataDir !== undefined ? { dataDir: command.dataDir } : {}),
      ...(command.port !== undefined ? { port: command.port } : {}),
    });
    return 0;
  } catch (err) {
    io.stderr(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
