#!/usr/bin/env node
/**
 * The `tekton-results-watcher` command: runs {@link main} and exits with its code.
 *
 * @module
 */
import { main } from "./main.js";

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `tekton-results-watcher: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
