// @vitest-environment node
/**
 * What the Runs page asks of the API, seen from Chromium: its first screen is one ListRecords
 * request (the first keyset page of 50, newest first; no page token) and nothing else (no count,
 * no summary, no request per row); the next page is one request with the page token; the
 * namespaces' summary is asked only when the namespace box is used.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Request } from "playwright-core";
import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import { Results } from "@tekton-results/client";
import { apiClient, hasChromium, launchChromium, startUiServer, type UiServer } from "./browser.js";
import { ensureWebBuilt } from "./browser.js";
import { seed } from "./seed.js";

const SERVICE = "/tekton.results.v1alpha2.Results/";

/** An API call the page made: the method and its request (the Connect protocol's binary body). */
interface Call {
  method: string;
  request: Record<string, unknown>;
}

function callOf(req: Request): Call | undefined {
  const path = new URL(req.url()).pathname;
  if (!path.startsWith(SERVICE)) return undefined;
  const method = path.slice(SERVICE.length);
  const desc = Object.values(Results.method).find((m) => m.name === method);
  const body = req.postDataBuffer();
  const request =
    desc && body
      ? (fromBinary(desc.input as DescMessage, new Uint8Array(body)) as Record<string, unknown>)
      : {};
  return { method, request };
}

describe.skipIf(!hasChromium)(
  "the Runs page's requests in Chromium (needs /usr/bin/chromium)",
  () => {
    let server: UiServer;
    let browser: Browser;
    let page: Page;
    const calls: Call[] = [];

    beforeAll(async () => {
      ensureWebBuilt();
      server = await startUiServer();
      const client = apiClient(server.url);
      await seed(client);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on("request", (req) => {
        const call = callOf(req);
        if (call) calls.push(call);
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      expect(await server?.close()).toBe(0);
    });

    it("asks one keyset page for its first screen, and no count", async () => {
      calls.length = 0;
      await page.goto(`${server.url}/`);
      await page.locator('[data-testid="run-row"]').nth(2).waitFor();
      await page.waitForLoadState("networkidle");
      expect(calls).toEqual([
        {
          method: "ListRecords",
          request: expect.objectContaining({
            parent: "-/results/-",
            pageSize: 50,
            pageToken: "",
            orderBy: "create_time desc",
          }),
        },
      ]);
    });

    it("asks the namespaces' summary only when the namespace box is used", async () => {
      calls.length = 0;
      await page.locator("#tr-namespace").focus();
      await expect.poll(() => calls.map((c) => c.method)).toEqual(["GetRecordListSummary"]);
      expect(calls[0]!.request).toMatchObject({ parent: "-/results/-", groupBy: "namespace" });
      await page.locator("#tr-namespace").click();
      await expect
        .poll(() => page.getByRole("option").allTextContents())
        .toEqual(["All namespaces", "ci", "team-b"]);
    });

    it("asks the next page with the page token, one request, when the table's end is reached", async () => {
      // 60 more PipelineRuns in one namespace: two pages.
      const client = apiClient(server.url);
      for (let i = 0; i < 60; i++) {
        const name = `bulk-${String(i).padStart(2, "0")}`;
        await client.createResult({ parent: "bulk", result: { name: `bulk/results/${name}` } });
        await client.createRecord({
          parent: `bulk/results/${name}`,
          record: {
            name: `bulk/results/${name}/records/${name}`,
            data: {
              type: "tekton.dev/v1.PipelineRun",
              value: new TextEncoder().encode(
                JSON.stringify({ kind: "PipelineRun", metadata: { name, namespace: "bulk" } }),
              ),
            },
          },
        });
      }
      calls.length = 0;
      await page.goto(`${server.url}/?ns=bulk`);
      await page.locator('[data-testid="run-row"]').nth(49).waitFor();
      await page.waitForLoadState("networkidle");
      const first = calls.filter((c) => c.method === "ListRecords");
      expect(first).toHaveLength(1);
      await page.locator('[data-testid="run-row"]').nth(49).scrollIntoViewIfNeeded();
      await page.locator(".tr-more").scrollIntoViewIfNeeded();
      await page.locator('[data-testid="run-row"]').nth(59).waitFor();
      await page.waitForLoadState("networkidle");
      expect(calls.map((c) => c.method)).toEqual(["ListRecords", "ListRecords"]);
      expect(calls[1]!.request).toMatchObject({ parent: "bulk/results/-", pageSize: 50 });
      expect(calls[1]!.request["pageToken"]).not.toBe("");
      expect(await page.locator('[data-testid="run-row"]').count()).toBe(60);
    });
  },
);
