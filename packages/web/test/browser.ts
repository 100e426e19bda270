/**
 * What the browser tests share: the built UI, a real Results server (`main`, SQLite in memory)
 * serving it with any flags, Debian's Chromium, and a reverse proxy that adds a header to every
 * request (as oauth2-proxy adds the signed-in user's token).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import type { AxeResults, Result } from "axe-core";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createResultsClient, type ResultsClient } from "@tekton-results/client";
import { main } from "@tekton-results/server";
import { isWebBuilt } from "../src/web-root.js";

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does). */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether there is a browser to drive; without one the browser tests report themselves skipped. */
export const hasChromium: boolean = existsSync(CHROMIUM);

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** `../screenshots/`, where the tests save the README's pictures. */
export const SCREENSHOTS: string = fileURLToPath(new URL("../screenshots/", import.meta.url));

/** Build the UI when `dist/app` is missing. */
export function ensureWebBuilt(): void {
  if (!isWebBuilt()) execFileSync("npx", ["vite", "build"], { cwd: packageDir, stdio: "ignore" });
}

/** A running server. */
export interface UiServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stop it; resolves to its exit code. */
  close(): Promise<number>;
}

/** The Results server (`main`) on a free port, SQLite in memory, with `args` added. */
export async function startUiServer(args: string[] = []): Promise<UiServer> {
  let url = "";
  let stop!: () => void;
  const done = main(
    ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:", "--no-logs", ...args],
    { LOG_LEVEL: "error" },
    {
      stop: new Promise<void>((r) => (stop = r)),
      onListening: (a) => (url = a.url),
      defaultConfigFile: "/nonexistent",
    },
  );
  let exited: number | undefined;
  void done.then((code) => (exited = code));
  while (url === "") {
    if (exited !== undefined) throw new Error(`the server exited with ${exited}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url,
    close: () => {
      stop();
      return done;
    },
  };
}

/** A client of the server at `url`, sending `token` as a bearer token when given. */
export function apiClient(url: string, token?: string): ResultsClient {
  return createResultsClient(
    createGrpcTransport({
      baseUrl: url,
      interceptors: token
        ? [
            (next) => (req) => {
              req.header.set("authorization", `Bearer ${token}`);
              return next(req);
            },
          ]
        : [],
    }),
  );
}

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * The serious and critical violations of axe-core (injected into the page) on the page as it
 * is, one line each; throws when axe-core could check next to nothing.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () => {
    const run = await (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run();
    return { violations: run.violations, passes: run.passes.length };
  });
  // axe-core checked something: rules passed (a page it could not read would pass none).
  if (results.passes <= 10) throw new Error(`axe-core passed only ${results.passes} rules`);
  return results.violations
    .filter((v: Result) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v: Result) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
}

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** A running reverse proxy. */
export interface HeaderProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A reverse proxy to `target` that sets `headers` on every request it passes on, as oauth2-proxy
 * does with `--pass-authorization-header` (the signed-in user's ID token as
 * `Authorization: Bearer`).
 */
export async function startHeaderProxy(
  target: string,
  headers: { [name: string]: string },
): Promise<HeaderProxy> {
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host, ...headers },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
