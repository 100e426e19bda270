/**
 * Upstream Tekton Results' configuration keys (its API server's
 * `config/base/env/config` and `pkg/api/server/config`): the ones that map to
 * a setting of this server are read by the sections (`config-sections.ts`)
 * as the second variable of the setting; this module assembles upstream's
 * `DB_*` into a PostgreSQL URL, refuses the values this server cannot honour,
 * and warns about the keys it ignores. The table in
 * `docs/migrating-from-upstream.md` says the same, key by key.
 *
 * @module
 */
import type { Settings } from "./config-flags.js";
import { ConfigError, parseBoolean } from "./config-values.js";

/**
 * How this server takes each upstream key: `mapped` to a setting (read by the
 * sections), `accepted` (no effect, here as upstream), or `ignored`: a warning
 * at start-up names it when its value is not upstream's default (`stock`,
 * the value of upstream's config file), since it then asks for something this
 * server does not do.
 */
type UpstreamKey = { use: "mapped" | "accepted" } | { use: "ignored"; stock: string };

const ignored = (stock: string): UpstreamKey => ({ use: "ignored", stock });
const mapped: UpstreamKey = { use: "mapped" };
const accepted: UpstreamKey = { use: "accepted" };

/** Every key of upstream's API server configuration, and how it is taken here. */
export const UPSTREAM_KEYS: Readonly<Record<string, UpstreamKey>> = {
  DB_USER: mapped,
  DB_PASSWORD: mapped,
  DB_HOST: mapped,
  DB_PORT: mapped,
  DB_NAME: mapped,
  DB_SSLMODE: mapped,
  DB_SSLROOTCERT: mapped,
  DB_ENABLE_AUTO_MIGRATION: mapped,
  DB_MAX_IDLE_CONNECTIONS: ignored("10"),
  DB_MAX_OPEN_CONNECTIONS: mapped,
  GRPC_WORKER_POOL: ignored("2"),
  K8S_QPS: ignored("5"),
  K8S_BURST: ignored("10"),
  PROFILING: ignored("false"),
  PROFILING_PORT: ignored("6060"),
  FEATURE_GATES: ignored(""),
  SERVER_PORT: mapped,
  PROMETHEUS_PORT: mapped,
  PROMETHEUS_HISTOGRAM: accepted,
  TLS_PATH: mapped,
  TLS_MIN_VERSION: mapped,
  TLS_CIPHER_SUITES: mapped,
  TLS_CURVE_PREFERENCES: mapped,
  AUTH_DISABLE: mapped,
  AUTH_IMPERSONATE: mapped,
  LOG_LEVEL: mapped,
  SQL_LOG_LEVEL: ignored("warn"),
  LOGS_API: mapped,
  LOGS_TYPE: mapped,
  LOGS_BUFFER_SIZE: mapped,
  LOGS_PATH: mapped,
  LOGS_TIMESTAMPS: accepted,
  S3_BUCKET_NAME: mapped,
  S3_ENDPOINT: mapped,
  S3_HOSTNAME_IMMUTABLE: accepted,
  S3_REGION: mapped,
  S3_ACCESS_KEY_ID: mapped,
  S3_SECRET_ACCESS_KEY: mapped,
  S3_MULTI_PART_SIZE: mapped,
  GCS_BUCKET_NAME: ignored(""),
  STORAGE_EMULATOR_HOST: ignored(""),
  CONVERTER_ENABLE: mapped,
  CONVERTER_DB_LIMIT: ignored("50"),
  MAX_RETENTION: accepted,
  LOGGING_PLUGIN_PROXY_PATH: ignored("/api/logs/v1/application"),
  LOGGING_PLUGIN_API_URL: ignored(""),
  LOGGING_PLUGIN_TOKEN_PATH: ignored("/var/run/secrets/kubernetes.io/serviceaccount/token"),
  LOGGING_PLUGIN_NAMESPACE_KEY: ignored("kubernetes_namespace_name"),
  LOGGING_PLUGIN_CONTAINER_KEY: ignored("kubernetes.container_name"),
  LOGGING_PLUGIN_STATIC_LABELS: ignored("log_type=application"),
  LOGGING_PLUGIN_CA_CERT: ignored(""),
  LOGGING_PLUGIN_QUERY_LIMIT: ignored("1700"),
  LOGGING_PLUGIN_TLS_VERIFICATION_DISABLE: ignored(""),
  LOGGING_PLUGIN_FORWARDER_DELAY_DURATION: ignored("10"),
  LOGGING_PLUGIN_QUERY_PARAMS: ignored("direction=forward"),
  LOGGING_PLUGIN_MULTIPART_REGEX: ignored(""),
  LOGGING_PLUGIN_JSON_MAP: ignored(""),
  LOGGING_PLUGIN_LINE_FORMAT: ignored(""),
};

