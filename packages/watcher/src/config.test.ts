import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, USAGE, type WatcherConfig } from "./config.js";

const run = (argv: string[], env: Record<string, string> = {}): WatcherConfig => {
  const command = parseConfig(argv, env, { hostname: "host", pid: 42 });
  if (command.kind !== "run") throw new Error(`expected run, got ${command.kind}`);
  return command.config;
};

describe("parseConfig", () => {
  it("has the documented defaults", () => {
    const config = run(["--api-url", "http://127.0.0.1:8080/"]);
    expect(config).toEqual({
      apiUrl: "http://127.0.0.1:8080",
      managedBy: [],
      summaryLabels: ["tekton.dev/pipeline"],
      workers: 4,
      qps: 50,
      burst: 100,
      storeDeadlineMs: 600_000,
      completedRunGracePeriodMs: 0,
      writeBack: true,
      logs: false,
      leaderElect: true,
      leaseName: "tekton-results-watcher",
      leaseNamespace: "default",
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      identity: "host_42",
      metricsAddr: ":9090",
      logLevel: "info",
      shutdownTimeoutMs: 30_000,
    });
  });
  it("reads every flag", () => {
    const config = run([
      "--api-url=https://results:8443",
      "--api-token-file=/var/run/token",
      "--kubeconfig=/k",
      "--namespace=ci",
      "--label-selector=app=x",
      "--managed-by=a/b, c/d",
      "--summary-labels=x,y",
      "--workers=8",
      "--qps=2.5",
      "--burst=5",
      "--store-deadline=1h",
      "--completed-run-grace-period=-1s",
      "--disable-annotation-update",
      "--logs",
      "--leader-elect=false",
      "--lease-name=l",
      "--lease-namespace=ln",
      "--lease-duration=30s",
      "--renew-deadline=20s",
      "--retry-period=5s",
      "--identity=me",
      "--metrics-addr=127.0.0.1:0",
      "--shutdown-timeout=5s",
      "--log-level=debug",
    ]);
    expect(config).toMatchObject({
      apiUrl: "https://results:8443",
      apiTokenFile: "/var/run/token",
      kubeconfig: "/k",
      namespace: "ci",
      labelSelector: "app=x",
      managedBy: ["a/b", "c/d"],
      summaryLabels: ["x", "y"],
      workers: 8,
      qps: 2.5,
      burst: 5,
      storeDeadlineMs: 3_600_000,
      completedRunGracePeriodMs: -1000,
      writeBack: false,
      logs: true,
      leaderElect: false,
      leaseName: "l",
      leaseNamespace: "ln",
      leaseDurationMs: 30_000,
      renewDeadlineMs: 20_000,
      retryPeriodMs: 5_000,
      identity: "me",
      metricsAddr: "127.0.0.1:0",
      shutdownTimeoutMs: 5_000,
      logLevel: "debug",
    });
  });
  it("reads environment variables; flags win", () => {
    const env = {
      RESULTS_API_URL: "http://env:1",
      WATCHER_NAMESPACE: "envns",
      WATCHER_WORKERS: "2",
      WATCHER_LOGS: "true",
      WATCHER_COMPLETED_RUN_GRACE_PERIOD: "10m",
      WATCHER_METRICS_ADDR: "",
    };
    const config = run(["--workers", "3"], env);
    expect(config.apiUrl).toBe("http://env:1");
    expect(config.namespace).toBe("envns");
    expect(config.leaseNamespace).toBe("envns");
    expect(config.workers).toBe(3);
    expect(config.logs).toBe(true);
    expect(config.completedRunGracePeriodMs).toBe(600_000);
    expect(config.metricsAddr).toBe("");
  });
  it("takes a negative duration as the next argument", () => {
    expect(
      run(["--api-url", "http://x", "--completed-run-grace-period", "-1s"])
        .completedRunGracePeriodMs,
    ).toBe(-1000);
  });
  it("answers --help and --version", () => {
    expect(parseConfig(["--help"], {})).toEqual({ kind: "help" });
    expect(parseConfig(["--version"], {})).toEqual({ kind: "version" });
    expect(USAGE).toContain("--completed-run-grace-period");
  });
  it.each([
    [[], /--api-url .* is required/],
    [["--api-url", "ftp://x"], /http or https/],
    [["--api-url", "not a url"], /must be a URL/],
    [["--api-url", "http://x", "--workers", "0"], /--workers must be between 1/],
    [["--api-url", "http://x", "--workers", "two"], /--workers must be a whole number/],
    [["--api-url", "http://x", "--store-deadline", "10"], /--store-deadline must be a duration/],
    [["--api-url", "http://x", "--store-deadline", "-1m"], /must not be negative/],
    [["--api-url", "http://x", "--log-level", "loud"], /--log-level must be one of/],
    [["--api-url", "http://x", "--leader-elect=maybe"], /true or false/],
    [
      ["--api-url", "http://x", "--lease-duration", "5s"],
      /--lease-duration must be greater than --renew-deadline/,
    ],
    [["--api-url", "http://x", "--metrics-addr", "nope"], /--metrics-addr/],
    [["--api-url", "http://x", "--frobnicate"], /Unknown option/],
    [["--api-url", "http://x", "positional"], /positional/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseConfig(argv as string[], {})).toThrow(ConfigError);
    expect(() => parseConfig(argv as string[], {})).toThrow(message);
  });
});
