// @vitest-environment node
/**
 * The Insights page and the Run page's timeline in Chromium, against a real server holding the
 * Insights data set (seed.ts): the figures on the page are the seeded runs' (3 successes and 1
 * failure are 75%), the window and namespace come from the URL, the charts draw, a pipeline's
 * link narrows them; the timeline's bars say their status, reason and message on hover and on
 * focus. Screenshots go to ../screenshots/ (shown in the README).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import {
  apiClient,
  ensureWebBuilt,
  hasChromium,
  launchChromium,
  SCREENSHOTS,
  seriousViolations,
  startUiServer,
  type UiServer,
} from "./browser.js";
import { INSIGHTS_NOW, seedInsights } from "./seed.js";

describe.skipIf(!hasChromium)(
  "Insights and the timeline in Chromium (needs /usr/bin/chromium)",
  () => {
    let server: UiServer;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      ensureWebBuilt();
      server = await startUiServer();
      await seedInsights(apiClient(server.url));
      browser = await launchChromium();
      page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        colorScheme: "light",
      });
      // A locator that never appears fails the test with its name, before the test's timeout.
      page.setDefaultTimeout(10_000);
      await page.clock.setFixedTime(INSIGHTS_NOW);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      expect(await server?.close()).toBe(0);
    });

    const text = (testid: string): Promise<string | null> =>
      page.locator(`[data-testid="${testid}"]`).first().textContent();
    const rows = (testid: string): Promise<string[]> =>
      page.locator(`[data-testid="${testid}-row"]`).allTextContents();

    it("shows the seeded figures of the last 7 days: success rate, durations, slowest, flakiest", async () => {
      await page.goto(`${server.url}/`);
      await page.getByRole("link", { name: "Insights" }).click();
      await page.locator('[data-testid="success-rate"]').waitFor();
      expect(new URL(page.url()).pathname).toBe("/insights");
      expect(await page.getByRole("link", { name: "Insights" }).getAttribute("aria-current")).toBe(
        "page",
      );
      // The screenshots without the header link's focus ring: the page opened by its address.
      await page.goto(`${server.url}/insights`);
      await page.locator('[data-testid="success-rate"]').waitFor();
      // 11 runs in the window: 6 succeeded, 5 failed (the 60-day-old build is outside it).
      expect(await text("total-runs")).toBe("11");
      expect(await text("success-rate")).toBe("54.5%");
      const pipelines = await rows("pipelines");
      expect(pipelines).toHaveLength(4);
      expect(pipelines.find((r) => r.startsWith("build"))).toMatch(/^buildci475%3 \/ 1/);
      expect(await rows("flakiest")).toEqual([
        expect.stringMatching(/^deployteam-b50%1 \/ 1$/),
        expect.stringMatching(/^buildci25%3 \/ 1$/),
      ]);
      expect((await rows("slowest"))[0]).toMatch(/^deployteam-b/);
      // The three charts drew their SVG (Carbon Charts, loaded as a chunk of its own).
      for (const chart of ["chart-success-rate", "chart-duration", "chart-runs"]) {
        await page.locator(`[data-testid="${chart}"] svg.layout-svg-wrapper`).first().waitFor();
      }
      await page
        .locator('[data-testid="chart-runs"] path.bar, [data-testid="chart-runs"] rect.bar')
        .first()
        .waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}insights.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.waitForTimeout(500);
      await page.screenshot({ path: `${SCREENSHOTS}insights-dark.png`, fullPage: true });
      await page.emulateMedia({ colorScheme: "light" });
    });

    it("narrows to a pipeline by its link: 3 successes and 1 failure are 75%, p50 3m 30s, p95 4m 51s", async () => {
      await page.locator('[data-testid="pipelines"]').getByRole("link", { name: "build" }).click();
      await expect.poll(() => text("success-rate")).toBe("75%");
      expect(new URL(page.url()).searchParams.get("pipeline")).toBe("ci/build");
      expect(await text("total-runs")).toBe("4");
      expect(await text("p50")).toBe("3m 30s");
      expect(await text("p95")).toBe("4m 51s");
      expect(await page.locator("h1").textContent()).toBe("Insights: build");
    });

    it("reads the namespace and the window from the URL (a deep link)", async () => {
      await page.goto(`${server.url}/insights?ns=ci&range=90d&pipeline=ci%2Fbuild`);
      // The 90-day window takes in the build that failed 60 days ago: 3 of 5.
      await expect.poll(() => text("success-rate")).toBe("60%");
      await page.goto(`${server.url}/insights?ns=team-b`);
      await expect.poll(() => text("total-runs")).toBe("5");
      expect(await text("success-rate")).toBe("20%");
      expect(await rows("namespaces")).toEqual([expect.stringMatching(/^team-b5/)]);
      await page.goto(`${server.url}/insights?ns=nowhere`);
      expect(await page.locator('[data-testid="empty"]').textContent()).toContain(
        "No PipelineRuns started in the last 7 days in namespace nowhere",
      );
    });

    it("changes the window with its menu, into the URL", async () => {
      await page.goto(`${server.url}/insights?ns=ci`);
      await expect.poll(() => text("total-runs")).toBe("6");
      await page.locator("#tr-insights-range").click();
      await page.getByRole("option", { name: "Last 90 days" }).click();
      await expect.poll(() => text("total-runs")).toBe("7");
      expect(new URL(page.url()).searchParams.get("range")).toBe("90d");
    });

    it("has no serious or critical axe-core violation, light and dark", async () => {
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${server.url}/insights`);
        await page.locator('[data-testid="chart-runs"] svg.layout-svg-wrapper').first().waitFor();
        await page.waitForTimeout(300);
        expect(await seriousViolations(page)).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: "light" });
    }, 60_000);

    it("draws the run's TaskRuns and steps on a timeline, with reason and message on hover and focus", async () => {
      await page.goto(`${server.url}/namespaces/ci/results/build-c/records/build-c`);
      await page.locator('[data-testid="run-title"]').waitFor();
      const bars = page.locator("[data-timeline-bar]");
      expect(await bars.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")))).toEqual(
        [
          "TaskRun fetch: Succeeded, 30s, Succeeded",
          "Step clone: Succeeded, 30s, Completed",
          "TaskRun test: Failed, 2m 50s, Failed",
          "Step prepare: Succeeded, 50s, Completed",
          "Step unit: Failed, 2m, Error",
        ],
      );
      // The failed bar is drawn in the theme's error colour, the succeeded one in its success colour.
      const colour = (i: number) =>
        bars.nth(i).evaluate((e) => getComputedStyle(e).backgroundColor);
      expect(await colour(2)).toBe("rgb(218, 30, 40)");
      expect(await colour(0)).toBe("rgb(36, 161, 72)");
      await bars.nth(4).hover();
      const tooltip = page.getByRole("tooltip").filter({ hasText: "Step unit" });
      await tooltip.waitFor();
      expect(await tooltip.textContent()).toContain("unit: 3 tests failed (exit code 1)");
      await page.screenshot({ path: `${SCREENSHOTS}run-timeline.png`, fullPage: true });
      // The keyboard: Tab to the first bar, the arrows to the failed TaskRun; its message shows.
      await page.mouse.move(0, 0);
      await bars.nth(0).focus();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
        "TaskRun test: Failed, 2m 50s, Failed",
      );
      const focused = page.getByRole("tooltip").filter({ hasText: "TaskRun test" });
      await focused.waitFor();
      expect(await focused.textContent()).toContain('"step-unit" exited with code 1');
    });
  },
);