/** The `DB_*` keys that name the database (with `DB_HOST`). */
const DB_URL_KEYS = ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"] as const;

/**
 * Upstream's database as a `postgres://` URL: `DB_HOST` (a host name, an IP
 * address, or a Unix socket directory), `DB_PORT`, `DB_NAME`, `DB_USER`,
 * `DB_PASSWORD` (user and password URL-encoded). `undefined` when none is
 * set; a {@link ConfigError} when some are set without `DB_HOST` (upstream
 * would connect to a default host; this server would otherwise fall back to
 * SQLite). When `DATABASE_URL` is set too it wins, with a warning.
 */
export function upstreamDatabaseUrl(s: Settings): string | undefined {
  const set = DB_URL_KEYS.filter((key) => s.value(key) !== undefined);
  if (set.length === 0) return undefined;
  if (s.value("DATABASE_URL") !== undefined) {
    s.warn(`${set.join(", ")} ${set.length === 1 ? "is" : "are"} ignored: DATABASE_URL is set`);
    return undefined;
  }
  const host = s.value("DB_HOST");
  if (host === undefined) {
    throw new ConfigError(`${set.join(", ")} given without DB_HOST: set DB_HOST, or --database`);
  }
  const port = s.value("DB_PORT");
  if (port !== undefined && !/^\d{1,5}$/.test(port.trim())) {
    throw new ConfigError(`DB_PORT must be a port number, got ${JSON.stringify(port)}`);
  }
  const user = s.value("DB_USER");
  const password = s.value("DB_PASSWORD");
  const credentials =
    user === undefined
      ? ""
      : `${encodeURIComponent(user)}${password === undefined ? "" : `:${encodeURIComponent(password)}`}@`;
  const name = encodeURIComponent(s.value("DB_NAME") ?? "postgres");
  const portPart = port === undefined ? "" : `:${port.trim()}`;
  if (host.startsWith("/") || host.includes(":")) {
    // A socket directory (Cloud SQL's /cloudsql/...) or an IPv6 address: pg reads ?host= as it is.
    return `postgres://${credentials}localhost${portPart}/${name}?host=${encodeURIComponent(host)}`;
  }
  return `postgres://${credentials}${host}${portPart}/${name}`;
}

/** Upstream's (zap's) log levels above `error`, taken as `error`. */
const ZAP_LEVELS_ABOVE_ERROR = ["dpanic", "panic", "fatal"];

/** A `LOG_LEVEL` value with zap's `dpanic`, `panic` and `fatal` read as `error`. */
export function upstreamLogLevel(value: string): string {
  return ZAP_LEVELS_ABOVE_ERROR.includes(value.trim().toLowerCase()) ? "error" : value;
}

/**
 * Whether schema migrations run at start-up: `--skip-migrations` and
 * `SKIP_MIGRATIONS` (ours), else upstream's `DB_ENABLE_AUTO_MIGRATION`
 * (default true).
 */
export function migrateAtStart(s: Settings): boolean {
  if (s.isSet("skip-migrations")) return false;
  const skip = s.value("SKIP_MIGRATIONS");
  const auto = s.value("DB_ENABLE_AUTO_MIGRATION");
  if (skip !== undefined) {
    const skipping = parseBoolean("SKIP_MIGRATIONS", skip);
    if (auto !== undefined && parseBoolean("DB_ENABLE_AUTO_MIGRATION", auto) === skipping) {
      s.warn("DB_ENABLE_AUTO_MIGRATION is ignored: SKIP_MIGRATIONS is set");
    }
    return !skipping;
  }
  return parseBoolean("DB_ENABLE_AUTO_MIGRATION", auto, true);
}

