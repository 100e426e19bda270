/**
 * The second layer of the SQL filter compilers: leaves (constants, columns,
 * JSON paths), conversions, comparisons, membership and conditionals, spelt
 * through a few dialect hooks (how a JSON value's type is read, how typed
 * constants are bound, how the elements of a JSON collection are iterated).
 *
 * @module
 */
import type {
  ColumnName,
  CompareOp,
  FilterExpr,
  JsonColumn,
  JsonExpr,
  PathStep,
} from "@tekton-results/storage";
import { rawSql, sql, type Sql } from "../sql-fragment.js";
import {
  COMPARE_SQL,
  RECORD_FILTER_COLUMNS,
  RESULT_FILTER_COLUMNS,
  inferConstantType,
  type SqlColumnSpec,
} from "./filter-tables.js";
import {
  SqlFilterCompiler,
  unsupportedFilter as unsupported,
  type SqlScope,
  type SqlVal,
  type SqlValKind,
} from "./sql-compiler.js";

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The kinds of scalar, typed values (what a JSON value converts to). */
export type SqlScalarKind = Exclude<SqlValKind, "json" | "list" | "null">;

/** The JSON-typed comparisons, constants and conversions of a dialect. */
export abstract class SqlValueCompiler extends SqlFilterCompiler {
  // ---- dialect hooks ----

  /** A bound number as the dialect's `num` (PostgreSQL: `float8`). */
  protected abstract numParam(n: number): Sql;
  /** A `bool` constant. */
  protected abstract boolConst(value: boolean): Sql;
  /** A `double` constant (an `int` one is {@link numParam}). */
  protected abstract doubleConst(value: number): Sql;
  /** A timestamp or duration constant (milliseconds). */
  protected abstract millisConst(value: number): Sql;
  /** A map constant from its JSON text. */
  protected abstract jsonConst(text: string): Sql;
  /** The `null` constant. */
  protected abstract nullConst(): Sql;
  /** The JSON of a record's `data` column. */
  protected abstract recordData(): Sql;
  /** The JSON at `path` below `root`; NULL when missing. */
  protected abstract walk(root: Sql, path: readonly PathStep[]): Sql;
  /** Any value as the dialect's JSON (absent stays NULL). */
  protected abstract toJson(v: SqlVal): Sql;
  /** A JSON value as a scalar kind: NULL when its JSON type does not fit. */
  protected abstract jsonTo(kind: SqlScalarKind, json: Sql): SqlVal;
  /** The JSON type name of a JSON value (`null`, `array`, `object` are the same everywhere). */
  protected abstract jsonType(json: Sql): Sql;
  /** True when a JSON value's type fits a typed kind; `undefined` for kinds JSON lacks. */
  protected abstract jsonTypeFits(json: Sql, kind: SqlValKind): Sql | undefined;
  /** The `WHEN` lines comparing two JSON numbers, strings and booleans. */
  protected abstract dynCompareRows(a: Sql, b: Sql, op: Sql): Sql;
  /** `x IS TRUE`, parenthesised. */
  protected abstract isTrue(x: Sql): Sql;
  /** A boolean true when one of `tests` (each true or false) is. */
  protected abstract anyTrue(tests: Sql[]): Sql;
  /** True when `test` of some element (or key) of the JSON collection `c` is true. */
  protected abstract anyElement(c: Sql, test: (element: Sql) => Sql): Sql;
  /** Whether a JSON value converts to a duration (else comparing with one is an error). */
  protected readonly jsonDurations: boolean = true;

  /** `a op b` for two values of the same typed kind. */
  protected typedCompare(op: CompareOp, _kind: SqlValKind, a: Sql, b: Sql): Sql {
    return sql`(${a} ${rawSql(COMPARE_SQL[op])} ${b})`;
  }

  /** The SQL of a column (a dialect may cast it). */
  protected columnSql(spec: SqlColumnSpec): Sql {
    return this.column(spec.column);
  }

  // ---- shared ----

  /** An `int` result outside ±(2^53 - 1) is absent. */
  protected intRange(value: Sql): Sql {
    return this.let(
      [value],
      ([v]) =>
        sql`(CASE WHEN ${v!} BETWEEN ${this.numParam(-MAX_SAFE)} AND ${this.numParam(MAX_SAFE)} THEN ${v!} END)`,
    );
  }

