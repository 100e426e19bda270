/**
 * The list queries of the SQL stores: scope, filter and keyset conditions,
 * order and limit (one row more than a page), and the page made of the rows.
 *
 * @module
 */
import type {
  Cursor,
  FilterExpr,
  FilterTarget,
  OrderTerm,
  Page,
  RecordListQuery,
  ResultListQuery,
} from "@tekton-results/storage";
import type { RenderedSql } from "../sql-fragment.js";
import { keysetCondition, keysetTerms } from "../sql-keyset.js";
import { cursorValues } from "./rows.js";

/** What the list queries ask of a dialect. */
export interface SqlPageDialect {
  /** Compile a filter to a condition over `table` (text with `?` bindings). */
  compileFilter(filter: FilterExpr, options: { target: FilterTarget; table: string }): RenderedSql;
  /**
   * The `?` placeholder of keyset term `i` (`last`: the uid tie-breaker), e.g.
   * `?::bigint` where the database wants a cast. Default `?`.
   */
  keysetPlaceholder?(i: number, last: boolean): string;
  /** A page token's sort value as the dialect binds it (`null`: a missing summary time). */
  cursorValue(value: number | null): unknown;
}

/** The SELECT of a list query, and the bindings of its `?` placeholders. */
export type ListSql = RenderedSql;

/**
 * The list query `select` (a `select ... from table` head) of a page of
 * `query`: the `scope` equalities (column, value; undefined values skipped),
 * the filter and keyset conditions (each parenthesized), the order of
 * `sortColumns` and a limit of one row more than a page.
 */
export function listSql(
  select: string,
  scope: readonly (readonly [string, string | undefined])[],
  query: ResultListQuery | RecordListQuery,
  sortColumns: Readonly<Record<string, string>>,
  table: "results" | "records",
  dialect: SqlPageDialect,
): ListSql {
  const terms = keysetTerms(query, sortColumns, table);
  const where: string[] = [];
  const bindings: unknown[] = [];
  for (const [column, value] of scope) {
    if (value === undefined) continue;
    where.push(`${table}.${column} = ?`);
    bindings.push(value);
  }
  if (query.filter !== undefined) {
    const filter = dialect.compileFilter(query.filter, { target: table, table });
    where.push(`(${filter.sql})`);
    bindings.push(...filter.bindings);
  }
  if (query.after !== undefined) {
    const values = cursorValues(query.after, query.orderBy, dialect.cursorValue);
    const placeholder = dialect.keysetPlaceholder;
    const keyset = keysetCondition(
      terms,
      values,
      placeholder === undefined ? undefined : (i) => placeholder(i, i === terms.length - 1),
    );
    where.push(`(${keyset.sql})`);
    bindings.push(...keyset.bindings);
  }
  const order = terms.map((t) => `${t.column} ${t.direction === "desc" ? "desc" : "asc"}`);
  bindings.push(query.pageSize + 1);
  const condition = where.length > 0 ? ` where ${where.join(" and ")}` : "";
  return { sql: `${select}${condition} order by ${order.join(", ")} limit ?`, bindings };
}

/**
 * The page of `rows` (fetched with one row more than `pageSize`): the items
 * mapped by `map`, and the cursor after the last one when more rows exist.
 */
export function toPage<R, T, F extends string>(
  rows: readonly R[],
  query: { pageSize: number; orderBy: OrderTerm<F>[] },
  map: (row: R) => T,
  cursor: (item: T, orderBy: OrderTerm<F>[]) => Cursor,
): Page<T> {
  const items = rows.slice(0, query.pageSize).map(map);
  const last = items[items.length - 1];
  return rows.length > query.pageSize && last !== undefined
    ? { items, next: cursor(last, query.orderBy) }
    : { items };
}
