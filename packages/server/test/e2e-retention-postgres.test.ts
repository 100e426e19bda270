/**
 * One retention runner across processes on PostgreSQL: while another process holds the
 * retention lock (here the test, through a store's `runExclusive`, as a replica in the middle
 * of a run would), the API server's scheduled runs (`--retention-config`) are skipped, logged
 * and counted, and `tekton-results-retention --once` (a CronJob) skips too, exit 0; once the
 * lock is free, the server's next run deletes what the policy lets go.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createPgStore, type PgStore } from "@tekton-results/storage-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capture } from "../src/log-capture-fixtures.js";
import { main } from "../src/main.js";
import { createTestDatabase, type TestDatabase } from "./support/embedded-postgres.js";
import { resultNames, seedRuns } from "./support/retention-seed.js";

const RETENTION_BIN = resolve(import.meta.dirname, "../src/retention-bin.ts");

let database: TestDatabase;
let store: PgStore;
const dir = mkdtempSync(join(tmpdir(), "retention-pg-"));

beforeAll(async () => {
  database = await createTestDatabase("retention");
  store = await createPgStore({ connectionString: database.url });
}, 120_000);

afterAll(async () => {
  await store?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** `tekton-results-retention` as a process (its sources), to completion. */
function retentionCommand(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", RETENTION_BIN, ...args],
    { env: { ...process.env, RESULTS_CONFIG: "", LOG_LEVEL: "warn" } },
  );
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.resume();
  return new Promise((done) => child.on("close", (code) => done({ code, stdout })));
}

describe("retention on PostgreSQL: one runner across processes", () => {
  it("the server and the command skip while another holds the lock; the server runs once it is free", async () => {
    await seedRuns(store, undefined, "ci", [1, 5, 7]);
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, 'runAt: "* * * * * *"\ndefaultRetention: 4d\n');

    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const holder = store.runExclusive("retention", async () => {
      holding();
      await new Promise<void>((r) => (release = r));
    });
    await held;

    const { lines, logger } = capture();
    let stop!: () => void;
    let url = "";
    const server = main(
      [
        ...["--port", "0", "--host", "127.0.0.1", "--database", database.url, "--no-logs"],
        ...["--retention-config", policy],
      ],
      { RESULTS_CONFIG: "" },
      { logger, stop: new Promise<void>((r) => (stop = r)), onListening: (a) => (url = a.url) },
    );
    try {
      const skips = () =>
        lines.filter((l) => l.msg === "retention run skipped: another process is running retention")
          .length;
      await expect.poll(skips, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(lines.map((l) => l.msg)).not.toContain("retention run done");

      // A CronJob's run at the same time: skipped, exit 0, nothing deleted.
      const cron = await retentionCommand([
        ...["--once", "--config", policy, "--database", database.url, "--no-logs"],
      ]);
      expect(cron).toEqual({
        code: 0,
        stdout: "Skipped: another process is running retention (it holds the lock).\n",
      });
      expect(await resultNames(store)).toEqual(["ci/ci-1", "ci/ci-5", "ci/ci-7"]);
      const page = await (await fetch(`${url}/metrics`)).text();
      expect(page).toMatch(/tekton_results_retention_skipped_runs_total\{reason="lock"\} [2-9]/);

      // Free: the server's next run deletes what the policy lets go.
      release();
      expect(await holder).toBe(true);
      await expect.poll(() => resultNames(store), { timeout: 10_000 }).toEqual(["ci/ci-1"]);
      expect(lines.map((l) => l.msg)).toContain("retention run done");
    } finally {
      release?.();
      stop();
      expect(await server).toBe(0);
    }
  }, 90_000);
});