  protected constant(type: FilterExpr["type"], value: unknown): SqlVal {
    if (value === null) return { kind: "null", sql: this.nullConst() };
    switch (type) {
      case "bool":
        if (typeof value === "boolean") return { kind: "bool", sql: this.boolConst(value) };
        break;
      case "int":
        if (typeof value === "number")
          return { kind: "num", sql: this.numParam(value), int: Number.isSafeInteger(value) };
        break;
      case "double":
        if (typeof value === "number") return { kind: "num", sql: this.doubleConst(value) };
        break;
      case "string":
        if (typeof value === "string")
          return { kind: "str", sql: this.textParam(value), constant: value };
        break;
      case "timestamp":
        if (typeof value === "number") return { kind: "ts", sql: this.millisConst(value) };
        break;
      case "duration":
        if (typeof value === "number") return { kind: "dur", sql: this.millisConst(value) };
        break;
      default:
        break;
    }
    if (typeof value === "boolean") return { kind: "bool", sql: this.boolConst(value) };
    if (typeof value === "number") return { kind: "num", sql: this.doubleConst(value) };
    if (typeof value === "string")
      return { kind: "str", sql: this.textParam(value), constant: value };
    if (Array.isArray(value))
      return this.list(value.map((item) => this.constant(inferConstantType(item), item)));
    return { kind: "json", sql: this.jsonConst(JSON.stringify(value)) };
  }

  protected columnValue(name: ColumnName): SqlVal {
    const spec = (this.target === "results" ? RESULT_FILTER_COLUMNS : RECORD_FILTER_COLUMNS)[name];
    if (spec === undefined) throw unsupported(`${name} is not a field of ${this.target}`);
    return { kind: spec.kind, sql: this.columnSql(spec), int: spec.int };
  }

  private jsonRoot(column: JsonColumn): Sql {
    if (this.target === "records" && column === "data") return this.recordData();
    if (this.target === "results" && column === "annotations") return this.column("annotations");
    if (this.target === "results" && column === "summary.annotations")
      return this.column("summary_annotations");
    throw unsupported(`${column} is not a field of ${this.target}`);
  }

  protected jsonValue(node: JsonExpr, scope: SqlScope): Sql {
    let root: Sql;
    if ("column" in node.root) root = this.jsonRoot(node.root.column);
    else {
      const ref = scope.get(node.root.variable);
      if (ref === undefined)
        throw unsupported(`unknown variable ${JSON.stringify(node.root.variable)}`);
      root = ref;
    }
    return this.walk(root, node.path);
  }

  /** Convert to `kind` or fail when the static types cannot meet. */
  protected as(kind: SqlValKind, v: SqlVal): SqlVal {
    if (v.kind === kind) return v;
    if (kind === "json") return { kind: "json", sql: this.toJson(v) };
    if (v.kind === "json") {
      if (kind === "list") return v;
      if (kind === "null") return { kind, sql: this.nullConst() };
      return this.jsonTo(kind, v.sql);
    }
    throw unsupported(`expected ${kind}, got ${v.kind}`);
  }

  protected toBool(v: SqlVal): Sql {
    return this.as("bool", v).sql;
  }

  protected jsonTypeIn(json: Sql, types: readonly ("null" | "array" | "object")[]): Sql {
    return sql`${this.jsonType(json)} IN (${rawSql(types.map((t) => `'${t}'`).join(", "))})`;
  }

  /**
   * A comparison. `lenient`: a static type mismatch compares unequal
   * (membership in a heterogeneous literal list) instead of failing.
   */
  protected compare(op: CompareOp, a: SqlVal, b: SqlVal, lenient: boolean): Sql {
    if (a.kind === "list" || b.kind === "list") {
      if (lenient) return this.falseSql;
      throw unsupported("comparison of lists");
    }
    if (a.kind === "null" || b.kind === "null") return this.compareNull(op, a, b);
    if (a.kind === "json" && b.kind === "json") return this.compareDyn(op, a.sql, b.sql);
    if (a.kind === "json" || b.kind === "json") return this.compareWithJson(op, a, b, lenient);
    if (a.kind !== b.kind) {
      if (lenient) return this.falseSql;
      throw unsupported(`comparison of ${a.kind} and ${b.kind}`);
    }
    return this.typedCompare(op, a.kind, a.sql, b.sql);
  }

  /** A typed value compared with a JSON one. */
  private compareWithJson(op: CompareOp, a: SqlVal, b: SqlVal, lenient: boolean): Sql {
    const jsonLeft = a.kind === "json";
    const typed = jsonLeft ? b : a;
    const json = jsonLeft ? a : b;
    if (typed.kind === "dur" && !this.jsonDurations) {
      if (lenient) return this.falseSql;
      throw unsupported("comparison of a dynamic value with a duration");
    }
    return this.let([json.sql, typed.sql], ([j, t]) => {
      const converted = this.jsonTo(typed.kind as SqlScalarKind, j!);
      const [left, right] = jsonLeft ? [converted.sql, t!] : [t!, converted.sql];
      const typedCompare = this.typedCompare(op, typed.kind, left, right);
      if (op !== "==" && op !== "!=") return typedCompare;
      const definite = op === "==" ? this.falseSql : this.trueSql;
      const absent = this.nullOf("bool");
      const fits = this.jsonTypeFits(j!, typed.kind);
      if (fits === undefined) {
        // A JSON null equals nothing but null: definite, unless the other side is absent.
        return sql`(CASE WHEN ${this.jsonType(j!)} = 'null' THEN (CASE WHEN ${t!} IS NULL THEN ${absent} ELSE ${definite} END) ELSE ${typedCompare} END)`;
      }
      // Heterogeneous equality: a present JSON value of another type is unequal.
      return sql`(CASE WHEN ${t!} IS NULL OR ${j!} IS NULL THEN ${absent} WHEN ${fits} THEN ${typedCompare} ELSE ${definite} END)`;
    });
  }

