/**
 * Upstream Tekton Results watcher flags (Go style: `-label_selector=x`,
 * `-threadiness 4`, `--logs_api`), taken with their upstream meaning where
 * this watcher has it, and refused with a message naming what to use
 * otherwise. See docs/migrating-from-upstream.md.
 *
 * @module
 */
import { parseLabelSelector } from "./label-selector.js";

/** What one upstream flag becomes: this watcher's flags (`--name=value`), or a refusal. */
type Translation = { args: string[] } | { refuse: string };

/** An upstream flag: a Go bool (`-x`, `-x=false`) or one taking a value (`-x v`, `-x=v`). */
interface UpstreamFlag {
  bool: boolean;
  translate(value: string, state: ApiState): Translation;
}

/** `-api_addr`, `-auth_mode` and `-token` together make `--api-url` and `--api-token-file`. */
interface ApiState {
  addr?: string;
  authMode?: string;
}

/** A pod's service account token; upstream's `-auth_mode=token` reads it when `-token` is not given. */
export const POD_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";

const to = (flag: string) => (value: string) => ({ args: [`--${flag}=${value}`] });
const refuse = (message: string) => () => ({ refuse: message });
/** A bool upstream flag whose default (`off`) is all this watcher does. */
const onlyOff = (name: string, why: string) => (value: string) =>
  value === "true" ? { refuse: `-${name} is not supported: ${why}` } : { args: [] };

const K8S_LIMIT = (name: string, ours: string) =>
  refuse(
    `-${name} limited upstream's Kubernetes client; this watcher does not limit its Kubernetes ` +
      `requests, and --${ours} limits its Results API calls: drop -${name}, or use --${ours} for the API`,
  );

