import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { capture } from "./log-capture-fixtures.js";
import { main, type MainOptions } from "./main.js";
import { UPSTREAM_CONFIG_FILE } from "./upstream-config-fixtures.js";

/** Run `main` until both its API and metrics listeners are up (or it exits); stop() ends it. */
async function start(argv: string[], env: Record<string, string>, options: MainOptions = {}) {
  let stop!: () => void;
  let api = "";
  let metrics = "";
  let exited: number | undefined;
  const done = main(argv, env, {
    defaultConfigFile: "/nonexistent/config",
    stop: new Promise<void>((r) => (stop = r)),
    onListening: (a) => (api = a.url),
    onMetricsListening: (a) => (metrics = a.url),
    ...options,
  }).then((code) => (exited = code));
  while (exited === undefined && (api === "" || (argv.includes("--metrics-port") && !metrics))) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return { api, metrics, done, stop };
}

async function rpc(api: string): Promise<void> {
  const created = await fetch(`${api}/apis/results.tekton.dev/v1alpha2/parents/ns/results`, {
    method: "POST",
    body: JSON.stringify({ name: "ns/results/a" }),
  });
  expect(created.status).toBe(200);
}

/** A server on free ports of 127.0.0.1 over an in-memory database, its metrics on their own port. */
const LOCAL_WITH_METRICS_PORT = [
  "--port",
  "0",
  "--metrics-port",
  "0",
  "--host",
  "127.0.0.1",
  "--database",
  "sqlite::memory:",
];

describe("main: --metrics-port", () => {
  it("serves /metrics on its own port and not on the API port", async () => {
    const { lines, logger } = capture();
    const run = await start(LOCAL_WITH_METRICS_PORT, {}, { logger });
    expect(run.metrics).not.toBe(run.api);
    await rpc(run.api);
    const scraped = await fetch(`${run.metrics}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toContain("text/plain");
    expect(await scraped.text()).toMatch(
      /tekton_results_rpc_requests_total\{service="tekton.results.v1alpha2.Results",method="CreateResult",code="ok"\} 1/,
    );
    expect((await fetch(`${run.api}/metrics`)).status).toBe(404);
    expect((await fetch(`${run.api}/readyz`)).status).toBe(200);
    expect(lines.find((l) => l.msg === "serving metrics")?.obj).toMatchObject({
      address: `${run.metrics}/metrics`,
    });
    run.stop();
    expect(await run.done).toBe(0);
    await expect(fetch(`${run.metrics}/metrics`)).rejects.toThrow();
  });

  it("serves /metrics on the API port by default", async () => {
    const { logger } = capture();
    const run = await start(
      ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:"],
      {},
      { logger },
    );
    await rpc(run.api);
    expect(await (await fetch(`${run.api}/metrics`)).text()).toContain(
      "tekton_results_rpc_requests_total",
    );
    run.stop();
    expect(await run.done).toBe(0);
  });

  it("exits 1 when the metrics port is taken", async () => {
    const first = await start(LOCAL_WITH_METRICS_PORT, {}, { logger: capture().logger });
    const { lines, logger } = capture();
    const port = new URL(first.metrics).port;
    const args = ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:"];
    expect(
      await main([...args, "--metrics-port", port], {}, { logger, stop: new Promise(() => {}) }),
    ).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "cannot listen for metrics" }),
    );
    first.stop();
    expect(await first.done).toBe(0);
  });
});

describe("main: upstream's configuration", () => {
  const dir = mkdtempSync(join(tmpdir(), "results-main-config-"));

  it("runs from a config file in upstream's format and upstream's variables", async () => {
    const file = join(dir, "config");
    writeFileSync(
      file,
      [
        "# upstream's keys, as a ConfigMap mounted at /etc/tekton/results/config holds them",
        "SERVER_PORT=0",
        "PROMETHEUS_PORT=0",
        "PROFILING=false",
        "FEATURE_GATES=",
        "AUTH_DISABLE=true",
        "LOGS_API=true",
        "LOGS_TYPE=File",
        `LOGS_PATH="${join(dir, "logs")}"`,
        "LOG_LEVEL=info",
        "GRPC_WORKER_POOL=4",
        "",
      ].join("\n"),
    );
    const { lines, logger } = capture();
    // Upstream's variables in the environment win over the file's.
    const env = {
      LOG_LEVEL: "debug",
      HOST: "127.0.0.1",
      DATABASE_URL: "sqlite::memory:",
      DB_ENABLE_AUTO_MIGRATION: "true",
    };
    const run = await start(["--config", file, "--metrics-port", "0"], env, { logger });
    expect(run.api).not.toBe("");
    await rpc(run.api);
    expect((await fetch(`${run.metrics}/metrics`)).status).toBe(200);
    const stream = await fetch(
      `${run.api}/apis/results.tekton.dev/v1alpha2/parents/ns/results/a/logs/-`,
    );
    expect(stream.status).not.toBe(501); // the Logs API is served (LOGS_API=true)
    run.stop();
    expect(await run.done).toBe(0);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "info", msg: "read the config file", obj: { file } }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "upstream settings without effect here are ignored: GRPC_WORKER_POOL=4",
      }),
    );
    expect(lines.find((l) => l.msg === "listening")?.obj).toMatchObject({
      database: "sqlite::memory:",
      logs: expect.stringContaining(join(dir, "logs")),
    });
  });

  it("opens PostgreSQL with the URL assembled from upstream's DB_* and its settings", async () => {
    const file = join(dir, "upstream-config");
    // Upstream's shipped file; its TLS_PATH (a mounted Secret) emptied: no certificate here.
    writeFileSync(file, UPSTREAM_CONFIG_FILE.replace("TLS_PATH=/etc/tls", "TLS_PATH="));
    const { lines, logger } = capture();
    const env = { DB_USER: "results", DB_PASSWORD: "s3cret/@", DB_SSLMODE: "verify-full" };
    let opened: Record<string, unknown> | undefined;
    // The adapter main imports, standing in for @tekton-results/storage-pg: it records its options.
    const importAdapter = () =>
      Promise.resolve({
        createPgStore: (options: Record<string, unknown>) => {
          opened = options;
          return Promise.reject(new Error("no database here"));
        },
      });
    const code = await main([], env, {
      logger,
      defaultConfigFile: file,
      importAdapter,
      stop: new Promise(() => {}),
    });
    expect(code).toBe(1);
    expect(opened).toMatchObject({
      connectionString:
        "postgres://results:s3cret%2F%40@tekton-results-postgres-service.tekton-pipelines.svc.cluster.local:5432/tekton-results",
      migrate: true,
      poolMax: 10,
      ssl: { mode: "verify-full" },
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "cannot open the store" }),
    );
    expect(JSON.stringify(lines)).not.toContain("s3cret");
  });

  it("exits 2 naming file:line for a malformed config file, and for an unreadable one", async () => {
    const file = join(dir, "bad");
    writeFileSync(file, "SERVER_PORT=8080\nDB_HOST\n");
    let err = "";
    expect(await main(["--config", file], {}, { stderr: (t) => (err += t) })).toBe(2);
    expect(err).toContain(`${file}:2: not a KEY=VALUE line`);
    err = "";
    const absent = join(dir, "absent");
    expect(await main([], { RESULTS_CONFIG: absent }, { stderr: (t) => (err += t) })).toBe(2);
    expect(err).toContain(`cannot read the config file ${absent}`);
  });
});
