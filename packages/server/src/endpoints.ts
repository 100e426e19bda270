/**
 * The plain HTTP endpoints of the server: `GET /healthz` (alive),
 * `GET /readyz` (the store answers, its schema is current, not shutting
 * down) and `GET /metrics`;
 * every other path goes on to the REST gateway.
 *
 * @module
 */
import type { ResultsStore } from "@tekton-results/storage";
import { NotReadyError, type ReadinessResult } from "./health.js";
import type { ServerMetrics } from "./metrics.js";
import type { NodeServerRequest, NodeServerResponse } from "./node-http.js";

/**
 * A cheap query that succeeds while `store` is usable: one Result of one page.
 */
export function storeReadinessCheck(store: ResultsStore): () => Promise<unknown> {
  return () =>
    store.listResults({ orderBy: [{ field: "create_time", direction: "asc" }], pageSize: 1 });
}

/** A store that can tell whether its schema is current. */
export interface MigratableStore {
  /** How many schema migrations are not applied yet. */
  pendingMigrations(): Promise<number>;
}

/**
 * The readiness check of a server that does not migrate its store
 * (`--skip-migrations`, the migration Job's deployment): not ready
 * ({@link NotReadyError}) while the schema has pending migrations, then
 * `check`, so
 * that a new server is not sent traffic before the Job has upgraded the
 * schema it needs. Once the schema is current it is not asked again.
 */
export function migratedSchemaCheck(
  store: MigratableStore,
  check: () => Promise<unknown>,
): () => Promise<unknown> {
  let current = false;
  return async () => {
    // Asked first: without its tables, the store's own check would only say
    // "store unavailable".
    if (!current) {
      const pending = await store.pendingMigrations();
      if (pending > 0) {
        throw new NotReadyError(
          `schema migrations pending (${pending}): run the server with --migrate-only (the migration Job)`,
        );
      }
      current = true;
    }
    await check();
  };
}

/** Answer `status` with `text` (plain text unless `contentType` says otherwise). */
export function sendText(
  res: NodeServerResponse,
  status: number,
  text: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** What {@link createEndpoints} answers from. */
export interface EndpointsOptions {
  /** The readiness probe of `/readyz`. */
  readiness: () => Promise<ReadinessResult>;
  /** Whether the server is shutting down (`/readyz` is then 503). */
  isDraining: () => boolean;
  /** Served at `/metrics` when given. */
  metrics?: ServerMetrics | undefined;
  /** Every other request (the REST gateway). */
  next: (req: NodeServerRequest, res: NodeServerResponse) => Promise<void>;
}

const ENDPOINT_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** The handler of the plain endpoints, passing other requests to `next`. */
export function createEndpoints(
  options: EndpointsOptions,
): (req: NodeServerRequest, res: NodeServerResponse) => Promise<void> {
  const { readiness, metrics } = options;
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const method = req.method ?? "GET";
    if (ENDPOINT_PATHS.has(path) && method !== "GET" && method !== "HEAD") {
      req.resume();
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed\n");
      return;
    }
    if (path === "/healthz") {
      sendText(res, 200, "ok\n");
      return;
    }
    if (path === "/readyz") {
      if (options.isDraining()) {
        sendText(res, 503, "not ready: shutting down\n");
        return;
      }
      const result = await readiness();
      sendText(
        res,
        result.ready ? 200 : 503,
        result.ready ? "ok\n" : `not ready: ${result.reason ?? "unknown"}\n`,
      );
      return;
    }
    if (path === "/metrics" && metrics) {
      sendText(res, 200, await metrics.render(), metrics.contentType);
      return;
    }
    await options.next(req, res);
  };
}
