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
      deleteResultsOnNamespaceDeletion: false,
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
  it("--delete-results-on-namespace-deletion: off by default, on by the flag or its variable", () => {
    const url = ["--api-url", "http://x"];
    expect(run(url).deleteResultsOnNamespaceDeletion).toBe(false);
    expect(
      run([...url, "--delete-results-on-namespace-deletion"]).deleteResultsOnNamespaceDeletion,
    ).toBe(true);
    expect(
      run(url, { WATCHER_DELETE_RESULTS_ON_NAMESPACE_DELETION: "true" })
        .deleteResultsOnNamespaceDeletion,
    ).toBe(true);
    expect(
      run([...url, "--delete-results-on-namespace-deletion=false"], {
        WATCHER_DELETE_RESULTS_ON_NAMESPACE_DELETION: "true",
      }).deleteResultsOnNamespaceDeletion,
    ).toBe(false);
    expect(USAGE).toContain("WATCHER_DELETE_RESULTS_ON_NAMESPACE_DELETION");
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

describe("upstream's flags", () => {
  it("accepts upstream's flag names with their upstream meanings", () => {
    const config = run([
      "-api_addr",
      "results.tekton-pipelines:8080",
      "-label_selector=app=x,tier in (a,b)",
      "-threadiness",
      "3",
      "-completed_run_grace_period=-1s",
      "-disable_crd_update",
      "-logs_api",
      "-store_deadline",
      "5m",
      "-namespace",
      "ci",
      "-summary_labels",
      "a,b",
      "-managed_by_values=x/y",
      "-disable-ha",
      "-kubeconfig",
      "/k",
      "-check_owner",
    ]);
    expect(config).toMatchObject({
      apiUrl: "https://results.tekton-pipelines:8080",
      deletionLabelSelector: "app=x,tier in (a,b)",
      // upstream's threadiness is per controller, and it runs three (PipelineRun, TaskRun, CustomRun)
      workers: 9,
      completedRunGracePeriodMs: -1000,
      writeBack: false,
      logs: true,
      storeDeadlineMs: 300_000,
      namespace: "ci",
      summaryLabels: ["a", "b"],
      managedBy: ["x/y"],
      leaderElect: false,
      kubeconfig: "/k",
    });
    // upstream's -label_selector restricts only what is deleted, not what is stored
    expect(config.labelSelector).toBeUndefined();
  });
  it("takes Go's forms: a double dash, =value, and bool=false", () => {
    const config = run([
      "--api_addr=results:8080",
      "--label_selector",
      "app=x",
      "-logs_api=false",
      "-disable_crd_update=false",
      "-check_owner=true",
      "-store_event=false",
      "-disable_storing_incomplete_runs=false",
    ]);
    expect(config).toMatchObject({
      apiUrl: "https://results:8080",
      deletionLabelSelector: "app=x",
      logs: false,
      writeBack: true,
    });
  });
  it("maps -auth_mode: insecure is h2c, token is the pod's service-account token", () => {
    expect(run(["-api_addr=r:8080", "-auth_mode=insecure"]).apiUrl).toBe("http://r:8080");
    const token = run(["-auth_mode", "token", "-api_addr", "r:8080"]);
    expect(token.apiUrl).toBe("https://r:8080");
    expect(token.apiTokenFile).toBe("/var/run/secrets/kubernetes.io/serviceaccount/token");
  });
  it("--deletion-label-selector is the same setting, and -label_selector does not restrict what is stored", () => {
    const both = run([
      "--api-url=http://x",
      "--label-selector=team=a",
      "--deletion-label-selector=keep!=true",
    ]);
    expect(both.labelSelector).toBe("team=a");
    expect(both.deletionLabelSelector).toBe("keep!=true");
    expect(
      run(["--api-url=http://x"], { WATCHER_DELETION_LABEL_SELECTOR: "a=b" }).deletionLabelSelector,
    ).toBe("a=b");
  });
  it.each([
    [["-qps", "5"], /-qps limited upstream's Kubernetes client.*--qps/],
    [["-burst=10"], /-burst limited upstream's Kubernetes client.*--burst/],
    [["-token", "abc"], /--api-token-file/],
    [["-auth_mode=google"], /-auth_mode=google is not supported.*--api-token-file/],
    [["-forward_buffer=1m"], /-forward_buffer.*streams/],
    [["-update_log_timeout=1m"], /-update_log_timeout/],
    [["-dynamic_reconcile_timeout=1m"], /-dynamic_reconcile_timeout/],
    [["-requeue_interval=1m"], /-requeue_interval/],
    [["-summary_annotations=a"], /-summary_annotations.*resultAnnotations/],
    [["-store_event"], /-store_event/],
    [["-disable_storing_incomplete_runs"], /-disable_storing_incomplete_runs/],
    [["-check_owner=false"], /-check_owner=false.*owner/],
    [["-logs_timestamps"], /-logs_timestamps/],
    [["-label_selector=a b c"], /-label_selector/],
    [["--deletion-label-selector=a b c"], /--deletion-label-selector/],
    [["-threadiness=x"], /-threadiness/],
    [["-logs_api=maybe"], /-logs_api/],
  ])("refuses %j with what to use instead", (argv, message) => {
    const args = ["--api-url", "http://x", ...(argv as string[])];
    expect(() => parseConfig(args, {})).toThrow(ConfigError);
    expect(() => parseConfig(args, {})).toThrow(message);
  });
});
