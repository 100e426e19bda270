/**
 * CORS for browser clients (connect-web, gRPC-Web, REST from a console on
 * another origin). Off unless origins are configured.
 *
 * @module
 */
import { cors as connectCors } from "@connectrpc/connect";
import type { NodeServerRequest, NodeServerResponse } from "./node-http.js";

/** How long browsers may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 7200;

/**
 * Applies CORS headers to one request. Returns true when it answered the
 * request itself (a preflight), false when the request goes on.
 */
export type CorsHandler = (req: NodeServerRequest, res: NodeServerResponse) => boolean;

/**
 * Create a CORS handler for the allowed origins: exact origins such as
 * `https://console.example.com`, or `*` for any origin. Requests from other
 * origins get no CORS headers (the browser then blocks them); preflights from
 * them answer 403.
 */
export function createCorsHandler(origins: readonly string[]): CorsHandler {
  const any = origins.includes("*");
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, "")));
  const allowMethods = [
    ...new Set([...connectCors.allowedMethods, "GET", "POST", "PATCH", "DELETE"]),
  ].join(", ");
  const allowHeaders = [
    ...connectCors.allowedHeaders,
    "Authorization",
    "Impersonate-User",
    "Impersonate-Group",
    "Impersonate-Uid",
  ].join(", ");
  const exposeHeaders = connectCors.exposedHeaders.join(", ");

  return (req, res) => {
    const origin = req.headers.origin;
    if (typeof origin !== "string" || origin === "") return false;
    const ok = any || allowed.has(origin);
    const preflight =
      req.method === "OPTIONS" && typeof req.headers["access-control-request-method"] === "string";
    if (ok) {
      res.setHeader("access-control-allow-origin", any ? "*" : origin);
      res.setHeader("access-control-expose-headers", exposeHeaders);
      if (!any) res.setHeader("vary", "Origin");
    }
    if (!preflight) return false;
    req.resume();
    if (!ok) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
      res.end("origin not allowed\n");
      return true;
    }
    res.writeHead(204, {
      "access-control-allow-methods": allowMethods,
      "access-control-allow-headers": allowHeaders,
      "access-control-max-age": String(PREFLIGHT_MAX_AGE_S),
    });
    res.end();
    return true;
  };
}
