/**
 * Compiles the backend-neutral filter AST to a PostgreSQL boolean expression
 * with bound parameters only.
 *
 * Representation: every sub-expression compiles to a SQL value of a known
 * kind: `bool` (`boolean`), `num` (`float8`, like a JavaScript number), `str`
 * (`text`, compared with `COLLATE "C"`, i.e. by code point), `ts` and `dur`
 * (`bigint` milliseconds), `null`, `list` (a literal list, known item by item)
 * or `json` (a `dyn` value as `jsonb`). SQL `NULL` is the AST's *absent*, so
 * PostgreSQL's three-valued `AND`/`OR`/`NOT` are exactly the AST's. A `json`
 * value is converted to a typed kind behind a `jsonb_typeof` guard, so a
 * comparison across JSON types is absent.
 *
 * On records, the whole filter is compiled in a truth context
 * (`compileTypedTruth` of `@tekton-results/storage`): predicates with a typed
 * form (name, namespace, condition reason/status, pipeline/task label
 * equality, `in`, `startsWith`) read the typed, indexed columns the store
 * fills at write time, label equalities read `record_labels`, and
 * `timestamp(data.status.startTime)` (and the other typed times) reads its
 * time column anywhere; everything else walks the JSON as described here.
 *
 * Nothing a row contains can make the query fail: every operation that could
 * raise (casts, overflow, division by zero, timestamp parsing) goes through
 * the exception-safe functions the migrations create (`tr_arith`,
 * `tr_timestamp_ms`, ...), which return NULL instead. Every bound parameter
 * carries an explicit cast, so plans never depend on type inference.
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
import { toPgRegex } from "./pg-regex.js";

/** Options of {@link compilePgFilter}. */
export interface CompilePgFilterOptions {
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

const TRUE = rawSql("true", true);
const FALSE = rawSql("false", true);
const JSON_NULL = rawSql("'null'::jsonb", true);

/** The JSON type (`jsonb_typeof`) of a typed kind's values. */
const JSON_TYPE_OF: Partial<Record<Kind, string>> = {
  num: "'number'",
  str: "'string'",
  bool: "'boolean'",
};

const NULL_OF: Record<Kind, Sql> = {
  bool: rawSql("NULL::boolean", true),
  num: rawSql("NULL::float8", true),
  str: rawSql("NULL::text", true),
  ts: rawSql("NULL::bigint", true),
  dur: rawSql("NULL::bigint", true),
  json: rawSql("NULL::jsonb", true),
  list: rawSql("NULL::jsonb", true),
  null: rawSql("NULL::jsonb", true),
};

interface ColumnSpec {
  kind: Kind;
  column: string;
  int?: boolean;
  cast?: string;
}

const RESULT_COLUMNS: Partial<Record<ColumnName, ColumnSpec>> = {
  parent: { kind: "str", column: "parent" },
  uid: { kind: "str", column: "uid" },
  create_time: { kind: "ts", column: "create_time" },
  update_time: { kind: "ts", column: "update_time" },
  "summary.record": { kind: "str", column: "summary_record" },
  "summary.type": { kind: "str", column: "summary_type" },
  "summary.status": { kind: "num", column: "summary_status", int: true, cast: "float8" },
  "summary.start_time": { kind: "ts", column: "summary_start_time" },
  "summary.end_time": { kind: "ts", column: "summary_end_time" },
};

const RECORD_COLUMNS: Partial<Record<ColumnName, ColumnSpec>> = {
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

const TIMESTAMP_PARTS = new Set<FunctionName>([
  "getFullYear",
  "getMonth",
  "getDate",
  "getDayOfMonth",
  "getDayOfWeek",
  "getDayOfYear",
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
]);

const DURATION_PARTS: Partial<Record<FunctionName, number>> = {
  getHours: 3_600_000,
  getMinutes: 60_000,
  getSeconds: 1000,
  getMilliseconds: 1,
};

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const INT_STRING = "^[+-]?[0-9]+$";
const DOUBLE_STRING = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();

const unsupported = unsupportedFilter;

function numParam(n: number): Sql {
  return sql`${param(n)}::float8`;
}

function bigintParam(n: number): Sql {
  return sql`${param(String(Math.trunc(n)))}::bigint`;
}

function textParam(s: string): Sql {
  return sql`${param(s)}::text`;
}

/** The PostgreSQL half of the filter compiler (the AST walk is `SqlFilterCompiler`'s). */
class PgFilterCompiler extends SqlFilterCompiler {
  protected readonly trueSql = TRUE;
  protected readonly falseSql = FALSE;

  protected textParam(value: string): Sql {
    return textParam(value);
  }

  protected startsWithSql(s: Sql, prefix: Sql): Sql {
    return sql`starts_with(${s}, ${prefix})`;
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
    if (value === null) return { kind: "null", sql: JSON_NULL };
    switch (type) {
      case "bool":
        if (typeof value === "boolean") return { kind: "bool", sql: value ? TRUE : FALSE };
        break;
      case "int":
        if (typeof value === "number")
          return { kind: "num", sql: numParam(value), int: Number.isSafeInteger(value) };
        break;
      case "double":
        if (typeof value === "number") return { kind: "num", sql: numParam(value) };
        break;
      case "string":
        if (typeof value === "string")
          return { kind: "str", sql: textParam(value), constant: value };
        break;
      case "timestamp":
        if (typeof value === "number") return { kind: "ts", sql: bigintParam(value) };
        break;
      case "duration":
        if (typeof value === "number") return { kind: "dur", sql: bigintParam(value) };
        break;
      case "list":
        if (Array.isArray(value))
          return this.list(value.map((item) => this.constant(inferType(item), item)));
        break;
      default:
        break;
    }
    if (typeof value === "boolean") return { kind: "bool", sql: value ? TRUE : FALSE };
    if (typeof value === "number") return { kind: "num", sql: numParam(value) };
    if (typeof value === "string") return { kind: "str", sql: textParam(value), constant: value };
    if (Array.isArray(value))
      return this.list(value.map((item) => this.constant(inferType(item), item)));
    return { kind: "json", sql: sql`${param(JSON.stringify(value))}::jsonb` };
  }

  protected nullOf(kind: Kind): Sql {
    return NULL_OF[kind];
  }

  protected list(items: Val[]): Val {
    if (items.length === 0) return { kind: "list", items, sql: rawSql("'[]'::jsonb", true) };
    const elements = items.map((item) => this.toJson(item));
    return { kind: "list", items, sql: sql`jsonb_build_array(${joinSql(elements, ", ")})` };
  }

  protected columnValue(name: ColumnName): Val {
    const spec = (this.target === "results" ? RESULT_COLUMNS : RECORD_COLUMNS)[name];
    if (spec === undefined) throw unsupported(`${name} is not a field of ${this.target}`);
    const ref = this.column(spec.column);
    return {
      kind: spec.kind,
      sql:
        spec.cast === undefined ? ref : rawSql(`${this.table}.${spec.column}::${spec.cast}`, true),
      int: spec.int,
    };
  }

  private jsonRoot(column: JsonColumn): Sql {
    if (this.target === "records" && column === "data") return this.column("data_json");
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

  /**
   * The `jsonb` at `path` below `root`; NULL when missing. Keys only select
   * from objects and indexes only from arrays (`->` with a text or an integer).
   */
  private walk(root: Sql, path: readonly PathStep[]): Sql {
    let current = root;
    for (const step of path) {
      if (typeof step === "number") {
        if (!Number.isSafeInteger(step) || step < 0 || step > 2_147_483_647) return NULL_OF.json;
        // A scalar \`jsonb\` answers \`-> 0\` with itself: index arrays only.
        current = this.let(
          [current],
          ([c]) =>
            sql`(CASE WHEN jsonb_typeof(${c!}) = 'array' THEN ${c!} -> ${param(step)}::int END)`,
        );
      } else {
        current = sql`(${current} -> ${param(step)}::text)`;
      }
    }
    return current;
  }

  // ---- conversions ----

  /** Any value as `jsonb` (absent stays NULL). */
  private toJson(v: Val): Sql {
    switch (v.kind) {
      case "json":
      case "list":
        return v.sql;
      case "num":
      case "str":
      case "bool":
        return sql`to_jsonb(${v.sql})`;
      case "ts":
        return sql`to_jsonb(tr_format_timestamp(${v.sql}))`;
      case "dur":
        return sql`to_jsonb(tr_format_duration(${v.sql}))`;
      case "null":
        return JSON_NULL;
    }
  }

  /** A JSON value as a typed kind: NULL when its JSON type does not fit. */
  private jsonTo(kind: Kind, json: Sql): Val {
    switch (kind) {
      case "num":
        return { kind, sql: sql`tr_jnum(${json})` };
      case "str":
        return {
          kind,
          sql: this.let(
            [json],
            ([j]) => sql`(CASE WHEN jsonb_typeof(${j!}) = 'string' THEN (${j!} #>> '{}') END)`,
          ),
        };
      case "bool":
        return { kind, sql: sql`tr_jbool(${json})` };
      case "ts":
        return {
          kind,
          sql: this.let(
            [json],
            ([j]) =>
              sql`(CASE WHEN jsonb_typeof(${j!}) = 'string' THEN tr_timestamp_ms(${j!} #>> '{}') END)`,
          ),
        };
      case "dur":
        throw unsupported("a dynamic value used as a duration");
      case "json":
      case "list":
        return { kind: "json", sql: json };
      case "null":
        return { kind: "null", sql: JSON_NULL };
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

  /** `a op b` for two values of the same typed kind. */
  private typedCompare(op: CompareOp, kind: Kind, a: Sql, b: Sql): Sql {
    if (kind === "str") return sql`((${a}) COLLATE "C" ${rawSql(COMPARE_SQL[op])} (${b}))`;
    return sql`(${a} ${rawSql(COMPARE_SQL[op])} ${b})`;
  }

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
      if (typed.kind === "dur") {
        if (lenient) return FALSE;
        throw unsupported("comparison of a dynamic value with a duration");
      }
      return this.let([json.sql, typed.sql], ([j, t]) => {
        const converted = this.jsonTo(typed.kind, j!);
        const [left, right] = jsonLeft ? [converted.sql, t!] : [t!, converted.sql];
        const typedCompare = this.typedCompare(op, typed.kind, left, right);
        if (op !== "==" && op !== "!=") return typedCompare;
        const definite = op === "==" ? FALSE : TRUE;
        const fits = JSON_TYPE_OF[typed.kind];
        if (fits === undefined) {
          // A JSON null equals nothing but null: definite, unless the other side is absent.
          return sql`(CASE WHEN jsonb_typeof(${j!}) = 'null' THEN (CASE WHEN ${t!} IS NULL THEN NULL::boolean ELSE ${definite} END) ELSE ${typedCompare} END)`;
        }
        // Heterogeneous equality: a present JSON value of another type is unequal.
        return sql`(CASE WHEN ${t!} IS NULL OR ${j!} IS NULL THEN NULL::boolean WHEN jsonb_typeof(${j!}) = ${rawSql(fits)} THEN ${typedCompare} ELSE ${definite} END)`;
      });
    }
    if (a.kind !== b.kind) {
      if (lenient) return FALSE;
      throw unsupported(`comparison of ${a.kind} and ${b.kind}`);
    }
    return this.typedCompare(op, a.kind, a.sql, b.sql);
  }

  private compareNull(op: CompareOp, a: Val, b: Val): Sql {
    if (op !== "==" && op !== "!=") return NULL_OF.bool;
    const other = a.kind === "null" ? b : a;
    if (other.kind === "null") return op === "==" ? TRUE : FALSE;
    if (other.kind === "json") {
      return op === "=="
        ? sql`(jsonb_typeof(${other.sql}) = 'null')`
        : sql`(jsonb_typeof(${other.sql}) <> 'null')`;
    }
    return sql`(CASE WHEN ${other.sql} IS NULL THEN NULL::boolean ELSE ${op === "==" ? FALSE : TRUE} END)`;
  }

  private compareDyn(op: CompareOp, x: Sql, y: Sql): Sql {
    const sqlOp = rawSql(COMPARE_SQL[op]);
    const equality = op === "==" || op === "!=";
    const nulls = equality
      ? (a: Sql, b: Sql) =>
          sql`((jsonb_typeof(${a}) = 'null') ${sqlOp} (jsonb_typeof(${b}) = 'null'))`
      : () => NULL_OF.bool;
    // Heterogeneous equality: present values of different JSON types are
    // unequal; two arrays or two objects are not compared (absent).
    const mixed = (a: Sql, b: Sql) =>
      equality
        ? sql`
 WHEN jsonb_typeof(${a}) IN ('array', 'object') AND jsonb_typeof(${b}) = jsonb_typeof(${a}) THEN NULL::boolean
 WHEN ${a} IS NOT NULL AND ${b} IS NOT NULL THEN ${op === "==" ? FALSE : TRUE}`
        : sql``;
    return this.let(
      [x, y],
      ([a, b]) => sql`(CASE
 WHEN jsonb_typeof(${a!}) = 'null' OR jsonb_typeof(${b!}) = 'null' THEN ${nulls(a!, b!)}
 WHEN jsonb_typeof(${a!}) = 'number' AND jsonb_typeof(${b!}) = 'number' THEN (tr_jnum(${a!}) ${sqlOp} tr_jnum(${b!}))
 WHEN jsonb_typeof(${a!}) = 'string' AND jsonb_typeof(${b!}) = 'string' THEN ((${a!} #>> '{}') COLLATE "C" ${sqlOp} (${b!} #>> '{}'))
 WHEN jsonb_typeof(${a!}) = 'boolean' AND jsonb_typeof(${b!}) = 'boolean' THEN (tr_jbool(${a!}) ${sqlOp} tr_jbool(${b!}))${mixed(a!, b!)}
 END)`,
    );
  }

  /** The elements of a JSON array or the keys (as JSON strings) of an object, as rows `(v)`. */
  private jsonElements(c: Sql, as: string): Sql {
    return sql`(SELECT value AS v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${c}) = 'array' THEN ${c} ELSE '[]'::jsonb END) UNION ALL SELECT to_jsonb(k) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(${c}) = 'object' THEN ${c} ELSE '{}'::jsonb END) AS k) AS ${rawSql(as)}`;
  }

  /** `value in collection`. */
  protected membership(value: Val, collection: Val): Sql {
    if (collection.kind === "list") {
      const items = collection.items ?? [];
      if (items.length === 0) return FALSE;
      return this.let([value.sql], ([v]) => {
        const bound: Val = { ...value, sql: v! };
        const tests = items.map((item) => sql`(${this.compare("==", bound, item, true)} IS TRUE)`);
        return sql`(${joinSql(tests, " OR ")})`;
      });
    }
    if (collection.kind !== "json") return NULL_OF.bool;
    return this.let([value.sql, collection.sql], ([v, c]) => {
      const bound: Val = { ...value, sql: v! };
      const as = this.alias("e");
      const equal = this.compare("==", bound, { kind: "json", sql: rawSql(`${as}.v`, true) }, true);
      // Only a string, number or bool can be a key (a number or bool never is one).
      const noKey = this.notAKey(bound);
      const objectGuard =
        noKey === undefined
          ? sql``
          : sql`WHEN jsonb_typeof(${c!}) = 'object' AND ${noKey} THEN NULL::boolean `;
      return sql`(CASE ${objectGuard}WHEN jsonb_typeof(${c!}) IN ('array', 'object') THEN EXISTS (SELECT 1 FROM ${this.jsonElements(c!, as)} WHERE (${equal}) IS TRUE) END)`;
    });
  }

  protected jsonTypeIn(json: Sql, types: readonly ("null" | "array" | "object")[]): Sql {
    return sql`jsonb_typeof(${json}) IN (${rawSql(types.map((t) => `'${t}'`).join(", "))})`;
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
        const result = sql`tr_arith(${rawSql(`'${op}'`)}, ${a.sql}, ${b.sql})`;
        if (op === "%") return { kind: "num", sql: this.intRange(result), int: true };
        if (op === "/" && int)
          return { kind: "num", sql: this.intRange(sql`trunc(${result})`), int };
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
      const branches = [
        sql`WHEN jsonb_typeof(${a!}) = 'number' AND jsonb_typeof(${b!}) = 'number' THEN to_jsonb(tr_arith(${rawSql(`'${op}'`)}, tr_jnum(${a!}), tr_jnum(${b!})))`,
      ];
      if (op === "+") {
        branches.push(
          sql`WHEN jsonb_typeof(${a!}) = 'string' AND jsonb_typeof(${b!}) = 'string' THEN to_jsonb((${a!} #>> '{}') || (${b!} #>> '{}'))`,
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
    return { kind, int, sql: sql`(CASE ${test} WHEN true THEN ${a} WHEN false THEN ${b} END)` };
  }

  // ---- has, comprehensions ----

  protected has(
    target: FilterExpr & { kind: "json" | "column" },
    scope: ReadonlyMap<string, Sql>,
  ): Sql {
    if (target.kind === "column") {
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
          return sql`(CASE WHEN jsonb_typeof(${p!}) = 'array' THEN false END)`;
        return sql`(CASE WHEN jsonb_typeof(${p!}) = 'array' THEN tr_jsize(${p!}) > ${numParam(last)} END)`;
      }
      return sql`(CASE WHEN jsonb_typeof(${p!}) = 'object' THEN jsonb_exists(${p!}, ${textParam(last)}) END)`;
    });
  }

  /**
   * A subquery over the elements of `range` (each as `jsonb` in column `v` of
   * alias `as`), passed to `body`; NULL when `range` is not a list or map.
   */
  private overElements(range: Val, as: string, body: (elements: Sql) => Sql): Sql {
    if (range.kind === "list") {
      const items = range.items ?? [];
      if (items.length === 0)
        return body(sql`(SELECT NULL::jsonb AS v WHERE false) AS ${rawSql(as)}`);
      const rows = joinSql(
        items.map((item) => sql`(${this.toJson(item)})`),
        ", ",
      );
      return body(sql`(VALUES ${rows}) AS ${rawSql(as)} (v)`);
    }
    if (range.kind !== "json") return NULL_OF.bool;
    return this.let([range.sql], ([r]) => {
      const elements = this.jsonElements(r!, as);
      return sql`(CASE WHEN jsonb_typeof(${r!}) IN ('array', 'object') THEN ${body(elements)} END)`;
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
    const trues = sql`count(*) FILTER (WHERE ${p})`;
    const falses = sql`count(*) FILTER (WHERE NOT ${p})`;
    const absents = sql`count(*) FILTER (WHERE ${p} IS NULL)`;
    const aggregate =
      kind === "exists"
        ? sql`CASE WHEN ${trues} > 0 THEN true WHEN ${absents} > 0 THEN NULL::boolean ELSE false END`
        : kind === "all"
          ? sql`CASE WHEN ${falses} > 0 THEN false WHEN ${absents} > 0 THEN NULL::boolean ELSE true END`
          : sql`CASE WHEN ${absents} > 0 THEN NULL::boolean ELSE ${trues} = 1 END`;
    return this.overElements(
      range,
      as,
      (elements) =>
        sql`(SELECT ${aggregate} FROM (SELECT ${predicate} AS ${p} FROM ${elements}) AS ${rawSql(this.alias("s"))})`,
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
      case "startsWith":
        return {
          kind: "bool",
          sql: sql`starts_with(${this.as("str", arg(0)).sql}, ${this.as("str", arg(1)).sql})`,
        };
      case "endsWith": {
        const [s, p] = [this.as("str", arg(0)).sql, this.as("str", arg(1)).sql];
        return {
          kind: "bool",
          sql: this.let(
            [s, p],
            ([a, b]) =>
              sql`(length(${a!}) >= length(${b!}) AND right(${a!}, length(${b!})) = ${b!})`,
          ),
        };
      }
      case "contains":
        return {
          kind: "bool",
          sql: sql`(strpos(${this.as("str", arg(0)).sql}, ${this.as("str", arg(1)).sql}) > 0)`,
        };
      case "matches": {
        const pattern = arg(1);
        if (pattern.kind !== "str" || pattern.constant === undefined)
          throw unsupported("matches needs a constant pattern");
        return {
          kind: "bool",
          sql: sql`(${this.as("str", arg(0)).sql} ~ ${textParam(toPgRegex(pattern.constant))})`,
        };
      }
      case "lowerAscii":
        return {
          kind: "str",
          sql: sql`translate(${this.as("str", arg(0)).sql}, ${rawSql(`'${UPPER}'`)}, ${rawSql(`'${LOWER}'`)})`,
        };
      case "upperAscii":
        return {
          kind: "str",
          sql: sql`translate(${this.as("str", arg(0)).sql}, ${rawSql(`'${LOWER}'`)}, ${rawSql(`'${UPPER}'`)})`,
        };
      case "size":
        return this.size(arg(0));
      case "timestamp":
        return this.toTimestamp(arg(0));
      case "duration": {
        const v = arg(0);
        if (v.kind === "dur") return v;
        throw unsupported("duration() of a non-constant value");
      }
      case "string":
        return this.toStringValue(arg(0));
      case "int":
        return this.toInt(arg(0));
      case "double":
        return this.toDouble(arg(0));
      default:
        if (TIMESTAMP_PARTS.has(fn)) return this.accessor(fn, arg(0), args[1]);
        throw unsupported(`function ${fn}`);
    }
  }

  private size(v: Val): Val {
    switch (v.kind) {
      case "str":
        return { kind: "num", int: true, sql: sql`length(${v.sql})::float8` };
      case "list":
        return { kind: "num", int: true, sql: numParam((v.items ?? []).length) };
      case "json":
        return { kind: "num", int: true, sql: sql`tr_jsize(${v.sql})` };
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
          sql: sql`(CASE ${v.sql} WHEN true THEN 'true' WHEN false THEN 'false' END)`,
        };
      case "json":
        return {
          kind: "str",
          sql: this.let(
            [v.sql],
            ([j]) =>
              sql`(CASE jsonb_typeof(${j!}) WHEN 'string' THEN (${j!} #>> '{}') WHEN 'number' THEN tr_format_number(tr_jnum(${j!})) WHEN 'boolean' THEN (${j!} #>> '{}') END)`,
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
        ([t]) => sql`(CASE WHEN ${t!} ~ ${textParam(INT_STRING)} THEN tr_text_float(${t!}) END)`,
      ),
    );
  }

  private parseDouble(s: Sql): Sql {
    return this.let(
      [s],
      ([t]) => sql`(CASE WHEN ${t!} ~ ${textParam(DOUBLE_STRING)} THEN tr_text_float(${t!}) END)`,
    );
  }

  private toInt(v: Val): Val {
    switch (v.kind) {
      case "num":
        return { kind: "num", int: true, sql: this.intRange(sql`trunc(${v.sql})`) };
      case "str":
        return { kind: "num", int: true, sql: this.parseInt(v.sql) };
      case "ts":
        return { kind: "num", int: true, sql: sql`floor(${v.sql} / 1000.0)::float8` };
      case "json":
        return {
          kind: "num",
          int: true,
          sql: this.let([v.sql], ([j]) =>
            this.intRange(
              sql`(CASE jsonb_typeof(${j!}) WHEN 'number' THEN trunc(tr_jnum(${j!})) WHEN 'string' THEN ${this.parseInt(sql`(${j!} #>> '{}')`)} END)`,
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
        return { kind: "num", sql: v.sql };
      case "str":
        return { kind: "num", sql: this.parseDouble(v.sql) };
      case "json":
        return {
          kind: "num",
          sql: this.let(
            [v.sql],
            ([j]) =>
              sql`(CASE jsonb_typeof(${j!}) WHEN 'number' THEN tr_jnum(${j!}) WHEN 'string' THEN ${this.parseDouble(sql`(${j!} #>> '{}')`)} END)`,
          ),
        };
      default:
        throw unsupported(`double of ${v.kind}`);
    }
  }

  /** The offset in milliseconds of a constant fixed-offset time zone argument. */
  private zoneOffset(zone: Val | undefined): number {
    if (zone === undefined) return 0;
    if (zone.kind !== "str" || zone.constant === undefined)
      throw unsupported("a time zone that is not a constant");
    const text = zone.constant;
    if (text === "UTC" || text === "Z" || text === "z") return 0;
    const m = FIXED_OFFSET.exec(text);
    if (m === null) throw unsupported(`the time zone ${JSON.stringify(text)}`);
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  }

  private accessor(fn: FunctionName, value: Val, zone: Val | undefined): Val {
    if (value.kind === "dur") {
      const unit = DURATION_PARTS[fn];
      if (unit === undefined || zone !== undefined) throw unsupported(`${fn} of a duration`);
      return {
        kind: "num",
        int: true,
        sql: sql`((${value.sql}) / ${bigintParam(unit)})::float8`,
      };
    }
    const ts = this.as("ts", value);
    const offset = this.zoneOffset(zone);
    const shifted = offset === 0 ? ts.sql : sql`(${ts.sql} + ${bigintParam(offset)})`;
    return {
      kind: "num",
      int: true,
      sql: sql`tr_ts_part(${shifted}, ${textParam(fn)})`,
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
 * Compile a filter AST to a PostgreSQL boolean expression (NULL for absent):
 * a row matches when it evaluates to `true`. Every value is a bound parameter
 * (`?` placeholders for `knex.raw`). The SQL needs the functions and columns
 * the PostgreSQL store's migrations create, found through `search_path`.
 *
 * @throws {StorageError} `invalid_argument` for a tree the compiler cannot
 *   translate (a field the target lacks, a type mismatch the CEL checker
 *   should have rejected, a regular expression PostgreSQL cannot express).
 */
export function compilePgFilter(filter: FilterExpr, options: CompilePgFilterOptions): RenderedSql {
  return renderSql(new PgFilterCompiler(options.target, options.table).compileFilter(filter));
}
