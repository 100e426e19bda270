/**
 * The third layer of the SQL filter compilers: arithmetic (typed and on JSON
 * values), `has()` and the comprehensions (`exists`, `all`, `exists_one`),
 * spelt through a few dialect hooks.
 *
 * @module
 */
import type { ArithOp, FilterExpr } from "@tekton-results/storage";
import { joinSql, rawSql, sql, type Sql } from "../sql-fragment.js";
import {
  unsupportedFilter as unsupported,
  type SqlScope,
  type SqlVal,
  type SqlValKind,
} from "./sql-compiler.js";
import { SqlValueCompiler } from "./value-compiler.js";

/** The comprehension kinds. */
export type ComprehensionKind = "exists" | "all" | "exists_one";

/** Arithmetic, presence tests and comprehensions over the dialect's JSON. */
export abstract class SqlOperatorCompiler extends SqlValueCompiler {
  // ---- dialect hooks ----

  /**
   * `a op b` on two numbers; `int` when both are statically integers (then
   * `/` truncates, and `%` only ever takes integers). An integer result is
   * kept within ±(2^53 - 1) by the caller.
   */
  protected abstract numArith(op: ArithOp, a: Sql, b: Sql, int: boolean): Sql;
  /** The `WHEN` branches of arithmetic on two JSON values (numbers; `+` also strings). */
  protected abstract dynArithBranches(op: ArithOp, a: Sql, b: Sql): Sql[];
  /** The length of a JSON array. */
  protected abstract arrayLength(array: Sql): Sql;
  /** Whether a JSON object has `key`. */
  protected abstract hasKey(object: Sql, key: string): Sql;
  /** The aggregate of each comprehension over the rows' predicate column `p`. */
  protected abstract readonly aggregates: Readonly<Record<ComprehensionKind, (p: Sql) => Sql>>;
  /** The alias a derived table needs (PostgreSQL: ` AS _s1`; SQLite: none). */
  protected abstract derivedTableAlias(): Sql;
  /** Rows `(v)` named `as` over the JSON values `rows` (`(x), (y)`). */
  protected abstract valuesTable(rows: Sql, as: string): Sql;
  /** Rows `(v)` named `as` over the elements of a JSON array or the keys of an object. */
  protected abstract jsonElementsTable(collection: Sql, as: string): Sql;

  /**
   * A double kept finite: absent beyond the double range. The default trusts
   * the dialect to answer NULL on overflow already (PostgreSQL's `tr_arith`);
   * SQLite computes infinities and overrides it.
   */
  protected finiteDouble(value: Sql): Sql {
    return value;
  }

  // ---- shared ----

  protected arith(op: ArithOp, type: FilterExpr["type"], a: SqlVal, b: SqlVal): SqlVal {
    if (a.kind === "list" && b.kind === "list" && op === "+") {
      return this.list([...(a.items ?? []), ...(b.items ?? [])]);
    }
    if (a.kind === "list" || b.kind === "list") {
      return { kind: "json", sql: this.dynArith(op, this.toJson(a), this.toJson(b)) };
    }
    if (a.kind === "json" && b.kind === "json")
      return { kind: "json", sql: this.dynArith(op, a.sql, b.sql) };
    if (a.kind === "json") a = this.as(this.partnerKind(op, type, b.kind, "right"), a);
    if (b.kind === "json") b = this.as(this.partnerKind(op, type, a.kind, "left"), b);
    const k = `${a.kind} ${op} ${b.kind}`;
    switch (k) {
      case "num + num":
      case "num - num":
      case "num * num":
      case "num / num":
      case "num % num": {
        const int = a.int === true && b.int === true && type !== "double";
        const value = this.numArith(op, a.sql, b.sql, int);
        const ranged = op === "%" || type === "int" || int;
        return { kind: "num", sql: ranged ? this.intRange(value) : this.finiteDouble(value), int };
      }
      case "str + str":
        return { kind: "str", sql: sql`(${a.sql} || ${b.sql})` };
      case "ts + dur":
      case "dur + ts":
      case "ts - dur":
        return { kind: "ts", sql: sql`(${a.sql} ${rawSql(op)} ${b.sql})` };
      case "ts - ts":
      case "dur + dur":
      case "dur - dur":
        return { kind: "dur", sql: sql`(${a.sql} ${rawSql(op)} ${b.sql})` };
      default:
        throw unsupported(`arithmetic ${k}`);
    }
  }

