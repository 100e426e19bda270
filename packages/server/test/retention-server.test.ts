/**
 * Retention inside the API server (`--retention-config`), on SQLite with a log directory: the
 * server runs it on the configuration's runAt schedule (here every second) from a ConfigMap
 * mounted as a directory, deleting Results with their Records and logs; an edited ConfigMap
 * applies from the next run, without a restart; a broken one is logged once and skips runs
 * (the Results stay) until it is fixed; the figures are on the server's /metrics; on shutdown
 * the schedule stops and the server exits 0.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryLogStore } from "@tekton-results/log-store";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { capture } from "../src/log-capture-fixtures.js";
import { main } from "../src/main.js";
import { mountConfigMap, resultNames, seedRuns } from "./support/retention-seed.js";

const dir = mkdtempSync(join(tmpdir(), "retention-server-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The value of the metric line `name{labels}` (or `name`) in a Prometheus text page. */
function metric(page: string, series: string): number | undefined {
  const line = page.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The Results' names, through a second connection to the server's SQLite file. */
async function remaining(db: string): Promise<string[]> {
  const store = await createSqliteStore({ filename: db, migrate: false });
  try {
    return await resultNames(store);
  } finally {
    await store.close();
  }
}

/** The stored log files, as `<namespace>/<result>` of their Result. */
function logFiles(logsDir: string): string[] {
  return readdirSync(logsDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) =>
      e.parentPath
        .slice(logsDir.length + 1)
        .split("/")
        .slice(0, 2)
        .join("/"),
    )
    .sort();
}

describe("retention in the API server (--retention-config)", () => {
  it("runs on the schedule, follows an edited ConfigMap, skips while it is broken, exports its metrics, stops with the server", async () => {
    const db = join(dir, "results.db");
    const logsDir = join(dir, "logs");
    const policy = join(dir, "retention-policy");
    const store = await createSqliteStore({ filename: db });
    await seedRuns(store, createDirectoryLogStore({ dir: logsDir }), "ci", [1, 3, 5, 7]);
    await store.close();
    // Every second; Results older than 4 days go.
    await mountConfigMap(policy, { runAt: "* * * * * *", defaultRetention: "4d" });

    const { lines, logger } = capture();
    let stop!: () => void;
    let url = "";
    const done = main(
      [
        ...["--port", "0", "--host", "127.0.0.1", "--database", db, "--logs-dir", logsDir],
        ...["--retention-config", policy],
      ],
      { RESULTS_CONFIG: "" },
      { logger, stop: new Promise<void>((r) => (stop = r)), onListening: (a) => (url = a.url) },
    );
    await expect.poll(() => url, { timeout: 10_000 }).not.toBe("");
    const metrics = async () => (await fetch(`${url}/metrics`)).text();

    await expect.poll(() => remaining(db), { timeout: 10_000 }).toEqual(["ci/ci-1", "ci/ci-3"]);
    expect(logFiles(logsDir)).toEqual(["ci/ci-1", "ci/ci-3"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "retention scheduled",
        obj: expect.objectContaining({ runAt: "* * * * * *", config: policy }),
      }),
    );
    const first = await metrics();
    expect(metric(first, 'tekton_results_retention_deleted_results_total{policy="default"}')).toBe(
      2,
    );
    expect(metric(first, 'tekton_results_retention_deleted_records_total{policy="default"}')).toBe(
      4,
    );
    expect(metric(first, "tekton_results_retention_config_valid")).toBe(1);
    expect(
      metric(first, "tekton_results_retention_last_success_timestamp_seconds"),
    ).toBeGreaterThan(Date.now() / 1000 - 60);
    // The server's own metrics are on the same page.
    expect(first).toContain("tekton_results_rpc_requests_total");

    // An edited ConfigMap applies from the next run: 2 days now.
    await mountConfigMap(policy, { runAt: "* * * * * *", defaultRetention: "2d" });
    await expect.poll(() => remaining(db), { timeout: 10_000 }).toEqual(["ci/ci-1"]);
    expect(logFiles(logsDir)).toEqual(["ci/ci-1"]);

    // Broken (a misspelt selector): logged once, runs skipped, nothing deleted meanwhile.
    await mountConfigMap(policy, {
      runAt: "* * * * * *",
      defaultRetention: "12h",
      policies: "- name: x\n  selector: { matchNamespace: [ci] }\n  retention: 1h\n",
    });
    await expect
      .poll(
        async () =>
          metric(await metrics(), 'tekton_results_retention_skipped_runs_total{reason="config"}'),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(2);
    expect(metric(await metrics(), "tekton_results_retention_config_valid")).toBe(0);
    expect(await remaining(db)).toEqual(["ci/ci-1"]);
    const broken = lines.filter((l) =>
      l.msg.startsWith("the retention configuration cannot be used"),
    );
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ level: "error", obj: { config: policy } });
    expect(JSON.stringify(broken[0]!.obj)).toContain("matchNamespace");

    // Fixed: the next run goes by it (12 hours: the last Result goes).
    await mountConfigMap(policy, { runAt: "* * * * * *", defaultRetention: "12h" });
    await expect.poll(() => remaining(db), { timeout: 10_000 }).toEqual([]);
    expect(logFiles(logsDir)).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "the retention configuration can be used again" }),
    );

    stop();
    expect(await done).toBe(0);
    const runs = lines.filter((l) => l.msg === "retention run done").length;
    await new Promise((r) => setTimeout(r, 1500));
    // Stopped with the server: no run after it.
    expect(lines.filter((l) => l.msg === "retention run done").length).toBe(runs);
    expect(lines.at(-1)?.msg).toBe("stopped");
  }, 60_000);

  it("without --retention-config the server runs no retention", async () => {
    const { lines, logger } = capture();
    let stop!: () => void;
    let url = "";
    const done = main(
      ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:", "--no-logs"],
      { RESULTS_CONFIG: "" },
      { logger, stop: new Promise<void>((r) => (stop = r)), onListening: (a) => (url = a.url) },
    );
    await expect.poll(() => url, { timeout: 10_000 }).not.toBe("");
    expect(await (await fetch(`${url}/metrics`)).text()).not.toContain("tekton_results_retention");
    stop();
    expect(await done).toBe(0);
    expect(lines.map((l) => l.msg)).not.toContain("retention scheduled");
  });
});
