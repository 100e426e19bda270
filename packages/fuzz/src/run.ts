/**
 * The fuzz run: for each protocol, `requests` generated requests (fast-check,
 * from `seed`), each sent and its answer checked against the invariants; the
 * data set is checksummed around every request that may write, and a failed
 * one must leave it unchanged; the server must answer its health check after
 * each protocol; the heap after a full GC must stay near its baseline.
 *
 * @module
 */
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import fc from "fast-check";
import { changedItems, type DataSetChecksum } from "./checksum.js";
import { seedDataSet } from "./fixture.js";
import { PROTOCOLS, requestFor, type FuzzRequest, type Protocol } from "./gen/requests.js";
import { checkOutcome, type Violation } from "./invariants.js";
import {
  callRaw,
  callRpc,
  callUpload,
  codeOfHttpStatus,
  connect,
  type Connections,
  type Outcome,
} from "./protocols.js";
import {
  isMutation,
  requestText,
  resolveEtag,
  resolveToken,
  TokenPool,
  uploadMayChange,
} from "./resolve.js";
import type { Target } from "./target.js";

/** What to run. */
export interface FuzzOptions {
  /** Requests per protocol. */
  requests: number;
  /** The seed of the first protocol (protocol `i` uses `seed + i`). */
  seed: number;
  /** The protocols; default all. */
  protocols?: readonly Protocol[];
  /** Percent of requests sent while the store fails (an injected fault); default 2. */
  faultPercent?: number;
  /** Replay one request: fast-check's path (its run index) within the protocol's seed. */
  path?: string;
  /** Called after each request (progress). */
  onRequest?: (protocol: Protocol, index: number) => void;
}

/** One request that broke an invariant. */
export interface FuzzFailure {
  protocol: Protocol;
  /** The protocol's seed and the run index: `--protocol P --seed S --path I` replays it. */
  seed: number;
  path: string;
  violations: Violation[];
  request: string;
}

/** The result of a run. */
export interface FuzzReport {
  perProtocol: Record<
    string,
    { requests: number; failures: number; codes: Record<string, number> }
  >;
  failures: FuzzFailure[];
  heap: { baselineBytes: number; afterBytes: number };
  durationMs: number;
  /** Milliseconds spent sending requests, and checksumming the data set. */
  timeMs: { send: number; checksum: number };
  /** The slowest requests: milliseconds and a description. */
  slowest: [number, string][];
}

/** A full garbage collection (exposes `gc` on first use). */
export function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
}

const REST_TARGET = /\/records(\/summary)?$|\/logs$/;

