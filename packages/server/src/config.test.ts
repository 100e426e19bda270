import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_DATABASE, parseConfig, parseDatabaseUrl, USAGE } from "./config.js";

function run(argv: string[], env: Record<string, string> = {}) {
  const c = parseConfig(argv, env);
  if (c.kind !== "run") throw new Error(`expected run, got ${c.kind}`);
  return c.config;
}

describe("parseConfig", () => {
  it("has defaults", () => {
    expect(run([])).toEqual({
      port: 8080,
      host: "0.0.0.0",
      database: { kind: "sqlite", filename: DEFAULT_DATABASE },
      logLevel: "info",
      requestLogLevel: "debug",
      maxBodyBytes: 16 * 1024 * 1024,
      maxPageBytes: 16 * 1024 * 1024,
      shutdownTimeoutMs: 10_000,
      idleTimeoutMs: 120_000,
      handshakeTimeoutMs: 10_000,
      http1KeepAliveTimeoutMs: 5_000,
      maxConnectionAgeMs: 0,
      maxConnectionAgeGraceMs: 60_000,
      shutdownDelayMs: 0,
      corsOrigins: [],
      ui: true,
      migrate: true,
      migrateOnly: false,
      postgres: { poolMax: 10, statementTimeoutMs: 30_000, schema: "public", connectRetries: 30 },
      sqlite: { statementTimeoutMs: 5000 },
      logs: {
        enabled: true,
        type: "File",
        dir: "./data/logs",
        fsync: false,
        chunkBytes: 32 * 1024,
        maxBytes: 256 * 1024 * 1024,
      },
      auth: { mode: "none" },
      limits: {
        maxFilterLength: 16_384,
        maxFilterDepth: 100,
        maxRecordBytes: 16 * 1024 * 1024,
        maxAnnotationsBytes: 256 * 1024,
        maxConcurrentStreams: 100,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 60_000,
      },
    });
  });

  it("reads the authorization settings from flags and variables", () => {
    expect(run(["--auth", "kubernetes"]).auth).toEqual({
      mode: "kubernetes",
      cacheTtlMs: 10_000,
      audiences: [],
      impersonation: true,
    });
    expect(
      run([
        "--auth",
        "Kubernetes",
        "--kubeconfig",
        "/etc/kube/config",
        "--auth-cache-ttl-ms",
        "0",
        "--auth-audiences",
        "results, api",
        "--auth-impersonation",
        "false",
      ]).auth,
    ).toEqual({
      mode: "kubernetes",
      kubeconfig: "/etc/kube/config",
      cacheTtlMs: 0,
      audiences: ["results", "api"],
      impersonation: false,
    });
    expect(
      run([], {
        AUTH_MODE: "kubernetes",
        AUTH_CACHE_TTL_MS: "500",
        AUTH_AUDIENCES: "x",
        AUTH_IMPERSONATE: "no",
      }).auth,
    ).toEqual({ mode: "kubernetes", cacheTtlMs: 500, audiences: ["x"], impersonation: false });
    // KUBECONFIG alone does not turn authorization on.
    expect(run([], { KUBECONFIG: "/x" }).auth).toEqual({ mode: "none" });
    for (const argv of [
      ["--auth", "oidc"],
      ["--kubeconfig", "/x"],
      ["--auth-cache-ttl-ms", "5"],
      ["--auth", "kubernetes", "--auth-cache-ttl-ms", "-1"],
      ["--auth", "kubernetes", "--auth-impersonation", "maybe"],
      ["--auth", "kubernetes", "--kubeconfig", ""],
    ]) {
      expect(() => parseConfig(argv, {}), argv.join(" ")).toThrow(ConfigError);
    }
  });

  it("reads the Logs API settings from flags and variables", () => {
    expect(
      run(["--logs-dir", "/var/logs", "--logs-fsync", "--logs-chunk-bytes", "1024"]).logs,
    ).toEqual({
      enabled: true,
      type: "File",
      dir: "/var/logs",
      fsync: true,
      chunkBytes: 1024,
      maxBytes: 256 * 1024 * 1024,
    });
    expect(
      run([], { LOGS_API: "false", LOGS_DIR: "/l", LOGS_FSYNC: "true", LOGS_BUFFER_SIZE: "64" })
        .logs,
    ).toEqual({
      enabled: false,
      type: "File",
      dir: "/l",
      fsync: true,
      chunkBytes: 64,
      maxBytes: 256 * 1024 * 1024,
    });
    expect(run(["--no-logs"]).logs.enabled).toBe(false);
    expect(run(["--logs", "true"], { LOGS_API: "false" }).logs.enabled).toBe(true);
    expect(() => run(["--logs", "maybe"])).toThrow(ConfigError);
    expect(() => run(["--logs", "true", "--no-logs"])).toThrow(ConfigError);
    expect(() => run(["--logs-chunk-bytes", "0"])).toThrow(ConfigError);
    expect(() => run(["--logs-chunk-bytes", String(8 * 1024 * 1024)])).toThrow(ConfigError);
    expect(USAGE).toContain("--logs-dir");
  });

  it("reads the UpdateLog size limit and the connection timeouts (0 = no limit, never)", () => {
    expect(run(["--max-log-bytes", "1024"]).logs.maxBytes).toBe(1024);
    expect(run([], { MAX_LOG_BYTES: "0" }).logs.maxBytes).toBe(0);
    expect(run(["--idle-timeout-ms", "0"]).idleTimeoutMs).toBe(0);
    expect(run([], { IDLE_TIMEOUT_MS: "5000" }).idleTimeoutMs).toBe(5000);
    expect(run(["--handshake-timeout-ms", "250"]).handshakeTimeoutMs).toBe(250);
    expect(run([], { HANDSHAKE_TIMEOUT_MS: "3000" }).handshakeTimeoutMs).toBe(3000);
    for (const argv of [
      ["--max-log-bytes", "-1"],
      ["--max-log-bytes", "1e6"],
      ["--idle-timeout-ms", "x"],
      ["--handshake-timeout-ms", "0"],
    ]) {
      expect(() => parseConfig(argv, {}), argv.join(" ")).toThrow(ConfigError);
    }
    expect(USAGE).toContain("--max-log-bytes");
    expect(USAGE).toContain("--idle-timeout-ms");
  });

  it("reads the connection age, its grace, the HTTP/1.1 keep-alive and the shutdown delay", () => {
    expect(run(["--max-connection-age-ms", "600000"]).maxConnectionAgeMs).toBe(600_000);
    expect(run([], { MAX_CONNECTION_AGE_MS: "300000" }).maxConnectionAgeMs).toBe(300_000);
    expect(run(["--max-connection-age-grace-ms", "0"]).maxConnectionAgeGraceMs).toBe(0);
    expect(run([], { MAX_CONNECTION_AGE_GRACE_MS: "5000" }).maxConnectionAgeGraceMs).toBe(5000);
    expect(run(["--http1-keep-alive-timeout-ms", "65000"]).http1KeepAliveTimeoutMs).toBe(65_000);
    expect(run([], { HTTP1_KEEP_ALIVE_TIMEOUT_MS: "0" }).http1KeepAliveTimeoutMs).toBe(0);
    expect(run(["--shutdown-delay-ms", "5000"]).shutdownDelayMs).toBe(5000);
    expect(run([], { SHUTDOWN_DELAY_MS: "10000" }).shutdownDelayMs).toBe(10_000);
    expect(run(["--shutdown-delay-ms", "1"], { SHUTDOWN_DELAY_MS: "10000" }).shutdownDelayMs).toBe(
      1,
    );
    for (const argv of [
      ["--max-connection-age-ms", "-1"],
      ["--max-connection-age-ms", "1.5"],
      ["--max-connection-age-grace-ms", "x"],
      ["--http1-keep-alive-timeout-ms", String(2 ** 31)],
      ["--shutdown-delay-ms", "3600001"],
    ]) {
      expect(() => parseConfig(argv, {}), argv.join(" ")).toThrow(ConfigError);
    }
    for (const flag of [
      "--max-connection-age-ms",
      "--max-connection-age-grace-ms",
      "--http1-keep-alive-timeout-ms",
      "--shutdown-delay-ms",
    ]) {
      expect(USAGE).toContain(flag);
    }
  });

  it("reads the S3 log store settings, with credentials from the environment only", () => {
    const env = { S3_ACCESS_KEY_ID: "AK", S3_SECRET_ACCESS_KEY: "SK", S3_REGION: "eu-west-3" };
    expect(
      run(["--logs-type", "s3", "--s3-endpoint", "http://minio:9000", "--s3-bucket", "logs"], env)
        .logs,
    ).toMatchObject({
      type: "S3",
      s3: {
        endpoint: "http://minio:9000",
        bucket: "logs",
        region: "eu-west-3",
        keyPrefix: "",
        pathStyle: true,
        partSize: 8 * 1024 * 1024,
        accessKeyId: "AK",
        secretAccessKey: "SK",
      },
    });
    const hosted = run(
      [
        "--s3-virtual-hosted",
        "--s3-key-prefix",
        "tekton/",
        "--s3-part-size",
        String(6 * 1024 * 1024),
      ],
      { ...env, LOGS_TYPE: "S3", S3_ENDPOINT: "https://s3.example.com", S3_BUCKET_NAME: "b" },
    ).logs.s3;
    expect(hosted).toMatchObject({
      pathStyle: false,
      keyPrefix: "tekton/",
      partSize: 6 * 1024 * 1024,
    });
    expect(() => run(["--logs-type", "S3", "--s3-bucket", "b"], env)).toThrow("--s3-endpoint");
    expect(() => run(["--logs-type", "S3", "--s3-endpoint", "http://x"], env)).toThrow(
      "--s3-bucket",
    );
    expect(() =>
      run(["--logs-type", "S3", "--s3-endpoint", "http://x", "--s3-bucket", "b"], {}),
    ).toThrow("S3_ACCESS_KEY_ID");
    expect(() => run(["--logs-type", "gcs"])).toThrow(ConfigError);
    expect(() =>
      run(
        [
          "--logs-type",
          "S3",
          "--s3-endpoint",
          "http://x",
          "--s3-bucket",
          "b",
          "--s3-part-size",
          "1",
        ],
        env,
      ),
    ).toThrow(ConfigError);
  });

  it("reads the PostgreSQL and migration settings", () => {
    const c = run(
      [
        "--db-pool-max",
        "3",
        "--db-sslmode",
        "verify-full",
        "--db-ssl-ca-file",
        "/ca.pem",
        "--skip-migrations",
      ],
      { DB_STATEMENT_TIMEOUT_MS: "500", DB_SCHEMA: "results", DB_CONNECT_RETRIES: "0" },
    );
    expect(c.migrate).toBe(false);
    expect(c.postgres).toEqual({
      poolMax: 3,
      statementTimeoutMs: 500,
      schema: "results",
      connectRetries: 0,
      sslMode: "verify-full",
      sslCaFile: "/ca.pem",
    });
    expect(run([], { SKIP_MIGRATIONS: "true" }).migrate).toBe(false);
    expect(run(["--max-page-bytes", "0"]).maxPageBytes).toBe(0);
    expect(run([], { MAX_PAGE_BYTES: "1048576" }).maxPageBytes).toBe(1048576);
    expect(() => run(["--max-page-bytes", "-1"])).toThrow("max-page-bytes");
    expect(run(["--sqlite-statement-timeout-ms", "250"]).sqlite).toEqual({
      statementTimeoutMs: 250,
    });
    expect(run([], { SQLITE_STATEMENT_TIMEOUT_MS: "0" }).sqlite).toEqual({ statementTimeoutMs: 0 });
    expect(() => run(["--sqlite-statement-timeout-ms", "-1"])).toThrow(
      "sqlite-statement-timeout-ms",
    );
    expect(() => run(["--db-sslmode", "maybe"])).toThrow("db-sslmode must be one of");
    expect(() => run(["--db-schema", "a;drop"])).toThrow("plain SQL identifier");
    expect(() => run(["--skip-migrations", "--migrate-only"])).toThrow("contradict");
    expect(() => run([], { SKIP_MIGRATIONS: "perhaps" })).toThrow("true or false");
  });

  it("reads CORS origins from the flag or CORS_ORIGINS", () => {
    expect(
      run(["--cors-origins", "https://a.example.com, http://localhost:3000/"]).corsOrigins,
    ).toEqual(["https://a.example.com", "http://localhost:3000"]);
    expect(run([], { CORS_ORIGINS: "*" }).corsOrigins).toEqual(["*"]);
    expect(() => run(["--cors-origins", "a.example.com"])).toThrow(ConfigError);
    expect(() => run(["--cors-origins", "https://a.example.com/path"])).toThrow("is not an origin");
  });

  it("reads the environment, and flags win over it", () => {
    const env = {
      PORT: "9000",
      HOST: "127.0.0.1",
      DATABASE_URL: "sqlite:/tmp/x.db",
      LOG_LEVEL: "DEBUG",
      MAX_BODY_BYTES: "1024",
    };
    expect(run([], env)).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      database: { kind: "sqlite", filename: "/tmp/x.db" },
      logLevel: "debug",
      maxBodyBytes: 1024,
    });
    expect(
      run(
        ["--port", "9001", "--log-level=warn", "--database", "y.db", "--max-body-bytes", "10"],
        env,
      ),
    ).toMatchObject({
      port: 9001,
      logLevel: "warn",
      database: { kind: "sqlite", filename: "y.db" },
      maxBodyBytes: 10,
    });
  });

  it("reads the request log level from --request-log-level or REQUEST_LOG_LEVEL", () => {
    expect(run(["--request-log-level", "INFO"]).requestLogLevel).toBe("info");
    expect(run([], { REQUEST_LOG_LEVEL: "off" }).requestLogLevel).toBe("off");
    expect(run(["--request-log-level=debug"], { REQUEST_LOG_LEVEL: "off" }).requestLogLevel).toBe(
      "debug",
    );
    expect(() => run(["--request-log-level", "warn"])).toThrow(/off, debug, info/);
    expect(USAGE).toContain("--request-log-level");
  });

  it("answers help and version", () => {
    expect(parseConfig(["--help"], {})).toEqual({ kind: "help" });
    expect(parseConfig(["--version"], {})).toEqual({ kind: "version" });
    expect(USAGE).toContain("--max-body-bytes");
  });

  it("rejects unknown flags, positionals and bad values", () => {
    for (const argv of [
      ["--nope"],
      ["extra"],
      ["--port", "http"],
      ["--port", "70000"],
      ["--port"],
      ["--log-level", "loud"],
      ["--max-body-bytes", "0"],
      ["--max-body-bytes", "1.5"],
      ["--database", "mysql://x"],
    ]) {
      expect(() => parseConfig(argv, {}), argv.join(" ")).toThrow(ConfigError);
    }
  });
});

