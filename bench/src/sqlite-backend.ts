/**
 * The SQLite backend of the benchmark: a file database in a scratch
 * directory, loaded in bulk, served by `createSqliteStore`, and the raw
 * better-sqlite3 peers of every workload over the same schema.
 *
 * @module
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { prefixUpperBound } from "@tekton-results/storage";
import {
  createSqliteStore,
  registerSqliteFunctions,
  type SqliteStore,
} from "@tekton-results/storage-sqlite";
import {
  etagSuffix,
  RECORD_COLUMNS,
  rawInput,
  type BenchBackend,
  type RawIngest,
  type RawRecordInput,
  type RawRecordRow,
  type RawUpdated,
  toPage,
} from "./backend.js";
import { PIPELINE_RUN_TYPE, type DataGenerator, type GeneratedResult } from "./generate.js";

function etag(uid: string, ms: number): string {
  return uid + etagSuffix(ms);
}

/** The Result row values in the column order of {@link insertResultSql}. */
function resultRow(r: GeneratedResult): unknown[] {
  const prRecord = r.records[0]!;
  return [
    r.uid,
    r.parent,
    r.name,
    JSON.stringify(r.annotations),
    `${r.parent}/results/${r.name}/records/${prRecord.name}`,
    PIPELINE_RUN_TYPE,
    r.status,
    r.startTime.getTime(),
    r.endTime.getTime(),
    r.createTime.getTime(),
    r.updateTime.getTime(),
    etag(r.uid, r.updateTime.getTime()),
  ];
}

const insertResultSql = `INSERT INTO results (uid, parent, name, annotations, has_summary, summary_record, summary_type,
  summary_status, summary_start_time, summary_end_time, summary_annotations, create_time, update_time, etag)
  VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, '{}', ?, ?, ?)`;