  /** The kind a `dyn` operand takes next to a typed one in arithmetic. */
  private partnerKind(
    op: string,
    type: FilterExpr["type"],
    other: SqlValKind,
    otherSide: "left" | "right",
  ): SqlValKind {
    switch (other) {
      case "ts":
        // ts - x: a duration gives a timestamp, a timestamp gives a duration.
        if (otherSide === "left" && op === "-") return type === "timestamp" ? "dur" : "ts";
        return "dur";
      case "dur":
        if (otherSide === "right" && op === "-") return type === "duration" ? "dur" : "ts";
        if (op === "+") return type === "duration" ? "dur" : "ts";
        return "dur";
      case "bool":
      case "null":
        throw unsupported(`arithmetic on ${other}`);
      default:
        return other;
    }
  }

  /**
   * Arithmetic between two JSON values, typed at run time; JSON result.
   * Numbers compute, `+` also concatenates two strings; anything else is absent.
   */
  private dynArith(op: ArithOp, x: Sql, y: Sql): Sql {
    return this.let(
      [x, y],
      ([a, b]) => sql`(CASE ${joinSql(this.dynArithBranches(op, a!, b!), " ")} END)`,
    );
  }

  protected has(target: FilterExpr & { kind: "json" | "column" }, scope: SqlScope): Sql {
    if (target.kind === "column") {
      // Presence: summary fields are absent without a summary, times without a value.
      return sql`(${this.columnValue(target.column).sql} IS NOT NULL)`;
    }
    const path = target.path;
    const whole = this.jsonValue({ ...target, path: [] }, scope);
    if (path.length === 0) return sql`(${whole} IS NOT NULL)`;
    const last = path[path.length - 1]!;
    const parent = this.walk(whole, path.slice(0, -1));
    return this.let([parent], ([p]) => {
      if (typeof last === "number") {
        if (!Number.isSafeInteger(last) || last < 0)
          return sql`(CASE WHEN ${this.jsonType(p!)} = 'array' THEN ${this.falseSql} END)`;
        return sql`(CASE WHEN ${this.jsonType(p!)} = 'array' THEN ${this.arrayLength(p!)} > ${this.numParam(last)} END)`;
      }
      return sql`(CASE WHEN ${this.jsonType(p!)} = 'object' THEN ${this.hasKey(p!, last)} END)`;
    });
  }

  /**
   * A subquery over the elements of `range` (each as JSON in column `v` of
   * alias `as`), passed to `body`; NULL when `range` is not a list or map.
   */
  private overElements(range: SqlVal, as: string, body: (elements: Sql) => Sql): Sql {
    if (range.kind === "list") {
      const items = range.items ?? [];
      if (items.length === 0)
        return body(
          sql`(SELECT ${this.nullOf("json")} AS v WHERE ${this.falseSql}) AS ${rawSql(as)}`,
        );
      const rows = joinSql(
        items.map((item) => sql`(${this.toJson(item)})`),
        ", ",
      );
      return body(this.valuesTable(rows, as));
    }
    if (range.kind !== "json") return this.nullOf("bool");
    return this.let([range.sql], ([r]) => {
      const elements = this.jsonElementsTable(r!, as);
      return sql`(CASE WHEN ${this.jsonType(r!)} IN ('array', 'object') THEN ${body(elements)} END)`;
    });
  }

  protected comprehension(
    kind: ComprehensionKind,
    rangeNode: FilterExpr,
    variable: string,
    predicateNode: FilterExpr,
    scope: SqlScope,
  ): Sql {
    const range = this.compile(rangeNode, scope);
    const as = this.alias("c");
    const inner = new Map(scope);
    inner.set(variable, rawSql(`${as}.v`, true));
    const predicate = this.toBool(this.compile(predicateNode, inner));
    const p = rawSql(this.alias("p"));
    const aggregate = this.aggregates[kind](p);
    return this.overElements(
      range,
      as,
      (elements) =>
        sql`(SELECT ${aggregate} FROM (SELECT ${predicate} AS ${p} FROM ${elements})${this.derivedTableAlias()})`,
    );
  }
}
