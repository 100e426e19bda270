/**
 * The store core of the SQL adapters: every {@link ResultsStore} method
 * written once over a {@link SqlStoreDialect}, the small object through which
 * an adapter says how its database spells placeholders and casts, reads JSON
 * maps and booleans, compiles filters and summaries, runs statements and
 * transactions, and translates errors (kysely's per-dialect design).
 *
 * @module
 */
import {
  StorageError,
  recordCursor,
  resultCursor,
  type Page,
  type RecordListQuery,
  type RecordSummaryQuery,
  type RecordSummaryRow,
  type RecordUpdate,
  type DeleteResultsOutcome,
  type ResultListQuery,
  type ResultRef,
  type ResultUpdate,
  type ResultsStore,
  type StoreCapabilities,
  type StoredRecord,
  type StoredResult,
  type UpdateOptions,
} from "@tekton-results/storage";
import { summarizeWithRunner } from "../summary-sql.js";
import type { SqlErrorContext, SqlErrorTranslator } from "./errors.js";
import { listSql, toPage, type SqlPageDialect } from "./pages.js";
import {
  RECORD_SORT_COLUMNS,
  RESULT_SORT_COLUMNS,
  createResultMapper,
  recordName,
  resultName,
  resultWriteValues,
  toStoredRecord,
  type SqlRecordRow,
  type SqlResultRow,
} from "./rows.js";
import {
  RECORD_SELECT,
  RESULT_SELECT,
  DELETE_RESULTS_CHUNK,
  buildStoreStatements,
  type SqlPlaceholder,
  type SqlStatement,
  type SqlStoreStatements,
} from "./statements.js";
import type { SqlSummaryStatements } from "./summary-statements.js";

/** A fixed statement and its values: one step of {@link SqlStoreDialect.transaction}. */
export interface SqlStep {
  readonly statement: SqlStatement;
  readonly values: readonly unknown[];
}

/** The outcome of {@link SqlStoreDialect.updateOrProbe}. */
export type SqlUpdateOutcome<R> = { readonly row: R } | { readonly exists: boolean };

/**
 * What the store core asks of a database: the SQL it spells differently, the
 * statement and transaction runners, and the error translator.
 */
export interface SqlStoreDialect extends SqlPageDialect {
  /** The placeholders of the fixed statements (`?`, `$1::text`). */
  readonly placeholder: SqlPlaceholder;
  /** The summary statements (see `sqlSummaryStatements`). */
  readonly summary: SqlSummaryStatements;
  /** A stored string map (`annotations`; NULL too) as the driver returns it, decoded. */
  decodeMap(value: unknown): Record<string, string>;
  /** A boolean as the driver binds it (`true`, `1`). */
  flag(value: boolean): unknown;
  /** Run a statement with `?` placeholders (lists, summaries); its rows. */
  all<R>(sql: string, bindings: readonly unknown[]): Promise<R[]>;
  /** Run a fixed statement; its rows. */
  query<R>(statement: SqlStatement, values: readonly unknown[]): Promise<R[]>;
  /** Run a fixed statement; its first row. */
  queryOne<R>(statement: SqlStatement, values: readonly unknown[]): Promise<R | undefined>;
  /**
   * Run the conditional write `update`; when it returns no row, run `probe`
   * (one row when the key exists) and tell whether it found the key. A
   * dialect may run both in one transaction.
   */
  updateOrProbe<R>(
    update: SqlStatement,
    values: readonly unknown[],
    probe: SqlStatement,
    key: readonly unknown[],
  ): Promise<SqlUpdateOutcome<R>>;
  /**
   * Run the fixed statements `steps` in order in one transaction, and return
   * the rows of each; when one fails, nothing of any is kept.
   */
  transaction<R>(steps: readonly SqlStep[]): Promise<R[][]>;
  /** Translates a driver error into a `StorageError` (or returns it unchanged). */
  readonly translateError: SqlErrorTranslator;
}

/** What the SQL stores can do: summaries in SQL and regex filters. */
export const SQL_STORE_CAPABILITIES: StoreCapabilities = Object.freeze({
  recordListSummary: true,
  regexFilters: true,
});

