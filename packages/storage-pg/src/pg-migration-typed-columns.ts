/**
 * Migration `0002_typed_record_columns` of the PostgreSQL store: typed record
 * columns filled by a trigger, the label side table, and the batched,
 * resumable backfill of the existing records (with its progress reports).
 *
 * @module
 */
import type { Knex } from "knex";
import {
  RECORD_LABELS_PATH,
  RECORD_TEXT_FIELDS,
  RECORD_TIME_FIELDS,
  type PathStep,
} from "@tekton-results/storage";
import {
  RECORD_LABELS_INDEX,
  TYPED_RECORD_INDEXES,
  createIndexStatements,
  runStatements,
  type SqlMigration,
} from "@tekton-results/storage-sql";

/** How far a backfill of a migration has come (see {@link PgMigrationContext}). */
export interface PgBackfillProgress {
  /** The migration that rewrites the rows. */
  readonly migration: string;
  /** The table whose rows it rewrites. */
  readonly table: string;
  /** Rows rewritten so far by this run (a resumed backfill counts from where it resumed). */
  readonly done: number;
  /** Rows this run had to rewrite when it started. */
  readonly total: number;
  /** True when the backfill resumed the work of an earlier, interrupted run. */
  readonly resumed: boolean;
}

/** What a migration that rewrites rows is told by its migration source. */
export interface PgMigrationContext {
  /** Rows rewritten per statement (and per transaction). Default {@link DEFAULT_BACKFILL_BATCH}. */
  readonly batchSize?: number;
  /** Called after every committed batch of a backfill. An exception stops the migration. */
  readonly onProgress?: (progress: PgBackfillProgress) => void;
}

/** Rows a backfill rewrites per statement: short statements (well under a second for 2 KB rows). */
export const DEFAULT_BACKFILL_BATCH = 2000;

/** One schema migration (told the backfill settings of its source). */
export type PgMigration = SqlMigration<Knex, PgMigrationContext>;

/**
 * The `jsonb` at `steps` below `root`, as the filter compiler walks it: keys
 * only select from objects, indexes only from arrays. Port paths, never user input.
 */
function jsonAt(root: string, steps: readonly PathStep[]): string {
  let out = root;
  for (const step of steps)
    out = typeof step === "number" ? `(${out} -> ${step})` : `(${out} -> '${step}')`;
  return out;
}

/** The JSON string at `steps` of `j`, else NULL. */
function textAt(j: string, steps: readonly PathStep[]): string {
  const v = jsonAt(j, steps);
  return `(CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${v} #>> '{}' END)`;
}

/**
 * The DDL of `0002` before its backfill, the statement texts exactly as first
 * released (function bodies are stored verbatim).
 */
function typedRecordDdl(): string[] {
  const texts = Object.entries(RECORD_TEXT_FIELDS);
  const times = Object.entries(RECORD_TIME_FIELDS);
  const labels = jsonAt("NEW.data_json", RECORD_LABELS_PATH);
  return [
    `ALTER TABLE records ALTER COLUMN data_json DROP EXPRESSION`,
    `ALTER TABLE records ${[
      ...texts.map(([c]) => `ADD COLUMN ${c} text COLLATE "C" NULL`),
      ...times.map(([c]) => `ADD COLUMN ${c} bigint NULL`),
    ].join(", ")}`,
    `CREATE FUNCTION tr_records_typed() RETURNS trigger
       LANGUAGE plpgsql AS $f$
       BEGIN
         NEW.data_json := tr_try_jsonb(NEW.data);
         ${texts.map(([c, path]) => `NEW.${c} := ${textAt("NEW.data_json", path)};`).join("\n         ")}
         ${times.map(([c, path]) => `NEW.${c} := tr_timestamp_ms(${textAt("NEW.data_json", path)});`).join("\n         ")}
         RETURN NEW;
       END $f$`,
    `CREATE TRIGGER records_typed BEFORE INSERT OR UPDATE OF data ON records
       FOR EACH ROW EXECUTE FUNCTION tr_records_typed()`,
    `CREATE TABLE record_labels (
        record_id bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        key text COLLATE "C" NOT NULL,
        value text COLLATE "C" NOT NULL,
        CONSTRAINT record_labels_pkey PRIMARY KEY (record_id, key)
      )`,
    RECORD_LABELS_INDEX,
    `CREATE FUNCTION tr_records_labels() RETURNS trigger
       LANGUAGE plpgsql AS $f$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           DELETE FROM record_labels WHERE record_id = NEW.id;
         END IF;
         IF jsonb_typeof(${labels}) = 'object' THEN
           INSERT INTO record_labels (record_id, key, value)
             SELECT NEW.id, e.key, e.value #>> '{}' FROM jsonb_each(${labels}) AS e
             WHERE jsonb_typeof(e.value) = 'string';
         END IF;
         RETURN NULL;
       END $f$`,
    `CREATE TRIGGER records_labels AFTER INSERT OR UPDATE OF data ON records
       FOR EACH ROW EXECUTE FUNCTION tr_records_labels()`,
  ];
}

/** The one-row table in which an unfinished backfill of `0002` keeps the last record id it rewrote. */
const BACKFILL_0002 = "tr_migration_0002_backfill";

