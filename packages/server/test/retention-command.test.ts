/**
 * `tekton-results-retention` as a process, on a SQLite database and a directory of logs the
 * server wrote them to: the dry run prints what would go and deletes nothing; the real run
 * deletes exactly that, logs included, and leaves no log without its Result; killed (SIGKILL)
 * in the middle of a run, it is run again and finishes, nothing half-deleted; a bad
 * configuration is one line and exit code 2.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDirectoryLogStore } from "@tekton-results/log-store";
import { formatLogName, RECORD_TYPES } from "@tekton-results/proto";
import type { ResultsStore } from "@tekton-results/storage";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../src/retention-bin.ts");
const DAY = 86_400_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { exited: Promise<Outcome>; kill(): void } {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", BIN, ...args], {
    env: { ...process.env, RESULTS_CONFIG: "", LOG_LEVEL: "warn" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return {
    exited: new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr }))),
    kill: () => child.kill("SIGKILL"),
  };
}

const POLICY = `apiVersion: v1
kind: ConfigMap
metadata:
  name: tekton-results-config-results-retention-policy
data:
  defaultRetention: "30d"
  policies: |
    - name: ci
      selector:
        matchNamespaces: [ci]
      retention: 7d
`;

/** `n` PipelineRuns per namespace, completed `i` days less an hour ago (i = 1..n), each with a stored log. */
async function seed(dir: string, n: number): Promise<{ db: string; logsDir: string }> {
  const db = join(dir, "results.db");
  const logsDir = join(dir, "logs");
  const store = await createSqliteStore({ filename: db });
  const logs = createDirectoryLogStore({ dir: logsDir });
  let seq = 0;
  const uid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
  for (const ns of ["ci", "prod"]) {
    for (let i = 1; i <= n; i++) {
      const name = `${ns}-${i}`;
      const t = new Date(Date.now() - i * DAY + 3_600_000);
      await store.createResult({
        parent: ns,
        name,
        uid: uid(),
        annotations: {},
        createTime: t,
        updateTime: t,
        etag: "e",
      });
      const data = JSON.stringify({
        kind: "PipelineRun",
        metadata: { name, namespace: ns },
        status: { completionTime: t.toISOString() },
      });
      for (const [rec, type, body] of [
        [name, RECORD_TYPES.PIPELINE_RUN, data],
        [`${name}-log`, RECORD_TYPES.LOG, JSON.stringify({ kind: "Log" })],
      ] as const) {
        await store.createRecord({
          parent: ns,
          resultName: name,
          name: rec,
          uid: uid(),
          type,
          data: body,
          createTime: t,
          updateTime: t,
          etag: "e",
        });
      }
      await logs.write(formatLogName(ns, name, `${name}-log`), [
        new TextEncoder().encode(`log of ${name}\n`),
      ]);
    }
  }
  await store.close();
  return { db, logsDir };
}

async function state(db: string, logsDir: string): Promise<{ results: string[]; logs: string[] }> {
  const store: ResultsStore = await createSqliteStore({ filename: db });
  try {
    const page = await store.listResults({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 10_000,
    });
    const results = page.items.map((r) => `${r.parent}/${r.name}`).sort();
    const logs = readdirSync(logsDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.parentPath.slice(logsDir.length + 1))
      .sort();
    // Every Result keeps its two records, and every log its Result.
    for (const r of page.items) {
      const records = await store.listRecords({
        parent: r.parent,
        resultName: r.name,
        orderBy: [{ field: "create_time", direction: "asc" }],
        pageSize: 10,
      });
      expect(records.items, `${r.parent}/${r.name}`).toHaveLength(2);
    }
    return { results, logs };
  } finally {
    await store.close();
  }
}

