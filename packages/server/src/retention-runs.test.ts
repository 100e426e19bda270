import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryLogStore } from "@tekton-results/log-store";
import { loadRetentionConfig, type RetentionReport } from "@tekton-results/retention";
import type { ExclusiveRunner, ResultsStore } from "@tekton-results/storage";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig, USAGE } from "./config.js";
import { capture } from "./log-capture-fixtures.js";
import { createRetentionMetrics } from "./retention-metrics.js";
import {
  missingLogDirectory,
  RETENTION_LOCK,
  runRetentionOnce,
  startRetentionSchedule,
} from "./retention-runs.js";
import { resultNames, seedRuns } from "../test/support/retention-seed.js";

const dir = mkdtempSync(join(tmpdir(), "retention-runs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = loadRetentionConfig('runAt: "0 3 * * *"\ndefaultRetention: 30d\n');

/** `store`, with a `runExclusive` that answers `held` (another process holds the lock) or runs. */
function withLock(store: ResultsStore, held: boolean, names: string[]): ResultsStore {
  const locked: ExclusiveRunner = {
    async runExclusive(name, task) {
      names.push(name);
      if (held) return false;
      await task(new AbortController().signal);
      return true;
    },
  };
  return Object.assign(Object.create(store) as ResultsStore, locked);
}

describe("runRetentionOnce", () => {
  it("runs under the store's lock 'retention'; skipped (logged, counted) when another holds it", async () => {
    const store = await createSqliteStore({ filename: ":memory:" });
    try {
      const names: string[] = [];
      const metrics = createRetentionMetrics();
      const { lines, logger } = capture();
      const skipped = await runRetentionOnce(
        { store: withLock(store, true, names), logger, metrics },
        CONFIG,
      );
      expect(skipped).toBeUndefined();
      expect(names).toEqual([RETENTION_LOCK]);
      expect(lines.map((l) => l.msg)).toEqual([
        "retention run skipped: another process is running retention",
      ]);
      expect(await metrics.registry.metrics()).toContain(
        'tekton_results_retention_skipped_runs_total{reason="lock"} 1',
      );

      const report = await runRetentionOnce(
        { store: withLock(store, false, names), logger, metrics },
        CONFIG,
      );
      expect(report?.dryRun).toBe(false);
      expect(names).toEqual([RETENTION_LOCK, RETENTION_LOCK]);
      expect(lines.at(-1)?.msg).toBe("retention run done");

      // A dry run deletes nothing and takes no lock.
      const dry = await runRetentionOnce(
        { store: withLock(store, true, names), logger, metrics },
        CONFIG,
        true,
      );
      expect(dry?.dryRun).toBe(true);
      expect(names).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
});

describe("startRetentionSchedule", () => {
  it("follows a changed runAt between runs, and stops", async () => {
    const file = join(dir, "policy.yaml");
    writeFileSync(file, 'runAt: "0 0 1 1 *"\ndefaultRetention: 30d\n');
    const store = await createSqliteStore({ filename: ":memory:" });
    const { lines, logger } = capture();
    const runs: (RetentionReport | undefined)[] = [];
    const schedule = startRetentionSchedule({
      path: file,
      runner: { store, logger, metrics: createRetentionMetrics() },
      recheckMs: 50,
      onRun: (r) => runs.push(r),
    });
    try {
      expect(schedule.runAt).toBe("0 0 1 1 *");
      expect(schedule.nextRun()?.getUTCDate()).toBe(1);
      writeFileSync(file, 'runAt: "* * * * * *"\ndefaultRetention: 30d\n');
      await expect.poll(() => schedule.runAt, { timeout: 2_000 }).toBe("* * * * * *");
      await expect.poll(() => runs.length, { timeout: 3_000 }).toBeGreaterThan(0);
      expect(lines.filter((l) => l.msg === "retention scheduled")).toHaveLength(2);
    } finally {
      await schedule.stop();
      await store.close();
    }
    const after = runs.length;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(runs.length).toBe(after);
  });

  it("with a configuration broken from the start: no schedule, logged once, scheduled once fixed", async () => {
    const file = join(dir, "missing.yaml");
    const store = await createSqliteStore({ filename: ":memory:" });
    const { lines, logger } = capture();
    const metrics = createRetentionMetrics();
    const schedule = startRetentionSchedule({
      path: file,
      runner: { store, logger, metrics },
      recheckMs: 20,
    });
    try {
      expect(schedule.runAt).toBeUndefined();
      await new Promise((r) => setTimeout(r, 100));
      const errors = lines.filter((l) => l.level === "error");
      expect(errors).toHaveLength(1);
      expect(JSON.stringify(errors[0]!.obj)).toContain("cannot read");
      expect(await metrics.registry.metrics()).toContain("tekton_results_retention_config_valid 0");
      writeFileSync(file, 'runAt: "0 3 * * *"\n');
      await expect.poll(() => schedule.runAt, { timeout: 2_000 }).toBe("0 3 * * *");
      expect(await metrics.registry.metrics()).toContain("tekton_results_retention_config_valid 1");
    } finally {
      await schedule.stop();
      await store.close();
    }
  });
});

describe("--retention-config", () => {
  const parse = (argv: string[], env: Record<string, string> = {}, file?: string) => {
    const command = parseConfig(argv, env, {
      readFile: (path) => {
        if (file === undefined)
          throw Object.assign(new Error(`ENOENT ${path}`), { code: "ENOENT" });
        return file;
      },
    });
    if (command.kind !== "run") throw new Error(command.kind);
    return command.config.retentionConfig;
  };

  it("is read from the flag, else RETENTION_CONFIG in the environment, else in the config file; empty is unset", () => {
    expect(parse([])).toBeUndefined();
    expect(parse(["--retention-config", "/a"], { RETENTION_CONFIG: "/b" })).toBe("/a");
    expect(parse([], { RETENTION_CONFIG: "/b" })).toBe("/b");
    expect(parse(["--config", "/etc/f"], {}, "RETENTION_CONFIG=/c\n")).toBe("/c");
    expect(parse([], { RETENTION_CONFIG: "" })).toBeUndefined();
    expect(USAGE).toMatch(/^ {2}--retention-config <path> RETENTION_CONFIG /m);
  });
});

describe("a missing log directory", () => {
  it("with Log records in the database: the run deletes nothing and says why; a dry run goes on", async () => {
    const store = await createSqliteStore({ filename: ":memory:" });
    const empty = await createSqliteStore({ filename: ":memory:" });
    const logs = createDirectoryLogStore({ dir: join(dir, "not-mounted") });
    try {
      await seedRuns(store, undefined, "ci", [400]);
      const r = { store, logs, logger: capture().logger, metrics: createRetentionMetrics() };
      await expect(runRetentionOnce(r, CONFIG)).rejects.toThrow(
        /logs directory .*not-mounted does not exist, but the database holds logs/,
      );
      expect(await resultNames(store)).toEqual(["ci/ci-400"]);
      expect((await runRetentionOnce(r, CONFIG, true))?.rules.at(-1)?.results).toBe(1);
      // Without Log records (nothing stored yet), a missing directory is no problem.
      expect(await missingLogDirectory(empty, logs)).toBeUndefined();
    } finally {
      await store.close();
      await empty.close();
    }
  });
});