const insertRecordSql = `INSERT INTO records (result_id, ${RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function recordRow(resultId: number | bigint, rec: RawRecordInput, updateMs: number): unknown[] {
  return [
    resultId,
    rec.uid,
    rec.parent,
    rec.resultName,
    rec.name,
    rec.type,
    rec.data,
    rec.createMs,
    updateMs,
    etag(rec.uid, updateMs),
  ];
}

/**
 * The same pragmas the store sets on its connections, and its SQL functions
 * (the typed columns SQLite computes on every write call `tr_timestamp_ms`).
 */
function openRaw(filename: string, readonly = false): BetterSqlite3.Database {
  const db = new Database(filename, { readonly });
  registerSqliteFunctions(db);
  db.pragma("busy_timeout = 5000");
  if (!readonly) {
    db.pragma("foreign_keys = ON");
    db.pragma("synchronous = NORMAL");
    db.pragma("journal_mode = WAL");
  }
  return db;
}

/** Options of {@link openSqliteBackend}. */
export interface SqliteBackendOptions {
  /** A scratch directory the backend owns (files are created in it). */
  dir: string;
  gen: DataGenerator;
  /** Records to load (rounded down to whole Results of 5 records). */
  records: number;
  log(text: string): void;
}

/** Load the data set into a fresh SQLite file and open the store and its raw peer on it. */
export async function openSqliteBackend(
  options: SqliteBackendOptions,
): Promise<BenchBackend & { loadMs: number }> {
  const file = join(options.dir, "bench.db");
  const store: SqliteStore = await createSqliteStore({ filename: file });
  const t0 = performance.now();
  // Bulk load on the store's own connection, in transactions of 1000 Results.
  const client = store.knex.client as {
    acquireConnection(): Promise<BetterSqlite3.Database>;
    releaseConnection(conn: BetterSqlite3.Database): Promise<unknown>;
  };
  const conn = await client.acquireConnection();
  const resultCount = Math.floor(options.records / 5);
  try {
    const insResult = conn.prepare(insertResultSql);
    const insRecord = conn.prepare(insertRecordSql);
    const batch = conn.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const r = options.gen.result(i);
        const id = insResult.run(resultRow(r)).lastInsertRowid;
        for (const rec of r.records)
          insRecord.run(recordRow(id, rawInput(rec, rec.data), rec.updateTime.getTime()));
      }
    });
    for (let from = 0; from < resultCount; from += 1000) {
      batch(from, Math.min(resultCount, from + 1000));
      if (from > 0 && from % 20000 === 0) options.log(`  loaded ${from * 5} records`);
    }
    conn.exec("ANALYZE");
    conn.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    await client.releaseConnection(conn);
  }
  const loadMs = performance.now() - t0;
  const raw = openRaw(file, true);
  const listStatements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string): BetterSqlite3.Statement => {
    let s = listStatements.get(sql);
    if (s === undefined) {
      s = raw.prepare(sql);
      listStatements.set(sql, s);
    }
    return s;
  };
  let freshCount = 0;
  const freshFile = () => join(options.dir, `ingest-${freshCount++}.db`);
  const removeDb = (f: string) => {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(f + suffix, { force: true });
  };

  return {
    name: "sqlite",
    peer: "better-sqlite3",
    store,
    loadMs,

    databaseArgs: () => ["--database", file],

    async freshStore() {
      const f = freshFile();
      const s = await createSqliteStore({ filename: f });
      return {
        store: s,
        close: async () => {
          await s.close();
          removeDb(f);
        },
      };
    },

    async freshRaw(): Promise<RawIngest> {
      const f = freshFile();
      // The schema comes from the store's own migrations.
      await (await createSqliteStore({ filename: f })).close();
      const db = openRaw(f);
      const insResult = db.prepare(insertResultSql);
      const insRecord = db.prepare(insertRecordSql);
      const update = db.prepare(
        "UPDATE records SET type = ?, data = ?, update_time = ?, etag = uid || ? WHERE parent = ? AND result_name = ? AND name = ? RETURNING uid, create_time, etag",
      );
      const resultIds = new Map<string, number | bigint>();
      return {
        async insertResult(r) {
          resultIds.set(`${r.parent}/${r.name}`, insResult.run(resultRow(r)).lastInsertRowid);
        },
        async insertRecord(rec) {
          const id = resultIds.get(`${rec.parent}/${rec.resultName}`)!;
          insRecord.run(recordRow(id, rec, rec.createMs));
        },
        async updateRecord(u) {
          const ms = u.updateMs;
          return update.get(u.type, u.data, ms, etagSuffix(ms), u.parent, u.resultName, u.name) as
            RawUpdated | undefined;
        },
        async close() {
          db.close();
          removeDb(f);
        },
      };
    },

    async listSql(query, pageSize) {
      let where: string;
      let params: unknown[];
      switch (query.kind) {
        case "namespace":
          where = "parent = ?";
          params = [query.namespace];
          break;
        case "label":
          where = (query.namespace !== undefined ? "parent = ? AND " : "") + "pipeline_name = ?";
          params =
            query.namespace !== undefined ? [query.namespace, query.pipeline] : [query.pipeline];
          break;
        case "reason":
          where = "status_reason = ?";
          params = [query.reason];
          break;
        case "time":
          where = "create_time >= ? AND create_time < ?";
          params = [query.from.getTime(), query.to.getTime()];
          break;
        case "prefix": {
          const bound = prefixUpperBound(query.prefix);
          where = bound === undefined ? "run_name >= ?" : "run_name >= ? AND run_name < ?";
          params = bound === undefined ? [query.prefix] : [query.prefix, bound];
          break;
        }
      }
      const rows = prepared(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE ${where} ORDER BY create_time DESC, uid DESC LIMIT ?`,
      ).all(...params, pageSize + 1) as RawRecordRow[];
      return toPage(rows, pageSize);
    },

    async walkSql(after, pageSize) {
      const rows = (
        after === undefined
          ? prepared(`SELECT ${RECORD_COLUMNS} FROM records ORDER BY create_time, uid LIMIT ?`).all(
              pageSize + 1,
            )
          : prepared(
              `SELECT ${RECORD_COLUMNS} FROM records WHERE (create_time, uid) > (?, ?) ORDER BY create_time, uid LIMIT ?`,
            ).all(after.createTime, after.uid, pageSize + 1)
      ) as RawRecordRow[];
      return toPage(rows, pageSize);
    },

    async getSql(parent, resultName, name) {
      return prepared(
        `SELECT ${RECORD_COLUMNS} FROM records WHERE parent = ? AND result_name = ? AND name = ?`,
      ).get(parent, resultName, name) as RawRecordRow | undefined;
    },

    async summarySql(query) {
      const group =
        query === "ungrouped"
          ? ""
          : query === "pipeline"
            ? `run_namespace || '/' || pipeline_name`
            : "(creation_ms / 86400000) * 86400";
      const sql = `SELECT ${group ? `${group} AS group_value, ` : ""}count(*) AS total,
        sum(status_reason IN ('Succeeded', 'Completed')) AS succeeded, sum(status_reason = 'Failed') AS failed,
        sum(status_reason = 'Cancelled') AS cancelled,
        avg(completion_ms - start_ms) AS avg_duration, max(completion_ms - start_ms) AS max_duration
        FROM records WHERE type = ?${group ? ` GROUP BY ${group}` : ""}`;
      return prepared(sql).all(PIPELINE_RUN_TYPE);
    },

    async close() {
      raw.close();
      await store.close();
    },
  };
}