describe("tekton-results-retention", () => {
  it("--dry-run prints what would go and deletes nothing; --once deletes exactly that", async () => {
    const dir = mkdtempSync(join(tmpdir(), "retention-cmd-"));
    const { db, logsDir } = await seed(dir, 40);
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, POLICY);
    const flags = ["--config", policy, "--database", db, "--logs-dir", logsDir];

    const dry = await start([...flags, "--once", "--dry-run"]).exited;
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    const lines = dry.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^POLICY\s+RETENTION\s+RESULTS\s+RECORDS\s+LOGS\s+LOG BYTES\s+OLDEST\s+NEWEST$/,
    );
    // ci: 8..40 days (33 Results, 66 records, 33 logs); prod: 31..40 days (10).
    expect(lines[1]).toMatch(/^ci\s+7d\s+33\s+66\s+33\s+\d+ B\s+\S+\s+\S+$/);
    expect(lines[2]).toMatch(/^default\s+30d\s+10\s+20\s+10\s+\d+ B\s+\S+\s+\S+$/);
    expect(lines[3]).toMatch(
      /^Dry run: would delete 43 Results, 86 Records, 43 logs \(\d+ B\) in /,
    );
    const before = await state(db, logsDir);
    expect(before.results).toHaveLength(80);
    expect(before.logs).toEqual(before.results);

    const real = await start([...flags, "--once", "--output", "json"]).exited;
    expect(real.code).toBe(0);
    const report = JSON.parse(real.stdout) as { policies: { policy: string; results: number }[] };
    expect(report.policies.map((p) => [p.policy, p.results])).toEqual([
      ["ci", 33],
      ["default", 10],
    ]);
    const after = await state(db, logsDir);
    expect(after.results).toHaveLength(37);
    expect(after.logs).toEqual(after.results);
    expect(after.results).toContain("ci/ci-7");
    expect(after.results).not.toContain("ci/ci-8");
    expect(after.results).toContain("prod/prod-30");
    expect(after.results).not.toContain("prod/prod-31");
  });

  it("killed in the middle of a run, run again: finished, nothing half-deleted, no orphan log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "retention-kill-"));
    const { db, logsDir } = await seed(dir, 300);
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, POLICY);
    const flags = ["--config", policy, "--database", db, "--logs-dir", logsDir, "--once"];
    const run = start([...flags, "--batch-size", "10"]);
    // Kill it once some, not all, Results are gone.
    const total = 600;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      let files: number;
      try {
        files = readdirSync(logsDir, { recursive: true }).filter((f) =>
          String(f).endsWith(".log"),
        ).length;
      } catch {
        continue; // a directory removed while it was read: look again
      }
      if (files < total - 20) break;
    }
    run.kill();
    const killed = await run.exited;
    expect(killed.code).toBe(null);
    const between = await state(db, logsDir);
    // Stopped between a batch's logs and its one delete transaction at most once: those
    // Results (at most a batch, 10) lost their logs only; every other is whole or gone.
    expect(between.results.length).toBeGreaterThan(37);
    expect(between.results.length - between.logs.length).toBeLessThanOrEqual(10);
    expect(between.logs.every((l) => between.results.includes(l))).toBe(true);

    const again = await start(flags).exited;
    expect(again.code).toBe(0);
    const end = await state(db, logsDir);
    expect(end.results).toHaveLength(37);
    expect(end.logs).toEqual(end.results);
  }, 120_000);

  it("a bad configuration: one line, exit code 2, nothing opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "retention-bad-"));
    const policy = join(dir, "policy.yaml");
    writeFileSync(
      policy,
      "policies: |\n  - name: ci\n    selector: { matchNamespace: [ci] }\n    retention: 7d\n",
    );
    const out = await start(["--config", policy, "--once", "--database", join(dir, "db")]).exited;
    expect(out).toEqual({
      code: 2,
      stdout: "",
      stderr: `tekton-results-retention: ${policy}: policies[0].selector.matchNamespace: not a selector; use matchNamespaces, matchLabels, matchAnnotations, matchStatuses, filter\nRun with --help for usage.\n`,
    });
    expect(readdirSync(dir)).toEqual(["policy.yaml"]);
    const good = join(dir, "good.yaml");
    writeFileSync(good, POLICY);
    const dry = await start(["--config", good, "--dry-run"]).exited;
    expect([dry.code, dry.stderr.split("\n")[0]]).toEqual([
      2,
      "tekton-results-retention: --dry-run runs once: add --once",
    ]);
  });
});