async function send(
  target: Target,
  conns: Connections,
  protocol: Protocol,
  req: FuzzRequest,
  pool: TokenPool,
): Promise<{ outcome: Outcome; sent: Record<string, unknown> }> {
  if (req.kind === "rpc" && protocol !== "rest") {
    const fields: Record<string, unknown> = { ...req.fields };
    if (req.pageToken) {
      fields["pageToken"] = resolveToken(req.pageToken, pool, {
        target: req.method === "ListResults" ? "results" : "records",
        parent: String(fields["parent"] ?? ""),
        filter: String(fields["filter"] ?? ""),
        orderBy: String(fields["orderBy"] ?? ""),
      });
    }
    if (req.etag) {
      const name = String(
        fields["name"] ?? (fields["record"] as { name?: string } | undefined)?.name ?? "",
      );
      fields["etag"] = await resolveEtag(req.etag, target.store, name);
    }
    const outcome = await callRpc(conns.transport(protocol), req.service, req.method, fields);
    return { outcome, sent: { fields } };
  }
  if (req.kind === "upload" && protocol !== "rest") {
    return { outcome: await callUpload(conns.transport(protocol), req), sent: {} };
  }
  if (req.kind === "raw" && protocol !== "rest") {
    return { outcome: await callRaw(target.url, conns, protocol, req), sent: {} };
  }
  if (req.kind !== "rest") throw new Error(`a ${req.kind} request on ${protocol}`);
  const query = new URLSearchParams(req.query);
  const parent = decodeURIComponent(
    req.path.split("/parents/")[1]?.replace(/\/(records|logs)(\/summary)?$|\/results$/, "") ?? "",
  );
  const token = resolveToken(req.pageToken, pool, {
    target: REST_TARGET.test(req.path) ? "records" : "results",
    parent,
    filter: query.get("filter") ?? "",
    orderBy: query.get("order_by") ?? "",
  });
  if (token) query.set("page_token", token);
  const qs = query.toString();
  try {
    const res = await fetch(`${target.url}${req.path}${qs ? `?${qs}` : ""}`, {
      method: req.method,
      headers: req.contentType ? { "content-type": req.contentType } : {},
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const code = codeOfHttpStatus(res.status);
    let nextPageToken: string | undefined;
    if (res.ok && text.startsWith("{")) {
      nextPageToken = (JSON.parse(text) as { next_page_token?: string }).next_page_token;
    }
    return {
      outcome: {
        code,
        httpStatus: res.status,
        errorText: res.ok
          ? ""
          : `${text}\n${JSON.stringify(Object.fromEntries(res.headers.entries()))}`,
        ...(nextPageToken ? { nextPageToken } : {}),
      },
      sent: { query: qs },
    };
  } catch (err) {
    return {
      outcome: { code: 14, errorText: String(err), noAnswer: String(err) },
      sent: { query: qs },
    };
  }
}

/** A short description of a request (its kind and method or route). */
export function describe(req: FuzzRequest): string {
  switch (req.kind) {
    case "rest":
      return `REST ${req.method} ${req.path.slice(0, 120)} ${JSON.stringify(req.query).slice(0, 200)}`;
    case "upload":
      return `UpdateLog stream of ${req.chunks.length} chunks${req.cutAfter !== undefined ? `, cut after ${req.cutAfter}` : ""}`;
    case "raw":
      return `raw ${req.service}.${req.method} (${req.body.length} bytes, frame ${req.frame})`;
    default:
      return `${req.service}.${req.method} ${JSON.stringify(req.fields, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)).slice(0, 200)}`;
  }
}

/** Run the fuzzer against `target`. */
export async function runFuzz(target: Target, options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const conns = connect(target.url);
  const seedTransport = conns.transport("grpc");
  await seedDataSet(seedTransport);
  const pool = new TokenPool();
  const report: FuzzReport = {
    perProtocol: {},
    failures: [],
    heap: { baselineBytes: 0, afterBytes: 0 },
    durationMs: 0,
    timeMs: { send: 0, checksum: 0 },
    slowest: [],
  };
  const timed = async <T>(what: "send" | "checksum", fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      report.timeMs[what] += performance.now() - t;
    }
  };
  collectGarbage();
  report.heap.baselineBytes = process.memoryUsage().heapUsed;
  const faultPercent = options.faultPercent ?? 2;
  let known: DataSetChecksum | undefined;
  let reseed = false;
  const protocols = options.protocols ?? PROTOCOLS;
  try {
    for (const protocol of protocols) {
      const seed = options.seed + PROTOCOLS.indexOf(protocol);
      const stats = { requests: 0, failures: 0, codes: {} as Record<string, number> };
      report.perProtocol[protocol] = stats;
      let index = -1;
      const property = fc.asyncProperty(
        requestFor(protocol),
        fc.integer({ min: 0, max: 99 }),
        async (req, dice) => {
          index++;
          const runIndex = options.path ?? String(index);
          if (reseed && index % 50 === 0) {
            await seedDataSet(seedTransport);
            reseed = false;
            known = undefined;
          }
          const fault = dice < faultPercent;
          const mutation = isMutation(req);
          const violations: Violation[] = [];
          let before: DataSetChecksum | undefined;
          if (mutation) {
            // The checksum after the last failed write holds while nothing
            // succeeded since (reads change nothing: checked at the protocol's end).
            before = known ?? (await timed("checksum", () => target.checksum()));
          }
          target.injectFault = fault;
          let result;
          try {
            const t = performance.now();
            result = await timed("send", () => send(target, conns, protocol, req, pool));
            const ms = performance.now() - t;
            if (ms > 50) {
              report.slowest.push([Math.round(ms), `${protocol} ${describe(req)}`]);
              report.slowest.sort((a, b) => b[0] - a[0]).splice(10);
            }
          } finally {
            target.injectFault = false;
          }
          const { outcome, sent } = result;
          pool.add(outcome.nextPageToken);
          stats.requests++;
          stats.codes[String(outcome.code)] = (stats.codes[String(outcome.code)] ?? 0) + 1;
          violations.push(...checkOutcome(outcome, requestText(req, sent), fault));
          if (mutation && before) {
            if (outcome.code !== 0) {
              const after = await timed("checksum", () => target.checksum());
              const allowed = req.kind === "upload" ? uploadMayChange(req.names) : undefined;
              const changed = changedItems(before, after, allowed);
              if (changed.length > 0) {
                violations.push({
                  rule: "data-changed",
                  detail: `a failed request changed ${changed.slice(0, 5).join(", ")}`,
                });
              }
              known = after;
            } else {
              known = undefined;
              if (
                req.kind !== "upload" &&
                /Delete|DELETE/.test(req.kind === "rest" ? req.method : req.method)
              )
                reseed = true;
            }
          }
          options.onRequest?.(protocol, index);
          if (violations.length > 0) {
            stats.failures++;
            report.failures.push({
              protocol,
              seed,
              path: runIndex,
              violations,
              request: requestText(req, sent).slice(0, 2000),
            });
            if (options.path !== undefined) throw new Error(JSON.stringify(violations));
          }
          return true;
        },
      );
      await fc.check(property, {
        seed,
        numRuns: options.path !== undefined ? 1 : options.requests,
        ...(options.path !== undefined ? { path: options.path } : {}),
        endOnFailure: true,
      });
      if (known) {
        const now = await timed("checksum", () => target.checksum());
        const changed = changedItems(known, now);
        if (changed.length > 0) {
          stats.failures++;
          report.failures.push({
            protocol,
            seed,
            path: "reads",
            violations: [
              { rule: "data-changed", detail: `reads changed ${changed.slice(0, 5).join(", ")}` },
            ],
            request: "",
          });
        }
      }
      const health = await fetch(`${target.url}/healthz`).catch((err: unknown) => ({
        status: 0,
        err,
      }));
      if (health.status !== 200) {
        stats.failures++;
        report.failures.push({
          protocol,
          seed,
          path: "health",
          violations: [
            { rule: "no-answer", detail: `healthz after ${protocol}: ${health.status}` },
          ],
          request: "",
        });
      }
    }
  } finally {
    conns.close();
  }
  collectGarbage();
  report.heap.afterBytes = process.memoryUsage().heapUsed;
  report.durationMs = Date.now() - started;
  return report;
}
