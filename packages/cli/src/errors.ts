/**
 * The errors the command reports and its exit codes.
 *
 * @module
 */
import { Code, ConnectError } from "@tekton-results/client";
import { explainTlsError } from "@tekton-results/client/node";

/** Exit codes: upstream's `tkn-results` exits 1 on every error; so does this one. */
export const EXIT = {
  /** The command did what it was asked. */
  OK: 0,
  /** Any error: bad flags or arguments, configuration, the server's answer, a server not there. */
  ERROR: 1,
} as const;

/** An error the command reports as one line, with an optional hint after it. */
export class CliError extends Error {
  /** A suggestion printed after the message (`; hint`). */
  readonly hint: string | undefined;
  /** Build an error with its message and hint. */
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "CliError";
    this.hint = hint;
  }
}

function causeOf(err: unknown): unknown {
  return err instanceof Error && "cause" in err ? err.cause : undefined;
}

/** The system error code (`ECONNREFUSED`, ...) of an error or of its causes. */
function systemCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; e = causeOf(e), depth++) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

/** What the hints of {@link describeError} name: the settings to fix, and the call's timeout. */
export interface ErrorHints {
  /** Where the server's address is set. Default `--host (or 'tkn-results config set --host')`. */
  host?: string;
  /** Where the token is set. Default `--token or 'tkn-results config set --token'`. */
  token?: string;
  /** The timeout of the call, in milliseconds. Default 60 000. */
  timeoutMs?: number;
}

/**
 * The one line the command prints for an error: the cause, and a hint when
 * one helps (a server that is not there, a refused token, a certificate). `address` is the
 * server's, `hints` name the settings to fix and the call's timeout.
 */
export function describeError(err: unknown, address?: string, hints: ErrorHints = {}): string {
  const timeoutMs = hints.timeoutMs ?? 60_000;
  const hostHint = hints.host ?? "--host (or 'tkn-results config set --host')";
  const tokenHint = hints.token ?? "--token or 'tkn-results config set --token'";
  if (err instanceof CliError) return err.hint ? `${err.message}; ${err.hint}` : err.message;
  // The command has no server-name setting: a wrong host is fixed in --host.
  const tls = explainTlsError(err, { ca: "--certificate-authority", serverName: null });
  if (tls) return tls;
  const sys = systemCode(err);
  if (sys === "ECONNREFUSED" || sys === "ENOTFOUND" || sys === "EHOSTUNREACH") {
    return `cannot reach the Results API at ${address ?? "the configured host"} (${sys}); is the server running, and is ${hostHint} right?`;
  }
  if (err instanceof ConnectError) {
    const message = err.rawMessage.replace(/\s*\n\s*/g, " ");
    switch (err.code) {
      case Code.Unauthenticated:
        return `unauthenticated: ${message}; set a token with ${tokenHint}`;
      case Code.PermissionDenied:
        return `permission denied: ${message}`;
      case Code.DeadlineExceeded:
        return `the Results API at ${address ?? "the configured host"} did not answer within ${timeoutMs / 1000} s: ${message}`;
      case Code.Unavailable:
        return `the Results API at ${address ?? "the configured host"} is unavailable: ${message}`;
      default:
        // An error page of something in front of the API (a route, an ingress), not its JSON.
        if (/^HTTP 404\b/.test(message)) {
          return `${Code[err.code]}: ${message}; is --api-path (or 'tkn-results config set --api-path') right?`;
        }
        return `${Code[err.code]}: ${message}`;
    }
  }
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ");
}

/** The message of an error of `@kubernetes/client-node` (the API's Status `message`). */
export function kubeMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      // not JSON: the text itself below
    }
  }
  if (err instanceof CliError) return describeError(err);
  // A refused WebSocket (port-forward) rejects with ws's ErrorEvent, not an Error; a cluster
  // that is not there, with client-node's FetchError ("request to ... failed, reason: ...").
  const message = (err as { message?: unknown } | null)?.message;
  return (typeof message === "string" ? message : String(err)).replace(/\s*\n\s*/g, " ");
}
