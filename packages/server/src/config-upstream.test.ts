import { describe, expect, it } from "vitest";
import { parseConfig, type ServerConfig } from "./config.js";
import { parseConfigFileText } from "./config-file.js";
import { UPSTREAM_KEYS } from "./config-upstream.js";
import { ConfigError } from "./config-values.js";
import { USAGE } from "./usage.js";
import { UPSTREAM_CONFIG_FILE } from "./upstream-config-fixtures.js";

/** Parse with `file` as the text of the config file (at `/etc/results.env`). */
function run(argv: string[], env: Record<string, string> = {}, file?: string): ServerConfig {
  const c = parseConfig(
    file === undefined ? argv : ["--config", "/etc/results.env", ...argv],
    env,
    {
      defaultFile: "/nonexistent/config",
      readFile: () => file ?? "",
    },
  );
  if (c.kind !== "run") throw new Error(`expected run, got ${c.kind}`);
  return c.config;
}

const ENDPOINT = { S3_ENDPOINT: "https://s3.example.com", S3_BUCKET_NAME: "b" };
const KEYS = { S3_ACCESS_KEY_ID: "AK", S3_SECRET_ACCESS_KEY: "SK" };

describe("upstream's keys", () => {
  it("knows every key of upstream's config file", () => {
    const keys = Object.keys(parseConfigFileText(UPSTREAM_CONFIG_FILE, "config"));
    expect(keys.filter((key) => !(key in UPSTREAM_KEYS))).toEqual([]);
  });

  it("takes upstream's config file as upstream's API server does", () => {
    const config = run([], { DB_USER: "results", DB_PASSWORD: "p@ss/w:rd" }, UPSTREAM_CONFIG_FILE);
    expect(config).toMatchObject({
      port: 8080,
      metricsPort: 9090,
      configFile: "/etc/results.env",
      database: {
        kind: "postgres",
        url: "postgres://results:p%40ss%2Fw%3Ard@tekton-results-postgres-service.tekton-pipelines.svc.cluster.local:5432/tekton-results",
      },
      logLevel: "info",
      migrate: true,
      postgres: { poolMax: 10, sslMode: "disable" },
      logs: { enabled: false, type: "File", dir: "/logs", chunkBytes: 32768 },
      auth: { mode: "kubernetes", impersonation: true },
      tls: { certFile: "/etc/tls/tls.crt", keyFile: "/etc/tls/tls.key" },
    });
    // Only what asks for something this server does not do is named.
    expect(config.warnings).toEqual([
      "upstream settings without effect here are ignored: FEATURE_GATES=PartialResponse=true",
    ]);
  });

  it("assembles DB_* into a postgres URL: encoded credentials, socket directories, IPv6", () => {
    expect(run([], { DB_HOST: "db", DB_USER: "u s", DB_PASSWORD: "#%" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u%20s:%23%25@db/postgres",
    });
    expect(run([], { DB_HOST: "/cloudsql/p:r:i", DB_NAME: "r", DB_USER: "u" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u@localhost/r?host=%2Fcloudsql%2Fp%3Ar%3Ai",
    });
    expect(run([], { DB_HOST: "::1", DB_PORT: "5433" }).database).toEqual({
      kind: "postgres",
      url: "postgres://localhost:5433/postgres?host=%3A%3A1",
    });
    expect(() => run([], { DB_USER: "u", DB_PASSWORD: "p" })).toThrow(
      "DB_USER, DB_PASSWORD given without DB_HOST",
    );
    expect(() => run([], { DB_HOST: "db", DB_PORT: "x" })).toThrow("DB_PORT must be a port");
  });

  it("lets DATABASE_URL and --database win over DB_*, warning for DATABASE_URL", () => {
    const env = { DB_HOST: "db", DB_PORT: "5432" };
    const ours = run([], { ...env, DATABASE_URL: "sqlite::memory:" });
    expect(ours.database).toEqual({ kind: "sqlite", filename: ":memory:" });
    expect(ours.warnings).toEqual(["DB_HOST, DB_PORT are ignored: DATABASE_URL is set"]);
    const flag = run(["--database", "sqlite::memory:"], env);
    expect(flag.database).toEqual({ kind: "sqlite", filename: ":memory:" });
    expect(flag.warnings).toBeUndefined();
  });

  it("maps DB_SSLMODE and DB_SSLROOTCERT as upstream's driver does", () => {
    const pg = (env: Record<string, string>) => run([], { DB_HOST: "db", ...env }).postgres;
    expect(pg({ DB_SSLMODE: "verify-full", DB_SSLROOTCERT: "/ca.crt" })).toMatchObject({
      sslMode: "verify-full",
      sslCaFile: "/ca.crt",
    });
    // pgx (as libpq): require with a root certificate verifies the chain.
    expect(pg({ DB_SSLMODE: "require", DB_SSLROOTCERT: "/ca.crt" })).toMatchObject({
      sslMode: "verify-ca",
      sslCaFile: "/ca.crt",
    });
    // Ours keep their meaning: require does not verify.
    expect(pg({ DB_SSLMODE: "require", DB_SSL_CA_FILE: "/ca.crt" })).toMatchObject({
      sslMode: "require",
      sslCaFile: "/ca.crt",
    });
    expect(pg({ DB_SSLMODE: "require" })).toMatchObject({ sslMode: "require" });
    const both = run([], { DB_SSL_CA_FILE: "/ours.crt", DB_SSLROOTCERT: "/theirs.crt" });
    expect(both.postgres.sslCaFile).toBe("/ours.crt");
    expect(both.warnings).toEqual(["DB_SSLROOTCERT is ignored: DB_SSL_CA_FILE is set"]);
    expect(() => pg({ DB_SSLMODE: "prefer" })).toThrow(ConfigError);
  });

  it("maps DB_ENABLE_AUTO_MIGRATION; ours and --migrate-only win", () => {
    expect(run([], { DB_ENABLE_AUTO_MIGRATION: "false" }).migrate).toBe(false);
    expect(run([], { DB_ENABLE_AUTO_MIGRATION: "true" }).migrate).toBe(true);
    const ours = run([], { DB_ENABLE_AUTO_MIGRATION: "true", SKIP_MIGRATIONS: "true" });
    expect(ours.migrate).toBe(false);
    expect(ours.warnings).toEqual(["DB_ENABLE_AUTO_MIGRATION is ignored: SKIP_MIGRATIONS is set"]);
    const job = run(["--migrate-only"], { DB_ENABLE_AUTO_MIGRATION: "false" });
    expect(job).toMatchObject({ migrate: true, migrateOnly: true });
    expect(job.warnings).toEqual(["DB_ENABLE_AUTO_MIGRATION=false is ignored: --migrate-only"]);
    expect(() => run([], { DB_ENABLE_AUTO_MIGRATION: "maybe" })).toThrow(ConfigError);
  });

  it("maps DB_MAX_OPEN_CONNECTIONS to the pool size, its 0 (unlimited) to the default", () => {
    expect(run([], { DB_MAX_OPEN_CONNECTIONS: "25" }).postgres.poolMax).toBe(25);
    const zero = run([], { DB_MAX_OPEN_CONNECTIONS: "0" });
    expect(zero.postgres.poolMax).toBe(10);
    expect(zero.warnings).toEqual([
      "DB_MAX_OPEN_CONNECTIONS=0 (unlimited) is ignored: the pool keeps its default size",
    ]);
    expect(run([], { DB_MAX_OPEN_CONNECTIONS: "25", DB_POOL_MAX: "5" }).postgres.poolMax).toBe(5);
  });

  it("maps SERVER_PORT, PROMETHEUS_PORT and LOG_LEVEL (zap's levels above error as error)", () => {
    const config = run([], { SERVER_PORT: "9443", PROMETHEUS_PORT: "9091", LOG_LEVEL: "fatal" });
    expect(config).toMatchObject({ port: 9443, metricsPort: 9091, logLevel: "error" });
    expect(run([], { LOG_LEVEL: "DPANIC" }).logLevel).toBe("error");
    const ours = run([], { SERVER_PORT: "9443", PORT: "8443", METRICS_PORT: "9092" });
    expect(ours).toMatchObject({ port: 8443, metricsPort: 9092 });
    expect(ours.warnings).toEqual(["SERVER_PORT is ignored: PORT is set"]);
    expect(run(["--port", "1", "--metrics-port", "2"], { SERVER_PORT: "3" })).toMatchObject({
      port: 1,
      metricsPort: 2,
    });
    expect(run([]).metricsPort).toBeUndefined();
    expect(() => run(["--metrics-port", "8080"])).toThrow("metrics-port must differ from port");
    expect(() => run([], { PROMETHEUS_PORT: "x" })).toThrow("metrics-port must be an integer");
  });

  it("maps AUTH_DISABLE: true is none, false is kubernetes; AUTH_MODE and --auth win", () => {
    expect(run([], { AUTH_DISABLE: "true" }).auth).toEqual({ mode: "none" });
    expect(run([], { AUTH_DISABLE: "false", AUTH_IMPERSONATE: "false" }).auth).toMatchObject({
      mode: "kubernetes",
      impersonation: false,
    });
    const ours = run([], { AUTH_DISABLE: "false", AUTH_MODE: "none" });
    expect(ours.auth).toEqual({ mode: "none" });
    expect(ours.warnings).toEqual(["AUTH_DISABLE is ignored: AUTH_MODE is set"]);
    const flag = run(["--auth", "none"], { AUTH_DISABLE: "false" });
    expect(flag.auth).toEqual({ mode: "none" });
    expect(flag.warnings).toBeUndefined();
    expect(() => run([], { AUTH_DISABLE: "nope" })).toThrow(ConfigError);
  });

  it("maps LOGS_API, LOGS_PATH (the directory, or S3's key prefix) and LOGS_TYPE", () => {
    expect(run([], { LOGS_API: "false", LOGS_PATH: "/logs" }).logs).toMatchObject({
      enabled: false,
      dir: "/logs",
    });
    const ours = run([], { LOGS_PATH: "/logs", LOGS_DIR: "/data/logs" });
    expect(ours.logs.dir).toBe("/data/logs");
    expect(ours.warnings).toEqual(["LOGS_PATH is ignored: LOGS_DIR is set"]);
    const s3 = run([], { LOGS_TYPE: "S3", LOGS_PATH: "/logs", ...ENDPOINT, ...KEYS });
    expect(s3.logs.s3).toMatchObject({ keyPrefix: "logs/", bucket: "b", pathStyle: true });
    const root = run([], { LOGS_TYPE: "s3", LOGS_PATH: "/", ...ENDPOINT, ...KEYS });
    expect(root.logs.s3?.keyPrefix).toBe("");
    const prefix = { LOGS_PATH: "/logs", S3_KEY_PREFIX: "tekton/" };
    expect(run([], { LOGS_TYPE: "S3", ...prefix, ...ENDPOINT, ...KEYS }).logs.s3?.keyPrefix).toBe(
      "tekton/",
    );
    for (const type of ["GCS", "blob", "Loki"]) {
      expect(() => run([], { LOGS_TYPE: type })).toThrow(`logs-type ${type} (`);
      expect(() => run([], { LOGS_TYPE: type })).toThrow("a directory (File) or S3-compatible");
    }
    expect(() => run(["--logs-type", "ftp"])).toThrow('logs-type must be File or S3, got "ftp"');
  });

  it("maps upstream's S3 keys; an empty S3_ENDPOINT names AWS's endpoint to set", () => {
    const env = {
      LOGS_TYPE: "S3",
      S3_BUCKET_NAME: "logs",
      S3_ENDPOINT: "https://s3.ap-south-1.amazonaws.com",
      S3_REGION: "ap-south-1",
      S3_MULTI_PART_SIZE: "5242880",
      S3_HOSTNAME_IMMUTABLE: "true",
      ...KEYS,
    };
    expect(run([], env).logs.s3).toEqual({
      endpoint: "https://s3.ap-south-1.amazonaws.com",
      bucket: "logs",
      region: "ap-south-1",
      keyPrefix: "",
      pathStyle: true,
      partSize: 5242880,
      accessKeyId: "AK",
      secretAccessKey: "SK",
    });
    expect(() => run([], { ...env, S3_ENDPOINT: "" })).toThrow(
      "AWS: https://s3.<region>.amazonaws.com",
    );
  });

  it("refuses what it cannot honour: TLS cipher and curve policies, the record converter", () => {
    expect(() => run([], { TLS_CIPHER_SUITES: "TLS_AES_128_GCM_SHA256" })).toThrow(
      "TLS_CIPHER_SUITES is not supported",
    );
    expect(() => run([], { TLS_CURVE_PREFERENCES: "X25519" })).toThrow(
      "TLS_CURVE_PREFERENCES is not supported",
    );
    expect(() => run([], { CONVERTER_ENABLE: "true" })).toThrow(
      "CONVERTER_ENABLE=true is not supported",
    );
    expect(run([], { CONVERTER_ENABLE: "false", TLS_CIPHER_SUITES: "" }).warnings).toBeUndefined();
    expect(() => run([], { TLS_MIN_VERSION: "1.1", TLS_PATH: "/etc/tls" })).toThrow(
      "tls-min-version must be TLSv1.2 or TLSv1.3",
    );
    expect(run([], { TLS_MIN_VERSION: "1.3", TLS_PATH: "/etc/tls" }).tls?.minVersion).toBe(
      "TLSv1.3",
    );
  });

  it("warns in one line about the ignored keys set to other than upstream's default", () => {
    const env = {
      PROFILING: "true",
      GRPC_WORKER_POOL: "8",
      K8S_QPS: "5",
      SQL_LOG_LEVEL: "warn",
      LOGGING_PLUGIN_API_URL: "https://loki",
      PROMETHEUS_HISTOGRAM: "true",
      LOGS_TIMESTAMPS: "true",
      MAX_RETENTION: "30",
    };
    expect(run([], env).warnings).toEqual([
      "upstream settings without effect here are ignored: GRPC_WORKER_POOL=8, PROFILING=true, LOGGING_PLUGIN_API_URL=https://loki",
    ]);
  });
});

describe("the config file", () => {
  it("is below the environment, which is below the flags", () => {
    const file = "PORT=1000\nLOG_LEVEL=debug\nHOST=127.0.0.1\n";
    expect(run([], {}, file)).toMatchObject({ port: 1000, logLevel: "debug", host: "127.0.0.1" });
    expect(run([], { PORT: "2000", LOG_LEVEL: "" }, file)).toMatchObject({
      port: 2000,
      logLevel: "debug",
    });
    expect(run(["--port", "3000"], { PORT: "2000" }, file).port).toBe(3000);
  });

  it("lets our variable win over upstream's wherever each is set", () => {
    const config = run([], { SERVER_PORT: "2000" }, "PORT=1000\n");
    expect(config.port).toBe(1000);
    expect(config.warnings).toEqual(["SERVER_PORT is ignored: PORT is set"]);
    // Upstream's DB_PASSWORD from a Secret in the environment, the rest from the file.
    expect(
      run([], { DB_PASSWORD: "pw" }, "DB_HOST=db\nDB_USER=results\nDB_PASSWORD=\n").database,
    ).toEqual({ kind: "postgres", url: "postgres://results:pw@db/postgres" });
  });

  it("warns about keys that are neither ours nor upstream's, reads ours and AWS's", () => {
    const config = run([], {}, "COLOUR=blue\nMAX_PAGE_BYTES=1000\nAWS_REGION=x\n");
    expect(config.maxPageBytes).toBe(1000);
    expect(config.warnings).toEqual([
      "unknown keys in the config file /etc/results.env are ignored: COLOUR, AWS_REGION",
    ]);
  });

  it("is named by RESULTS_CONFIG too; --config wins", () => {
    const files: Record<string, string> = { "/a": "PORT=1\n", "/b": "PORT=2\n" };
    const parse = (argv: string[], env: Record<string, string>) => {
      const c = parseConfig(argv, env, {
        defaultFile: "/nonexistent",
        readFile: (path) => {
          const text = files[path];
          if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
          return text;
        },
      });
      return c.kind === "run" ? c.config : undefined;
    };
    expect(parse([], { RESULTS_CONFIG: "/a" })).toMatchObject({ port: 1, configFile: "/a" });
    expect(parse(["--config", "/b"], { RESULTS_CONFIG: "/a" })).toMatchObject({ port: 2 });
    expect(parse([], {})?.configFile).toBeUndefined();
  });

  it("is a usage error when malformed, naming file:line", () => {
    expect(() => run([], {}, "PORT=1\n\noops\n")).toThrow(
      "/etc/results.env:3: not a KEY=VALUE line",
    );
  });

  it("is read for --help only when running", () => {
    const c = parseConfig(["--help", "--config", "/nonexistent"], {});
    expect(c.kind).toBe("help");
  });
});

describe("--help", () => {
  it("names every variable the server reads and the precedence", () => {
    for (const text of [
      "--config <file>",
      "RESULTS_CONFIG",
      "/etc/tekton/results/config",
      "--metrics-port <n>",
      "PROMETHEUS_PORT",
      "SERVER_PORT",
      "DB_HOST",
      "DB_ENABLE_AUTO_MIGRATION",
      "DB_SSLROOTCERT",
      "AUTH_DISABLE",
      "LOGS_PATH",
      "DB_MAX_OPEN_CONNECTIONS",
    ]) {
      expect(USAGE, text).toContain(text);
    }
  });
});
