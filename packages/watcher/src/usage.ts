/**
 * The `--help` text of the watcher.
 *
 * @module
 */

/** The usage text of `--help`. */
export const USAGE = `Usage: tekton-results-watcher --api-url <url> [flags]

Archives every Tekton PipelineRun, TaskRun and CustomRun of a Kubernetes cluster
into a Tekton Results API server.

Flags (each has an environment variable; a flag wins over its variable):
  --api-url <url>                 RESULTS_API_URL               Results API base URL, e.g.
                                                                http://tekton-results-api:8080 (required)
  --api-token-file <path>         RESULTS_API_TOKEN_FILE        bearer token for the Results API
  --api-ca-file <path>            WATCHER_API_CA_FILE           PEM CA that signed the API's certificate
                                                                (https:// only; default: Node's CAs)
  --api-server-name <name>        WATCHER_API_SERVER_NAME       name the API's certificate must hold,
                                                                when not the --api-url host
  --kubeconfig <path>             KUBECONFIG                    kubeconfig (default: ~/.kube/config,
                                                                then the pod's service account)
  --namespace <ns>                WATCHER_NAMESPACE             watch one namespace (default: all)
  --label-selector <sel>          WATCHER_LABEL_SELECTOR        only runs matching this selector
  --deletion-label-selector <sel> WATCHER_DELETION_LABEL_SELECTOR
                                                                only runs matching this selector are deleted
                                                                after the grace period (all are stored)
  --managed-by <list>             WATCHER_MANAGED_BY            extra spec.managedBy values to archive
  --summary-labels <list>         WATCHER_SUMMARY_LABELS        run labels copied to Result annotations
                                                                (default tekton.dev/pipeline)
  --workers <n>                   WATCHER_WORKERS               concurrent workers (default 4)
  --qps <n>                       WATCHER_QPS                   Results API calls per second,
                                                                0 = unlimited (default 50)
  --burst <n>                     WATCHER_BURST                 calls in a burst (default 100)
  --store-deadline <dur>          WATCHER_STORE_DEADLINE        release the finalizer this long after
                                                                completion even if not stored (default 10m)
  --completed-run-grace-period <dur> WATCHER_COMPLETED_RUN_GRACE_PERIOD
                                                                0 = never delete runs (default); negative =
                                                                delete once stored; positive = delete that
                                                                long after completion
  --disable-annotation-update     WATCHER_DISABLE_ANNOTATION_UPDATE  write no annotations or finalizers
  --logs                          WATCHER_LOGS                  store the runs' step logs
  --delete-results-on-namespace-deletion[=<bool>]
                                  WATCHER_DELETE_RESULTS_ON_NAMESPACE_DELETION
                                                                delete a namespace's Results (records, logs)
                                                                when it is deleted, and hourly those of
                                                                namespaces that no longer exist (default false)
  --leader-elect[=<bool>]         WATCHER_LEADER_ELECT          elect a leader with a Lease (default true)
  --lease-name <name>             WATCHER_LEASE_NAME            (default tekton-results-watcher)
  --lease-namespace <ns>          WATCHER_LEASE_NAMESPACE       (default: --namespace, $POD_NAMESPACE or default)
  --lease-duration <dur>          WATCHER_LEASE_DURATION        (default 15s)
  --renew-deadline <dur>          WATCHER_RENEW_DEADLINE        (default 10s)
  --retry-period <dur>            WATCHER_RETRY_PERIOD          (default 2s)
  --identity <id>                 WATCHER_IDENTITY              lease holder identity (default hostname_pid)
  --metrics-addr <[host]:port>    WATCHER_METRICS_ADDR          /metrics, /healthz, /readyz; "" disables
                                                                (default :9090)
  --shutdown-timeout <dur>        WATCHER_SHUTDOWN_TIMEOUT      wait for in-flight work on SIGTERM (default 30s)
  --log-level <level>             LOG_LEVEL                     debug, info, warn or error (default info)
  --help                                                        print this text and exit
  --version                                                     print the version and exit

Durations: 10m, 1h30m, 15s, 500ms, -1s. Lists are comma-separated. Booleans: true/false.
Upstream's flags (-label_selector, -threadiness, -completed_run_grace_period, ...) are taken
with their upstream meaning, or refused with what to use (docs/migrating-from-upstream.md).
`;
