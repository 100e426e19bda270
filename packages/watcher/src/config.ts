/**
 * Command-line flags and environment variables of the watcher.
 *
 * @module
 */
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { LOG_LEVELS, UsageError, type LogLevel, type ParsedCommand } from "@tekton-results/runtime";
import { parseDuration } from "./duration.js";
import { parseLabelSelector } from "./label-selector.js";
import { translateUpstreamFlags } from "./upstream-flags.js";

export { USAGE } from "./usage.js";

/** The configuration of a watcher run. */
export interface WatcherConfig {
  /** Base URL of the Results API (`http://host:port`; h2c for http, TLS for https). */
  apiUrl: string;
  /** File holding a bearer token sent to the Results API (re-read on every call). */
  apiTokenFile?: string;
  /** PEM file of the CA that signed the Results API's certificate (`https://` only). */
  apiCaFile?: string;
  /** The name the Results API's certificate must hold, when not the URL's host. */
  apiServerName?: string;
  /** kubeconfig file; default: `$KUBECONFIG`, `~/.kube/config`, then the pod's service account. */
  kubeconfig?: string;
  /** Watch one namespace only; default all. */
  namespace?: string;
  /** Only runs matching this label selector are watched (stored, written back, deleted). */
  labelSelector?: string;
  /**
   * Only runs matching this label selector are deleted after the grace
   * period (all are stored); upstream's `-label_selector`.
   */
  deletionLabelSelector?: string;
  /** Extra `spec.managedBy` values to process (besides empty and `tekton.dev/pipeline`). */
  managedBy: string[];
  /** Run labels copied into the Result's annotations. */
  summaryLabels: string[];
  /** Concurrent workers. */
  workers: number;
  /** Results API calls per second (0 = unlimited). */
  qps: number;
  /** Calls allowed in a burst. */
  burst: number;
  /** How long after completion the finalizer waits for the run to be stored. */
  storeDeadlineMs: number;
  /** 0 = never delete runs; negative = right after stored; positive = that long after completion. */
  completedRunGracePeriodMs: number;
  /** Write annotations and finalizers back to runs. */
  writeBack: boolean;
  /** Store the runs' logs through the Logs API. */
  logs: boolean;
  /**
   * Delete a namespace's Results (records and logs) when the namespace is
   * deleted, and sweep the Results of namespaces that no longer exist.
   */
  deleteResultsOnNamespaceDeletion: boolean;
  /** Run leader election; only the leader processes runs. */
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** This replica's identity in the lease. */
  identity: string;
  /** `host:port` of the metrics and health endpoints; `""` disables them. */
  metricsAddr: string;
  logLevel: LogLevel;
  /** How long a graceful stop waits for in-flight work. */
  shutdownTimeoutMs: number;
}

/** What the command line asks for. */
export type WatcherCommand = ParsedCommand<WatcherConfig>;

/**
 * A flag or variable that cannot be used; the message is meant for the user.
 * A {@link UsageError}: the command prints it and exits 2.
 */
export class ConfigError extends UsageError {
  override readonly name = "ConfigError";
}

/** Default `--summary-labels`. */
export const DEFAULT_SUMMARY_LABELS = ["tekton.dev/pipeline"];

const BOOLEAN_FLAGS = [
  "disable-annotation-update",
  "logs",
  "delete-results-on-namespace-deletion",
  "leader-elect",
  "help",
  "version",
];

const STRING_FLAGS = [
  "api-url",
  "api-token-file",
  "api-ca-file",
  "api-server-name",
  "kubeconfig",
  "namespace",
  "label-selector",
  "deletion-label-selector",
  "managed-by",
  "summary-labels",
  "workers",
  "qps",
  "burst",
  "store-deadline",
  "completed-run-grace-period",
  "lease-name",
  "lease-namespace",
  "lease-duration",
  "renew-deadline",
  "retry-period",
  "identity",
  "metrics-addr",
  "shutdown-timeout",
  "log-level",
];

