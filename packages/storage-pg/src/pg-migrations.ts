/**
 * The versioned schema of the PostgreSQL store, as knex migrations defined in
 * code: {@link pgMigrationSource} lists them, so migrating works from the
 * published `dist` without globbing migration files.
 *
 * Every object is created unqualified, in the first schema of the
 * connection's `search_path` (the store sets it to its `schema` option).
 *
 * Besides the tables, the first migration creates the SQL functions compiled
 * filters call (see `compilePgFilter`). They are all `IMMUTABLE`, return NULL
 * for a NULL or invalid argument and never raise: a row's data can make a
 * filter value absent, never make a query fail.
 *
 * | function                          | result                                              |
 * |-----------------------------------|-----------------------------------------------------|
 * | `tr_try_jsonb(text)`              | the text as `jsonb`, NULL when it is not JSON        |
 * | `tr_jnum(jsonb)`                  | a JSON number as `float8` (NULL if not a finite number) |
 * | `tr_jbool(jsonb)`                 | a JSON boolean as `boolean`                          |
 * | `tr_jsize(jsonb)`                 | elements of an array, keys of an object, code points of a string |
 * | `tr_text_float(text)`             | a numeric string as a finite `float8`                |
 * | `tr_arith(op, float8, float8)`    | `+ - * / %` (`%` on integers, sign of the dividend); NULL when not finite |
 * | `tr_timestamp_ms(text)`           | an RFC 3339 timestamp as Unix milliseconds           |
 * | `tr_format_number(float8)`        | the number as JavaScript's `String(n)` prints it     |
 * | `tr_format_timestamp(bigint)`     | RFC 3339 in UTC, fraction without trailing zeros     |
 * | `tr_format_duration(bigint)`      | seconds with an `s` suffix, e.g. `1.5s`              |
 * | `tr_ts_part(bigint, text)`        | a calendar field (CEL numbering) of Unix milliseconds in UTC |
 *
 * Never change what a released migration produces: add a new one to
 * {@link pgMigrations}.
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

/**
 * The value stored in the sort columns `summary_start_sort` and
 * `summary_end_sort` for a missing time: below every representable `Date`
 * (whose range is ±8.64e15 ms), so missing times sort first ascending and
 * last descending, as `ListQuery` requires, without NULLs in the keyset.
 */
export const MISSING_TIME_SORT_VALUE = -9007199254740992;

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

/** One schema migration. */
export interface PgMigration {
  /** Unique, sortable name recorded in the `knex_migrations` table. */
  readonly name: string;
  /**
   * knex's per-migration settings: `transaction: false` for a migration that
   * commits its work in steps (a batched backfill) and resumes where an
   * interrupted run stopped.
   */
  readonly config?: { readonly transaction?: boolean };
  up(knex: Knex, context?: PgMigrationContext): Promise<void>;
  down(knex: Knex): Promise<void>;
}

