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

/**
 * The one line the command prints for an error: the cause, and a hint when
 * one helps (a server that is not there, a refused token, a certificate).
 */
export function describeError(err: unknown, address?: string): string {
  if (err instanceof CliError) return err.hint ? `${err.message}; ${err.hint}` : err.message;
  const tls = explainTlsError(err);
  if (tls) return tls;
  const sys = systemCode(err);
  if (sys === "ECONNREFUSED" || sys === "ENOTFOUND" || sys === "EHOSTUNREACH") {
    return `cannot reach the Results API at ${address ?? "the configured host"} (${sys}); is the server running, and is --host (or 'tkn-results config set --host') right?`;
  }
  if (err instanceof ConnectError) {
    const message = err.rawMessage.replace(/\s*\n\s*/g, " ");
    switch (err.code) {
      case Code.Unauthenticated:
        return `unauthenticated: ${message}; set a token with --token or 'tkn-results config set --token'`;
      case Code.PermissionDenied:
        return `permission denied: ${message}`;
      case Code.DeadlineExceeded:
        return `the Results API at ${address ?? "the configured host"} did not answer within 60 s: ${message}`;
      case Code.Unavailable:
        return `the Results API at ${address ?? "the configured host"} is unavailable: ${message}`;
      default:
        return `${Code[err.code]}: ${message}`;
    }
  }
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ");
}