/** The environment variable of each flag (flags without one are absent). */
export const ENV_VARS: Record<string, string> = {
  "api-url": "RESULTS_API_URL",
  "api-token-file": "RESULTS_API_TOKEN_FILE",
  "api-ca-file": "WATCHER_API_CA_FILE",
  "api-server-name": "WATCHER_API_SERVER_NAME",
  kubeconfig: "KUBECONFIG",
  namespace: "WATCHER_NAMESPACE",
  "label-selector": "WATCHER_LABEL_SELECTOR",
  "deletion-label-selector": "WATCHER_DELETION_LABEL_SELECTOR",
  "managed-by": "WATCHER_MANAGED_BY",
  "summary-labels": "WATCHER_SUMMARY_LABELS",
  workers: "WATCHER_WORKERS",
  qps: "WATCHER_QPS",
  burst: "WATCHER_BURST",
  "store-deadline": "WATCHER_STORE_DEADLINE",
  "completed-run-grace-period": "WATCHER_COMPLETED_RUN_GRACE_PERIOD",
  "disable-annotation-update": "WATCHER_DISABLE_ANNOTATION_UPDATE",
  logs: "WATCHER_LOGS",
  "delete-results-on-namespace-deletion": "WATCHER_DELETE_RESULTS_ON_NAMESPACE_DELETION",
  "leader-elect": "WATCHER_LEADER_ELECT",
  "lease-name": "WATCHER_LEASE_NAME",
  "lease-namespace": "WATCHER_LEASE_NAMESPACE",
  "lease-duration": "WATCHER_LEASE_DURATION",
  "renew-deadline": "WATCHER_RENEW_DEADLINE",
  "retry-period": "WATCHER_RETRY_PERIOD",
  identity: "WATCHER_IDENTITY",
  "metrics-addr": "WATCHER_METRICS_ADDR",
  "shutdown-timeout": "WATCHER_SHUTDOWN_TIMEOUT",
  "log-level": "LOG_LEVEL",
};

function parseBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(`--${name} must be true or false, got ${JSON.stringify(value)}`);
}

function parseNumber(
  name: string,
  value: string,
  min: number,
  max: number,
  integer: boolean,
): number {
  const v = value.trim();
  const ok = integer ? /^\d+$/.test(v) : /^\d+(\.\d+)?$/.test(v);
  if (!ok) {
    throw new ConfigError(
      `--${name} must be a ${integer ? "whole " : ""}number, got ${JSON.stringify(value)}`,
    );
  }
  const n = Number(v);
  if (n < min || n > max)
    throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parseDurationFlag(name: string, value: string, allowNegative: boolean): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    throw new ConfigError(
      `--${name} must be a duration like 10m, 1h30m or 15s, got ${JSON.stringify(value)}`,
    );
  }
  if (!allowNegative && ms < 0)
    throw new ConfigError(`--${name} must not be negative, got ${value}`);
  return ms;
}

function parseList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * Parse the command line (`argv` without node and the script) and the
 * environment. Throws {@link ConfigError} with a message for the user.
 */