/**
 * The authorization mode: `--auth` / `AUTH_MODE`, else upstream's
 * `AUTH_DISABLE` (`true`: `none`; `false`: `kubernetes`, upstream's default),
 * else `none` (this server's default).
 */
export function authMode(s: Settings): string {
  const disable = s.value("AUTH_DISABLE");
  const fromUpstream =
    disable === undefined
      ? undefined
      : parseBoolean("AUTH_DISABLE", disable)
        ? "none"
        : "kubernetes";
  const ours = s.pick("auth", "AUTH_MODE");
  if (ours !== undefined) {
    if (
      s.flag("auth") === undefined &&
      fromUpstream !== undefined &&
      ours.trim().toLowerCase() !== fromUpstream
    ) {
      s.warn("AUTH_DISABLE is ignored: AUTH_MODE is set");
    }
    return ours;
  }
  return fromUpstream ?? "none";
}

/** Upstream's log stores this server does not have, by `LOGS_TYPE` (lower case). */
const UNSUPPORTED_LOG_TYPES: Readonly<Record<string, string>> = {
  gcs: "Google Cloud Storage",
  blob: "gocloud.dev blob storage",
  loki: "a Loki logging plugin",
};

/** Refuse a `LOGS_TYPE` of upstream's that this server has no store for, naming what it has. */
export function refuseUnsupportedLogType(value: string): void {
  const what = UNSUPPORTED_LOG_TYPES[value.trim().toLowerCase()];
  const supported = "this server stores logs in a directory (File) or S3-compatible storage (S3)";
  if (what !== undefined) {
    throw new ConfigError(`logs-type ${value.trim()} (${what}) is not supported: ${supported}`);
  }
  throw new ConfigError(`logs-type must be File or S3, got ${JSON.stringify(value)}: ${supported}`);
}

/**
 * `LOGS_PATH` as the S3 key prefix (upstream puts every log object under it):
 * `/logs` is `logs/`, empty or `/` is none.
 */
export function upstreamS3KeyPrefix(logsPath: string | undefined): string | undefined {
  if (logsPath === undefined) return undefined;
  const trimmed = logsPath.trim().replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : `${trimmed}/`;
}

/**
 * Refuse upstream settings that cannot be ignored without changing what the
 * server does: a TLS cipher or curve policy, the v1beta1 record converter.
 */
export function refuseUpstreamSettings(s: Settings): void {
  for (const key of ["TLS_CIPHER_SUITES", "TLS_CURVE_PREFERENCES"]) {
    if (s.value(key) !== undefined) {
      throw new ConfigError(
        `${key} is not supported: this server uses Node.js's TLS defaults (TLS 1.2+, no weak ciphers); unset it`,
      );
    }
  }
  if (parseBoolean("CONVERTER_ENABLE", s.value("CONVERTER_ENABLE"))) {
    throw new ConfigError(
      "CONVERTER_ENABLE=true is not supported: this server does not convert v1beta1 records to v1; run upstream's converter before switching, then unset it",
    );
  }
}

/**
 * Warn, in one line, about the upstream keys ignored here whose value asks
 * for something (not upstream's default), and about the config file's keys
 * that are neither this server's (`ours`) nor upstream's.
 */
export function warnIgnoredKeys(
  s: Settings,
  ours: ReadonlySet<string>,
  file: { path: string | undefined; keys: readonly string[] },
): void {
  const asked: string[] = [];
  for (const [key, how] of Object.entries(UPSTREAM_KEYS)) {
    if (how.use !== "ignored") continue;
    const value = s.value(key);
    if (value !== undefined && value.trim() !== how.stock) asked.push(`${key}=${value}`);
  }
  if (asked.length > 0) {
    s.warn(`upstream settings without effect here are ignored: ${asked.join(", ")}`);
  }
  const unknown = file.keys.filter((key) => !ours.has(key) && !(key in UPSTREAM_KEYS));
  if (unknown.length > 0) {
    s.warn(`unknown keys in the config file ${file.path} are ignored: ${unknown.join(", ")}`);
  }
}