describe("parseDatabaseUrl", () => {
  it("reads SQLite paths and URLs, and PostgreSQL URLs", () => {
    expect(parseDatabaseUrl("./data/r.db")).toEqual({ kind: "sqlite", filename: "./data/r.db" });
    expect(parseDatabaseUrl("sqlite:./r.db")).toEqual({ kind: "sqlite", filename: "./r.db" });
    expect(parseDatabaseUrl("sqlite:///var/lib/r.db")).toEqual({
      kind: "sqlite",
      filename: "/var/lib/r.db",
    });
    expect(parseDatabaseUrl("sqlite::memory:")).toEqual({ kind: "sqlite", filename: ":memory:" });
    expect(parseDatabaseUrl("postgres://u@h/db")).toEqual({
      kind: "postgres",
      url: "postgres://u@h/db",
    });
    expect(parseDatabaseUrl("postgresql://u@h/db").kind).toBe("postgres");
    expect(() => parseDatabaseUrl("sqlite:")).toThrow(ConfigError);
    expect(() => parseDatabaseUrl(" ")).toThrow(ConfigError);
  });
});

describe("parseConfig: TLS", () => {
  it("serves cleartext unless given a certificate", () => {
    expect(run([]).tls).toBeUndefined();
    expect(run([], { TLS_MIN_VERSION: "TLSv1.3" }).tls).toBeUndefined();
    expect(() => run(["--tls-min-version", "TLSv1.3"])).toThrow(/needs --tls-cert-file/);
  });

  it("takes the files from flags, variables, or upstream's TLS_PATH", () => {
    const files = { certFile: "/c/tls.crt", keyFile: "/c/tls.key" };
    expect(run(["--tls-cert-file", "/c/tls.crt", "--tls-key-file", "/c/tls.key"]).tls).toEqual({
      ...files,
      minVersion: "TLSv1.2",
    });
    expect(run([], { TLS_CERT_FILE: "/c/tls.crt", TLS_KEY_FILE: "/c/tls.key" }).tls).toEqual({
      ...files,
      minVersion: "TLSv1.2",
    });
    expect(run([], { TLS_PATH: "/c", TLS_MIN_VERSION: "1.3" }).tls).toEqual({
      ...files,
      minVersion: "TLSv1.3",
    });
    // The files' own settings win over TLS_PATH.
    expect(
      run(["--tls-cert-file", "/x.pem", "--tls-key-file", "/x.key"], { TLS_PATH: "/c" }).tls,
    ).toMatchObject({ certFile: "/x.pem", keyFile: "/x.key" });
    expect(run(["--tls-min-version", "tlsv1.3"], { TLS_PATH: "/c" }).tls?.minVersion).toBe(
      "TLSv1.3",
    );
  });

  it("refuses half a pair and unknown versions", () => {
    expect(() => run(["--tls-cert-file", "/c/tls.crt"])).toThrow(/go together/);
    expect(() => run([], { TLS_KEY_FILE: "/c/tls.key" })).toThrow(/go together/);
    expect(() => run(["--tls-min-version", "TLSv1.1"], { TLS_PATH: "/c" })).toThrow(ConfigError);
    expect(USAGE).toContain("--tls-cert-file");
    expect(USAGE).toContain("TLS_PATH");
  });

  it("takes a client CA (mutual TLS), required by default, from a flag or a variable", () => {
    const pair = ["--tls-cert-file", "/c/tls.crt", "--tls-key-file", "/c/tls.key"];
    expect(run([...pair, "--tls-client-ca", "/c/ca.crt"]).tls).toMatchObject({
      clientCaFile: "/c/ca.crt",
      clientAuth: "require",
    });
    expect(run(pair, { TLS_CLIENT_CA: "/c/ca.crt", TLS_CLIENT_AUTH: "Request" }).tls).toMatchObject(
      { clientCaFile: "/c/ca.crt", clientAuth: "request" },
    );
    expect(run(pair).tls).not.toHaveProperty("clientCaFile");
    expect(() => run([...pair, "--tls-client-auth", "require"])).toThrow(
      "--tls-client-auth needs --tls-client-ca",
    );
    expect(() =>
      run([...pair, "--tls-client-ca", "/c/ca.crt", "--tls-client-auth", "verify"]),
    ).toThrow('tls-client-auth must be request or require, got "verify"');
    expect(() => run(["--tls-client-ca", "/c/ca.crt"])).toThrow(
      "--tls-client-ca needs --tls-cert-file and --tls-key-file",
    );
    expect(USAGE).toContain("--tls-client-ca");
    expect(USAGE).toContain("TLS_CLIENT_AUTH");
  });
});
