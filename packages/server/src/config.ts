/**
 * Command-line flags and environment variables of the API server.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LogLevel } from "./deps.js";
import { DEFAULT_MAX_BODY_BYTES } from "./rest-gateway.js";
import { DEFAULT_SHUTDOWN_DEADLINE_MS } from "./server.js";

/** Where the data lives. */
export type DatabaseConfig =
  | { kind: "sqlite"; /** A file path, or `:memory:`. */ filename: string }
  | { kind: "postgres"; url: string };

/** How the server talks to PostgreSQL (ignored for SQLite). */
export interface PostgresSettings {
  /** Most pooled connections. */
  poolMax: number;
  /** `statement_timeout` of every connection, in ms; 0 disables it. */
  statementTimeoutMs: number;
  /** The schema holding the tables. */
  schema: string;
  /** TLS mode; `undefined` leaves it to the URL (`?sslmode=`). */
  sslMode?: "disable" | "require" | "verify-ca" | "verify-full";
  /** PEM file of the CA that signs the server certificate. */
  sslCaFile?: string;
  /** Connection attempts at start-up (1 s apart) before giving up. */
  connectRetries: number;
}

/** The configuration of a server run. */
export interface ServerConfig {
  port: number;
  host: string;
  database: DatabaseConfig;
  logLevel: LogLevel;
  /** Largest request body (REST) and RPC message, in bytes. */
  maxBodyBytes: number;
  /** How long a graceful shutdown waits for in-flight requests, in milliseconds. */
  shutdownTimeoutMs: number;
  /** Origins browsers may call from (`*` for any); empty: no CORS. */
  corsOrigins: string[];
  /** Apply pending schema migrations at start-up. */
  migrate: boolean;
  /** Apply migrations, then exit without serving. */
  migrateOnly: boolean;
  postgres: PostgresSettings;
}

/** What the command line asks for. */
export type Command =
  { kind: "run"; config: ServerConfig } | { kind: "help" } | { kind: "version" };

/** A flag or variable that cannot be used; the message is meant for the user. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The default database: a SQLite file under the working directory. */
export const DEFAULT_DATABASE = "./data/results.db";

/** The usage text of `--help`. */
export const USAGE = `Usage: tekton-results-server [flags]

Serves the Tekton Results API (gRPC, gRPC-Web, Connect and REST) on one port.

Flags (each has an environment variable; a flag wins over its variable):
  --port <n>               PORT              TCP port (default 8080)
  --host <addr>            HOST              address to bind (default 0.0.0.0)
  --database <url|path>    DATABASE_URL      SQLite file path, "sqlite:<path>",
                                             "sqlite::memory:", or postgres://user:pw@host/db
                                             (default ${DEFAULT_DATABASE})
  --log-level <level>      LOG_LEVEL         debug, info, warn or error (default info)
  --max-body-bytes <n>     MAX_BODY_BYTES    largest request body and RPC message
                                             (default ${DEFAULT_MAX_BODY_BYTES}, 16 MiB)
  --shutdown-timeout-ms <n> SHUTDOWN_TIMEOUT_MS  grace period for in-flight requests
                                             on SIGTERM/SIGINT (default ${DEFAULT_SHUTDOWN_DEADLINE_MS})
  --skip-migrations        SKIP_MIGRATIONS   do not apply schema migrations at start-up
  --migrate-only                             apply schema migrations, then exit
PostgreSQL only:
  --db-pool-max <n>        DB_POOL_MAX       pooled connections (default 10)
  --db-statement-timeout-ms <n> DB_STATEMENT_TIMEOUT_MS  per statement; 0 = none (default 30000)
  --db-schema <name>       DB_SCHEMA         schema of the tables (default public)
  --db-sslmode <mode>      DB_SSLMODE        disable, require, verify-ca or verify-full
                                             (default: what the URL says)
  --db-ssl-ca-file <path>  DB_SSL_CA_FILE    PEM CA bundle for verify-ca/verify-full
  --db-connect-retries <n> DB_CONNECT_RETRIES  start-up attempts, 1 s apart (default 30)
  --cors-origins <list>    CORS_ORIGINS      comma-separated origins browsers may call
                                             from, or * (default: none)
  --help                                     print this text and exit
  --version                                  print the version and exit

Endpoints: gRPC/Connect services, REST under /apis/results.tekton.dev/,
GET /healthz (alive), GET /readyz (store reachable), GET /metrics.
`;

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(value)}`);
  const n = Number(value.trim());
  if (n < min || n > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"] as const;

function parseBoolean(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes"].includes(v)) return true;
  if (["0", "false", "no"].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** Read a comma-separated list of origins: `*` or `scheme://host[:port]` each. */