/** The error of a conditional write that changed nothing: a missing key or another etag. */
function missedUpdate(kind: "result" | "record", name: string, exists: boolean): StorageError {
  return exists
    ? new StorageError("failed_precondition", `the etag of ${kind} "${name}" does not match`)
    : new StorageError("not_found", `${kind} "${name}" not found`);
}

/**
 * A {@link ResultsStore} over a {@link SqlStoreDialect}; an adapter extends it
 * with what only its database has (migrations, `close`, its driver handle).
 */
export abstract class SqlResultsStore implements ResultsStore {
  /** Summaries in SQL and regex filters. */
  readonly capabilities = SQL_STORE_CAPABILITIES;
  /** The fixed statements, in the dialect's placeholders. */
  protected readonly statements: SqlStoreStatements;
  private readonly toResult: (row: SqlResultRow) => StoredResult;

  constructor(protected readonly dialect: SqlStoreDialect) {
    this.statements = buildStoreStatements(dialect.placeholder);
    this.toResult = createResultMapper(dialect.decodeMap);
  }

  /** Close the store's connections. */
  abstract close(): Promise<void>;

  /** Run `fn`, translating what it throws as an operation on `context`. */
  protected async run<T>(context: SqlErrorContext | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.dialect.translateError(err, context);
    }
  }

  /**
   * Write `values` to the row of `key` (with `options.expectEtag`, only while
   * its etag is that) and return the written row; `not_found` or
   * `failed_precondition` (another etag) when nothing was written.
   */
  private async conditionalUpdate<R>(
    kind: "result" | "record",
    name: string,
    values: readonly unknown[],
    key: readonly unknown[],
    options: UpdateOptions | undefined,
    statements: { update: SqlStatement; updateIf: SqlStatement; exists: SqlStatement },
  ): Promise<R> {
    const out =
      options?.expectEtag !== undefined
        ? await this.dialect.updateOrProbe<R>(
            statements.updateIf,
            [...values, options.expectEtag],
            statements.exists,
            key,
          )
        : await this.dialect.updateOrProbe<R>(statements.update, values, statements.exists, key);
    if ("row" in out) return out.row;
    throw missedUpdate(kind, name, out.exists);
  }

  // ---- Results ----

  async createResult(result: StoredResult): Promise<StoredResult> {
    const name = resultName(result.parent, result.name);
    return this.run({ kind: "result", name, uid: result.uid }, async () => {
      const row = await this.dialect.queryOne<SqlResultRow>(this.statements.insertResult, [
        result.uid,
        result.parent,
        result.name,
        result.createTime.getTime(),
        ...resultWriteValues(result, this.dialect.flag),
      ]);
      return this.toResult(row!);
    });
  }

  async getResult(parent: string, name: string): Promise<StoredResult> {
    return this.run(undefined, async () => {
      const row = await this.dialect.queryOne<SqlResultRow>(this.statements.getResult, [
        parent,
        name,
      ]);
      if (row === undefined)
        throw new StorageError("not_found", `result "${resultName(parent, name)}" not found`);
      return this.toResult(row);
    });
  }

  async updateResult(update: ResultUpdate, options?: UpdateOptions): Promise<StoredResult> {
    const name = resultName(update.parent, update.name);
    const key = [update.parent, update.name];
    const values = [...resultWriteValues(update, this.dialect.flag), ...key];
    return this.run({ kind: "result", name }, async () =>
      this.toResult(
        await this.conditionalUpdate<SqlResultRow>("result", name, values, key, options, {
          update: this.statements.updateResult,
          updateIf: this.statements.updateResultIf,
          exists: this.statements.resultExists,
        }),
      ),
    );
  }

  async deleteResult(parent: string, name: string): Promise<void> {
    const full = resultName(parent, name);
    await this.run({ kind: "result", name: full }, async () => {
      const rows = await this.dialect.query(this.statements.deleteResult, [parent, name]);
      if (rows.length === 0) throw new StorageError("not_found", `result "${full}" not found`);
    });
  }

  /**
   * Every Result of `refs` with its Records, in one transaction of statements
   * of {@link DELETE_RESULTS_CHUNK} Results each (the last padded by repeating
   * a pair, so every statement has one text); missing Results are skipped.
   */
  async deleteResults(refs: readonly ResultRef[]): Promise<DeleteResultsOutcome> {
    if (refs.length === 0) return { deleted: 0 };
    const steps: SqlStep[] = [];
    for (let i = 0; i < refs.length; i += DELETE_RESULTS_CHUNK) {
      const chunk = refs.slice(i, i + DELETE_RESULTS_CHUNK);
      const values: string[] = [];
      for (let j = 0; j < DELETE_RESULTS_CHUNK; j++) {
        const ref = chunk[Math.min(j, chunk.length - 1)]!;
        values.push(ref.parent, ref.name);
      }
      steps.push({ statement: this.statements.deleteResults, values });
    }
    return this.run(undefined, async () => {
      // A row is deleted once: the rows the statements return are distinct.
      const out = await this.dialect.transaction<{ id: unknown }>(steps);
      return { deleted: out.reduce((n, rows) => n + rows.length, 0) };
    });
  }

  async listResults(query: ResultListQuery): Promise<Page<StoredResult>> {
    return this.run(undefined, async () => {
      const list = listSql(
        RESULT_SELECT,
        [["parent", query.parent]],
        query,
        RESULT_SORT_COLUMNS,
        "results",
        this.dialect,
      );
      const rows = await this.dialect.all<SqlResultRow>(list.sql, list.bindings);
      return toPage(rows, query, this.toResult, resultCursor);
    });
  }

  // ---- Records ----

  async createRecord(record: StoredRecord): Promise<StoredRecord> {
    const name = recordName(record.parent, record.resultName, record.name);
    const parentName = resultName(record.parent, record.resultName);
    return this.run({ kind: "record", name, uid: record.uid, parentName }, async () => {
      const row = await this.dialect.queryOne<SqlRecordRow>(this.statements.insertRecord, [
        record.uid,
        record.parent,
        record.resultName,
        record.name,
        record.type,
        record.data,
        record.createTime.getTime(),
        record.updateTime.getTime(),
        record.etag,
        record.parent,
        record.resultName,
      ]);
      if (row === undefined)
        throw new StorageError("not_found", `result "${parentName}" not found`);
      return toStoredRecord(row);
    });
  }

  async getRecord(parent: string, result: string, name: string): Promise<StoredRecord> {
    return this.run(undefined, async () => {
      const row = await this.dialect.queryOne<SqlRecordRow>(this.statements.getRecord, [
        parent,
        result,
        name,
      ]);
      if (row === undefined) {
        throw new StorageError(
          "not_found",
          `record "${recordName(parent, result, name)}" not found`,
        );
      }
      return toStoredRecord(row);
    });
  }

  async updateRecord(update: RecordUpdate, options?: UpdateOptions): Promise<StoredRecord> {
    const name = recordName(update.parent, update.resultName, update.name);
    const key = [update.parent, update.resultName, update.name];
    const values = [update.type, update.data, update.updateTime.getTime(), update.etag, ...key];
    return this.run({ kind: "record", name }, async () =>
      toStoredRecord(
        await this.conditionalUpdate<SqlRecordRow>("record", name, values, key, options, {
          update: this.statements.updateRecord,
          updateIf: this.statements.updateRecordIf,
          exists: this.statements.recordExists,
        }),
      ),
    );
  }

  async deleteRecord(parent: string, result: string, name: string): Promise<void> {
    const full = recordName(parent, result, name);
    await this.run({ kind: "record", name: full }, async () => {
      const rows = await this.dialect.query(this.statements.deleteRecord, [parent, result, name]);
      if (rows.length === 0) throw new StorageError("not_found", `record "${full}" not found`);
    });
  }

  async listRecords(query: RecordListQuery): Promise<Page<StoredRecord>> {
    return this.run(undefined, async () => {
      const list = listSql(
        RECORD_SELECT,
        [
          ["parent", query.parent],
          ["result_name", query.resultName],
        ],
        query,
        RECORD_SORT_COLUMNS,
        "records",
        this.dialect,
      );
      const rows = await this.dialect.all<SqlRecordRow>(list.sql, list.bindings);
      return toPage(rows, query, toStoredRecord, recordCursor);
    });
  }

  /** Record summaries in SQL (always present: `capabilities.recordListSummary` is true). */
  async summarizeRecords(query: RecordSummaryQuery): Promise<RecordSummaryRow[]> {
    return this.run(undefined, () =>
      summarizeWithRunner((q) => this.dialect.all(q.sql, q.bindings), query, this.dialect.summary),
    );
  }
}
