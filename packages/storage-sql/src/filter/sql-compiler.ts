/**
 * The base layer of the SQL filter compilers: the walk of the filter AST,
 * the truth context on records, table aliases and the SQL `let`. The layers
 * above it (`value-compiler.ts`, `operator-compiler.ts`,
 * `function-compiler.ts`) implement every node kind once; an adapter extends
 * the top one, `JsonSqlFilterCompiler`, with its dialect's spellings.
 *
 * @module
 */
import { StorageError } from "@tekton-results/storage";
import { joinLogic, joinSql, rawSql, sql, type Sql } from "../sql-fragment.js";
import type {
  ArithOp,
  ColumnName,
  CompareOp,
  FilterExpr,
  FilterTarget,
  FunctionName,
  JsonExpr,
  ValueType,
} from "@tekton-results/storage";
import { matchTypedRecordTime } from "@tekton-results/storage";
import { compileTypedTruth } from "./typed-sql.js";

/**
 * The kind of a compiled sub-expression: `bool`, `num`, `str`, `ts` and `dur`
 * (milliseconds), `null`, `list` (a literal list, known item by item) or
 * `json` (a `dyn` value in the dialect's JSON representation).
 */
export type SqlValKind = "bool" | "num" | "str" | "ts" | "dur" | "null" | "json" | "list";

/** A compiled sub-expression: its SQL and what kind of value it yields. */
export interface SqlVal {
  kind: SqlValKind;
  sql: Sql;
  /** `num` only: statically an integer (decides whether `/` truncates). */
  int?: boolean;
  /** `list` only: the items. */
  items?: SqlVal[];
  /** `str` only: the value when it is a constant (dialects that need it: regexps, zones). */
  constant?: string;
}

/** Options of an adapter's filter compiler (`compilePgFilter`, `compileSqliteFilter`). */
export interface SqlFilterOptions {
  /** Which table the filter ranges over. */
  target: FilterTarget;
  /**
   * The name or alias of that table in the query the fragment is used in;
   * column references are qualified with it. Defaults to `results` or `records`.
   */
  table?: string;
}

/** Variables in scope of a comprehension: name -> the SQL of the element. */
export type SqlScope = ReadonlyMap<string, Sql>;

