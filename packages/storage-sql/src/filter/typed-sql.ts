/**
 * The SQL of the typed record predicates (see `typed-fields.ts`), shared by
 * the SQL adapters' filter compilers: the truth-context walk and the
 * predicate text, with the few dialect differences as hooks.
 *
 * @module
 */
import type { FilterExpr } from "@tekton-results/storage";
import { joinLogic, joinSql, rawSql, sql, type Sql } from "../sql-fragment.js";
import { COMPARE_SQL } from "./filter-tables.js";
import {
  matchTypedRecordPredicate,
  prefixUpperBound,
  type TypedRecordPredicate,
} from "@tekton-results/storage";

/** What a dialect supplies to {@link compileTypedTruth}. */
export interface TypedSqlDialect {
  /** A qualified column of the records table (`records.run_name`). */
  column(name: string): Sql;
  /** A bound text value (PostgreSQL: with its cast). */
  text(value: string): Sql;
  /** The SQL `false` literal. */
  readonly false: Sql;
  /** `s` starts with `prefix` (both text), for prefixes without a range bound. */
  startsWith(s: Sql, prefix: Sql): Sql;
  /** The JSON-path form of a predicate as a boolean (three-valued). */
  json(node: FilterExpr): Sql;
}

/**
 * Compile a records filter in a truth context: `and`/`or` operands stay in
 * it, a predicate with a typed form reads the typed columns, everything else
 * is `dialect.json`. Only which rows are true is preserved (see `typed-fields.ts`).
 */
export function compileTypedTruth(node: FilterExpr, dialect: TypedSqlDialect): Sql {
  if ((node.kind === "and" || node.kind === "or") && node.args.length > 0) {
    const args = node.args.map((arg) => compileTypedTruth(arg, dialect));
    return joinLogic(args, node.kind === "and" ? "AND" : "OR");
  }
  const typed = matchTypedRecordPredicate(node);
  return typed === undefined ? dialect.json(node) : typedPredicateSql(typed, node, dialect);
}

/** The SQL of a typed predicate, true exactly when `node` (its JSON form) is. */
export function typedPredicateSql(
  typed: TypedRecordPredicate,
  node: FilterExpr,
  dialect: TypedSqlDialect,
): Sql {
  const strings = (values: readonly string[]) =>
    joinSql(
      values.map((v) => dialect.text(v)),
      ", ",
    );
  const prefix = (col: Sql, p: string): Sql => {
    if (p === "") return sql`(${col} IS NOT NULL)`;
    const bound = prefixUpperBound(p);
    return bound === undefined
      ? sql`(${col} >= ${dialect.text(p)} AND ${dialect.startsWith(col, dialect.text(p))})`
      : sql`(${col} >= ${dialect.text(p)} AND ${col} < ${dialect.text(bound)})`;
  };
  const labels = (key: string, condition: (value: Sql) => Sql): Sql =>
    sql`(${dialect.column("id")} IN (SELECT record_labels.record_id FROM record_labels WHERE record_labels.key = ${dialect.text(key)} AND ${condition(rawSql("record_labels.value", true))}))`;
  switch (typed.kind) {
    case "text": {
      const col = dialect.column(typed.field);
      const cmp = sql`(${col} ${rawSql(COMPARE_SQL[typed.op])} ${dialect.text(typed.value)})`;
      if (typed.op !== "!=") return cmp;
      // JSON null != "s" is true: rows without a typed string read the JSON.
      return sql`(${cmp} OR (${col} IS NULL AND ${dialect.json(node)}))`;
    }
    case "text-in":
      if (typed.values.length === 0) return dialect.false;
      return sql`(${dialect.column(typed.field)} IN (${strings(typed.values)}))`;
    case "text-prefix":
      return prefix(dialect.column(typed.field), typed.prefix);
    case "label-in":
      if (typed.values.length === 0) return dialect.false;
      return labels(typed.key, (v) => sql`${v} IN (${strings(typed.values)})`);
    case "label-prefix":
      return labels(typed.key, (v) => prefix(v, typed.prefix));
  }
}
