/**
 * The PostgreSQL dialect of the SQL store core: casts on every placeholder,
 * `jsonb` maps and booleans as node-postgres returns them, the fixed
 * statements as named prepared statements (parsed and planned once per
 * connection), many-statement writes in one `BEGIN ... COMMIT` on one pooled
 * connection, everything else through knex, and the SQLSTATE translation.
 *
 * @module
 */
import type { Knex } from "knex";
import type pg from "pg";
import {
  invalidPageToken,
  stringMapOf,
  MISSING_TIME_SORT_VALUE,
  type SqlStatement,
  type SqlStep,
  type SqlStoreDialect,
} from "@tekton-results/storage-sql";
import { compilePgFilter } from "./pg-filter.js";
import { translatePgError } from "./pg-errors.js";
import { pgSummaryStatements } from "./pg-summary.js";

/** A page token's sort value as PostgreSQL binds it: a `bigint` as text. */
function cursorValue(value: number | null): string {
  if (value === null) return String(MISSING_TIME_SORT_VALUE);
  if (!Number.isSafeInteger(value)) throw invalidPageToken();
  return String(value);
}

/**
 * The dialect of a store over `knex` (a pool): fixed statements run as named
 * prepared statements unless `prepared` is false (behind a pooler that does
 * not keep them). Like knex queries, they are announced to the knex
 * instance's `query` listeners when there are any.
 */
export function pgDialect(knex: Knex, prepared: boolean): SqlStoreDialect {
  const client = knex.client as {
    acquireConnection(): Promise<pg.Client>;
    releaseConnection(conn: pg.Client): Promise<unknown>;
  };
  /** Run `statement` on `conn`, announced to the knex instance's `query` listeners. */
  const exec = async <R>(conn: pg.Client, statement: SqlStatement, values: readonly unknown[]) => {
    if (knex.listenerCount("query") > 0) {
      const method = statement.text.slice(0, statement.text.indexOf(" "));
      knex.emit("query", { method, sql: statement.text, bindings: values });
    }
    const out = await conn.query(
      prepared
        ? { name: statement.name, text: statement.text, values: values as unknown[] }
        : { text: statement.text, values: values as unknown[] },
    );
    return out.rows as R[];
  };
  /** Run `fn` on a pooled connection. */
  const withConnection = async <T>(fn: (conn: pg.Client) => Promise<T>): Promise<T> => {
    const conn = await client.acquireConnection();
    try {
      return await fn(conn);
    } finally {
      await client.releaseConnection(conn);
    }
  };
  const query = <R>(statement: SqlStatement, values: readonly unknown[]) =>
    withConnection((conn) => exec<R>(conn, statement, values));
  return {
    placeholder: (i, type) => `$${i}::${type}`,
    keysetPlaceholder: (_i, last) => (last ? "?::text" : "?::bigint"),
    cursorValue,
    compileFilter: compilePgFilter,
    summary: pgSummaryStatements,
    decodeMap: stringMapOf,
    flag: (value) => value,
    async all<R>(sql: string, bindings: readonly unknown[]) {
      const out = (await knex.raw(sql, bindings as Knex.RawBinding[])) as { rows: R[] };
      return out.rows;
    },
    query,
    queryOne: async <R>(statement: SqlStatement, values: readonly unknown[]) =>
      (await query<R>(statement, values))[0],
    // Not one transaction: the probe only tells which error a write that
    // changed nothing reports.
    updateOrProbe: async <R>(
      update: SqlStatement,
      values: readonly unknown[],
      probe: SqlStatement,
      key: readonly unknown[],
    ) => {
      const row = (await query<R>(update, values))[0];
      if (row !== undefined) return { row };
      return { exists: (await query(probe, key)).length > 0 };
    },
    // BEGIN ... COMMIT on one pooled connection; any failure rolls back (and
    // a connection lost meanwhile, or a process killed, leaves nothing of it).
    transaction: <R>(steps: readonly SqlStep[]) =>
      withConnection(async (conn) => {
        await conn.query("BEGIN");
        try {
          const out: R[][] = [];
          for (const step of steps) out.push(await exec<R>(conn, step.statement, step.values));
          await conn.query("COMMIT");
          return out;
        } catch (err) {
          await conn.query("ROLLBACK").catch(() => undefined);
          throw err;
        }
      }),
    translateError: translatePgError,
  };
}