async function run(knex: Knex, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Note: the bodies avoid the character knex reads as a placeholder.
const FUNCTIONS = [
  `CREATE FUNCTION tr_try_jsonb(t text) RETURNS jsonb
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   BEGIN
     RETURN t::jsonb;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_jnum(j jsonb) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE r float8;
   BEGIN
     IF jsonb_typeof(j) <> 'number' THEN RETURN NULL; END IF;
     r := (j #>> '{}')::float8;
     IF r IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     RETURN r;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_jbool(j jsonb) RETURNS boolean
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   BEGIN
     IF jsonb_typeof(j) <> 'boolean' THEN RETURN NULL; END IF;
     RETURN (j #>> '{}')::boolean;
   END $f$`,
  `CREATE FUNCTION tr_jsize(j jsonb) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   BEGIN
     CASE jsonb_typeof(j)
       WHEN 'array' THEN RETURN jsonb_array_length(j);
       WHEN 'object' THEN RETURN (SELECT count(*) FROM jsonb_object_keys(j));
       WHEN 'string' THEN RETURN length(j #>> '{}');
       ELSE RETURN NULL;
     END CASE;
   END $f$`,
  `CREATE FUNCTION tr_text_float(t text) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE r float8;
   BEGIN
     r := t::numeric::float8;
     IF r IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     RETURN r;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_arith(op text, a float8, b float8) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE r float8;
   BEGIN
     CASE op
       WHEN '+' THEN r := a + b;
       WHEN '-' THEN r := a - b;
       WHEN '*' THEN r := a * b;
       WHEN '/' THEN
         IF b = 0 THEN RETURN NULL; END IF;
         r := a / b;
       WHEN '%' THEN
         IF b = 0 OR a <> trunc(a) OR b <> trunc(b) THEN RETURN NULL; END IF;
         r := (a::numeric % b::numeric)::float8;
       ELSE RETURN NULL;
     END CASE;
     IF r IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     RETURN r;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_timestamp_ms(t text) RETURNS bigint
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE
     m text[];
     ts timestamp;
     off integer := 0;
     ms bigint;
   BEGIN
     m := regexp_match(t, '^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})([.][0-9]+){0,1}([Zz]|[+-][0-9]{2}:[0-9]{2})$');
     IF m IS NULL THEN RETURN NULL; END IF;
     IF m[1]::int < 1 OR m[4]::int > 23 OR m[5]::int > 59 OR m[6]::int > 59 THEN RETURN NULL; END IF;
     ts := make_timestamp(m[1]::int, m[2]::int, m[3]::int, m[4]::int, m[5]::int, m[6]::int);
     IF m[8] NOT IN ('Z', 'z') THEN
       IF substr(m[8], 2, 2)::int > 23 OR substr(m[8], 5, 2)::int > 59 THEN RETURN NULL; END IF;
       off := (CASE WHEN left(m[8], 1) = '-' THEN -1 ELSE 1 END)
         * (substr(m[8], 2, 2)::int * 60 + substr(m[8], 5, 2)::int);
     END IF;
     ms := (extract(epoch FROM ts) * 1000)::bigint;
     IF m[7] IS NOT NULL THEN ms := ms + rpad(substr(m[7], 2, 3), 3, '0')::int; END IF;
     RETURN ms - off * 60000;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_format_number(n float8) RETURNS text
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET extra_float_digits = 1 AS $f$
   DECLARE
     s text;
     neg boolean := false;
     mant text;
     ex integer := 0;
     ip text;
     fp text;
     digits text;
     k integer;
     p integer;
     e integer;
   BEGIN
     IF n IN ('Infinity'::float8, '-Infinity'::float8, 'NaN'::float8) THEN RETURN NULL; END IF;
     IF n = 0 THEN RETURN '0'; END IF;
     s := n::text;
     IF left(s, 1) = '-' THEN neg := true; s := substr(s, 2); END IF;
     IF strpos(s, 'e') > 0 THEN
       mant := split_part(s, 'e', 1);
       ex := split_part(s, 'e', 2)::int;
     ELSE
       mant := s;
     END IF;
     ip := split_part(mant, '.', 1);
     fp := split_part(mant, '.', 2);
     digits := ip || fp;
     p := length(ip) + ex;
     WHILE left(digits, 1) = '0' LOOP
       digits := substr(digits, 2);
       p := p - 1;
     END LOOP;
     digits := rtrim(digits, '0');
     k := length(digits);
     IF k <= p AND p <= 21 THEN
       s := digits || repeat('0', p - k);
     ELSIF 0 < p AND p <= 21 THEN
       s := left(digits, p) || '.' || substr(digits, p + 1);
     ELSIF -6 < p AND p <= 0 THEN
       s := '0.' || repeat('0', -p) || digits;
     ELSE
       e := p - 1;
       s := left(digits, 1);
       IF k > 1 THEN s := s || '.' || substr(digits, 2); END IF;
       s := s || 'e' || (CASE WHEN e >= 0 THEN '+' ELSE '-' END) || abs(e)::text;
     END IF;
     IF neg THEN s := '-' || s; END IF;
     RETURN s;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_format_timestamp(ms bigint) RETURNS text
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE
     secs bigint;
     frac integer;
     s text;
   BEGIN
     IF ms < -62135596800000 OR ms > 253402300799999 THEN RETURN NULL; END IF;
     frac := ((ms % 1000) + 1000) % 1000;
     secs := (ms - frac) / 1000;
     s := to_char(timestamp '1970-01-01 00:00:00' + secs * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS');
     IF frac > 0 THEN s := s || '.' || rtrim(lpad(frac::text, 3, '0'), '0'); END IF;
     RETURN s || 'Z';
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
  `CREATE FUNCTION tr_format_duration(ms bigint) RETURNS text
   LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
     SELECT tr_format_number(ms::float8 / 1000) || 's'
   $f$`,
  `CREATE FUNCTION tr_ts_part(ms bigint, part text) RETURNS float8
   LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
   DECLARE
     frac integer;
     t timestamp;
   BEGIN
     frac := ((ms % 1000) + 1000) % 1000;
     IF part = 'getMilliseconds' THEN RETURN frac; END IF;
     t := timestamp '1970-01-01 00:00:00' + ((ms - frac) / 1000) * interval '1 second';
     CASE part
       WHEN 'getFullYear' THEN RETURN extract(year FROM t);
       WHEN 'getMonth' THEN RETURN extract(month FROM t) - 1;
       WHEN 'getDate' THEN RETURN extract(day FROM t);
       WHEN 'getDayOfMonth' THEN RETURN extract(day FROM t) - 1;
       WHEN 'getDayOfWeek' THEN RETURN extract(dow FROM t);
       WHEN 'getDayOfYear' THEN RETURN extract(doy FROM t) - 1;
       WHEN 'getHours' THEN RETURN extract(hour FROM t);
       WHEN 'getMinutes' THEN RETURN extract(minute FROM t);
       WHEN 'getSeconds' THEN RETURN floor(extract(second FROM t));
       ELSE RETURN NULL;
     END CASE;
   EXCEPTION WHEN others THEN
     RETURN NULL;
   END $f$`,
];

const FUNCTION_SIGNATURES = [
  "tr_try_jsonb(text)",
  "tr_jnum(jsonb)",
  "tr_jbool(jsonb)",
  "tr_jsize(jsonb)",
  "tr_text_float(text)",
  "tr_arith(text, float8, float8)",
  "tr_timestamp_ms(text)",
  "tr_format_duration(bigint)",
  "tr_format_number(float8)",
  "tr_format_timestamp(bigint)",
  "tr_ts_part(bigint, text)",
];

const initial: PgMigration = {
  name: "0001_initial",
  async up(knex) {
    await run(knex, [
      ...FUNCTIONS,
      `CREATE TABLE results (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        uid text COLLATE "C" NOT NULL,
        parent text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        annotations jsonb NOT NULL DEFAULT '{}',
        has_summary boolean NOT NULL DEFAULT false,
        summary_record text COLLATE "C" NULL,
        summary_type text COLLATE "C" NULL,
        summary_status smallint NULL,
        summary_start_time bigint NULL,
        summary_end_time bigint NULL,
        summary_annotations jsonb NULL,
        create_time bigint NOT NULL,
        update_time bigint NOT NULL,
        etag text NOT NULL,
        summary_start_sort bigint GENERATED ALWAYS AS (coalesce(summary_start_time, ${MISSING_TIME_SORT_VALUE})) STORED,
        summary_end_sort bigint GENERATED ALWAYS AS (coalesce(summary_end_time, ${MISSING_TIME_SORT_VALUE})) STORED,
        CONSTRAINT results_uid_unique UNIQUE (uid),
        CONSTRAINT results_name_unique UNIQUE (parent, name)
      )`,
      `CREATE INDEX results_parent_create_time ON results (parent, create_time, uid)`,
      `CREATE INDEX results_parent_update_time ON results (parent, update_time, uid)`,
      `CREATE INDEX results_parent_summary_start ON results (parent, summary_start_sort, uid)`,
      `CREATE INDEX results_parent_summary_end ON results (parent, summary_end_sort, uid)`,
      `CREATE INDEX results_create_time ON results (create_time, uid)`,
      `CREATE INDEX results_update_time ON results (update_time, uid)`,
      `CREATE INDEX results_summary_start ON results (summary_start_sort, uid)`,
      `CREATE INDEX results_summary_end ON results (summary_end_sort, uid)`,
      `CREATE TABLE records (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        uid text COLLATE "C" NOT NULL,
        result_id bigint NOT NULL REFERENCES results (id) ON DELETE CASCADE,
        parent text COLLATE "C" NOT NULL,
        result_name text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        data text NOT NULL,
        data_json jsonb GENERATED ALWAYS AS (tr_try_jsonb(data)) STORED,
        create_time bigint NOT NULL,
        update_time bigint NOT NULL,
        etag text NOT NULL,
        CONSTRAINT records_uid_unique UNIQUE (uid),
        CONSTRAINT records_name_unique UNIQUE (parent, result_name, name)
      )`,
      `CREATE INDEX records_result_id ON records (result_id)`,
      `CREATE INDEX records_result_create_time ON records (parent, result_name, create_time, uid)`,
      `CREATE INDEX records_result_update_time ON records (parent, result_name, update_time, uid)`,
      `CREATE INDEX records_parent_create_time ON records (parent, create_time, uid)`,
      `CREATE INDEX records_parent_update_time ON records (parent, update_time, uid)`,
      `CREATE INDEX records_create_time ON records (create_time, uid)`,
      `CREATE INDEX records_update_time ON records (update_time, uid)`,
      `CREATE INDEX records_type ON records (type)`,
      `CREATE INDEX records_parent_type ON records (parent, type)`,
    ]);
  },
  async down(knex) {
    await run(knex, [
      `DROP TABLE records`,
      `DROP TABLE results`,
      ...FUNCTION_SIGNATURES.map((f) => `DROP FUNCTION ${f}`),
    ]);
  },
};

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
    `CREATE INDEX record_labels_key_value ON record_labels (key, value, record_id)`,
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
const typedRecordColumns: PgMigration = {
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
        run(trx, [
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
      run(trx, [
        `CREATE INDEX records_status_reason ON records (status_reason, create_time, uid)`,
        `CREATE INDEX records_pipeline_name ON records (pipeline_name, create_time, uid)`,
        `CREATE INDEX records_task_name ON records (task_name, create_time, uid)`,
        `CREATE INDEX records_run_name ON records (run_name)`,
        `CREATE INDEX records_start_ms ON records (start_ms)`,
        `DROP TABLE ${BACKFILL_0002}`,
      ]),
    );
  },
  async down(knex) {
    const columns = [...Object.keys(RECORD_TEXT_FIELDS), ...Object.keys(RECORD_TIME_FIELDS)];
    await knex.transaction((trx) =>
      run(trx, [
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

/** Every migration, oldest first. */
export const pgMigrations: readonly PgMigration[] = [initial, typedRecordColumns];

/**
 * A knex `migrationSource` over {@link pgMigrations} whose backfills run with
 * `context` (batch size, progress reports): pass it as
 * `knex.migrate.latest({ migrationSource, schemaName })`.
 */
export function createPgMigrationSource(
  context: PgMigrationContext = {},
): Knex.MigrationSource<PgMigration> {
  return {
    getMigrations: async () => [...pgMigrations],
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({
      name: migration.name,
      ...(migration.config ? { config: migration.config } : {}),
      up: (knex: Knex) => migration.up(knex, context),
      down: (knex: Knex) => migration.down(knex),
    }),
  };
}

/**
 * A knex `migrationSource` over {@link pgMigrations} with the default batch
 * size and no progress reports: pass it as
 * `knex.migrate.latest({ migrationSource: pgMigrationSource, schemaName })`.
 */
export const pgMigrationSource: Knex.MigrationSource<PgMigration> = createPgMigrationSource();
