/**
 * The invariants checked on every answer: no crash (an answer came), no
 * Internal, Unknown or DataLoss, no 5xx (Unavailable only under an injected
 * fault; Unimplemented and DeadlineExceeded are honest answers), and no error
 * text that leaks SQL, a stack or a file path.
 *
 * @module
 */
import { Code } from "@connectrpc/connect";
import type { Outcome } from "./protocols.js";

/** Patterns that must never reach a client, each with what it would reveal. */
export const LEAK_PATTERNS: readonly [RegExp, string][] = [
  [/\bSELECT\b[\s\S]{0,200}\bFROM\b/i, "SQL"],
  [/\bINSERT INTO\b/i, "SQL"],
  [/\bsqlite/i, "SQL driver"],
  [/\bSQLITE_[A-Z]+/, "SQL driver"],
  [/\brelation\b/i, "SQL driver"],
  [/syntax error at (or near|end of input)/i, "SQL driver"],
  [/no such (column|table|function)/i, "SQL driver"],
  [/duplicate key value/i, "SQL driver"],
  [/violates .* constraint/i, "SQL driver"],
  [/\bpg_[a-z]+/i, "SQL driver"],
  [/\n\s*at \S+/, "stack"],
  [/\bat (async )?\S+ \(\S+:\d+:\d+\)/, "stack"],
  [/\/work\//, "file path"],
  [/node_modules/, "file path"],
  [/\.ts:\d/, "file path"],
  [/\.js:\d+:\d+/, "file path"],
  [/\/tmp\/results-fuzz/, "file path"],
];

/** Codes never allowed. */
const FORBIDDEN = new Set<Code | 0>([Code.Internal, Code.Unknown, Code.DataLoss]);

/** What a failing answer broke. */
export interface Violation {
  rule: "no-answer" | "code" | "http-5xx" | "leak" | "data-changed";
  detail: string;
}

/**
 * The invariants `outcome` breaks. `requestText` is everything the request
 * sent: a pattern is a leak only when the request did not carry it (the
 * server may quote a caller's own input back).
 */
export function checkOutcome(outcome: Outcome, requestText: string, fault: boolean): Violation[] {
  const out: Violation[] = [];
  if (outcome.noAnswer !== undefined) {
    out.push({ rule: "no-answer", detail: outcome.noAnswer.slice(0, 300) });
    return out;
  }
  const code = outcome.code;
  if (FORBIDDEN.has(code) || (code === Code.Unavailable && !fault)) {
    out.push({ rule: "code", detail: `${Code[code]}: ${outcome.errorText.slice(0, 300)}` });
  }
  const status = outcome.httpStatus;
  if (
    status !== undefined &&
    status >= 500 &&
    status !== 501 &&
    status !== 504 &&
    !(status === 503 && fault)
  ) {
    out.push({ rule: "http-5xx", detail: `HTTP ${status}: ${outcome.errorText.slice(0, 300)}` });
  }
  if (outcome.errorText !== "") {
    for (const [pattern, what] of LEAK_PATTERNS) {
      const m = pattern.exec(outcome.errorText);
      if (m && !new RegExp(pattern.source, pattern.flags).test(requestText)) {
        const at = Math.max(0, m.index - 80);
        out.push({
          rule: "leak",
          detail: `${what}: …${outcome.errorText.slice(at, m.index + 120)}…`,
        });
      }
    }
  }
  return out;
}
