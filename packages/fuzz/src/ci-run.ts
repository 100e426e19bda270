/**
 * CI's fixed-seed fuzz run, shared by the SQLite and PostgreSQL test files
 * (two files, so that vitest runs them side by side): start the server on
 * the backend, fuzz it, print the report and assert it clean.
 *
 * @module
 */
import { expect } from "vitest";
import { PROTOCOLS } from "./gen/requests.js";
import { formatReport, loggedErrors } from "./report.js";
import { runFuzz } from "./run.js";
import { startTarget, type Backend } from "./target.js";

/** The seed of CI's runs (a failure they find replays with it). */
export const CI_SEED = 20_261_206;
/** How far the heap after GC may end above its baseline after a run. */
export const HEAP_BOUND_BYTES = 96 * 2 ** 20;

/**
 * Fuzz a server on `backend` with `requests` per protocol from
 * {@link CI_SEED}, and expect no failure, no error logged by the server,
 * every request sent, and the heap back within {@link HEAP_BOUND_BYTES}.
 */
export async function expectCleanRun(backend: Backend, requests: number): Promise<void> {
  const target = await startTarget(backend);
  try {
    const report = await runFuzz(target, { requests, seed: CI_SEED });
    console.log(formatReport(report, { backend: backend.kind, problems: target.problems }));
    expect(report.failures).toEqual([]);
    expect(loggedErrors(target.problems)).toEqual([]);
    for (const protocol of PROTOCOLS) expect(report.perProtocol[protocol]?.requests).toBe(requests);
    expect(report.heap.afterBytes - report.heap.baselineBytes).toBeLessThan(HEAP_BOUND_BYTES);
  } finally {
    await target.close();
  }
}
