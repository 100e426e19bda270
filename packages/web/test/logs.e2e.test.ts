// @vitest-environment node
/**
 * The Logs page end to end: a real server (SQLite in memory, logs in a temporary directory)
 * holding the seeded runs of seed.ts with logs stored by UpdateLog — build-2's TaskRuns (step
 * markers, ANSI colours, timestamps) and a 200,000-line log of build-1-test — driven in
 * Debian's Chromium. The screenshot goes to ../screenshots/logs.png (shown in the README).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  createLogsClient,
  createResultsClient,
  formatRecordName,
  formatResultName,
  jsonRecordData,
  RECORD_TYPES,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { main } from "@tekton-results/server";
import { isWebBuilt } from "../src/web-root.js";
import { seriousViolations } from "./browser.js";
import { seed } from "./seed.js";

const CHROMIUM = "/usr/bin/chromium";
const shots = fileURLToPath(new URL("../screenshots/", import.meta.url));

/** The lines of the big log, and how many of them say WARNING (every 1000th). */
export const BIG_LINES = 200_000;
const WARNINGS = BIG_LINES / 1000;

/** The bound of opening the 200,000-line log, in milliseconds (it takes about 1-2 s). */
const OPEN_BOUND_MS = 10_000;

/** Store `text` as the log of the run record `ns/results/result/records/run`. */
async function storeLog(
  client: ResultsClient,
  logs: LogsClient,
  ns: string,
  result: string,
  run: string,
  chunks: Iterable<string>,
): Promise<void> {
  await client.createRecord({
    parent: formatResultName(ns, result),
    record: {
      name: formatRecordName(ns, result, `${run}-log`),
      data: jsonRecordData(RECORD_TYPES.LOG, {
        kind: "Log",
        apiVersion: "results.tekton.dev/v1alpha3",
        metadata: { name: `${run}-log`, namespace: ns, uid: `${run}-log` },
        spec: { resource: { kind: "TaskRun", namespace: ns, name: run, uid: run }, type: "File" },
      }),
    },
  });
  await logs.uploadLog(`${ns}/results/${result}/logs/${run}-log`, chunks);
}

/** The lines of the 200,000-line log, in chunks of 1000 lines. */
function* bigLog(): Generator<string> {
  for (let c = 0; c < BIG_LINES / 1000; c++) {
    let chunk = "";
    for (let i = c * 1000; i < (c + 1) * 1000; i++) {
      const n = i + 1;
      const step = n <= 100_000 ? "unit" : "integration";
      chunk +=
        n % 1000 === 0
          ? `[test : ${step}] \u001b[33mWARNING\u001b[0m slow test case ${n}\n`
          : `[test : ${step}] \u001b[32mPASS\u001b[0m test case ${n} of the suite (${n % 97} ms)\n`;
    }
    yield chunk;
  }
}

/** Logs of build-2's TaskRuns: markers, timestamps as pods write them, ANSI colours. */
async function seedLogs(client: ResultsClient, logs: LogsClient): Promise<void> {
  const ts = (s: number) => `2026-12-01T10:10:${String(s).padStart(2, "0")}.123456789Z`;
  await storeLog(client, logs, "ci", "build-2", "build-2-fetch", [
    `[fetch : clone] ${ts(11)} Cloning into '/workspace/source'...\n`,
    `[fetch : clone] ${ts(12)} \u001b[32m✔\u001b[0m cloned https://example.com/demo.git at v1.10\n`,
    `[fetch : checksum] ${ts(13)} sha256 3f2a9c…\n`,
  ]);
  await storeLog(client, logs, "ci", "build-2", "build-2-test", [
    `[test : unit] ${ts(20)} \u001b[1mRunning 3 tests\u001b[0m\n`,
    `[test : unit] ${ts(21)} \u001b[32mPASS\u001b[0m parser accepts CEL\n`,
    `[test : unit] ${ts(22)} \u001b[31mFAIL\u001b[0m storage keeps order: expected 3, got 2\n`,
    `[test : unit] ${ts(23)} \u001b[32mPASS\u001b[0m names round-trip\n`,
    `[test : unit] ${ts(24)} \u001b[1;31mTests: 1 failed\u001b[0m, 2 passed\n`,
  ]);
  await storeLog(client, logs, "ci", "build-1", "build-1-test", bigLog());
}

