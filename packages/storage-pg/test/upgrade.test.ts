/**
 * Upgrading a database of realistic size from the first schema: the store
 * opened with its normal options migrates it (the backfill of migration `0002`
 * in batches, on a connection without the request `statement_timeout`) and
 * serves, every row correctly backfilled, while a second store started at the
 * same time waits for the migration and starts too.
 *
 * The data set is 4 000 records of about 2 KB (`TR_UPGRADE_ROWS` overrides
 * it: `TR_UPGRADE_ROWS=100000` is the size of the reported failure), with a
 * `statementTimeoutMs` of 200 ms that rewriting them in one statement exceeds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Knex } from "knex";
import {
  createPgMigrationSource,
  createPgStore,
  type PgBackfillProgress,
  type PgStore,
} from "../src/index.js";
import { freshSchemaName, startTestPostgres, stopTestPostgres } from "./support/postgres.js";
import { expectedRow, loadFirstSchema, recordName } from "./support/upgrade-data.js";

const ROWS = Number(process.env.TR_UPGRADE_ROWS ?? "4000");
const STATEMENT_TIMEOUT_MS = 200;
const WAIT_MESSAGE = "postgres: waiting for the schema migration of another process";

let url: string;

beforeAll(async () => {
  ({ url } = await startTestPostgres());
});

afterAll(async () => {
  await stopTestPostgres();
});

interface LogLine {
  readonly level: "info" | "warn";
  readonly obj: object;
  readonly msg: string;
}

function collectingLogger(lines: LogLine[]) {
  return {
    info: (obj: object, msg: string) => lines.push({ level: "info", obj, msg }),
    warn: (obj: object, msg: string) => lines.push({ level: "warn", obj, msg }),
  };
}

/** Resolves once some session holds an advisory lock (the first migrator does). */
async function advisoryLockTaken(knex: Knex, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = (await knex.raw(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted",
    )) as { rows: { n: number }[] };
    if (out.rows[0]!.n > 0) return;
    if (Date.now() > deadline) throw new Error("no migrator took the advisory lock");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every record's typed columns and labels, compared with what `expectedRow` says. */
async function expectBackfilled(knex: Knex, count: number): Promise<void> {
  const out = (await knex.raw(
    `SELECT name, run_name, run_namespace, status_reason, succeeded_status, pipeline_name,
            task_name, repository, start_ms, completion_ms, creation_ms,
            (SELECT coalesce(array_agg(key || '=' || value ORDER BY key), '{}')
             FROM record_labels WHERE record_id = records.id) AS labels
     FROM records ORDER BY name`,
  )) as { rows: Record<string, unknown>[] };
  expect(out.rows).toHaveLength(count);
  let wrong = 0;
  out.rows.forEach((row, i) => {
    const want = expectedRow(i);
    const { name, labels, ...columns } = row;
    const got = Object.fromEntries(
      Object.entries(columns).map(([k, v]) => [k, k.endsWith("_ms") && v !== null ? Number(v) : v]),
    );
    // Report the first few differences in full, then only count them.
    if (name !== recordName(i) || !isEqual(got, want.columns) || !isEqual(labels, want.labels)) {
      wrong += 1;
      if (wrong <= 3) expect({ name, got, labels }).toEqual({ name: recordName(i), ...want });
    }
  });
  expect(wrong).toBe(0);
}

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

describe("upgrading a database of realistic size from the first schema", () => {
  it(
    `migrates ${ROWS} records of ~2 KB under a ${STATEMENT_TIMEOUT_MS} ms statement timeout, while a second store waits`,
    { timeout: Math.max(60_000, ROWS * 20) },
    async () => {
      const schema = freshSchemaName();
      // A knex of the default options (30 s statement timeout) for loading and checking.
      const setup = await createPgStore({ connectionString: url, schema, migrate: false });
      const stores: PgStore[] = [];
      try {
        await loadFirstSchema(setup.knex, schema, ROWS);

        const linesA: LogLine[] = [];
        const linesB: LogLine[] = [];
        const options = { connectionString: url, schema, statementTimeoutMs: STATEMENT_TIMEOUT_MS };
        const started = Date.now();
        const first = createPgStore({ ...options, logger: collectingLogger(linesA) });
        // The second replica starts while the first holds the migration lock.
        await advisoryLockTaken(setup.knex, 10_000);
        const second = createPgStore({ ...options, logger: collectingLogger(linesB) });
        const opened = await Promise.allSettled([first, second]);
        const elapsed = Date.now() - started;
        for (const o of opened) if (o.status === "fulfilled") stores.push(o.value);
        expect(opened.map((o) => (o.status === "rejected" ? String(o.reason) : "opened"))).toEqual([
          "opened",
          "opened",
        ]);
        const [a, b] = stores as [PgStore, PgStore];
        if (ROWS >= 100_000) console.info(`migrated ${ROWS} records in ${elapsed} ms`);

        // The second store waited for the first and found nothing to do.
        expect(linesB.map((l) => l.msg)).toContain(WAIT_MESSAGE);
        expect(linesB.map((l) => l.msg)).not.toContain("postgres: applying schema migrations");
        expect(linesA.map((l) => l.msg)).toContain("postgres: applying schema migrations");
        expect(linesA.some((l) => l.level === "warn")).toBe(false);

        const applied = (await setup.knex.raw(`SELECT name FROM knex_migrations ORDER BY id`)) as {
          rows: { name: string }[];
        };
        expect(applied.rows.map((r) => r.name)).toEqual([
          "0001_initial",
          "0002_typed_record_columns",
        ]);
        const indexes = (await setup.knex.raw(
          `SELECT indexname FROM pg_indexes WHERE schemaname = ? AND indexname IN
           ('records_status_reason', 'records_pipeline_name', 'records_task_name',
            'records_run_name', 'records_start_ms', 'record_labels_key_value')`,
          [schema],
        )) as { rows: unknown[] };
        expect(indexes.rows).toHaveLength(6);
        await expectBackfilled(setup.knex, ROWS);

        // Both serve: a read of a backfilled record, and a write through the trigger.
        const old = await b.getRecord("ns-1", "r-1", recordName(61));
        expect(JSON.parse(old.data)).toMatchObject({ metadata: { name: "run-61" } });
        await a.createRecord({ ...old, name: "after", uid: "uid-after" });
        const fresh = (await setup.knex.raw(
          `SELECT pipeline_name FROM records WHERE name = 'after'`,
        )) as { rows: { pipeline_name: string }[] };
        expect(fresh.rows).toEqual([{ pipeline_name: "pipe-5" }]);
      } finally {
        for (const s of stores) await s.close();
        await setup.knex.raw(`DROP SCHEMA "${schema}" CASCADE`);
        await setup.close();
      }
    },
  );

  it("resumes a backfill that was interrupted after its first batch", async () => {
    const schema = freshSchemaName();
    const rows = 1500;
    const setup = await createPgStore({ connectionString: url, schema, migrate: false });
    try {
      await loadFirstSchema(setup.knex, schema, rows);
      const config = (onProgress: (p: PgBackfillProgress) => void) => ({
        schemaName: schema,
        migrationSource: createPgMigrationSource({ batchSize: 500, onProgress }),
      });
      await expect(
        setup.knex.migrate.latest(
          config(() => {
            throw new Error("interrupted");
          }),
        ),
      ).rejects.toThrow("interrupted");
      const kept = (await setup.knex.raw(
        "SELECT last_id::int AS id FROM tr_migration_0002_backfill",
      )) as { rows: { id: number }[] };
      expect(kept.rows).toEqual([{ id: 500 }]);

      const seen: PgBackfillProgress[] = [];
      await setup.knex.migrate.latest(config((p) => seen.push(p)));
      expect(seen.map((p) => [p.done, p.total, p.resumed])).toEqual([
        [500, 1000, true],
        [1000, 1000, true],
      ]);
      const left = (await setup.knex.raw(
        "SELECT to_regclass('tr_migration_0002_backfill') IS NULL AS gone",
      )) as { rows: { gone: boolean }[] };
      expect(left.rows).toEqual([{ gone: true }]);
      await expectBackfilled(setup.knex, rows);
    } finally {
      await setup.knex.raw(`DROP SCHEMA "${schema}" CASCADE`);
      await setup.close();
    }
  });
});
