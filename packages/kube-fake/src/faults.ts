/**
 * Fault injection and the request log: the rules of `failRequests` matched against each HTTP
 * request to a resource (oldest rule with `times` left first), the `Status` a real server sends
 * for each code, and the bounded log behind `requests()`.
 *
 * @module
 */
import { failure, KubeApiError } from "./errors.js";
import type { FailRequestsRule, RecordedRequest, RequestVerb, Status } from "./types.js";

/** The request facts a fault rule is matched against. */
export interface RequestFacts {
  verb: RequestVerb;
  resource: string;
  namespace?: string;
}

/** Reason and message a real API server sends with common failure codes. */
const KNOWN: Record<number, { reason: string; message: string }> = {
  401: { reason: "Unauthorized", message: "Unauthorized" },
  403: { reason: "Forbidden", message: "forbidden (injected by kube-fake)" },
  429: {
    reason: "TooManyRequests",
    message: "the server has received too many requests and has asked us to try again later",
  },
  500: {
    reason: "InternalError",
    message:
      'an error on the server ("injected by kube-fake") has prevented the request from succeeding',
  },
  503: {
    reason: "ServiceUnavailable",
    message: "the server is currently unable to handle the request",
  },
  504: {
    reason: "Timeout",
    message:
      "the server was unable to return a response in the time allotted, but may still be processing the request",
  },
};

/** The Status a real API server would answer with `code`. */
export function injectedFailure(code: number): Status {
  const known = KNOWN[code];
  const det: NonNullable<Status["details"]> = {};
  if (code === 429 || code === 503 || code === 504) det.retryAfterSeconds = 1;
  return failure(
    code,
    known?.reason ?? "Unknown",
    known?.message ?? `the server responded with the status code ${code} (injected by kube-fake)`,
    det,
  );
}

interface ActiveRule {
  rule: FailRequestsRule;
  left: number;
}

/**
 * Planned request failures ({@link FailRequestsRule}s) and a bounded log of the requests served.
 */
export class RequestFaults {
  private rules: ActiveRule[] = [];
  private log: RecordedRequest[] = [];

  constructor(private readonly logLimit: number) {}

  /** Adds a rule; the returned function removes it. */
  add(rule: FailRequestsRule): () => void {
    const status = rule.status ?? 503;
    const times = rule.times ?? Infinity;
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new TypeError("status must be an HTTP error status (400-599)");
    if (!(times === Infinity || (Number.isInteger(times) && times >= 1)))
      throw new TypeError("times must be an integer >= 1 (or Infinity)");
    const active: ActiveRule = { rule: { ...rule }, left: times };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  /** The error planned for this request, if a rule matches (using up one of its `times`). */
  take(facts: RequestFacts): KubeApiError | undefined {
    const active = this.rules.find(
      ({ rule }) =>
        (rule.verb === undefined || rule.verb === facts.verb) &&
        (rule.resource === undefined || rule.resource === facts.resource) &&
        (rule.namespace === undefined || rule.namespace === facts.namespace),
    );
    if (!active) return undefined;
    active.left--;
    if (active.left <= 0) this.rules = this.rules.filter((r) => r !== active);
    return new KubeApiError(injectedFailure(active.rule.status ?? 503));
  }

  /** Records a served request (the oldest are dropped beyond the limit). */
  record(request: RecordedRequest): void {
    this.log.push(request);
    if (this.log.length > this.logLimit * 2) this.log = this.log.slice(-this.logLimit);
  }

  /** The recorded requests, oldest first (at most the limit). */
  requests(): RecordedRequest[] {
    return this.log.slice(-this.logLimit).map((r) => ({ ...r, query: { ...r.query } }));
  }

  /** Forgets the recorded requests. */
  clearLog(): void {
    this.log = [];
  }
}