describe.skipIf(!existsSync(CHROMIUM))(
  "the Logs page in Chromium (needs /usr/bin/chromium)",
  () => {
    let url = "";
    let stop!: () => void;
    let done: Promise<number>;
    let browser: Browser;
    let page: Page;
    const logsDir = mkdtempSync(join(tmpdir(), "web-logs-e2e-"));

    beforeAll(async () => {
      if (!isWebBuilt())
        throw new Error("build the web UI first: npm run build -w @tekton-results/web");
      done = main(
        [
          "--port",
          "0",
          "--host",
          "127.0.0.1",
          "--database",
          "sqlite::memory:",
          "--logs-dir",
          logsDir,
        ],
        { LOG_LEVEL: "error" },
        {
          stop: new Promise<void>((r) => (stop = r)),
          onListening: (a) => (url = a.url),
          defaultConfigFile: "/nonexistent",
        },
      );
      while (url === "") await new Promise((r) => setTimeout(r, 20));
      const transport = createGrpcTransport({ baseUrl: url });
      const client = createResultsClient(transport);
      await seed(client);
      await seedLogs(client, createLogsClient(transport));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      page = await browser.newPage({
        viewport: { width: 1280, height: 800 },
        colorScheme: "light",
      });
      await page.clock.setFixedTime(new Date("2026-12-01T10:25:00Z"));
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      stop?.();
      expect(await done).toBe(0);
      rmSync(logsDir, { recursive: true, force: true });
    });

    const state = () => page.getByTestId("log-status").getAttribute("data-state");
    const count = () => page.getByTestId("log-match-count").textContent();

    it("shows a PipelineRun's log from its TaskRuns: step sections, ANSI colours, timestamps", async () => {
      await page.goto(`${url}/namespaces/ci/results/build-2/records/build-2`);
      await page.getByTestId("logs-link").click();
      await expect.poll(state).toBe("done");
      expect(new URL(page.url()).pathname).toBe(
        "/namespaces/ci/results/build-2/records/build-2/logs",
      );
      expect(await page.getByTestId("log-section").allTextContents()).toEqual([
        "[fetch : clone] 2 lines",
        "[fetch : checksum] 1 line",
        "[test : unit] 5 lines",
      ]);
      const fail = page.locator('[data-line="6"] .ansi-red-fg');
      expect(await fail.textContent()).toBe("FAIL");
      // The light theme's red (#da1e28), from anser's class.
      expect(await fail.evaluate((e) => getComputedStyle(e).color)).toBe("rgb(218, 30, 40)");
      const time = page.locator('[data-line="1"] time');
      expect(await time.textContent()).toBe("10:10:11.123");
      expect(await time.getAttribute("datetime")).toBe("2026-12-01T10:10:11.123456789Z");
      expect(await page.locator('[data-line="1"] .tr-log-body').textContent()).toBe(
        "Cloning into '/workspace/source'...",
      );
      await page.getByRole("searchbox").fill("fail");
      await expect.poll(count).toBe("1 of 2");
      await page.screenshot({ path: `${shots}logs.png` });
      // A section folds and unfolds.
      await page.getByTestId("log-section").first().click();
      await expect.poll(() => page.locator('[data-line="1"]').count()).toBe(0);
      await page.getByTestId("log-section").first().click();
      await expect.poll(() => page.locator('[data-line="1"]').count()).toBe(1);
    });

    it("has no serious or critical axe-core violation, light and dark", async () => {
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForTimeout(500);
        if (scheme === "dark") await page.screenshot({ path: `${shots}logs-dark.png` });
        expect((await seriousViolations(page)).map((v) => `${scheme} ${v}`)).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: "light" });
    });

    it("opens a 200,000-line log within the bound, virtualized, and scrolls to its end", async () => {
      const start = Date.now();
      await page.goto(`${url}/namespaces/ci/results/build-1/records/build-1-test/logs`);
      await expect.poll(state, { timeout: OPEN_BOUND_MS, interval: 50 }).toBe("done");
      const openMs = Date.now() - start;
      console.log(`200,000-line log: open ${openMs} ms`);
      expect(openMs).toBeLessThan(OPEN_BOUND_MS);
      expect(await page.getByTestId("log-status").getAttribute("data-lines")).toBe(
        String(BIG_LINES),
      );
      // Only the rows in view (and a few around them) are elements.
      expect(await page.locator(".tr-log-row").count()).toBeLessThan(150);
      // The page's JS heap after a garbage collection (Chromium's DevTools protocol).
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("HeapProfiler.collectGarbage");
      const { usedSize } = await cdp.send("Runtime.getHeapUsage");
      await cdp.detach();
      console.log(`200,000-line log: JS heap ${Math.round(usedSize / 1e6)} MB`);
      expect(usedSize).toBeLessThan(150e6);
      await page.locator(".tr-log").evaluate((e) => (e.scrollTop = e.scrollHeight));
      await page.locator(`[data-line="${BIG_LINES}"]`).waitFor();
      expect(await page.locator(`[data-line="${BIG_LINES}"] .tr-log-body`).textContent()).toContain(
        `slow test case ${BIG_LINES}`,
      );
    });

    it("searches the 200,000 lines: count, next with Enter and n, previous with N", async () => {
      await page.keyboard.press("/");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("tr-log-search");
      const t0 = Date.now();
      await page.keyboard.type("warning");
      await expect.poll(count).toBe(`1 of ${WARNINGS}`);
      console.log(`200,000-line log: search ${Date.now() - t0} ms (typing included)`);
      await page.locator('[data-line="1000"] .tr-log-current').waitFor();
      await page.keyboard.press("Enter");
      await expect.poll(count).toBe(`2 of ${WARNINGS}`);
      await page.locator('[data-line="2000"] .tr-log-current').waitFor();
      await page.locator(".tr-log").focus();
      await page.keyboard.press("n");
      await expect.poll(count).toBe(`3 of ${WARNINGS}`);
      await page.keyboard.press("Shift+N");
      await page.keyboard.press("Shift+N");
      await page.keyboard.press("Shift+N");
      await expect.poll(count).toBe(`${WARNINGS} of ${WARNINGS}`);
      await page.locator(`[data-line="${BIG_LINES}"] .tr-log-current`).waitFor();
    });

    it("brings a deep-linked line into view and highlights it; a line's number links to it", async () => {
      await page.goto(`${url}/namespaces/ci/results/build-1/records/build-1-test/logs#L150000`);
      const selected = page.locator(".tr-log-selected");
      await selected.waitFor({ timeout: OPEN_BOUND_MS });
      expect(await selected.getAttribute("data-line")).toBe("150000");
      expect(await selected.isVisible()).toBe(true);
      const box = await selected.boundingBox();
      const view = await page.locator(".tr-log").boundingBox();
      expect(box!.y).toBeGreaterThan(view!.y);
      expect(box!.y + box!.height).toBeLessThan(view!.y + view!.height);
      await page.locator('[data-line="150003"] .tr-log-num').click();
      expect(new URL(page.url()).hash).toBe("#L150003");
      await expect.poll(() => selected.getAttribute("data-line")).toBe("150003");
    });

    it("downloads the raw bytes", async () => {
      await page.goto(`${url}/namespaces/ci/results/build-2/records/build-2-test/logs`);
      await expect.poll(state).toBe("done");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("build-2-test.log");
      const text = readFileSync(await download.path(), "utf8");
      expect(text.split("\n")[2]).toBe(
        "[test : unit] 2026-12-01T10:10:22.123456789Z \u001b[31mFAIL\u001b[0m storage keeps order: expected 3, got 2",
      );
    });

    it("says what to do when a run has no log yet", async () => {
      await page.goto(`${url}/namespaces/team-b/results/deploy-1/records/deploy-1/logs`);
      await page.getByText("No log yet").waitFor();
      expect(await page.getByTestId("log-notice").textContent()).toContain("has not finished");
    });
  },
);
