/**
 * The `tkn-results` command (also `tkn results`, as a tkn plugin).
 *
 * @module
 */
import { createInterface } from "node:readline";
import { colourEnabled } from "./format.js";
import { runCli } from "./program.js";

let lines: AsyncIterator<string> | undefined;

// `tkn-results ... | head`: a reader that stopped reading ends the program quietly, as in Go.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

const code = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  readLine: async () => {
    lines ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
    const next = await lines.next();
    return next.done ? undefined : next.value;
  },
  interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  colour: colourEnabled(process.stdout),
  // For tests only: a fixed "now" for the STARTED column (an ISO time), documented in the README.
  now: () => new Date(process.env["TKN_RESULTS_NOW"] || Date.now()),
});
process.exitCode = code;
