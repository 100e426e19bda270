/**
 * B11: the web UI's Runs page, first screen, in a real Chromium (Debian's `/usr/bin/chromium`,
 * driven by playwright-core), served by the full server over the loaded data set: the time from
 * the start of the navigation to the first rows in the page (the page's own clock,
 * `performance.now()` when the first row is in the DOM, at the next animation frame), each
 * sample in a fresh browser context (an empty cache: a first visit). Next to it, the same page
 * served the same way over a small data set on the same database (the peer). Each sample checks
 * what the page asked: one ListRecords and nothing else (no count, no summary).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { chromium, type Browser } from "playwright-core";
import { create } from "@bufbuild/protobuf";
import { AnySchema, RecordSchema } from "@tekton-results/proto";
import { createResultsRoutes, createResultsServer, loadUi } from "@tekton-results/server";
import type { ResultsStore } from "@tekton-results/storage";
import { createClients } from "./api-harness.js";
import type { BenchBackend } from "./backend.js";
import { createDataGenerator, type DataGenerator } from "./generate.js";
import { createResults } from "./ingest.js";
import { compare } from "./report.js";
import { quantile, summarize, type Measurement } from "./stats.js";
import type { WorkloadSink } from "./workloads.js";

/** Debian's Chromium, as the web package's browser tests use it. */
const CHROMIUM = "/usr/bin/chromium";
/** The peer's data set: 200 Results, 1,000 records. */
const SMALL_RESULTS = 200;
/** The goal for the first screen at 1M records. */
const GOAL_MS = 1000;

/** A server over `store` with the web UI at `/`. */
async function startUiServer(store: ResultsStore) {
  const warnings: string[] = [];
  const ui = await loadUi({
    debug: () => undefined,
    info: () => undefined,
    warn: (_fields, msg) => warnings.push(msg),
    error: (_fields, msg) => warnings.push(msg),
  });
  const server = createResultsServer({ routes: createResultsRoutes({ store }), store, ui });
  const { url } = await server.listen(0, "127.0.0.1");
  return { url, problem: warnings[0], close: () => server.close({ deadlineMs: 1000 }) };
}

/**
 * Run in the page before its scripts: note `performance.now()` (ms since the navigation
 * started) at the animation frame after the first row enters the DOM.
 */
const FIRST_ROW_OBSERVER = `
  new MutationObserver((_, observer) => {
    if (window.firstRowAt === undefined && document.querySelector('[data-testid="run-row"]')) {
      observer.disconnect();
      requestAnimationFrame(() => { window.firstRowAt = performance.now(); });
    }
  }).observe(document, { childList: true, subtree: true });
`;

/** The page's times: the first row, and its ListRecords request's duration (resource timing). */
const PAGE_TIMES = `({
  firstRowMs: window.firstRowAt,
  listMs: performance.getEntriesByType("resource").find((e) => e.name.endsWith("/ListRecords"))?.duration ?? NaN,
})`;

/** One sample: what the page measured, and the API calls it made. */
interface Sample {
  /** Navigation start to the first row in the DOM (next animation frame), ms. */
  firstRowMs: number;
  /** The ListRecords request's duration as the page saw it, ms. */
  listMs: number;
  /** The methods of the API calls the page made. */
  calls: string[];
  /** This process's CPU time during the load (the server and the browser's driver, not Chromium), µs. */
  cpuUs: number;
}

/** Open `url` in a fresh context; the page's own times. */
async function sample(browser: Browser, url: string): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const calls: string[] = [];
    page.on("request", (req) => {
      const m = /\/tekton\.results\.v1alpha2\.Results\/(\w+)$/.exec(new URL(req.url()).pathname);
      if (m) calls.push(m[1]!);
    });
    // In-page code as text: the bench is compiled without the DOM's types.
    await page.addInitScript({ content: FIRST_ROW_OBSERVER });
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction("window.firstRowAt !== undefined", undefined, { timeout: 30_000 });
    const times = (await page.evaluate(PAGE_TIMES)) as { firstRowMs: number; listMs: number };
    const cpu = process.cpuUsage(cpu0);
    return { ...times, calls, cpuUs: cpu.user + cpu.system };
  } finally {
    await context.close();
  }
}

/** Store `gen`'s data set in `store` through the server at `url` (the peer's small set). */
async function fillSmall(store: ResultsStore, url: string, gen: DataGenerator): Promise<number> {
  const results = Array.from({ length: gen.results }, (_, i) => gen.result(i));
  await createResults(store, results);
  const [client] = createClients(url, 1);
  const encoder = new TextEncoder();
  let records = 0;
  for (const r of results) {
    for (const rec of r.records) {
      await client!.createRecord({
        parent: `${rec.parent}/results/${rec.resultName}`,
        record: create(RecordSchema, {
          name: `${rec.parent}/results/${rec.resultName}/records/${rec.name}`,
          data: create(AnySchema, { type: rec.type, value: encoder.encode(rec.data) }),
        }),
      });
      records++;
    }
  }
  return records;
}