/** Every upstream watcher flag (cmd/watcher/main.go, and knative's client flags). */
export const UPSTREAM_FLAGS: Record<string, UpstreamFlag> = {
  api_addr: {
    bool: false,
    translate: (value, state) => {
      state.addr = value;
      return { args: [] };
    },
  },
  auth_mode: {
    bool: false,
    translate: (value, state) => {
      if (value === "" || value === "insecure" || value === "token") {
        state.authMode = value;
        return value === "token" ? { args: [`--api-token-file=${POD_TOKEN_PATH}`] } : { args: [] };
      }
      return {
        refuse: `-auth_mode=${value} is not supported: give a bearer token file with --api-token-file`,
      };
    },
  },
  token: {
    bool: false,
    translate: refuse(
      "-token (a token on the command line) is not supported: use --api-token-file",
    ),
  },
  disable_crd_update: { bool: true, translate: to("disable-annotation-update") },
  completed_run_grace_period: { bool: false, translate: to("completed-run-grace-period") },
  threadiness: {
    bool: false,
    translate: (value) => {
      if (!/^\d+$/.test(value) || Number(value) < 1) {
        return { refuse: `-threadiness must be a whole number of at least 1, got "${value}"` };
      }
      // Upstream runs three controllers (PipelineRun, TaskRun, CustomRun), each with this many.
      return { args: [`--workers=${Number(value) * 3}`] };
    },
  },
  qps: { bool: false, translate: K8S_LIMIT("qps", "qps") },
  burst: { bool: false, translate: K8S_LIMIT("burst", "burst") },
  "kube-api-qps": { bool: false, translate: K8S_LIMIT("kube-api-qps", "qps") },
  "kube-api-burst": { bool: false, translate: K8S_LIMIT("kube-api-burst", "burst") },
  logs_api: { bool: true, translate: to("logs") },
  logs_timestamps: {
    bool: true,
    translate: onlyOff("logs_timestamps", "logs are stored as the pods wrote them"),
  },
  label_selector: {
    bool: false,
    translate: (value) => {
      try {
        parseLabelSelector(value);
      } catch (err) {
        return { refuse: `-label_selector: ${(err as Error).message}` };
      }
      // Upstream's selector picks the runs to delete, not the runs to store.
      return { args: [`--deletion-label-selector=${value}`] };
    },
  },
  requeue_interval: {
    bool: false,
    translate: refuse(
      "-requeue_interval has no equivalent: a run is looked at again on its next change, and " +
        "delays come from --completed-run-grace-period and --store-deadline; drop it",
    ),
  },
  namespace: { bool: false, translate: to("namespace") },
  kubeconfig: { bool: false, translate: to("kubeconfig") },
  server: {
    bool: false,
    translate: refuse("-server is not supported: name the API server in a --kubeconfig"),
  },
  summary_labels: { bool: false, translate: to("summary-labels") },
  summary_annotations: {
    bool: false,
    translate: refuse(
      "-summary_annotations is not supported: set the run's results.tekton.dev/resultAnnotations " +
        "annotation, or copy labels with --summary-labels",
    ),
  },
  check_owner: {
    bool: true,
    translate: (value) =>
      value === "true"
        ? { args: [] }
        : {
            refuse:
              "-check_owner=false is not supported: only runs without an owner are deleted " +
              "(children go with their PipelineRun)",
          },
  },
  update_log_timeout: {
    bool: false,
    translate: refuse(
      "-update_log_timeout has no equivalent: a log upload that fails or stalls is retried, and " +
        "--store-deadline bounds how long a run's deletion waits for it; drop it",
    ),
  },
  dynamic_reconcile_timeout: {
    bool: false,
    translate: refuse(
      "-dynamic_reconcile_timeout has no equivalent: Results API calls retry with backoff until " +
        "--store-deadline; drop it",
    ),
  },
  store_event: {
    bool: true,
    translate: onlyOff("store_event", "Kubernetes events of runs are not stored"),
  },
  disable_storing_incomplete_runs: {
    bool: true,
    translate: onlyOff(
      "disable_storing_incomplete_runs",
      "runs are stored from creation on and upserted as they change",
    ),
  },
  store_deadline: { bool: false, translate: to("store-deadline") },
  forward_buffer: {
    bool: false,
    translate: refuse(
      "-forward_buffer has no equivalent: this watcher streams a finished run's logs itself " +
        "(--logs), there is no log forwarder to wait for; drop it",
    ),
  },
  managed_by_values: { bool: false, translate: to("managed-by") },
  "disable-ha": {
    bool: true,
    translate: (value) => ({ args: value === "true" ? ["--leader-elect=false"] : [] }),
  },
};

/** Upstream names that are also this watcher's flags: `--name` is ours, only `-name` upstream's. */
const SHARED_NAMES = new Set(["namespace", "kubeconfig", "qps", "burst"]);

/** Go's strconv.ParseBool. */
function goBool(value: string): string | undefined {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return "true";
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return "false";
  return undefined;
}

/**
 * Replace upstream flags in `argv` with this watcher's; other arguments are
 * kept, in order, after the translated ones (so this watcher's own flags
 * win). Throws an `Error` with a one-line message for a refused flag.
 */
export function translateUpstreamFlags(argv: readonly string[]): string[] {
  const translated: string[] = [];
  const rest: string[] = [];
  const api: ApiState = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^(--?)([A-Za-z][\w-]*)(?:=([\s\S]*))?$/.exec(arg);
    const name = m?.[2] ?? "";
    const flag = m ? UPSTREAM_FLAGS[name] : undefined;
    if (!m || !flag || (m[1] === "--" && SHARED_NAMES.has(name))) {
      rest.push(arg);
      continue;
    }
    let value = m[3];
    if (flag.bool) {
      const parsed = goBool(value ?? "true");
      if (parsed === undefined) throw new Error(`-${name} must be true or false, got "${value}"`);
      value = parsed;
    } else if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new Error(`-${name} needs a value`);
    }
    const t = flag.translate(value, api);
    if ("refuse" in t) throw new Error(t.refuse);
    translated.push(...t.args);
  }
  if (api.addr !== undefined) {
    const scheme = api.authMode === "insecure" ? "http" : "https";
    translated.push(`--api-url=${scheme}://${api.addr}`);
  }
  return [...translated, ...rest];
}
