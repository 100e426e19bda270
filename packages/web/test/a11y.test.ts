// @vitest-environment node
/**
 * Accessibility in Chromium: axe-core (injected into the page) on every page of the UI, in the
 * light and the dark theme, finds no serious or critical violation; and the Runs table works
 * from the keyboard (Tab reaches a row's link, the arrows move between rows, Enter opens the run).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import {
  apiClient,
  ensureWebBuilt,
  hasChromium,
  launchChromium,
  seriousViolations,
  startUiServer,
  type UiServer,
} from "./browser.js";
import { seed } from "./seed.js";

/** A page of the UI in a given state, and what shows it is ready. */
interface PageState {
  name: string;
  path: string;
  ready: string;
  /** What to do once it is ready (open a tab, type a bad filter). */
  act?: (page: Page) => Promise<void>;
}

const PAGES: PageState[] = [
  { name: "Runs", path: "/", ready: '[data-testid="run-row"]' },
  {
    name: "Runs, a bad CEL filter",
    path: "/?filter=data.metadata.name%20%3D%3D",
    ready: '[data-testid="cel-error"]',
  },
  { name: "Runs, nothing matches", path: "/?ns=nowhere", ready: '[data-testid="empty"]' },
  {
    name: "Run",
    path: "/namespaces/ci/results/build-2/records/build-2",
    ready: '[data-testid="run-title"]',
  },
  {
    name: "Run, TaskRuns",
    path: "/namespaces/ci/results/build-2/records/build-2",
    ready: '[data-testid="run-title"]',
    act: (page) => page.getByRole("tab", { name: "TaskRuns (2)" }).click(),
  },
  {
    name: "Run, YAML",
    path: "/namespaces/ci/results/build-2/records/build-2",
    ready: '[data-testid="run-title"]',
    act: (page) => page.getByRole("tab", { name: "YAML" }).click(),
  },
  {
    name: "Run, not found",
    path: "/namespaces/ci/results/none/records/none",
    ready: '[data-testid="error"]',
  },
  {
    name: "Logs, none stored yet",
    path: "/namespaces/ci/results/build-2/records/build-2-test/logs",
    ready: '[data-testid="logs-title"]',
  },
  { name: "Insights", path: "/insights", ready: '[data-testid="total-runs"]' },
  {
    name: "Insights, nothing in range",
    path: "/insights?ns=nowhere",
    ready: '[data-testid="empty"]',
  },
  { name: "Page not found", path: "/no/such/page", ready: "h1" },
];

describe.skipIf(!hasChromium)("accessibility in Chromium (needs /usr/bin/chromium)", () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startUiServer();
    await seed(apiClient(server.url));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.clock.setFixedTime(new Date("2026-12-01T10:25:00Z"));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    expect(await server?.close()).toBe(0);
  });

  it("reports a serious violation when there is one (the check is not blind)", async () => {
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid="run-row"]').first().waitFor();
    await page.evaluate(() => {
      const button = document.createElement("button"); // no name: axe's button-name, critical
      document.getElementById("main-content")?.append(button);
    });
    expect(await seriousViolations(page)).toEqual([expect.stringMatching(/^critical button-name/)]);
  });

  for (const scheme of ["light", "dark"] as const) {
    for (const state of PAGES) {
      it(`${state.name} (${scheme}): no serious or critical axe-core violation`, async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${server.url}${state.path}`);
        await page.locator(state.ready).first().waitFor();
        await state.act?.(page);
        // Carbon's components fade to the theme's colours: measure contrast once they have.
        await page.waitForTimeout(300);
        expect(await page.evaluate(() => document.documentElement.dataset["theme"])).toBe(
          scheme === "dark" ? "g100" : "white",
        );
        expect(await seriousViolations(page)).toEqual([]);
      });
    }
  }

  it("reaches the Runs table's rows with Tab, moves with the arrows, opens a run with Enter", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${server.url}/?ns=ci`);
    await page.locator('[data-testid="run-row"]').nth(1).waitFor();
    const focused = () =>
      page.evaluate(() => ({
        testid: document.activeElement?.getAttribute("data-testid") ?? "",
        text: document.activeElement?.textContent ?? "",
      }));
    let presses = 0;
    while ((await focused()).testid !== "run-name") {
      await page.keyboard.press("Tab");
      if (++presses > 40) throw new Error("Tab never reached a row's link");
    }
    expect(await focused()).toEqual({ testid: "run-name", text: "build-2" });
    await page.keyboard.press("ArrowDown");
    expect((await focused()).text).toBe("build-1");
    await page.keyboard.press("ArrowDown"); // the last row: stays
    expect((await focused()).text).toBe("build-1");
    await page.keyboard.press("Home");
    expect((await focused()).text).toBe("build-2");
    await page.keyboard.press("End");
    expect((await focused()).text).toBe("build-1");
    await page.keyboard.press("ArrowUp");
    expect((await focused()).text).toBe("build-2");
    // Tab goes on to the next row's link (the arrows are a shortcut, not a trap).
    await page.keyboard.press("Tab");
    expect((await focused()).text).toBe("build-1");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="run-title"]').waitFor();
    expect(new URL(page.url()).pathname).toBe("/namespaces/ci/results/build-1/records/build-1");
    // The browser's Back returns to the list, as it was.
    await page.goBack();
    await page.locator('[data-testid="run-row"]').nth(1).waitFor();
    expect(new URL(page.url()).search).toBe("?ns=ci");
  });

  it("skips the header to the content from the keyboard", async () => {
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid="run-row"]').first().waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      "Skip to main content",
    );
    await page.keyboard.press("Enter");
    // The next Tab lands in the page's content (the namespace box), past the header's links.
    await page.keyboard.press("Tab");
    expect(
      await page.evaluate(() => ({
        inContent: document.getElementById("main-content")?.contains(document.activeElement),
        id: document.activeElement?.id,
      })),
    ).toEqual({ inContent: true, id: "tr-namespace" });
  });
});
