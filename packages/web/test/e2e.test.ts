// @vitest-environment node
/**
 * The web UI end to end: a real server (SQLite in memory) serving the built UI and a seeded data
 * set, driven in a real Chromium (Debian's `chromium`, which CI installs). Screenshots of each
 * page go to ../screenshots/ (shown in the README).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createResultsClient } from "@tekton-results/client";
import { main } from "@tekton-results/server";
import { isWebBuilt } from "../src/web-root.js";
import { seed } from "./seed.js";

const CHROMIUM = "/usr/bin/chromium";
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const shots = fileURLToPath(new URL("../screenshots/", import.meta.url));

// Without Debian's chromium (`apt-get install chromium`, as .ci/run does) there is no browser
// to drive: the test reports itself skipped rather than passing without a check.
describe.skipIf(!existsSync(CHROMIUM))("the web UI in Chromium (needs /usr/bin/chromium)", () => {
  let url = "";
  let stop!: () => void;
  let done: Promise<number>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!isWebBuilt()) {
      execFileSync("npx", ["vite", "build"], { cwd: packageDir, stdio: "ignore" });
    }
    done = main(
      ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:", "--no-logs"],
      { LOG_LEVEL: "error" },
      {
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
        defaultConfigFile: "/nonexistent",
      },
    );
    while (url === "") await new Promise((r) => setTimeout(r, 20));
    await seed(createResultsClient(createGrpcTransport({ baseUrl: url })));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
    // The page's clock: 5 minutes after the last run started, so that the relative times and the
    // running duration of the screenshots stay the same from run to run.
    await page.clock.setFixedTime(new Date("2026-12-01T10:25:00Z"));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    stop?.();
    expect(await done).toBe(0);
  });

  const names = async (): Promise<string[]> =>
    page.locator('[data-testid="run-name"]').allTextContents();

  it("lists the seeded PipelineRuns, newest first", async () => {
    await page.goto(`${url}/`);
    await page.locator('[data-testid="run-row"]').nth(2).waitFor();
    expect(await names()).toEqual(["deploy-1", "build-2", "build-1"]);
    const first = page.locator('[data-testid="run-row"]').first();
    await expect.poll(() => first.textContent()).toContain("Running");
    expect(await first.textContent()).toContain("team-b");
    expect(await first.locator("time").getAttribute("title")).toContain("2026-12-01T10:20:00.000Z");
    await page.screenshot({ path: `${shots}runs.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    // Carbon's fields fade to the new theme's colours: wait until they have.
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${shots}runs-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("filters by status and by kind, with the state in the URL", async () => {
    await page.locator("#tr-status").click();
    await page.getByRole("option", { name: "Failed" }).click();
    await expect.poll(names).toEqual(["build-2"]);
    expect(new URL(page.url()).searchParams.get("status")).toBe("failed");
    await page.goto(`${url}/?kind=taskrun&ns=ci&status=failed`);
    await expect.poll(names).toEqual(["build-2-test"]);
  });

  it("filters by pipeline and by labels, typed or from a deep link", async () => {
    await page.goto(`${url}/`);
    await page.locator('[data-testid="run-row"]').nth(2).waitFor();
    await page.locator("#tr-pipeline").fill("build");
    await page.locator("#tr-pipeline").press("Enter");
    await expect.poll(names).toEqual(["build-2", "build-1"]);
    expect(new URL(page.url()).searchParams.get("pipeline")).toBe("build");
    await page.goto(`${url}/?label=${encodeURIComponent("app=demo, tekton.dev/pipeline=deploy")}`);
    await expect.poll(names).toEqual(["deploy-1"]);
    await page.goto(`${url}/?label=${encodeURIComponent("app=other")}`);
    await page.getByText("No runs match these filters").waitFor();
  });

  it("shows the server's error of a bad CEL filter under the box", async () => {
    await page.goto(`${url}/`);
    await page.locator('[data-testid="run-row"]').first().waitFor();
    await page.locator("#tr-filter").fill("data.metadata.name ==");
    await page.locator("#tr-filter").press("Enter");
    const error = page.locator('[data-testid="cel-error"]');
    await error.waitFor();
    // The server's position, moved from the filter sent (the box's CEL on its own line) to the box.
    expect(await error.textContent()).toContain("syntax error at 1:20");
    expect(new URL(page.url()).searchParams.get("filter")).toBe("data.metadata.name ==");
    await page.screenshot({ path: `${shots}runs-filter-error.png`, fullPage: true });
    await page.locator("#tr-filter").fill('data.metadata.name.startsWith("build")');
    await page.locator("#tr-filter").press("Enter");
    await expect.poll(names).toEqual(["build-2", "build-1"]);
  });

  it("opens a run by its deep link: status, message, params, TaskRuns, YAML", async () => {
    await page.goto(`${url}/namespaces/ci/results/build-2/records/build-2`);
    const title = page.locator('[data-testid="run-title"]');
    await title.waitFor();
    expect(await title.textContent()).toBe("build-2");
    expect(await page.locator('[data-testid="run-status"]').textContent()).toContain("Failed");
    expect(await page.locator('[data-testid="run-message"]').textContent()).toContain(
      "Tasks Completed: 2 (Failed: 1",
    );
    expect(await page.getByRole("region", { name: "Params" }).textContent()).toContain("v1.10");
    expect(await page.getByText("tkn-results pipelinerun describe build-2 -n ci").count()).toBe(1);
    await page.screenshot({ path: `${shots}run.png`, fullPage: true });
    await page.getByRole("tab", { name: "TaskRuns (2)" }).click();
    await expect
      .poll(() => page.locator('[data-testid="child-run"]').allTextContents())
      .toEqual([expect.stringContaining("build-2-fetch"), expect.stringContaining("build-2-test")]);
    await page.getByRole("tab", { name: "YAML" }).click();
    expect(await page.locator('[data-testid="run-yaml"]').textContent()).toContain(
      "kind: PipelineRun",
    );
  });

  it("follows a row of the Runs page to its run", async () => {
    await page.goto(`${url}/?ns=ci`);
    await page.getByRole("link", { name: "build-1", exact: true }).click();
    await page.locator('[data-testid="run-title"]').waitFor();
    expect(new URL(page.url()).pathname).toBe("/namespaces/ci/results/build-1/records/build-1");
    expect(await page.locator('[data-testid="run-status"]').textContent()).toContain("Succeeded");
  });
});
