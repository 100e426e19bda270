/**
 * What the server program opens besides the store: the log store and the
 * authorizer the configuration names.
 *
 * @module
 */
import {
  createDirectoryLogStore,
  createS3LogStore,
  type DirectoryLogStore,
  type LogStore,
} from "@tekton-results/log-store";
import type { Logger } from "@tekton-results/runtime";
import type { Authorizer } from "./auth.js";
import { resolve } from "node:path";
import type { AuthConfig, DatabaseConfig, LogsConfig } from "./config.js";

/**
 * Open the log store the configuration names: `undefined` when the Logs API
 * is disabled, else a directory store or an S3-compatible one. Throws a
 * `LogStoreError` for unusable settings (nothing is contacted yet).
 */
export function openLogStore(logs: LogsConfig): LogStore | DirectoryLogStore | undefined {
  if (!logs.enabled) return undefined;
  if (logs.type === "S3" && logs.s3) {
    const s3 = logs.s3;
    return createS3LogStore({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: s3.region,
      keyPrefix: s3.keyPrefix,
      pathStyle: s3.pathStyle,
      partSize: s3.partSize,
      credentials: {
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        ...(s3.sessionToken ? { sessionToken: s3.sessionToken } : {}),
      },
    });
  }
  return createDirectoryLogStore({ dir: logs.dir, fsync: logs.fsync });
}

/** Where logs go, for the start-up log line: the absolute directory, or the bucket (no credentials). */
export function describeLogStore(logs: LogsConfig): string {
  return logs.type === "S3" && logs.s3
    ? `s3:${logs.s3.bucket}/${logs.s3.keyPrefix}`
    : `dir:${resolve(logs.dir)}`;
}

/**
 * Where the data lives, for the start-up log line: `sqlite:` and the absolute
 * path of the file (or `sqlite::memory:`), or the PostgreSQL URL with its
 * password (in the user part or a `password` parameter) replaced by `***`.
 */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === "sqlite") {
    return database.filename === ":memory:"
      ? "sqlite::memory:"
      : `sqlite:${resolve(database.filename)}`;
  }
  try {
    const url = new URL(database.url);
    if (url.password !== "") url.password = "***";
    if (url.searchParams.has("password")) url.searchParams.set("password", "***");
    return url.toString();
  } catch {
    // An unparsable URL is reported by the store; never log what may be a secret.
    return "postgres:(unparsable URL)";
  }
}

/**
 * The authorizer the configuration names: `undefined` (allow all) for
 * `none`; for `kubernetes`, one over the cluster of `--kubeconfig` (or
 * client-node's default loading: `KUBECONFIG`, `~/.kube/config`, the pod's
 * service account), loaded lazily so that a server without it never loads
 * `@kubernetes/client-node`. Throws when the kubeconfig cannot be read.
 */
export async function openAuthorizer(
  auth: AuthConfig,
  logger: Logger,
): Promise<Authorizer | undefined> {
  if (auth.mode === "none") return undefined;
  const [{ KubeConfig }, { createKubernetesAuthorizer }] = await Promise.all([
    import("@kubernetes/client-node"),
    import("./kubernetes-authorizer.js"),
  ]);
  const kubeConfig = new KubeConfig();
  if (auth.kubeconfig !== undefined) kubeConfig.loadFromFile(auth.kubeconfig);
  else kubeConfig.loadFromDefault();
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig names no current cluster");
  logger.info(
    { cluster: cluster.server, cacheTtlMs: auth.cacheTtlMs, impersonation: auth.impersonation },
    "authorizing requests with Kubernetes TokenReview and SubjectAccessReview",
  );
  return createKubernetesAuthorizer({
    kubeConfig,
    cacheTtlMs: auth.cacheTtlMs,
    audiences: auth.audiences,
    impersonation: auth.impersonation,
    logger,
  });
}