/**
 * Rewrite `SET data = data` every record with an id above the one kept in
 * `progressTable`, in batches of `batchSize` rows in id order: each batch is
 * one `UPDATE` (so no statement runs long, whatever the table's size) and
 * commits together with its progress, so an interrupted backfill resumes
 * after its last committed batch.
 */
async function backfillRecords(
  knex: Knex,
  migration: string,
  progressTable: string,
  resumed: boolean,
  context: PgMigrationContext | undefined,
): Promise<void> {
  const size = context?.batchSize ?? DEFAULT_BACKFILL_BATCH;
  if (!Number.isSafeInteger(size) || size < 1)
    throw new TypeError("batchSize must be a positive integer");
  const kept = (await knex.raw(`SELECT last_id::text AS last FROM ${progressTable}`)) as {
    rows: { last: string }[];
  };
  let last = kept.rows[0]!.last;
  const left = (await knex.raw(`SELECT count(*)::int AS n FROM records WHERE id > ?::bigint`, [
    last,
  ])) as { rows: { n: number }[] };
  const total = left.rows[0]!.n;
  let done = 0;
  for (;;) {
    const next = (await knex.raw(
      `SELECT max(id)::text AS hi, count(*)::int AS n
       FROM (SELECT id FROM records WHERE id > ?::bigint ORDER BY id LIMIT ?) AS batch`,
      [last, size],
    )) as { rows: { hi: string | null; n: number }[] };
    const { hi, n } = next.rows[0]!;
    if (hi === null) return;
    await knex.transaction(async (trx) => {
      await trx.raw(`UPDATE records SET data = data WHERE id > ?::bigint AND id <= ?::bigint`, [
        last,
        hi,
      ]);
      await trx.raw(`UPDATE ${progressTable} SET last_id = ?::bigint`, [hi]);
    });
    last = hi;
    done += n;
    context?.onProgress?.({ migration, table: "records", done, total, resumed });
  }
}

/**
 * Typed record columns, filled by a `BEFORE INSERT OR UPDATE OF data`
 * trigger from one parse of `data` (which now also fills `data_json`, no
 * longer a generated column), their indexes, and the label side table
 * `record_labels`, kept in step by an `AFTER` trigger. Existing rows are
 * backfilled by rewriting their `data`. Times are parsed here, once per
 * write, so filters and summaries never call `tr_timestamp_ms` per row.
 * See `typed-fields.ts` of `@tekton-results/storage`.
 *
 * Changed after its release, with the same end result for every database
 * (the same columns, functions, triggers, tables and indexes; every record
 * rewritten once through the triggers; nothing else left behind): it first
 * ran as one transaction whose single `UPDATE records SET data = data` hit the
 * request `statement_timeout` on a large table, so a server could not start.
 * Databases that ran that version never run this one. Now it runs in three
 * steps, each resumable: (1) the DDL, in one transaction that also creates
 * the progress table {@link BACKFILL_0002}; (2) the backfill in batches
 * ({@link backfillRecords}), each batch committed with its progress; (3) the
 * indexes, in one transaction that drops the progress table. A run that was
 * interrupted is recognized by what it left: the trigger function without
 * the progress table means (3) committed, with it that (2) resumes.
 */
export const typedRecordColumns: PgMigration = {
  name: "0002_typed_record_columns",
  config: { transaction: false },
  async up(knex, context) {
    const state = (await knex.raw(
      `SELECT to_regprocedure('tr_records_typed()') IS NOT NULL AS started,
              to_regclass('${BACKFILL_0002}') IS NOT NULL AS backfilling`,
    )) as { rows: { started: boolean; backfilling: boolean }[] };
    const { started, backfilling } = state.rows[0]!;
    if (started && !backfilling) return;
    if (!started) {
      await knex.transaction((trx) =>
        runStatements(trx, [
          ...typedRecordDdl(),
          // Rows written from now on go through the triggers; the backfill
          // rewrites those up to the largest id there is now (and any later
          // one it meets, which is harmless).
          `CREATE TABLE ${BACKFILL_0002} (last_id bigint NOT NULL)`,
          `INSERT INTO ${BACKFILL_0002} (last_id) SELECT coalesce(min(id), 1) - 1 FROM records`,
        ]),
      );
    }
    await backfillRecords(knex, typedRecordColumns.name, BACKFILL_0002, started, context);
    await knex.transaction((trx) =>
      runStatements(trx, [
        ...createIndexStatements("records", TYPED_RECORD_INDEXES),
        `DROP TABLE ${BACKFILL_0002}`,
      ]),
    );
  },
  async down(knex) {
    const columns = [...Object.keys(RECORD_TEXT_FIELDS), ...Object.keys(RECORD_TIME_FIELDS)];
    await knex.transaction((trx) =>
      runStatements(trx, [
        `DROP TRIGGER records_labels ON records`,
        `DROP TRIGGER records_typed ON records`,
        `DROP FUNCTION tr_records_labels()`,
        `DROP FUNCTION tr_records_typed()`,
        `DROP TABLE record_labels`,
        `ALTER TABLE records ${columns.map((c) => `DROP COLUMN ${c}`).join(", ")}`,
        `ALTER TABLE records DROP COLUMN data_json`,
        `ALTER TABLE records ADD COLUMN data_json jsonb GENERATED ALWAYS AS (tr_try_jsonb(data)) STORED`,
      ]),
    );
  },
};
