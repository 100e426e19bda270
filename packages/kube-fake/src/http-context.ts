/**
 * What the HTTP handlers share: the fake's state ({@link HttpContext}) and, for one request to a
 * resource, a {@link ResourceCall} that counts and records the request and fails it when a fault
 * rule says so.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator, UserInfo } from "./authn.js";
import type { RequestFaults } from "./faults.js";
import type { HttpAuth } from "./http-auth.js";
import type { Target } from "./http-routes.js";
import type { PodLogs } from "./pod-logs.js";
import {
  parseFieldSelector,
  parseLabelSelector,
  type CompiledFieldSelector,
  type LabelSelector,
} from "./selectors.js";
import type { ObjectStore } from "./store.js";
import type { DeniedRequest, KubeFakeOptions, RecordedRequest, RequestVerb } from "./types.js";

/** An open streaming response (watch or followed log) that can be ended or cut. */
export interface OpenStream {
  /** Ends the stream cleanly (the client sees the end of the body). */
  end(): void;
}

/** What the HTTP handler needs from the fake. */
export interface HttpContext {
  store: ObjectStore;
  logs: PodLogs;
  options: KubeFakeOptions;
  bookmarkIntervalMs: number;
  /** Lifetime of a watch without `timeoutSeconds`: a random time in `[min, max]` ms. */
  watchLifetimeMs: readonly [number, number];
  counts: Map<string, number>;
  /** Planned failures and the request log. */
  faults: RequestFaults;
  streams: Set<OpenStream>;
  serverAddress(): string;
  /** The known tokens (TokenReview). */
  authenticator: Authenticator;
  /** Authentication and RBAC of requests, when the `rbac` option is on. */
  auth?: HttpAuth;
  /** The requests refused by authentication or RBAC (the last 10,000). */
  denials: DeniedRequest[];
}

/** One request to a resource, as the verb handlers get it. */
export interface ResourceCall {
  readonly ctx: HttpContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The query parameters. */
  readonly q: URLSearchParams;
  readonly target: Target;
  /** The user the request acts as, when RBAC is on. */
  readonly user: UserInfo | undefined;
  /**
   * Counts and records the request under an audit verb, and throws the planned failure when a
   * fault rule matches it.
   */
  count(verb: RequestVerb): void;
}

/**
 * Counts and records a request to `target` with the audit `verb`, and throws the failure a
 * `failRequests` rule of the fake plans for it, if any.
 */
export function countRequest(ctx: HttpContext, url: URL, target: Target, verb: RequestVerb): void {
  const key = `${verb} ${target.info.resource}${target.subresource ? `/${target.subresource}` : ""}`;
  ctx.counts.set(key, (ctx.counts.get(key) ?? 0) + 1);
  const facts = {
    verb,
    resource: target.info.resource,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  };
  const planned = ctx.faults.take(facts);
  const recorded: RecordedRequest = {
    ...facts,
    ...(target.subresource ? { subresource: target.subresource } : {}),
    ...(target.name !== undefined ? { name: target.name } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
  };
  if (planned) recorded.injectedStatus = planned.code;
  ctx.faults.record(recorded);
  if (planned) throw planned;
}

/** Makes the {@link ResourceCall} of a request to `target`. */
export function resourceCall(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  target: Target,
  user?: UserInfo,
): ResourceCall {
  const count = (verb: RequestVerb): void => countRequest(ctx, url, target, verb);
  return { ctx, req, res, q: url.searchParams, target, user, count };
}

/** The label and field selectors of a list, watch or deletecollection (400 when invalid). */
export function selectorsOf(call: ResourceCall): {
  labels: LabelSelector;
  fields: CompiledFieldSelector;
} {
  const { q, target } = call;
  return {
    labels: parseLabelSelector(q.get("labelSelector") ?? undefined),
    fields: parseFieldSelector(
      q.get("fieldSelector") ?? undefined,
      target.info.resource,
      target.info.custom === true,
    ),
  };
}

/** The field manager of a write without `fieldManager`: the client's User-Agent program name. */
export function defaultManager(req: IncomingMessage): string {
  const ua = req.headers["user-agent"] ?? "";
  const prefix = ua.split("/")[0]!.trim();
  return prefix || "unknown";
}

/** Whether a boolean query parameter is set (`true` or `1`). */
export function queryFlag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}