/** Samples of `path` on both servers, interleaved (so that drift hits both alike). */
async function measurePair(
  browser: Browser,
  bigUrl: string,
  smallUrl: string,
  samples: number,
): Promise<{ big: Sample[]; small: Sample[] }> {
  const big: Sample[] = [];
  const small: Sample[] = [];
  // Untimed: the first page of each server (the database's and the filter cache's warm-up).
  await sample(browser, bigUrl);
  await sample(browser, smallUrl);
  for (let i = 0; i < samples; i++) {
    big.push(await sample(browser, bigUrl));
    small.push(await sample(browser, smallUrl));
  }
  return { big, small };
}

function measurementOf(samples: readonly Sample[], wallMs: number): Measurement {
  return summarize(
    samples.map((s) => s.firstRowMs),
    wallMs,
    samples.reduce((sum, s) => sum + s.cpuUs, 0),
  );
}

function p95(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.95,
  );
}

/** The calls of a sample that are not the one ListRecords the first screen may make. */
function extraCalls(s: Sample): string[] {
  const rest = [...s.calls];
  const list = rest.indexOf("ListRecords");
  if (list >= 0) rest.splice(list, 1);
  return list >= 0 ? rest : ["(no ListRecords)", ...rest];
}

/** B11 on `backend` (its loaded store); a reason when it cannot run. */
export async function runWebFirstScreen(
  backend: BenchBackend,
  gen: DataGenerator,
  records: number,
  seed: number,
  smoke: boolean,
  sink: WorkloadSink,
): Promise<string | undefined> {
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium)`;
  const big = await startUiServer(backend.store);
  const fresh = await backend.freshStore();
  const small = await startUiServer(fresh.store);
  let browser: Browser | undefined;
  try {
    if (big.problem !== undefined) return big.problem;
    const smallRecords = await fillSmall(
      fresh.store,
      small.url,
      createDataGenerator({ seed, results: SMALL_RESULTS }),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const samples = smoke ? 3 : 20;
    const ns = gen.namespaces[0]!;
    for (const [label, path] of [
      ["all namespaces", "/"],
      [`namespace ${ns}`, `/?ns=${ns}`],
    ] as const) {
      sink.log(`B11 ${backend.name}: the Runs page (${label}) in Chromium, ${samples} samples`);
      const t0 = performance.now();
      const { big: ours, small: peer } = await measurePair(
        browser,
        `${big.url}${path}`,
        `${small.url}${path}`,
        samples,
      );
      const wallMs = performance.now() - t0;
      const extra = [...ours, ...peer].flatMap(extraCalls);
      if (extra.length > 0) {
        throw new Error(`B11: the first screen made calls besides one ListRecords: ${extra}`);
      }
      const oursP95 = p95(ours.map((s) => s.firstRowMs));
      const list = ours.map((s) => s.listMs);
      sink.note(
        `B11 ${backend.name} (${label}): first rows p50 ${Math.round(measurementOf(ours, wallMs).p50Ms)} ms, ` +
          `p95 ${Math.round(oursP95)} ms at ${records} records; the same page at ${smallRecords} records ` +
          `p50 ${Math.round(measurementOf(peer, wallMs).p50Ms)} ms, p95 ${Math.round(p95(peer.map((s) => s.firstRowMs)))} ms; ` +
          `its ListRecords request (page 50, as the page saw it) p50 ${Math.round(
            quantile(
              [...list].sort((a, b) => a - b),
              0.5,
            ),
          )} ms, ` +
          `p95 ${Math.round(p95(list))} ms; each sample a new browser context (empty cache), one ListRecords and no other call.`,
      );
      sink.add(
        compare(
          {
            id: "B11",
            backend: backend.name,
            workload: `Runs page first screen in Chromium (${label}): navigation to the first rows`,
            peer: `the same page at ${smallRecords} records`,
            unit: "page loads",
            ours: measurementOf(ours, wallMs),
            baseline: measurementOf(peer, wallMs),
          },
          { kind: "latency", ratio: 1.5, slackMs: 50 },
          { goal: `p95 < ${GOAL_MS} ms`, met: oursP95 < GOAL_MS },
        ),
      );
    }
    return undefined;
  } finally {
    await browser?.close();
    await small.close();
    await big.close();
    await fresh.close();
  }
}
