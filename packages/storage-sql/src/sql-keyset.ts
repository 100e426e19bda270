/**
 * The keyset ("seek") condition of the SQL adapters' list queries.
 *
 * @module
 */
import { StorageError } from "@tekton-results/storage";
import type { OrderTerm } from "@tekton-results/storage";

/** One sort column of a keyset page, the uid tie-breaker last. */
export interface KeysetTerm {
  /** A column reference written by the adapter (never user input). */
  column: string;
  direction: "asc" | "desc";
}

/**
 * The condition "strictly after the row whose sort values are `values`" for
 * the sort `terms`: a row-value comparison when every term runs the same way
 * (one index range), else the expanded OR chain, led by a redundant bound on
 * the first term so the planner can still range-scan its index. Values are
 * `?` parameters; `placeholder(i)` may spell the one of term `i` differently
 * (PostgreSQL casts: `?::bigint`).
 */
export function keysetCondition(
  terms: readonly KeysetTerm[],
  values: readonly unknown[],
  placeholder: (i: number) => string = () => "?",
): { sql: string; bindings: unknown[] } {
  const first = terms[0]!.direction;
  const op = (direction: KeysetTerm["direction"], strict: boolean) =>
    (direction === "asc" ? ">" : "<") + (strict ? "" : "=");
  if (terms.every((t) => t.direction === first)) {
    const columns = terms.map((t) => t.column).join(", ");
    const marks = terms.map((_, i) => placeholder(i)).join(", ");
    return { sql: `(${columns}) ${op(first, true)} (${marks})`, bindings: [...values] };
  }
  const alternatives: string[] = [];
  const bindings: unknown[] = [values[0]];
  const lead = `${terms[0]!.column} ${op(first, false)} ${placeholder(0)}`;
  terms.forEach((term, i) => {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) {
      parts.push(`${terms[j]!.column} = ${placeholder(j)}`);
      bindings.push(values[j]);
    }
    parts.push(`${term.column} ${op(term.direction, true)} ${placeholder(i)}`);
    bindings.push(values[i]);
    alternatives.push(`(${parts.join(" AND ")})`);
  });
  return { sql: `(${lead} AND (${alternatives.join(" OR ")}))`, bindings };
}

/**
 * The sort columns of a list query's page, validated: `orderBy` mapped through
 * `sortColumns` (field -> column of `table`), then the uid tie-breaker in the
 * direction of the last term. Also checks the page size. InvalidArgument
 * (`StorageError`) for an empty order, an unknown field or a bad page size.
 */
export function keysetTerms(
  query: { orderBy: readonly OrderTerm<string>[]; pageSize: number },
  sortColumns: Readonly<Record<string, string>>,
  table: string,
): KeysetTerm[] {
  if (query.orderBy.length === 0) {
    throw new StorageError("invalid_argument", "order_by needs at least one field");
  }
  if (!Number.isSafeInteger(query.pageSize) || query.pageSize < 1) {
    throw new StorageError("invalid_argument", "page size must be a positive integer");
  }
  const terms: KeysetTerm[] = query.orderBy.map((term) => {
    const column = sortColumns[term.field];
    if (column === undefined) {
      throw new StorageError("invalid_argument", `cannot order by ${term.field}`);
    }
    return { column: `${table}.${column}`, direction: term.direction };
  });
  terms.push({ column: `${table}.uid`, direction: terms[terms.length - 1]!.direction });
  return terms;
}
