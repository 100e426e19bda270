/** Make the embedded PostgreSQL binaries reachable by their unprivileged user (root only). */
export function ensureEmbeddedPostgresAccess(): void;
/** Vitest global setup: run once before any test file. */
export default function setup(): void;