function parseOrigins(value: string): string[] {
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

/**
 * Parse the command line (`argv` without the node and script paths) and the
 * environment. Throws {@link ConfigError} for unknown flags and bad values.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Command {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        database: { type: "string" },
        "log-level": { type: "string" },
        "max-body-bytes": { type: "string" },
        "shutdown-timeout-ms": { type: "string" },
        "cors-origins": { type: "string" },
        "db-pool-max": { type: "string" },
        "db-statement-timeout-ms": { type: "string" },
        "db-schema": { type: "string" },
        "db-sslmode": { type: "string" },
        "db-ssl-ca-file": { type: "string" },
        "db-connect-retries": { type: "string" },
        "skip-migrations": { type: "boolean" },
        "migrate-only": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    }));
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  if (values["help"]) return { kind: "help" };
  if (values["version"]) return { kind: "version" };
  const pick = (flag: string, variable: string): string | undefined => {
    const v = values[flag];
    if (typeof v === "string") return v;
    const e = env[variable];
    return e === undefined || e === "" ? undefined : e;
  };
  const port = parseInteger("port", pick("port", "PORT") ?? "8080", 0, 65535);
  const host = pick("host", "HOST") ?? "0.0.0.0";
  const database = parseDatabaseUrl(pick("database", "DATABASE_URL") ?? DEFAULT_DATABASE);
  const logLevel = (pick("log-level", "LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(
      `log level must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const maxBodyBytes = parseInteger(
    "max-body-bytes",
    pick("max-body-bytes", "MAX_BODY_BYTES") ?? String(DEFAULT_MAX_BODY_BYTES),
    1,
    2 ** 31 - 1,
  );
  const shutdownTimeoutMs = parseInteger(
    "shutdown-timeout-ms",
    pick("shutdown-timeout-ms", "SHUTDOWN_TIMEOUT_MS") ?? String(DEFAULT_SHUTDOWN_DEADLINE_MS),
    0,
    3_600_000,
  );
  const corsOrigins = parseOrigins(pick("cors-origins", "CORS_ORIGINS") ?? "");
  const skipMigrations =
    values["skip-migrations"] === true || parseBoolean("SKIP_MIGRATIONS", env["SKIP_MIGRATIONS"]);
  const migrateOnly = values["migrate-only"] === true;
  if (skipMigrations && migrateOnly) {
    throw new ConfigError("--skip-migrations and --migrate-only contradict each other");
  }
  const sslMode = pick("db-sslmode", "DB_SSLMODE");
  if (sslMode !== undefined && !SSL_MODES.includes(sslMode as (typeof SSL_MODES)[number])) {
    throw new ConfigError(
      `db-sslmode must be one of ${SSL_MODES.join(", ")}, got ${JSON.stringify(sslMode)}`,
    );
  }
  const schema = pick("db-schema", "DB_SCHEMA") ?? "public";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(
      `db-schema must be a plain SQL identifier, got ${JSON.stringify(schema)}`,
    );
  }
  const sslCaFile = pick("db-ssl-ca-file", "DB_SSL_CA_FILE");
  const postgres: PostgresSettings = {
    poolMax: parseInteger("db-pool-max", pick("db-pool-max", "DB_POOL_MAX") ?? "10", 1, 1000),
    statementTimeoutMs: parseInteger(
      "db-statement-timeout-ms",
      pick("db-statement-timeout-ms", "DB_STATEMENT_TIMEOUT_MS") ?? "30000",
      0,
      86_400_000,
    ),
    schema,
    connectRetries: parseInteger(
      "db-connect-retries",
      pick("db-connect-retries", "DB_CONNECT_RETRIES") ?? "30",
      0,
      10_000,
    ),
    ...(sslMode !== undefined ? { sslMode: sslMode as PostgresSettings["sslMode"] } : {}),
    ...(sslCaFile !== undefined ? { sslCaFile } : {}),
  };
  return {
    kind: "run",
    config: {
      port,
      host,
      database,
      logLevel: logLevel as LogLevel,
      maxBodyBytes,
      shutdownTimeoutMs,
      corsOrigins,
      migrate: !skipMigrations,
      migrateOnly,
      postgres,
    },
  };
}