/** An unsupported filter construct: `invalid_argument`, as every compiler answers it. */
export function unsupportedFilter(what: string): StorageError {
  return new StorageError("invalid_argument", `unsupported filter: ${what}`);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A filter compiler for one SQL dialect. One instance compiles one filter
 * (its alias counter numbers the derived tables of that filter).
 */
export abstract class SqlFilterCompiler {
  private counter = 0;
  /** The name or alias of the filtered table in the query. */
  protected readonly table: string;

  /** The dialect's boolean true and false literals. */
  protected abstract readonly trueSql: Sql;
  protected abstract readonly falseSql: Sql;

  /**
   * @param target - which table the filter ranges over.
   * @param table - its name or alias in the query (default: `target`).
   */
  constructor(
    protected readonly target: FilterTarget,
    table: string | undefined,
  ) {
    this.table = table ?? target;
    if (!IDENTIFIER.test(this.table))
      throw new TypeError(`invalid table alias ${JSON.stringify(this.table)}`);
  }

  // ---- the dialect half ----

  /** A bound text parameter. */
  protected abstract textParam(value: string): Sql;
  /** `s` starts with `prefix`, both text. */
  protected abstract startsWithSql(s: Sql, prefix: Sql): Sql;
  protected abstract constant(type: FilterExpr["type"], value: unknown): SqlVal;
  protected abstract columnValue(name: ColumnName): SqlVal;
  protected abstract jsonValue(node: JsonExpr, scope: SqlScope): Sql;
  protected abstract list(items: SqlVal[]): SqlVal;
  /** A value as a SQL boolean (absent stays absent). */
  protected abstract toBool(v: SqlVal): Sql;
  /** `v` converted to `kind`, or an error when it cannot be. */
  protected abstract as(kind: SqlValKind, v: SqlVal): SqlVal;
  protected abstract compare(op: CompareOp, left: SqlVal, right: SqlVal, negated: boolean): Sql;
  protected abstract membership(value: SqlVal, collection: SqlVal): Sql;
  protected abstract arith(
    op: ArithOp,
    type: FilterExpr["type"],
    left: SqlVal,
    right: SqlVal,
  ): SqlVal;
  protected abstract call(fn: FunctionName, args: SqlVal[]): SqlVal;
  protected abstract has(
    target: Extract<FilterExpr, { kind: "has" }>["target"],
    scope: SqlScope,
  ): Sql;
  protected abstract comprehension(
    kind: "exists" | "all" | "exists_one",
    range: FilterExpr,
    variable: string,
    predicate: FilterExpr,
    scope: SqlScope,
  ): Sql;
  protected abstract cond(test: Sql, then: SqlVal, otherwise: SqlVal): SqlVal;
  /** The dialect's absent value of a kind (PostgreSQL types its `NULL`s). */
  protected abstract nullOf(kind: SqlValKind): Sql;
  /** True when the JSON value's type is one of `types` (`null`, `array`, `object`). */
  protected abstract jsonTypeIn(json: Sql, types: readonly ("null" | "array" | "object")[]): Sql;

  // ---- shared ----

  /** When `value` cannot be looked up as a map key (CEL: no overload), else `undefined`. */
  protected notAKey(value: SqlVal): Sql | undefined {
    switch (value.kind) {
      case "str":
      case "num":
      case "bool":
        return undefined;
      case "json":
        return this.jsonTypeIn(value.sql, ["null", "array", "object"]);
      default:
        return this.trueSql;
    }
  }

  /** A fresh alias `_{prefix}{n}`. */
  protected alias(prefix: string): string {
    this.counter += 1;
    return `_${prefix}${this.counter}`;
  }

  /** A column of the filtered table. */
  protected column(name: string): Sql {
    return rawSql(`${this.table}.${name}`, true);
  }

  /**
   * What ends the derived table of a {@link let} whose values hold a subquery
   * (another `let`): a dialect whose planner pulls such tables up into the
   * query above (PostgreSQL) puts a fence here, or each reference would copy
   * the fragment, and nested `let`s would grow the planned expression
   * exponentially (ten additions in a filter took PostgreSQL past its
   * statement timeout to plan). A `let` of plain values is left unfenced:
   * pulled up, it is cheaper to run.
   */
  protected readonly letFence: Sql = rawSql("");

  /**
   * Evaluate non-simple fragments once in a derived table and pass `body`
   * references to them (a SQL `let`).
   */
  protected let(values: Sql[], body: (refs: Sql[]) => Sql): Sql {
    const refs: Sql[] = [];
    const defs: Sql[] = [];
    let nested = false;
    for (const value of values) {
      if (value.simple) refs.push(value);
      else {
        nested ||= value.parts.some((p) => typeof p === "string" && p.includes("SELECT"));
        const name = this.alias("l");
        refs.push(rawSql(name, true));
        defs.push(sql`${value} AS ${rawSql(name)}`);
      }
    }
    const result = body(refs);
    if (defs.length === 0) return result;
    return sql`(SELECT ${result} FROM (SELECT ${joinSql(defs, ", ")}${nested ? this.letFence : rawSql("")}) AS ${rawSql(this.alias("t"))})`;
  }

  /**
   * `body`, or absent when one of `values` is: CEL's error on an absent
   * operand (a `null` constant is a present value).
   */
  protected whenPresent(values: readonly SqlVal[], body: Sql): Sql {
    const tests = values.filter((v) => v.kind !== "null").map((v) => sql`${v.sql} IS NOT NULL`);
    if (tests.length === 0) return body;
    return sql`(CASE WHEN ${joinLogic(tests, "AND")} THEN ${body} END)`;
  }

  /** The items of a list literal, which is absent when one of them is. */
  private listItems(v: SqlVal): readonly SqlVal[] {
    return v.kind === "list" ? (v.items ?? []) : [];
  }

  /**
   * The whole filter as a boolean SQL expression. It is a truth context: on
   * records, predicates with a typed form read the typed, indexed columns
   * (see `compileTypedTruth`); everything else walks the JSON.
   */
  compileFilter(filter: FilterExpr): Sql {
    const json = (node: FilterExpr) => this.toBool(this.compile(node, new Map()));
    if (this.target !== "records") return json(filter);
    return compileTypedTruth(filter, {
      column: (name) => this.column(name),
      text: (value) => this.textParam(value),
      false: this.falseSql,
      startsWith: (s, p) => this.startsWithSql(s, p),
      json,
    });
  }

  /** Compile a sub-expression. */
  protected compile(node: FilterExpr, scope: SqlScope): SqlVal {
    const v = this.compileNode(node, scope);
    // `/` truncates exactly when both operands are statically `int`.
    return v.kind === "num" ? { ...v, int: node.type === "int" } : v;
  }

  private compileNode(node: FilterExpr, scope: SqlScope): SqlVal {
    switch (node.kind) {
      case "const":
        return this.constant(node.type, node.value);
      case "column":
        return this.columnValue(node.column);
      case "json":
        return { kind: "json", sql: this.jsonValue(node, scope) };
      case "var": {
        const ref = scope.get(node.name);
        if (ref === undefined)
          throw unsupportedFilter(`unknown variable ${JSON.stringify(node.name)}`);
        return { kind: "json", sql: ref };
      }
      case "list":
        return this.list(node.items.map((item) => this.compile(item, scope)));
      case "and":
      case "or": {
        if (node.args.length === 0)
          return { kind: "bool", sql: node.kind === "and" ? this.trueSql : this.falseSql };
        const args = node.args.map((arg) => this.toBool(this.compile(arg, scope)));
        return {
          kind: "bool",
          sql: joinLogic(args, node.kind === "and" ? "AND" : "OR"),
        };
      }
      case "not":
        return { kind: "bool", sql: sql`(NOT ${this.toBool(this.compile(node.arg, scope))})` };
      case "compare":
        return {
          kind: "bool",
          sql: this.compare(
            node.op,
            this.compile(node.left, scope),
            this.compile(node.right, scope),
            false,
          ),
        };
      case "in": {
        // Absent when the value or an item of a list literal is absent.
        const value = this.compile(node.value, scope);
        const collection = this.compile(node.collection, scope);
        return {
          kind: "bool",
          sql: this.let([value.sql], ([v]) => {
            const bound: SqlVal = { ...value, sql: v! };
            return this.whenPresent(
              [bound, ...this.listItems(collection)],
              this.membership(bound, collection),
            );
          }),
        };
      }
      case "arith":
        // CEL has no int/double overloads (a JSON number is a double), and `%`
        // takes integers only: such arithmetic is absent, whatever the values.
        if (mixesIntAndDouble(node.op, node.left.type, node.right.type))
          return { kind: "num", sql: this.nullOf("num") };
        return this.arith(
          node.op,
          node.type,
          this.compile(node.left, scope),
          this.compile(node.right, scope),
        );
      case "neg": {
        const arg = this.compile(node.arg, scope);
        if (arg.kind === "dur") return { kind: "dur", sql: sql`(- ${arg.sql})` };
        const n = this.as("num", arg);
        return { kind: "num", sql: sql`(- ${n.sql})`, int: n.int === true };
      }
      case "call": {
        const time = this.target === "records" ? matchTypedRecordTime(node) : undefined;
        if (time !== undefined) return { kind: "ts", sql: this.column(time) };
        const args = node.args.map((arg) => this.compile(arg, scope));
        const result = this.call(node.fn, args);
        if (node.fn !== "size" || args[0]?.kind !== "list") return result;
        return { ...result, sql: this.whenPresent(this.listItems(args[0]), result.sql) };
      }
      case "has":
        return { kind: "bool", sql: this.has(node.target, scope) };
      case "exists":
      case "all":
      case "exists_one": {
        const sqlOf = this.comprehension(
          node.kind,
          node.range,
          node.variable,
          node.predicate,
          scope,
        );
        if (node.range.kind !== "list") return { kind: "bool", sql: sqlOf };
        const items = node.range.items.map((item) => this.compile(item, scope));
        return { kind: "bool", sql: this.whenPresent(items, sqlOf) };
      }
      case "cond":
        return this.cond(
          this.toBool(this.compile(node.test, scope)),
          this.compile(node.then, scope),
          this.compile(node.otherwise, scope),
        );
    }
  }
}

/**
 * Whether arithmetic on these static types has no CEL overload whatever the
 * values: an `int` with a `double` or a `dyn` (a JSON number is a double), or
 * `%` on anything but two `int`s. Timestamps and durations are not numbers here.
 */
export function mixesIntAndDouble(op: ArithOp, left: ValueType, right: ValueType): boolean {
  const numeric = (t: ValueType) => t === "int" || t === "double" || t === "dyn";
  if (!numeric(left) || !numeric(right)) return false;
  if (op === "%") return left !== "int" || right !== "int";
  return (left === "int") !== (right === "int");
}
