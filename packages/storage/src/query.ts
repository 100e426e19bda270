/**
 * The backend-neutral list query: scope (parent and result, with wildcards),
 * a filter AST, an order, a page size and a keyset cursor.
 *
 * @module
 */
import type { FilterExpr } from "./filter/ast.js";
import type { StoredRecord, StoredResult } from "./model.js";

/** Fields ListResults may order by. */
export type ResultOrderField =
  "create_time" | "update_time" | "summary.start_time" | "summary.end_time";
/** Fields ListRecords may order by. */
export type RecordOrderField = "create_time" | "update_time";

/** Sort direction. */
export type Direction = "asc" | "desc";

/** One `field [asc|desc]` term of `order_by`. */
export interface OrderTerm<F extends string> {
  field: F;
  direction: Direction;
}

/**
 * The position after the last item of a page: the values of the order fields
 * of that item (Unix milliseconds, `null` for a missing summary time) and its
 * uid, the final tie-breaker.
 */
export interface Cursor {
  values: (number | null)[];
  uid: string;
}

/**
 * A list query.
 *
 * Ordering: items sort by `orderBy` and then by `uid`, the uid in the direction
 * of the last order term. A missing time (`summary.start_time` of a Result
 * without a summary) sorts before every present time in ascending order and
 * after every one in descending order.
 *
 * Paging: a store returns at most `pageSize` items strictly after `after` in
 * that order, and `next` when more items follow. A walk from no cursor to no
 * `next` sees every item that existed for the whole walk exactly once, even
 * while other items are inserted or deleted.
 */
export interface ListQuery<F extends string> {
  /** Only items under this parent; `undefined` for every parent (`-`). */
  parent?: string;
  /** Records only: only items of this result; `undefined` for every result (`-`). */
  resultName?: string;
  /** Only items for which the filter evaluates to `true`. */
  filter?: FilterExpr;
  /** At least one term. */
  orderBy: OrderTerm<F>[];
  /** 1 or more. */
  pageSize: number;
  /** Start after this position. */
  after?: Cursor;
}

/** A list query over Results. */
export type ResultListQuery = ListQuery<ResultOrderField>;
/** A list query over Records. */
export type RecordListQuery = ListQuery<RecordOrderField>;

/** One page of a list. */
export interface Page<T> {
  items: T[];
  /** Present when more items follow the last one. */
  next?: Cursor;
}

/** The sort-key value of one order field of a Result. */
export function resultOrderValue(r: StoredResult, field: ResultOrderField): number | null {
  switch (field) {
    case "create_time":
      return r.createTime.getTime();
    case "update_time":
      return r.updateTime.getTime();
    case "summary.start_time":
      return r.summary?.startTime?.getTime() ?? null;
    case "summary.end_time":
      return r.summary?.endTime?.getTime() ?? null;
  }
}

/** The sort-key value of one order field of a Record. */
export function recordOrderValue(r: StoredRecord, field: RecordOrderField): number {
  return field === "create_time" ? r.createTime.getTime() : r.updateTime.getTime();
}

/** The cursor that points just after `item` in the order `orderBy`. */
export function resultCursor(item: StoredResult, orderBy: OrderTerm<ResultOrderField>[]): Cursor {
  return { values: orderBy.map((t) => resultOrderValue(item, t.field)), uid: item.uid };
}

/** The cursor that points just after `item` in the order `orderBy`. */
export function recordCursor(item: StoredRecord, orderBy: OrderTerm<RecordOrderField>[]): Cursor {
  return { values: orderBy.map((t) => recordOrderValue(item, t.field)), uid: item.uid };
}

/**
 * Compare two sort keys (`values` then `uid`) under `orderBy`, with the
 * null and tie-breaker rules of {@link ListQuery}. Negative when `a` comes first.
 */
export function compareSortKeys(
  a: Cursor,
  b: Cursor,
  orderBy: readonly OrderTerm<string>[],
): number {
  for (let i = 0; i < orderBy.length; i++) {
    const dir = orderBy[i]!.direction === "desc" ? -1 : 1;
    const x = a.values[i] ?? null;
    const y = b.values[i] ?? null;
    if (x === y) continue;
    if (x === null) return -dir;
    if (y === null) return dir;
    return x < y ? -dir : dir;
  }
  const last = orderBy[orderBy.length - 1]?.direction === "desc" ? -1 : 1;
  if (a.uid === b.uid) return 0;
  return a.uid < b.uid ? -last : last;
}
