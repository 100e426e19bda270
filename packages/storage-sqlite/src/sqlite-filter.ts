/**
 * Compiles the backend-neutral filter AST to a SQLite boolean expression with
 * bound parameters only.
 *
 * Representation: every sub-expression compiles to a SQL value of a known
 * kind: `bool` (0/1), `num`, `str`, `ts` and `dur` (milliseconds), `null`,
 * `list` (a literal list, known item by item) or `json` (a `dyn` value as JSON
 * text, e.g. `"a"`, `1.5`, `true`, `[1]`). SQL `NULL` is the AST's *absent*,
 * so SQLite's three-valued `AND`/`OR`/`NOT` are exactly the AST's. A `json`
 * value is converted to a typed kind with a `json_type` guard, so a comparison
 * across JSON types is absent rather than SQLite's cross-type ordering.
 *
 * On records, the whole filter is compiled in a truth context
 * (`compileTypedTruth` of `@tekton-results/storage`): predicates with a typed
 * form (name, namespace, condition reason/status, pipeline/task label
 * equality, `in`, `startsWith`) read the typed, indexed columns the store
 * fills at write time, label equalities read `record_labels`, and
 * `timestamp(data.status.startTime)` (and the other typed times) reads its
 * time column anywhere; everything else walks the JSON as described here.
 *
 * The SQL calls the functions of `sqlite-functions.ts` (`regexp`,
 * `tr_timestamp_ms`, ...), which the store registers on every connection.
 *
 * @module
 */
import {
  type ColumnName,
  type CompareOp,
  type FilterExpr,
  type FilterTarget,
  type FunctionName,
  type JsonColumn,
  type JsonExpr,
  type PathStep,
} from "@tekton-results/storage";
import {
  SqlFilterCompiler,
  joinSql,
  param,
  rawSql,
  renderSql,
  sql,
  type RenderedSql,
  type Sql,
  type SqlVal,
  type SqlValKind,
  unsupportedFilter,
} from "@tekton-results/storage-sql";

/** Options of {@link compileSqliteFilter}. */
export interface CompileSqliteFilterOptions {
  /** Which table the filter ranges over. */
  target: FilterTarget;
  /**
   * The name or alias of that table in the query the fragment is used in;
   * column references are qualified with it. Defaults to `results` or `records`.
   */
  table?: string;
}

type Kind = SqlValKind;

type Val = SqlVal;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const NULL = rawSql("NULL", true);
const TRUE = rawSql("1", true);
const FALSE = rawSql("0", true);

const RESULT_COLUMNS: Partial<Record<ColumnName, { kind: Kind; column: string; int?: boolean }>> = {
  parent: { kind: "str", column: "parent" },
  uid: { kind: "str", column: "uid" },
  create_time: { kind: "ts", column: "create_time" },
  update_time: { kind: "ts", column: "update_time" },
  "summary.record": { kind: "str", column: "summary_record" },
  "summary.type": { kind: "str", column: "summary_type" },
  "summary.status": { kind: "num", column: "summary_status", int: true },
  "summary.start_time": { kind: "ts", column: "summary_start_time" },
  "summary.end_time": { kind: "ts", column: "summary_end_time" },
};

const RECORD_COLUMNS: Partial<Record<ColumnName, { kind: Kind; column: string; int?: boolean }>> = {
  parent: { kind: "str", column: "parent" },
  uid: { kind: "str", column: "uid" },
  result_name: { kind: "str", column: "result_name" },
  name: { kind: "str", column: "name" },
  data_type: { kind: "str", column: "type" },
  create_time: { kind: "ts", column: "create_time" },
  update_time: { kind: "ts", column: "update_time" },
};

