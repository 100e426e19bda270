import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFakeResultsRoutes } from "../test/support/fake-results.js";
import { capture } from "./log-capture-fixtures.js";
import { parseConfig } from "./config.js";
import { createResultsServer, type ResultsServer } from "./server.js";
import {
  ASSET_CACHE_CONTROL,
  createUiHandler,
  loadUi,
  PAGE_CACHE_CONTROL,
  type UiHandler,
} from "./ui.js";

const INDEX = "<!doctype html><title>Tekton Results</title>";
let root: string;
let server: ResultsServer | undefined;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "web-ui-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1);\n");
  // The build's precompressed forms of a chunk (vite-plugin-compression2 writes them).
  const chunk = Buffer.from(`console.log(${JSON.stringify("x".repeat(2000))});\n`);
  writeFileSync(join(root, "assets", "chunk-def456.js"), chunk);
  writeFileSync(join(root, "assets", "chunk-def456.js.gz"), gzipSync(chunk));
  writeFileSync(join(root, "assets", "chunk-def456.js.br"), brotliCompressSync(chunk));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close({ deadlineMs: 0 });
  server = undefined;
});

async function start(ui: UiHandler | undefined): Promise<string> {
  server = createResultsServer({ routes: createFakeResultsRoutes(), ui });
  return (await server.listen(0, "127.0.0.1")).url;
}

const html = { accept: "text/html,application/xhtml+xml" };

describe("the web UI served by the server", () => {
  it("serves index.html at / with no-cache, and hashed assets as immutable", async () => {
    const url = await start(createUiHandler(root));
    const page = await fetch(`${url}/`, { headers: html });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("cache-control")).toBe(PAGE_CACHE_CONTROL);
    expect(await page.text()).toBe(INDEX);
    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(asset.headers.get("cache-control")).toBe(ASSET_CACHE_CONTROL);
    expect(ASSET_CACHE_CONTROL).toBe("public, max-age=31536000, immutable");
  });

  it("sends a file's precompressed Brotli or gzip form to a browser that accepts it", async () => {
    const url = await start(createUiHandler(root));
    const original = `console.log(${JSON.stringify("x".repeat(2000))});\n`;
    const as = async (encoding: string) => {
      const res = await fetch(`${url}/assets/chunk-def456.js`, {
        headers: { "accept-encoding": encoding },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("javascript");
      expect(res.headers.get("cache-control")).toBe(ASSET_CACHE_CONTROL);
      // fetch decodes the body: the same text whichever form was sent.
      expect(await res.text()).toBe(original);
      return res.headers.get("content-encoding");
    };
    expect(await as("gzip, deflate, br")).toBe("br");
    expect(await as("gzip")).toBe("gzip");
    expect(await as("identity")).toBeNull();
  });

  it("answers the UI's own routes with index.html for pages, 404 for missing assets and data", async () => {
    const url = await start(createUiHandler(root));
    const deep = await fetch(`${url}/namespaces/ns/results/r/records/x?kind=taskrun`, {
      headers: html,
    });
    expect(deep.status).toBe(200);
    expect(deep.headers.get("cache-control")).toBe(PAGE_CACHE_CONTROL);
    expect(await deep.text()).toBe(INDEX);
    expect((await fetch(`${url}/assets/missing-1.js`, { headers: html })).status).toBe(404);
    expect(
      (await fetch(`${url}/config.json`, { headers: { accept: "application/json" } })).status,
    ).toBe(404);
  });

  it("leaves the API untouched: REST, RPC paths, health and POSTs", async () => {
    const url = await start(createUiHandler(root));
    const rest = await fetch(`${url}/apis/results.tekton.dev/v1alpha2/parents/ns/results`, {
      headers: html,
    });
    expect(rest.headers.get("content-type")).toContain("application/json");
    expect(await rest.text()).not.toContain("<title>");
    const rpc = await fetch(`${url}/tekton.results.v1alpha2.Results/NoSuchMethod`, {
      headers: html,
    });
    expect(await rpc.text()).not.toContain("<title>");
    expect(await (await fetch(`${url}/healthz`, { headers: html })).text()).toBe("ok\n");
    const post = await fetch(`${url}/somewhere`, { method: "POST", headers: html, body: "x" });
    expect(await post.text()).not.toContain("<title>");
  });

  it("serves no UI without a handler (--ui=false)", async () => {
    expect(parseConfig(["--ui=false"], {}, { defaultFile: "/nonexistent" })).toMatchObject({
      config: { ui: false },
    });
    expect(parseConfig([], {}, { defaultFile: "/nonexistent" })).toMatchObject({
      config: { ui: true },
    });
    expect(parseConfig([], { UI: "false" }, { defaultFile: "/nonexistent" })).toMatchObject({
      config: { ui: false },
    });
    const url = await start(undefined);
    const page = await fetch(`${url}/`, { headers: html });
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain("<title>");
  });

  it("says how to build the UI when it is not built, and never throws without the package", async () => {
    const { lines, logger } = capture();
    const unbuilt = await loadUi(logger, () =>
      Promise.resolve({
        webRoot: join(root, "nothing"),
        isWebBuilt: () => false,
        BUILD_COMMAND: "npm run build -w @tekton-results/web",
      }),
    );
    const url = await start(unbuilt);
    const page = await fetch(`${url}/`, { headers: html });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("npm run build -w @tekton-results/web");
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "warn", msg: expect.stringContaining("not built") }),
    );
    const missing = await loadUi(logger, () => Promise.reject(new Error("Cannot find package")));
    expect(missing).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "warn", msg: expect.stringContaining("not installed") }),
    );
  });
});
