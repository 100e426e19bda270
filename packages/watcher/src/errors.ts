/**
 * The watcher's error kinds: a permanent error (the run itself is malformed,
 * retrying cannot help) and the classification of any failure into the
 * `kind` label of `watcher_errors_total`.
 *
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * A failure that retrying cannot fix, e.g. malformed JSON in a run's
 * annotation. Reported once (event, log, metric) and not retried until the
 * run changes.
 */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  /** A short machine-readable reason, used as the Kubernetes event reason. */
  readonly reason: string;
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** The `kind` label of `watcher_errors_total`. */
export type ErrorKind =
  | "permanent"
  | "api_unavailable"
  | "api_rejected"
  | "api_conflict"
  | "kubernetes"
  | "logs"
  | "internal";

/** The HTTP status code of a Kubernetes client error, when it has one. */
export function kubeStatusCode(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === "number") return e.code;
  if (typeof e.statusCode === "number") return e.statusCode;
  return undefined;
}

/** An error raised by a Kubernetes API call (tagged so it is classified as `kubernetes`). */
export class KubernetesError extends Error {
  override readonly name = "KubernetesError";
  /** The HTTP status of the failed call, when the server answered. */
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** An error of the log upload. */
export class LogUploadError extends Error {
  override readonly name = "LogUploadError";
}

/** Classify `err` for metrics and logs. */
export function errorKind(err: unknown): ErrorKind {
  if (err instanceof PermanentError) return "permanent";
  if (err instanceof KubernetesError) return "kubernetes";
  if (err instanceof LogUploadError) return "logs";
  if (err instanceof ConnectError) {
    switch (err.code) {
      case Code.Unavailable:
      case Code.DeadlineExceeded:
      case Code.ResourceExhausted:
      case Code.Aborted:
      case Code.Canceled:
      case Code.Unknown:
      case Code.Internal:
        return "api_unavailable";
      case Code.FailedPrecondition:
      case Code.AlreadyExists:
        return "api_conflict";
      default:
        return "api_rejected";
    }
  }
  return "internal";
}

/** A one-line description of `err` for logs (never a stack trace). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** True when the Results API does not implement the called service (e.g. it has no log store). */
export function isUnimplementedError(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unimplemented;
}

/**
 * A failure to retry no later than `withinMs` from now (e.g. before a run's
 * store deadline), whatever the backoff says. `cause` is the failure itself.
 */
export class RetryBefore extends Error {
  override readonly name = "RetryBefore";
  override readonly cause: unknown;
  /** Retry within this many milliseconds. */
  readonly withinMs: number;
  constructor(cause: unknown, withinMs: number) {
    super(errorMessage(cause));
    this.cause = cause;
    this.withinMs = withinMs;
  }
}
