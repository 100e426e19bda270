/**
 * The web UI (`@tekton-results/web`) served at `/`: its files with sirv, hashed `/assets/`
 * cached for a year (immutable), everything else `no-cache`; an unknown path that a browser
 * asks as a page (`Accept: text/html`) gets `index.html`, for the UI's own routes. API paths
 * (`/apis/...`, RPC paths, `/healthz`, `/readyz`, `/metrics`) never reach it. When the UI is not
 * built, its pages say how to build it.
 *
 * @module
 */
import sirv from "sirv";
import type * as http from "node:http";
import type { Logger } from "@tekton-results/runtime";
import type { NodeServerRequest, NodeServerResponse } from "./node-http.js";
import { sendText } from "./endpoints.js";

/** Takes a request for the UI and answers it (true), or leaves it to the API (false). */
export type UiHandler = (req: NodeServerRequest, res: NodeServerResponse) => boolean;

/** Cache-Control of the hashed files under `/assets/`: a year, never revalidated. */
export const ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable";
/** Cache-Control of every other file (`index.html`): revalidated each time. */
export const PAGE_CACHE_CONTROL = "no-cache";

/** The paths that belong to the API, whatever the UI has. */
function isApiPath(path: string): boolean {
  return (
    path.startsWith("/apis/") ||
    path === "/apis" ||
    path === "/healthz" ||
    path === "/readyz" ||
    path === "/metrics" ||
    // RPC paths: /package.Service/Method (gRPC, gRPC-Web, Connect).
    /^\/[A-Za-z_][\w]*(\.[\w]+)+\/[\w]+$/.test(path)
  );
}

function acceptsHtml(req: NodeServerRequest): boolean {
  const accept = req.headers["accept"];
  return typeof accept === "string" && accept.includes("text/html");
}

function isRead(req: NodeServerRequest): boolean {
  return req.method === "GET" || req.method === "HEAD";
}

function pathOf(req: NodeServerRequest): string {
  return (req.url ?? "/").split("?")[0]!;
}

/** The UI served from the built files in `root` (`index.html`, `assets/`). */
export function createUiHandler(root: string): UiHandler {
  const options = {
    dev: false,
    etag: true,
    // The build's precompressed `.br` / `.gz` forms, to browsers that accept them.
    brotli: true,
    gzip: true,
    dotfiles: false,
    setHeaders: (res: http.ServerResponse, pathname: string) => {
      res.setHeader(
        "cache-control",
        pathname.startsWith("/assets/") ? ASSET_CACHE_CONTROL : PAGE_CACHE_CONTROL,
      );
    },
  };
  const files = sirv(root, options);
  const page = sirv(root, { ...options, single: true });
  return (req, res) => {
    const path = pathOf(req);
    if (!isRead(req) || isApiPath(path)) return false;
    let missed = false;
    // sirv (not in dev mode) looks its files up in memory: a miss calls next synchronously.
    files(req as http.IncomingMessage, res as http.ServerResponse, () => {
      missed = true;
    });
    if (!missed) return true;
    if (!acceptsHtml(req) || path.startsWith("/assets/")) return false;
    page(req as http.IncomingMessage, res as http.ServerResponse);
    return true;
  };
}

/** The answer of the UI's pages when it is not built: how to build it. */
export function createUnbuiltUiHandler(buildCommand: string): UiHandler {
  const text = `The web UI is not built. Build it with \`${buildCommand}\` (or \`npm run build\` in a clone), then restart the server. The API is served as usual.\n`;
  return (req, res) => {
    const path = pathOf(req);
    if (!isRead(req) || isApiPath(path) || !(path === "/" || acceptsHtml(req))) return false;
    sendText(res, 503, text);
    return true;
  };
}

/**
 * The UI's package name, in a variable so that the server's build does not need the web
 * package's types: the web package is built after the server (its browser tests start one).
 */
const WEB_PACKAGE: string = "@tekton-results/web";

/** What `@tekton-results/web` exports to servers. */
export interface WebPackage {
  webRoot: string;
  isWebBuilt(root?: string): boolean;
  BUILD_COMMAND: string;
}

/**
 * The UI handler of the installed `@tekton-results/web`: its files when built, else the page
 * saying how to build it (with a warning in the log); `undefined` (logged) when the package is
 * not installed. Never throws.
 */
export async function loadUi(
  logger: Logger,
  importWeb: () => Promise<WebPackage> = () => import(WEB_PACKAGE) as Promise<WebPackage>,
): Promise<UiHandler | undefined> {
  let web: WebPackage;
  try {
    web = await importWeb();
  } catch (err) {
    logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      "the web UI is not served: @tekton-results/web is not installed (--ui=false hides this warning)",
    );
    return undefined;
  }
  if (!web.isWebBuilt()) {
    logger.warn(
      { root: web.webRoot, build: web.BUILD_COMMAND },
      "the web UI is not built: its pages say how to build it",
    );
    return createUnbuiltUiHandler(web.BUILD_COMMAND);
  }
  logger.info({ root: web.webRoot }, "serving the web UI at /");
  return createUiHandler(web.webRoot);
}
