/**
 * The server's flag table and how a setting is looked up: the flag when
 * given, else its environment variable (unset and empty are the same).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError } from "./config-values.js";

/** Every flag of the server, as `node:util` `parseArgs` reads them. */
const FLAGS = {
  port: { type: "string", short: "p" },
  host: { type: "string" },
  database: { type: "string" },
  "log-level": { type: "string" },
  "request-log-level": { type: "string" },
  "max-body-bytes": { type: "string" },
  "max-page-bytes": { type: "string" },
  "shutdown-timeout-ms": { type: "string" },
  "idle-timeout-ms": { type: "string" },
  "handshake-timeout-ms": { type: "string" },
  "cors-origins": { type: "string" },
  "tls-cert-file": { type: "string" },
  "tls-key-file": { type: "string" },
  "tls-min-version": { type: "string" },
  "db-pool-max": { type: "string" },
  "db-statement-timeout-ms": { type: "string" },
  "sqlite-statement-timeout-ms": { type: "string" },
  "db-schema": { type: "string" },
  "db-sslmode": { type: "string" },
  "db-ssl-ca-file": { type: "string" },
  "db-connect-retries": { type: "string" },
  "skip-migrations": { type: "boolean" },
  "migrate-only": { type: "boolean" },
  logs: { type: "string" },
  "no-logs": { type: "boolean" },
  "logs-dir": { type: "string" },
  "logs-fsync": { type: "boolean" },
  "logs-chunk-bytes": { type: "string" },
  "max-log-bytes": { type: "string" },
  "logs-type": { type: "string" },
  "s3-endpoint": { type: "string" },
  "s3-bucket": { type: "string" },
  "s3-region": { type: "string" },
  "s3-key-prefix": { type: "string" },
  "s3-virtual-hosted": { type: "boolean" },
  "s3-part-size": { type: "string" },
  auth: { type: "string" },
  kubeconfig: { type: "string" },
  "auth-cache-ttl-ms": { type: "string" },
  "auth-audiences": { type: "string" },
  "auth-impersonation": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/** A flag of the server. */
export type Flag = keyof typeof FLAGS;

/** The parsed command line and the environment, read setting by setting. */
export interface Settings {
  /** The flag's string value, else the variable's; `undefined` when neither is set (or empty). */
  pick(flag: Flag, variable: string): string | undefined;
  /** The flag's string value only. */
  flag(flag: Flag): string | undefined;
  /** Whether a boolean flag was given. */
  isSet(flag: Flag): boolean;
  /** An environment variable (`undefined` when unset). */
  env(variable: string): string | undefined;
}

/**
 * Parse `argv` against the flag table. Throws {@link ConfigError} for an
 * unknown flag, a missing value or a positional argument.
 */
export function readSettings(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Settings {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: FLAGS,
    }));
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  const flag = (name: Flag): string | undefined => {
    const v = values[name];
    return typeof v === "string" ? v : undefined;
  };
  return {
    flag,
    pick(name, variable) {
      const v = flag(name);
      if (v !== undefined) return v;
      const e = env[variable];
      return e === undefined || e === "" ? undefined : e;
    },
    isSet: (name) => values[name] === true,
    env: (variable) => env[variable],
  };
}