  private compareNull(op: CompareOp, a: SqlVal, b: SqlVal): Sql {
    if (op !== "==" && op !== "!=") return this.nullOf("bool");
    const other = a.kind === "null" ? b : a;
    if (other.kind === "null") return op === "==" ? this.trueSql : this.falseSql;
    if (other.kind === "json") {
      return op === "=="
        ? sql`(${this.jsonType(other.sql)} = 'null')`
        : sql`(${this.jsonType(other.sql)} <> 'null')`;
    }
    return sql`(CASE WHEN ${other.sql} IS NULL THEN ${this.nullOf("bool")} ELSE ${op === "==" ? this.falseSql : this.trueSql} END)`;
  }

  private compareDyn(op: CompareOp, x: Sql, y: Sql): Sql {
    const sqlOp = rawSql(COMPARE_SQL[op]);
    const equality = op === "==" || op === "!=";
    const type = (j: Sql) => this.jsonType(j);
    const nulls = equality
      ? (a: Sql, b: Sql) => sql`((${type(a)} = 'null') ${sqlOp} (${type(b)} = 'null'))`
      : () => this.nullOf("bool");
    // Heterogeneous equality: present values of different JSON types are
    // unequal; two arrays or two objects are not compared (absent).
    const mixed = (a: Sql, b: Sql) =>
      equality
        ? sql`
 WHEN ${type(a)} IN ('array', 'object') AND ${type(b)} = ${type(a)} THEN ${this.nullOf("bool")}
 WHEN ${a} IS NOT NULL AND ${b} IS NOT NULL THEN ${op === "==" ? this.falseSql : this.trueSql}`
        : sql``;
    return this.let(
      [x, y],
      ([a, b]) => sql`(CASE
 WHEN ${type(a!)} = 'null' OR ${type(b!)} = 'null' THEN ${nulls(a!, b!)}
${this.dynCompareRows(a!, b!, sqlOp)}${mixed(a!, b!)}
 END)`,
    );
  }

  /** `value in collection`. */
  protected membership(value: SqlVal, collection: SqlVal): Sql {
    if (collection.kind === "list") {
      const items = collection.items ?? [];
      if (items.length === 0) return this.falseSql;
      return this.let([value.sql], ([v]) => {
        const bound: SqlVal = { ...value, sql: v! };
        return this.anyTrue(
          items.map((item) => this.isTrue(this.compare("==", bound, item, true))),
        );
      });
    }
    if (collection.kind !== "json") return this.nullOf("bool");
    return this.let([value.sql, collection.sql], ([v, c]) => {
      const bound: SqlVal = { ...value, sql: v! };
      const any = this.anyElement(c!, (element) =>
        this.compare("==", bound, { kind: "json", sql: element }, true),
      );
      // Only a string, number or bool can be a key (a number or bool never is one).
      const noKey = this.notAKey(bound);
      const objectGuard =
        noKey === undefined
          ? sql``
          : sql`WHEN ${this.jsonType(c!)} = 'object' AND ${noKey} THEN ${this.nullOf("bool")} `;
      return sql`(CASE ${objectGuard}WHEN ${this.jsonType(c!)} IN ('array', 'object') THEN ${any} END)`;
    });
  }

  protected cond(test: Sql, then: SqlVal, otherwise: SqlVal): SqlVal {
    let kind: SqlValKind;
    let int: boolean | undefined;
    let a: Sql;
    let b: Sql;
    if (then.kind === otherwise.kind && then.kind !== "list" && then.kind !== "null") {
      kind = then.kind;
      int = then.int === true && otherwise.int === true;
      a = then.sql;
      b = otherwise.sql;
    } else {
      kind = "json";
      a = this.toJson(then);
      b = this.toJson(otherwise);
    }
    return {
      kind,
      int,
      sql: sql`(CASE ${test} WHEN ${this.trueSql} THEN ${a} WHEN ${this.falseSql} THEN ${b} END)`,
    };
  }
}
