/**
 * The values of the server's flags and variables: how each kind is read and
 * checked, with a {@link ConfigError} naming the flag for a bad one.
 *
 * @module
 */
import { LOG_LEVELS, UsageError, type LogLevel } from "@tekton-results/runtime";
import type { DatabaseConfig, PostgresSettings } from "./config.js";
import { REQUEST_LOG_LEVELS, type RequestLogLevel } from "./request-log.js";

/**
 * A flag or variable that cannot be used; the message is meant for the user.
 * A `UsageError`: the command prints it and exits 2.
 */
export class ConfigError extends UsageError {
  override readonly name = "ConfigError";
}

/** An integer from `min` to `max` (decimal digits only). */
export function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(value)}`);
  const n = Number(value.trim());
  if (n < min || n > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** `1`/`true`/`yes` or `0`/`false`/`no` (any case); `fallback` when unset or empty. */
export function parseBoolean(name: string, value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === "") return fallback;
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes"].includes(v)) return true;
  if (["0", "false", "no"].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** Read a comma-separated list of origins: `*` or `scheme://host[:port]` each. */
export function parseOrigins(value: string): string[] {
  const origins = value
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter((o) => o !== "");
  for (const o of origins) {
    if (o !== "*" && !/^https?:\/\/[^/\s?#]+$/.test(o)) {
      throw new ConfigError(
        `cors-origins: ${JSON.stringify(o)} is not an origin like https://console.example.com or *`,
      );
    }
  }
  return origins;
}

/** A request log level (`off`, `debug`, `info`), any case. */
export function parseRequestLogLevel(value: string): RequestLogLevel {
  const level = value.toLowerCase();
  if (!REQUEST_LOG_LEVELS.includes(level as RequestLogLevel)) {
    throw new ConfigError(
      `request log level must be one of ${REQUEST_LOG_LEVELS.join(", ")}, got ${JSON.stringify(level)}`,
    );
  }
  return level as RequestLogLevel;
}

/** A log level, any case. */
export function parseLogLevel(value: string): LogLevel {
  const level = value.toLowerCase();
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    throw new ConfigError(
      `log level must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(level)}`,
    );
  }
  return level as LogLevel;
}

const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"] as const;

/** A `--db-sslmode` value. */
export function parseSslMode(value: string): NonNullable<PostgresSettings["sslMode"]> {
  if (!SSL_MODES.includes(value as (typeof SSL_MODES)[number])) {
    throw new ConfigError(
      `db-sslmode must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as NonNullable<PostgresSettings["sslMode"]>;
}

/** A `--db-schema` value: a plain SQL identifier. */
export function parseSchema(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) {
    throw new ConfigError(`db-schema must be a plain SQL identifier, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Read a `--database` value: a path or `sqlite:` URL (`sqlite:./x.db`,
 * `sqlite:///abs/x.db`, `sqlite::memory:`), or a `postgres://` URL.
 */
export function parseDatabaseUrl(value: string): DatabaseConfig {
  const v = value.trim();
  if (v === "") throw new ConfigError("database must not be empty");
  if (/^postgres(ql)?:\/\//i.test(v)) return { kind: "postgres", url: v };
  const sqlite = /^(sqlite3?|file):(.*)$/i.exec(v);
  if (sqlite) {
    let path = sqlite[2]!;
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new ConfigError(`database URL ${JSON.stringify(v)} has no path`);
    return { kind: "sqlite", filename: path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
  if (scheme) throw new ConfigError(`unsupported database URL scheme "${scheme[1]}:"`);
  return { kind: "sqlite", filename: v };
}
