#!/usr/bin/env node
/**
 * The `tekton-results-server` command: runs {@link main} and exits with its code.
 *
 * @module
 */
import { main } from "./main.js";

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `tekton-results-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
