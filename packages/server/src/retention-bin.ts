#!/usr/bin/env node
/**
 * The `tekton-results-retention` command: runs {@link retentionMain} and exits with its code.
 *
 * @module
 */
import { retentionMain } from "./retention-main.js";

retentionMain().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `tekton-results-retention: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
