/**
 * The Tekton Results watcher: archives every Tekton PipelineRun, TaskRun and
 * CustomRun of a Kubernetes cluster through the Results API.
 *
 * ```ts
 * import { createWatcher } from "@tekton-results/watcher";
 *
 * const watcher = createWatcher({ apiUrl: "http://127.0.0.1:8080", leaderElect: false });
 * await watcher.start();
 * // ...
 * await watcher.stop();
 * ```
 *
 * @module
 */

// ---- The watcher ----
export {
  createWatcher,
  type Watcher,
  type WatcherOptions,
  type WatcherSettings,
} from "./watcher.js";
export {
  loadKubeConfig,
  clusterServer,
  NoClusterError,
  type KubeConfigSearch,
} from "./kube-config.js";
export { main, watcherVersion, EXIT_USAGE, EXIT_FAILURE, type MainOptions } from "./main.js";
export {
  parseConfig,
  ConfigError,
  USAGE,
  ENV_VARS,
  DEFAULT_SUMMARY_LABELS,
  type WatcherConfig,
  type WatcherCommand,
} from "./config.js";
export { translateUpstreamFlags, UPSTREAM_FLAGS, POD_TOKEN_PATH } from "./upstream-flags.js";
export { parseLabelSelector, type LabelSelector } from "./label-selector.js";
export { createWatcherMetrics, STORE_LATENCY_BUCKETS, type WatcherMetrics } from "./metrics.js";
// The logger and clock are @tekton-results/runtime's, re-exported for compatibility.
export {
  createJsonLogger,
  noopLogger,
  LOG_LEVELS,
  systemClock,
  sleep,
  type Logger,
  type LogLevel,
  type Clock,
  type TimerHandle,
} from "@tekton-results/runtime";
export {
  PIPELINE_RUN,
  TASK_RUN,
  CUSTOM_RUN,
  RUN_KINDS,
  ANNOTATIONS,
  FIELD_MANAGER,
  TEKTON_MANAGED_BY,
  TRIGGERS_EVENT_ID_LABEL,
  runKindOf,
  type RunKind,
  type RunKindName,
} from "./run-kinds.js";

// ---- For library authors ----
// The pieces the watcher is made of, to test or recompose them.
export {
  runKey,
  keyOfRun,
  parseRunKey,
  isFinished,
  isChild,
  hasNoOwners,
  isDeleting,
  hasFinalizer,
  isManagedBy,
  completionTime,
  parseTime,
  pipelineRunOwner,
  isPipelineRunKind,
  succeededCondition,
  type TektonRun,
  type RunCondition,
  type OwnerReference,
  type ParsedRunKey,
} from "./run.js";
export { resultNameOf, recordNameOf } from "./naming.js";
export { recordValueOf, recordFingerprint, hashOf, canonicalJson } from "./record-value.js";
export { trimForCache } from "./cache-trim.js";
export {
  statusOfReason,
  summaryOf,
  setsResultSummary,
  resultAnnotationsOf,
  jsonAnnotation,
  type DesiredSummary,
} from "./summary.js";
export {
  PermanentError,
  KubernetesError,
  LogUploadError,
  errorKind,
  errorMessage,
  kubeStatusCode,
  isUnimplementedError,
  RetryBefore,
  type ErrorKind,
} from "./errors.js";
export {
  createUpserter,
  toApiSummary,
  sameSummary,
  type Upserter,
  type UpserterOptions,
  type ArchivePlan,
  type UpsertOutcome,
} from "./upsert.js";
export {
  writeBackPatch,
  desiredAnnotations,
  removeFinalizerPatch,
  type WriteBackState,
  type JsonPatchOp,
} from "./write-back.js";
export {
  createReconciler,
  type Reconciler,
  type ReconcilerDeps,
  type ReconcilerSettings,
  type ReconcileOutcome,
  type RunIndex,
} from "./reconciler.js";
export { createWorkQueue, type WorkQueue, type WorkQueueOptions } from "./work-queue.js";
export { createBackoff, DEFAULT_JITTER, type Backoff, type BackoffOptions } from "./backoff.js";
export { createRateLimiter, type RateLimiter } from "./rate-limiter.js";
export {
  createRunInformer,
  createInformerFactory,
  listAllRuns,
  LIST_PAGE_SIZE,
  type RunInformer,
  type RunInformerOptions,
  type InformerFactory,
  type InformerSource,
  type InformedKind,
  type RunEventType,
} from "./run-informer.js";
export {
  createNamespaceCleaner,
  CLEANUP_PAGE_SIZE,
  DEFAULT_SWEEP_INTERVAL_MS,
  DEFAULT_SWEEP_MARGIN_MS,
  MAX_EXCLUSION_FILTER,
  type CleanupResultsClient,
  type CleanupTrigger,
  type NamespaceCleaner,
  type NamespaceCleanerOptions,
} from "./namespace-cleanup.js";
export {
  clusterNamespaces,
  listAllNamespaces,
  namespaceInfo,
  NAMESPACE_KIND,
  type ClusterNamespaces,
  type NamespaceInfo,
  type NamespaceLister,
  type NamespacePager,
} from "./namespaces.js";
export {
  createKubeClient,
  type KubeClient,
  type KubeClientOptions,
  type RunList,
  type ListRunsOptions,
  type RunEvent,
} from "./kube-client.js";
export {
  createLeaderElector,
  leaseAvailable,
  leaseRecordKey,
  type LeaderElector,
  type LeaderElectionOptions,
  type LeaseAttempt,
} from "./leader-election.js";
export {
  createLogUploader,
  logRecordNameOf,
  logRecordValue,
  stepContainers,
  taskOfPod,
  prefixedChunks,
  DEFAULT_LOG_CHUNK_BYTES,
  type LogUploader,
  type LogUploaderOptions,
} from "./log-uploader.js";
export {
  createApiConnection,
  bearerTokenInterceptor,
  pacedClient,
  type ApiConnection,
} from "./api-transport.js";
export { startMetricsServer, parseListenAddress, type MetricsServer } from "./metrics-server.js";
export { parseDuration, formatDuration } from "./duration.js";