export function parseConfig(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
  defaults: { hostname?: string; pid?: number } = {},
): WatcherCommand {
  // Upstream's Go-style flags become ours (or are refused with what to use).
  let ours: string[];
  try {
    ours = translateUpstreamFlags(argv);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  // `--leader-elect` alone means true; `--leader-elect=false` turns it off.
  // `--completed-run-grace-period -1s`: a negative value is joined to its flag.
  const args: string[] = [];
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const flag = a.startsWith("--") ? a.slice(2) : "";
    const next = ours[i + 1];
    if (BOOLEAN_FLAGS.includes(flag) && flag !== "help" && flag !== "version") {
      args.push(`${a}=true`);
    } else if (STRING_FLAGS.includes(flag) && next !== undefined && /^-\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else {
      args.push(a);
    }
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: "string" as const }])),
        "disable-annotation-update": { type: "string" },
        logs: { type: "string" },
        "delete-results-on-namespace-deletion": { type: "string" },
        "leader-elect": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values["help"] === true) return { kind: "help" };
  if (values["version"] === true) return { kind: "version" };

  const get = (flag: string): string | undefined => {
    const v = values[flag];
    if (typeof v === "string") return v;
    const envName = ENV_VARS[flag];
    const e = envName === undefined ? undefined : env[envName];
    return e === undefined || e === "" ? undefined : e;
  };

  const apiUrl = get("api-url");
  if (apiUrl === undefined) {
    throw new ConfigError(
      "--api-url (or RESULTS_API_URL) is required, e.g. --api-url http://127.0.0.1:8080",
    );
  }
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(apiUrl);
  } catch {
    throw new ConfigError(
      `--api-url must be a URL like http://host:8080, got ${JSON.stringify(apiUrl)}`,
    );
  }
  if (parsedUrl.protocol !== "http:" && parsedUrl.protocol !== "https:") {
    throw new ConfigError(`--api-url must use http or https, got ${parsedUrl.protocol}`);
  }

  const logLevel = (get("log-level") ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `--log-level must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`,
    );
  }

  const namespace = get("namespace");
  const leaseDurationMs = parseDurationFlag(
    "lease-duration",
    get("lease-duration") ?? "15s",
    false,
  );
  const renewDeadlineMs = parseDurationFlag(
    "renew-deadline",
    get("renew-deadline") ?? "10s",
    false,
  );
  const retryPeriodMs = parseDurationFlag("retry-period", get("retry-period") ?? "2s", false);
  if (leaseDurationMs <= renewDeadlineMs) {
    throw new ConfigError("--lease-duration must be greater than --renew-deadline");
  }
  if (retryPeriodMs <= 0 || renewDeadlineMs <= retryPeriodMs) {
    throw new ConfigError(
      "--renew-deadline must be greater than --retry-period, which must be positive",
    );
  }
  const metricsAddr =
    values["metrics-addr"] !== undefined
      ? (values["metrics-addr"] as string)
      : (env["WATCHER_METRICS_ADDR"] ?? ":9090");
  if (metricsAddr !== "" && !/^(\[[0-9a-fA-F:.]+\]|[^:\s]*):\d{1,5}$/.test(metricsAddr)) {
    throw new ConfigError(
      `--metrics-addr must be [host]:port like :9090, got ${JSON.stringify(metricsAddr)}`,
    );
  }
  const storeDeadlineMs = parseDurationFlag(
    "store-deadline",
    get("store-deadline") ?? "10m",
    false,
  );
  const token = get("api-token-file");
  const caFile = get("api-ca-file");
  const serverName = get("api-server-name");
  if ((caFile !== undefined || serverName !== undefined) && parsedUrl.protocol !== "https:") {
    throw new ConfigError(
      `--${caFile !== undefined ? "api-ca-file" : "api-server-name"} needs an https:// --api-url, got ${parsedUrl.protocol}//`,
    );
  }
  const kubeconfig = values["kubeconfig"] as string | undefined;
  const labelSelector = get("label-selector");
  const deletionLabelSelector = get("deletion-label-selector");
  if (deletionLabelSelector !== undefined) {
    try {
      parseLabelSelector(deletionLabelSelector);
    } catch (err) {
      throw new ConfigError(`--deletion-label-selector: ${(err as Error).message}`);
    }
  }

  const config: WatcherConfig = {
    apiUrl: apiUrl.replace(/\/+$/, ""),
    managedBy: parseList(get("managed-by") ?? ""),
    summaryLabels:
      get("summary-labels") !== undefined
        ? parseList(get("summary-labels")!)
        : [...DEFAULT_SUMMARY_LABELS],
    workers: parseNumber("workers", get("workers") ?? "4", 1, 1000, true),
    qps: parseNumber("qps", get("qps") ?? "50", 0, 1_000_000, false),
    burst: parseNumber("burst", get("burst") ?? "100", 1, 1_000_000, true),
    storeDeadlineMs,
    completedRunGracePeriodMs: parseDurationFlag(
      "completed-run-grace-period",
      get("completed-run-grace-period") ?? "0",
      true,
    ),
    writeBack: !parseBoolean(
      "disable-annotation-update",
      get("disable-annotation-update") ?? "false",
    ),
    logs: parseBoolean("logs", get("logs") ?? "false"),
    deleteResultsOnNamespaceDeletion: parseBoolean(
      "delete-results-on-namespace-deletion",
      get("delete-results-on-namespace-deletion") ?? "false",
    ),
    leaderElect: parseBoolean("leader-elect", get("leader-elect") ?? "true"),
    leaseName: get("lease-name") ?? "tekton-results-watcher",
    leaseNamespace: get("lease-namespace") ?? namespace ?? env["POD_NAMESPACE"] ?? "default",
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    identity:
      get("identity") ?? `${defaults.hostname ?? hostname()}_${defaults.pid ?? process.pid}`,
    metricsAddr,
    logLevel,
    shutdownTimeoutMs: parseDurationFlag(
      "shutdown-timeout",
      get("shutdown-timeout") ?? "30s",
      false,
    ),
    ...(token !== undefined ? { apiTokenFile: token } : {}),
    ...(caFile !== undefined ? { apiCaFile: caFile } : {}),
    ...(serverName !== undefined ? { apiServerName: serverName } : {}),
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(labelSelector !== undefined ? { labelSelector } : {}),
    ...(deletionLabelSelector !== undefined ? { deletionLabelSelector } : {}),
  };
  return { kind: "run", config };
}