const COMPARE_SQL: Record<CompareOp, string> = {
  "==": "=",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

const TIMESTAMP_PARTS: Partial<Record<FunctionName, { format: string; adjust: number }>> = {
  getFullYear: { format: "%Y", adjust: 0 },
  getMonth: { format: "%m", adjust: -1 },
  getDate: { format: "%d", adjust: 0 },
  getDayOfMonth: { format: "%d", adjust: -1 },
  getDayOfWeek: { format: "%w", adjust: 0 },
  getDayOfYear: { format: "%j", adjust: -1 },
  getHours: { format: "%H", adjust: 0 },
  getMinutes: { format: "%M", adjust: 0 },
  getSeconds: { format: "%S", adjust: 0 },
};

const DURATION_PARTS: Partial<Record<FunctionName, number>> = {
  getHours: 3_600_000,
  getMinutes: 60_000,
  getSeconds: 1000,
  getMilliseconds: 1,
};

/** The JSON types (`json_type`) a typed kind's values have. */
const JSON_TYPES_OF: Partial<Record<Kind, string>> = {
  num: "'integer', 'real'",
  str: "'text'",
  bool: "'true', 'false'",
};

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const INT_STRING = "^[+-]?[0-9]+$";
const DOUBLE_STRING = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$";

const unsupported = unsupportedFilter;

/** A bound SQL INTEGER when `n` is a safe integer, else a bound REAL. */
function numParam(n: number): Sql {
  return param(Number.isSafeInteger(n) ? BigInt(n) : n);
}

function sameFamily(a: Kind, b: Kind): boolean {
  return a === b;
}

/** The SQL for a `$...` JSON path step by step; `undefined` for a key SQLite paths cannot spell. */
function pathStep(step: PathStep): string | null | undefined {
  if (typeof step === "number") return Number.isSafeInteger(step) && step >= 0 ? `[${step}]` : null;
  if (IDENTIFIER.test(step)) return `.${step}`;
  if (!step.includes('"')) return `."${step}"`;
  return undefined;
}

/** The SQLite half of the filter compiler (the AST walk is `SqlFilterCompiler`'s). */
class SqliteFilterCompiler extends SqlFilterCompiler {
  protected readonly trueSql = TRUE;
  protected readonly falseSql = FALSE;

  protected textParam(value: string): Sql {
    return param(value);
  }

  protected nullOf(): Sql {
    return NULL;
  }

  protected startsWithSql(s: Sql, prefix: Sql): Sql {
    return sql`(substr(${s}, 1, length(${prefix})) = ${prefix})`;
  }

  /** An `int` result outside ±(2^53 - 1) is absent. */
  private intRange(value: Sql): Sql {
    return this.let(
      [value],
      ([v]) =>
        sql`(CASE WHEN ${v!} BETWEEN ${numParam(-MAX_SAFE)} AND ${numParam(MAX_SAFE)} THEN ${v!} END)`,
    );
  }

  // ---- leaves ----

  protected constant(type: FilterExpr["type"], value: unknown): Val {
    if (value === null) return { kind: "null", sql: NULL };
    switch (type) {
      case "bool":
        if (typeof value === "boolean") return { kind: "bool", sql: param(value ? 1n : 0n) };
        break;
      case "int":
        if (typeof value === "number")
          return { kind: "num", sql: numParam(value), int: Number.isSafeInteger(value) };
        break;
      case "double":
        if (typeof value === "number") return { kind: "num", sql: param(value) };
        break;
      case "string":
        if (typeof value === "string") return { kind: "str", sql: param(value) };
        break;
      case "timestamp":
        if (typeof value === "number") return { kind: "ts", sql: numParam(value) };
        break;
      case "duration":
        if (typeof value === "number") return { kind: "dur", sql: numParam(value) };
        break;
      case "list":
        if (Array.isArray(value))
          return this.list(value.map((item) => this.constant(inferType(item), item)));
        break;
      default:
        break;
    }
    if (typeof value === "boolean") return { kind: "bool", sql: param(value ? 1n : 0n) };
    if (typeof value === "number") return { kind: "num", sql: param(value) };
    if (typeof value === "string") return { kind: "str", sql: param(value) };
    if (Array.isArray(value))
      return this.list(value.map((item) => this.constant(inferType(item), item)));
    return { kind: "json", sql: sql`json(${param(JSON.stringify(value))})` };
  }

  protected list(items: Val[]): Val {
    const elements = items.map((item) => sql`json(${this.toJson(item)})`);
    return { kind: "list", items, sql: sql`json_array(${joinSql(elements, ", ")})` };
  }

  protected columnValue(name: ColumnName): Val {
    const spec = (this.target === "results" ? RESULT_COLUMNS : RECORD_COLUMNS)[name];
    if (spec === undefined) throw unsupported(`${name} is not a field of ${this.target}`);
    return { kind: spec.kind, sql: this.column(spec.column), int: spec.int };
  }

  private jsonRoot(column: JsonColumn): Sql {
    if (this.target === "records" && column === "data") {
      // Record data is stored as given; guard against text that is not JSON.
      const data = this.column("data");
      return sql`(CASE WHEN json_valid(${data}) THEN ${data} END)`;
    }
    if (this.target === "results" && column === "annotations") return this.column("annotations");
    if (this.target === "results" && column === "summary.annotations")
      return this.column("summary_annotations");
    throw unsupported(`${column} is not a field of ${this.target}`);
  }

  protected jsonValue(node: JsonExpr, scope: ReadonlyMap<string, Sql>): Sql {
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

  /** JSON text at `path` below the JSON text `root`; NULL when missing. */
  private walk(root: Sql, path: readonly PathStep[]): Sql {
    let current = root;
    let pending = "$";
    const flush = (): void => {
      if (pending !== "$") current = sql`(${current} -> ${param(pending)})`;
      pending = "$";
    };
    for (const step of path) {
      const text = pathStep(step);
      if (text === null) return NULL;
      if (text !== undefined) {
        pending += text;
        continue;
      }
      // A key with a double quote: SQLite's path syntax cannot spell it.
      flush();
      const each = this.alias("k");
      current = sql`(SELECT ${this.valueJson(each)} FROM json_each(${current}) AS ${rawSql(each)} WHERE ${rawSql(
        each,
      )}.key = ${param(step)})`;
    }
    flush();
    return current;
  }

  // ---- conversions ----

  /** JSON text of the current value of a `json_each` row aliased `each`. */
  private valueJson(each: string): Sql {
    const a = rawSql(each);
    return sql`(CASE ${a}.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' WHEN 'array' THEN ${a}.value WHEN 'object' THEN ${a}.value ELSE json_quote(${a}.value) END)`;
  }

  /** JSON text of an element of a `json_each` over an array, or the key over an object. */
  private elementJson(each: string): Sql {
    const a = rawSql(each);
    return sql`(CASE WHEN typeof(${a}.key) = 'text' THEN json_quote(${a}.key) ELSE ${this.valueJson(each)} END)`;
  }

  private quoteOrNull(value: Sql): Sql {
    return this.let(
      [value],
      ([v]) => sql`(CASE WHEN ${v!} IS NULL THEN NULL ELSE json_quote(${v!}) END)`,
    );
  }

  /** Any value as JSON text (absent stays NULL). */
  private toJson(v: Val): Sql {
    switch (v.kind) {
      case "json":
        return v.sql;
      case "num":
      case "str":
        return this.quoteOrNull(v.sql);
      case "bool":
        return sql`(CASE ${v.sql} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)`;
      case "ts":
        return this.quoteOrNull(sql`tr_format_timestamp(${v.sql})`);
      case "dur":
        return this.quoteOrNull(sql`tr_format_duration(${v.sql})`);
      case "null":
        return rawSql("'null'", true);
      case "list":
        return v.sql;
    }
  }

  /** A JSON value as a typed kind: NULL when its JSON type does not fit. */
  private jsonTo(kind: Kind, json: Sql): Val {
    switch (kind) {
      case "num":
        return {
          kind,
          sql: this.let(
            [json],
            ([j]) =>
              sql`(CASE WHEN json_type(${j!}) IN ('integer', 'real') THEN (${j!} ->> '$') END)`,
          ),
        };
      case "str":
        return {
          kind,
          sql: this.let(
            [json],
            ([j]) => sql`(CASE WHEN json_type(${j!}) = 'text' THEN (${j!} ->> '$') END)`,
          ),
        };
      case "bool":
        return {
          kind,
          sql: sql`(CASE json_type(${json}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)`,
        };
      case "ts":
        return {
          kind,
          sql: this.let(
            [json],
            ([j]) =>
              sql`(CASE WHEN json_type(${j!}) = 'text' THEN tr_timestamp_ms(${j!} ->> '$') END)`,
          ),
        };
      case "dur":
        return {
          kind,
          sql: this.let(
            [json],
            ([j]) =>
              sql`(CASE WHEN json_type(${j!}) = 'text' THEN tr_duration_ms(${j!} ->> '$') END)`,
          ),
        };
      case "json":
      case "list":
        return { kind: "json", sql: json };
      case "null":
        return { kind: "null", sql: NULL };
    }
  }

  /** Convert to `kind` or fail when the static types cannot meet. */
  protected as(kind: Kind, v: Val): Val {
    if (v.kind === kind) return v;
    if (kind === "json") return { kind: "json", sql: this.toJson(v) };
    if (v.kind === "json") return this.jsonTo(kind, v.sql);
    throw unsupported(`expected ${kind}, got ${v.kind}`);
  }

  protected toBool(v: Val): Sql {
    return this.as("bool", v).sql;
  }

  // ---- operators ----

  /**
   * A comparison. `lenient`: a static type mismatch compares unequal
   * (membership in a heterogeneous literal list) instead of failing.
   */
  protected compare(op: CompareOp, a: Val, b: Val, lenient: boolean): Sql {
    if (a.kind === "list" || b.kind === "list") {
      if (lenient) return FALSE;
      throw unsupported("comparison of lists");
    }
    if (a.kind === "null" || b.kind === "null") return this.compareNull(op, a, b);
    if (a.kind === "json" && b.kind === "json") return this.compareDyn(op, a.sql, b.sql);
    if (a.kind === "json" || b.kind === "json") {
      const jsonLeft = a.kind === "json";
      const typed = jsonLeft ? b : a;
      const json = jsonLeft ? a : b;
      return this.let([json.sql, typed.sql], ([j, t]) => {
        const typedRef: Val = { ...typed, sql: t! };
        const converted = this.jsonTo(typed.kind, j!);
        if (!sameFamily(converted.kind, typed.kind)) {
          if (lenient) return FALSE;
          throw unsupported(`comparison of ${converted.kind} and ${typed.kind}`);
        }
        const [left, right] = jsonLeft ? [converted, typedRef] : [typedRef, converted];
        const typedCompare = sql`(${left.sql} ${rawSql(COMPARE_SQL[op])} ${right.sql})`;
        if (op !== "==" && op !== "!=") return typedCompare;
        const definite = op === "==" ? FALSE : TRUE;
        const fits = JSON_TYPES_OF[typed.kind];
        if (fits === undefined) {
          // A JSON null equals nothing but null: definite, unless the other side is absent.
          return sql`(CASE WHEN json_type(${j!}) = 'null' THEN (CASE WHEN ${t!} IS NULL THEN NULL ELSE ${definite} END) ELSE ${typedCompare} END)`;
        }
        // Heterogeneous equality: a present JSON value of another type is unequal.
        return sql`(CASE WHEN ${t!} IS NULL OR ${j!} IS NULL THEN NULL WHEN json_type(${j!}) IN (${rawSql(fits)}) THEN ${typedCompare} ELSE ${definite} END)`;
      });
    }
    if (!sameFamily(a.kind, b.kind)) {
      if (lenient) return FALSE;
      throw unsupported(`comparison of ${a.kind} and ${b.kind}`);
    }
    return sql`(${a.sql} ${rawSql(COMPARE_SQL[op])} ${b.sql})`;
  }

  private compareNull(op: CompareOp, a: Val, b: Val): Sql {
    if (op !== "==" && op !== "!=") return NULL;
    const other = a.kind === "null" ? b : a;
    if (other.kind === "null") return op === "==" ? TRUE : FALSE;
    if (other.kind === "json") {
      return op === "=="
        ? sql`(json_type(${other.sql}) = 'null')`
        : sql`(json_type(${other.sql}) <> 'null')`;
    }
    return sql`(CASE WHEN ${other.sql} IS NULL THEN NULL ELSE ${op === "==" ? FALSE : TRUE} END)`;
  }

  private compareDyn(op: CompareOp, x: Sql, y: Sql): Sql {
    const sqlOp = rawSql(COMPARE_SQL[op]);
    const equality = op === "==" || op === "!=";
    const nulls = equality
      ? (a: Sql, b: Sql) => sql`((json_type(${a}) = 'null') ${sqlOp} (json_type(${b}) = 'null'))`
      : () => NULL;
    // Heterogeneous equality: present values of different JSON types are
    // unequal; two arrays or two objects are not compared (absent).
    const mixed = (a: Sql, b: Sql) =>
      equality
        ? sql`
 WHEN json_type(${a}) IN ('array', 'object') AND json_type(${b}) = json_type(${a}) THEN NULL
 WHEN ${a} IS NOT NULL AND ${b} IS NOT NULL THEN ${op === "==" ? FALSE : TRUE}`
        : sql``;
    return this.let(
      [x, y],
      ([a, b]) => sql`(CASE
 WHEN json_type(${a!}) = 'null' OR json_type(${b!}) = 'null' THEN ${nulls(a!, b!)}
 WHEN json_type(${a!}) IN ('integer', 'real') AND json_type(${b!}) IN ('integer', 'real') THEN ((${a!} ->> '$') ${sqlOp} (${b!} ->> '$'))
 WHEN json_type(${a!}) = 'text' AND json_type(${b!}) = 'text' THEN ((${a!} ->> '$') ${sqlOp} (${b!} ->> '$'))
 WHEN json_type(${a!}) IN ('true', 'false') AND json_type(${b!}) IN ('true', 'false') THEN ((json_type(${a!}) = 'true') ${sqlOp} (json_type(${b!}) = 'true'))${mixed(a!, b!)}
 END)`,
    );
  }

  /** `value in collection`. */
  protected membership(value: Val, collection: Val): Sql {
    if (collection.kind === "list") {
      const items = collection.items ?? [];
      if (items.length === 0) return FALSE;
      return this.let([value.sql], ([v]) => {
        const bound: Val = { ...value, sql: v! };
        const tests = items.map((item) => sql`(${this.compare("==", bound, item, true)} IS 1)`);
        return sql`(CASE WHEN ${joinSql(tests, " OR ")} THEN 1 ELSE 0 END)`;
      });
    }
    if (collection.kind !== "json") return NULL;
    return this.let([value.sql, collection.sql], ([v, c]) => {
      const bound: Val = { ...value, sql: v! };
      const each = this.alias("j");
      const q = this.alias("q");
      const equal = this.compare(
        "==",
        bound,
        { kind: "json", sql: rawSql(`${each}_e.v`, true) },
        true,
      );
      // Only a string, number or bool can be a key (a number or bool never is one).
      const noKey = this.notAKey(bound);
      const objectGuard =
        noKey === undefined ? sql`` : sql`WHEN json_type(${c!}) = 'object' AND ${noKey} THEN NULL `;
      return sql`(CASE ${objectGuard}WHEN json_type(${c!}) IN ('array', 'object') THEN (SELECT total(${rawSql(q)} IS 1) > 0 FROM (SELECT ${equal} AS ${rawSql(
        q,
      )} FROM (SELECT ${this.elementJson(each)} AS v FROM json_each(${c!}) AS ${rawSql(each)}) AS ${rawSql(`${each}_e`)})) END)`;
    });
  }

  protected jsonTypeIn(json: Sql, types: readonly ("null" | "array" | "object")[]): Sql {
    return sql`json_type(${json}) IN (${rawSql(types.map((t) => `'${t}'`).join(", "))})`;
  }

  protected arith(op: "+" | "-" | "*" | "/" | "%", type: FilterExpr["type"], a: Val, b: Val): Val {
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
        if (op === "%") {
          // Integers only (by value, as JSON numbers are); the sign of the dividend.
          const rem = this.let(
            [a.sql, b.sql],
            ([x, y]) =>
              sql`(CASE WHEN ${x!} = CAST(${x!} AS INTEGER) AND ${y!} = CAST(${y!} AS INTEGER) THEN CAST(${x!} AS INTEGER) % CAST(${y!} AS INTEGER) END)`,
          );
          return { kind: "num", sql: this.intRange(rem), int: true };
        }
        if (op === "/" && !int)
          return { kind: "num", sql: sql`(CAST(${a.sql} AS REAL) / ${b.sql})` };
        const result = sql`(${a.sql} ${rawSql(op)} ${b.sql})`;
        return { kind: "num", sql: type === "int" || int ? this.intRange(result) : result, int };
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
    other: Kind,
    otherSide: "left" | "right",
  ): Kind {
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
  private dynArith(op: "+" | "-" | "*" | "/" | "%", x: Sql, y: Sql): Sql {
    return this.let([x, y], ([a, b]) => {
      const numeric =
        op === "/"
          ? sql`(CAST((${a!} ->> '$') AS REAL) / (${b!} ->> '$'))`
          : sql`((${a!} ->> '$') ${rawSql(op)} (${b!} ->> '$'))`;
      const branches = [
        sql`WHEN json_type(${a!}) IN ('integer', 'real') AND json_type(${b!}) IN ('integer', 'real') THEN ${this.quoteOrNull(numeric)}`,
      ];
      if (op === "+") {
        branches.push(
          sql`WHEN json_type(${a!}) = 'text' AND json_type(${b!}) = 'text' THEN json_quote((${a!} ->> '$') || (${b!} ->> '$'))`,
        );
      }
      return sql`(CASE ${joinSql(branches, " ")} END)`;
    });
  }

  protected cond(test: Sql, then: Val, otherwise: Val): Val {
    let kind: Kind;
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
    return { kind, int, sql: sql`(CASE ${test} WHEN 1 THEN ${a} WHEN 0 THEN ${b} END)` };
  }

  // ---- has, comprehensions ----

  protected has(
    target: FilterExpr & { kind: "json" | "column" },
    scope: ReadonlyMap<string, Sql>,
  ): Sql {
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
          return sql`(CASE WHEN json_type(${p!}) = 'array' THEN 0 END)`;
        return sql`(CASE WHEN json_type(${p!}) = 'array' THEN json_array_length(${p!}) > ${numParam(last)} END)`;
      }
      const step = pathStep(last);
      const present =
        typeof step === "string"
          ? sql`(json_type(${p!}, ${param(`$${step}`)}) IS NOT NULL)`
          : sql`EXISTS (SELECT 1 FROM json_each(${p!}) AS _h WHERE _h.key = ${param(last)})`;
      return sql`(CASE WHEN json_type(${p!}) = 'object' THEN ${present} END)`;
    });
  }

  /**
   * A subquery over the elements of `range` (each as JSON text in column `v`
   * of alias `as`), passed to `body`; NULL when `range` is not a list or map.
   */
  private overElements(range: Val, as: string, body: (elements: Sql) => Sql): Sql {
    if (range.kind === "list") {
      const items = range.items ?? [];
      if (items.length === 0) return body(sql`(SELECT NULL AS v WHERE 0) AS ${rawSql(as)}`);
      const rows = joinSql(
        items.map((item) => sql`(${this.toJson(item)})`),
        ", ",
      );
      return body(sql`(SELECT column1 AS v FROM (VALUES ${rows})) AS ${rawSql(as)}`);
    }
    if (range.kind !== "json") return NULL;
    return this.let([range.sql], ([r]) => {
      const each = this.alias("j");
      const elements = sql`(SELECT ${this.elementJson(each)} AS v FROM json_each(${r!}) AS ${rawSql(each)}) AS ${rawSql(as)}`;
      return sql`(CASE WHEN json_type(${r!}) IN ('array', 'object') THEN ${body(elements)} END)`;
    });
  }

  protected comprehension(
    kind: "exists" | "all" | "exists_one",
    rangeNode: FilterExpr,
    variable: string,
    predicateNode: FilterExpr,
    scope: ReadonlyMap<string, Sql>,
  ): Sql {
    const range = this.compile(rangeNode, scope);
    const as = this.alias("c");
    const inner = new Map(scope);
    inner.set(variable, rawSql(`${as}.v`, true));
    const predicate = this.toBool(this.compile(predicateNode, inner));
    const p = rawSql(this.alias("p"));
    const aggregate =
      kind === "exists"
        ? sql`CASE WHEN total(${p} IS 1) > 0 THEN 1 WHEN total(${p} IS NULL) > 0 THEN NULL ELSE 0 END`
        : kind === "all"
          ? sql`CASE WHEN total(${p} IS 0) > 0 THEN 0 WHEN total(${p} IS NULL) > 0 THEN NULL ELSE 1 END`
          : sql`CASE WHEN total(${p} IS NULL) > 0 THEN NULL WHEN total(${p} IS 1) = 1 THEN 1 ELSE 0 END`;
    return this.overElements(
      range,
      as,
      (elements) => sql`(SELECT ${aggregate} FROM (SELECT ${predicate} AS ${p} FROM ${elements}))`,
    );
  }

  // ---- functions ----

  protected call(fn: FunctionName, args: Val[]): Val {
    const arg = (i: number): Val => {
      const v = args[i];
      if (v === undefined) throw unsupported(`${fn} needs ${i + 1} arguments`);
      return v;
    };
    switch (fn) {
      case "startsWith": {
        const [s, p] = [this.as("str", arg(0)).sql, this.as("str", arg(1)).sql];
        return {
          kind: "bool",
          sql: this.let([s, p], ([a, b]) => sql`(substr(${a!}, 1, length(${b!})) = ${b!})`),
        };
      }
      case "endsWith": {
        const [s, p] = [this.as("str", arg(0)).sql, this.as("str", arg(1)).sql];
        return {
          kind: "bool",
          sql: this.let(
            [s, p],
            ([a, b]) =>
              sql`(length(${a!}) >= length(${b!}) AND substr(${a!}, length(${a!}) - length(${b!}) + 1) = ${b!})`,
          ),
        };
      }
      case "contains":
        return {
          kind: "bool",
          sql: sql`(instr(${this.as("str", arg(0)).sql}, ${this.as("str", arg(1)).sql}) > 0)`,
        };
      case "matches":
        return {
          kind: "bool",
          sql: sql`regexp(${this.as("str", arg(1)).sql}, ${this.as("str", arg(0)).sql})`,
        };
      case "lowerAscii":
        return { kind: "str", sql: sql`lower(${this.as("str", arg(0)).sql})` };
      case "upperAscii":
        return { kind: "str", sql: sql`upper(${this.as("str", arg(0)).sql})` };
      case "size":
        return this.size(arg(0));
      case "timestamp":
        return this.toTimestamp(arg(0));
      case "duration": {
        const v = arg(0);
        if (v.kind === "dur") return v;
        return { kind: "dur", sql: sql`tr_duration_ms(${this.as("str", v).sql})` };
      }
      case "string":
        return this.toStringValue(arg(0));
      case "int":
        return this.toInt(arg(0));
      case "double":
        return this.toDouble(arg(0));
      case "getMilliseconds":
      case "getFullYear":
      case "getMonth":
      case "getDate":
      case "getDayOfMonth":
      case "getDayOfWeek":
      case "getDayOfYear":
      case "getHours":
      case "getMinutes":
      case "getSeconds":
        return this.accessor(fn, arg(0), args[1]);
    }
  }

  private size(v: Val): Val {
    switch (v.kind) {
      case "str":
        return { kind: "num", int: true, sql: sql`length(${v.sql})` };
      case "list":
        return { kind: "num", int: true, sql: numParam((v.items ?? []).length) };
      case "json":
        return {
          kind: "num",
          int: true,
          sql: this.let(
            [v.sql],
            ([j]) =>
              sql`(CASE json_type(${j!}) WHEN 'array' THEN json_array_length(${j!}) WHEN 'object' THEN (SELECT count(*) FROM json_each(${j!})) WHEN 'text' THEN length(${j!} ->> '$') END)`,
          ),
        };
      default:
        throw unsupported(`size of ${v.kind}`);
    }
  }

  private toTimestamp(v: Val): Val {
    switch (v.kind) {
      case "ts":
        return v;
      case "str":
        return { kind: "ts", sql: sql`tr_timestamp_ms(${v.sql})` };
      case "num":
        return { kind: "ts", sql: sql`(${v.sql} * 1000)` };
      case "json":
        return this.jsonTo("ts", v.sql);
      default:
        throw unsupported(`timestamp of ${v.kind}`);
    }
  }

  private toStringValue(v: Val): Val {
    switch (v.kind) {
      case "str":
        return v;
      case "num":
        return { kind: "str", sql: sql`tr_format_number(${v.sql})` };
      case "ts":
        return { kind: "str", sql: sql`tr_format_timestamp(${v.sql})` };
      case "dur":
        return { kind: "str", sql: sql`tr_format_duration(${v.sql})` };
      case "bool":
        return {
          kind: "str",
          sql: sql`(CASE ${v.sql} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)`,
        };
      case "json":
        return {
          kind: "str",
          sql: this.let(
            [v.sql],
            ([j]) =>
              sql`(CASE json_type(${j!}) WHEN 'text' THEN (${j!} ->> '$') WHEN 'integer' THEN tr_format_number(${j!} ->> '$') WHEN 'real' THEN tr_format_number(${j!} ->> '$') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END)`,
          ),
        };
      default:
        throw unsupported(`string of ${v.kind}`);
    }
  }

  private parseInt(s: Sql): Sql {
    return this.intRange(
      this.let(
        [s],
        ([t]) =>
          sql`(CASE WHEN regexp(${param(INT_STRING)}, ${t!}) THEN CAST(${t!} AS INTEGER) END)`,
      ),
    );
  }

  private parseDouble(s: Sql): Sql {
    const parsed = this.let(
      [s],
      ([t]) => sql`(CASE WHEN regexp(${param(DOUBLE_STRING)}, ${t!}) THEN CAST(${t!} AS REAL) END)`,
    );
    // A string beyond the double range parses to infinity, which is absent.
    return this.let(
      [parsed],
      ([d]) =>
        sql`(CASE WHEN ${d!} BETWEEN ${param(-Number.MAX_VALUE)} AND ${param(Number.MAX_VALUE)} THEN ${d!} END)`,
    );
  }

  private toInt(v: Val): Val {
    switch (v.kind) {
      case "num":
        return { kind: "num", int: true, sql: this.intRange(sql`CAST(${v.sql} AS INTEGER)`) };
      case "str":
        return { kind: "num", int: true, sql: this.parseInt(v.sql) };
      case "ts":
        return {
          kind: "num",
          int: true,
          sql: this.let(
            [sql`CAST(${v.sql} AS INTEGER)`],
            ([t]) => sql`((${t!} - (((${t!} % 1000) + 1000) % 1000)) / 1000)`,
          ),
        };
      case "json":
        return {
          kind: "num",
          int: true,
          sql: this.let([v.sql], ([j]) =>
            this.intRange(
              sql`(CASE json_type(${j!}) WHEN 'integer' THEN CAST((${j!} ->> '$') AS INTEGER) WHEN 'real' THEN CAST((${j!} ->> '$') AS INTEGER) WHEN 'text' THEN ${this.parseInt(sql`(${j!} ->> '$')`)} END)`,
            ),
          ),
        };
      default:
        throw unsupported(`int of ${v.kind}`);
    }
  }

  private toDouble(v: Val): Val {
    switch (v.kind) {
      case "num":
        return { kind: "num", sql: sql`CAST(${v.sql} AS REAL)` };
      case "str":
        return { kind: "num", sql: this.parseDouble(v.sql) };
      case "json":
        return {
          kind: "num",
          sql: this.let(
            [v.sql],
            ([j]) =>
              sql`(CASE json_type(${j!}) WHEN 'integer' THEN CAST((${j!} ->> '$') AS REAL) WHEN 'real' THEN CAST((${j!} ->> '$') AS REAL) WHEN 'text' THEN ${this.parseDouble(sql`(${j!} ->> '$')`)} END)`,
          ),
        };
      default:
        throw unsupported(`double of ${v.kind}`);
    }
  }

  /** The offset in milliseconds of a fixed-offset time zone argument. */
  private zoneOffset(zone: Val | undefined): Sql {
    if (zone === undefined) return numParam(0);
    const text = this.as("str", zone);
    return this.let(
      [text.sql],
      ([z]) =>
        sql`(CASE WHEN ${z!} IN ('UTC', 'Z', 'z') THEN 0 WHEN regexp(${param(FIXED_OFFSET.source)}, ${z!}) THEN (CASE substr(${z!}, 1, 1) WHEN '-' THEN -1 ELSE 1 END) * (CAST(substr(${z!}, 2, 2) AS INTEGER) * 60 + CAST(substr(${z!}, 5, 2) AS INTEGER)) * 60000 END)`,
    );
  }

  private accessor(fn: FunctionName, value: Val, zone: Val | undefined): Val {
    if (value.kind === "dur") {
      const unit = DURATION_PARTS[fn];
      if (unit === undefined || zone !== undefined) throw unsupported(`${fn} of a duration`);
      return {
        kind: "num",
        int: true,
        sql: sql`(CAST(${value.sql} AS INTEGER) / ${numParam(unit)})`,
      };
    }
    const ts = this.as("ts", value);
    const shifted = sql`CAST((${ts.sql} + ${this.zoneOffset(zone)}) AS INTEGER)`;
    if (fn === "getMilliseconds") {
      return {
        kind: "num",
        int: true,
        sql: this.let([shifted], ([t]) => sql`(((${t!} % 1000) + 1000) % 1000)`),
      };
    }
    const part = TIMESTAMP_PARTS[fn];
    if (part === undefined) throw unsupported(fn);
    return {
      kind: "num",
      int: true,
      sql: sql`(CAST(strftime(${param(part.format)}, ${shifted} / 1000.0, 'unixepoch') AS INTEGER) + ${numParam(part.adjust)})`,
    };
  }
}

function inferType(value: unknown): FilterExpr["type"] {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "double";
  if (typeof value === "string") return "string";
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  return "map";
}

/**
 * Compile a filter AST to a SQLite boolean expression (1 true, 0 false, NULL
 * absent): a row matches when it evaluates to 1. Every value is a bound
 * parameter. The SQL needs the functions registered by
 * `registerSqliteFunctions` and the table's columns as the SQLite store's
 * migrations create them.
 *
 * @throws {StorageError} `invalid_argument` for a tree the compiler cannot
 *   translate (a field the target lacks, a type mismatch the CEL checker
 *   should have rejected).
 */
export function compileSqliteFilter(
  filter: FilterExpr,
  options: CompileSqliteFilterOptions,
): RenderedSql {
  return renderSql(new SqliteFilterCompiler(options.target, options.table).compileFilter(filter));
}
