/**
 * Compiles the backend-neutral filter AST to a SQLite boolean expression with
 * bound parameters only: the SQLite dialect of the SQL filter compiler of
 * `@tekton-results/storage-sql` (which walks the AST and knows every operator
 * and function; this module only spells them).
 *
 * Representation: every sub-expression compiles to a SQL value of a known
 * kind: `bool` (0/1), `num`, `str`, `ts` and `dur` (milliseconds), `null`,
 * `list` (a literal list, known item by item) or `json` (a `dyn` value as JSON
 * text, e.g. `"a"`, `1.5`, `true`, `[1]`). SQL `NULL` is the AST's *absent*,
 * so SQLite's three-valued `AND`/`OR`/`NOT` are exactly the AST's. A `json`
 * value is converted to a typed kind with a `json_type` guard, so a comparison
 * across JSON types is absent rather than SQLite's cross-type ordering.
 *
 * On records, predicates with a typed form read the typed, indexed columns
 * the store fills at write time (`compileTypedTruth` of the SQL core).
 *
 * The SQL calls the functions of `sqlite-functions.ts` (`regexp`,
 * `tr_timestamp_ms`, ...), which the store registers on every connection.
 *
 * @module
 */
import type { ArithOp, FilterExpr, FunctionName, PathStep } from "@tekton-results/storage";
import { JsonSqlFilterCompiler, unsupportedFilter } from "@tekton-results/storage-sql";
import {
  FIXED_OFFSET,
  joinLogic,
  joinSql,
  param,
  rawSql,
  renderSql,
  sql,
} from "@tekton-results/storage-sql";
import type { RenderedSql, Sql, SqlFilterOptions } from "@tekton-results/storage-sql";
import type { SqlScalarKind, SqlVal, SqlValKind } from "@tekton-results/storage-sql";
import { elementJson, jsonScalar, pathStep, walkJson } from "./sqlite-filter-json.js";

/** Options of {@link compileSqliteFilter}. */
export type CompileSqliteFilterOptions = SqlFilterOptions;

const NULL = rawSql("NULL", true);

/** The `json_type`s of a typed kind's values. */
const JSON_TYPES: Partial<Record<SqlValKind, string>> = {
  num: "'integer', 'real'",
  str: "'text'",
  bool: "'true', 'false'",
};

/** `strftime` formats of the timestamp accessors, and what to add to their value. */
const TIMESTAMP_PARTS: Partial<Record<FunctionName, [format: string, adjust: number]>> = {
  getFullYear: ["%Y", 0],
  getMonth: ["%m", -1],
  getDate: ["%d", 0],
  getDayOfMonth: ["%d", -1],
  getDayOfWeek: ["%w", 0],
  getDayOfYear: ["%j", -1],
  getHours: ["%H", 0],
  getMinutes: ["%M", 0],
  getSeconds: ["%S", 0],
};

/** The comprehensions' aggregates over a predicate column `p` (1, 0 or NULL per row). */
const aggregates = {
  exists: (p: Sql) =>
    sql`CASE WHEN total(${p} IS 1) > 0 THEN 1 WHEN total(${p} IS NULL) > 0 THEN NULL ELSE 0 END`,
  all: (p: Sql) =>
    sql`CASE WHEN total(${p} IS 0) > 0 THEN 0 WHEN total(${p} IS NULL) > 0 THEN NULL ELSE 1 END`,
  exists_one: (p: Sql) =>
    sql`CASE WHEN total(${p} IS NULL) > 0 THEN NULL WHEN total(${p} IS 1) = 1 THEN 1 ELSE 0 END`,
};

/** A bound SQL INTEGER when `n` is a safe integer, else a bound REAL. */
function numParam(n: number): Sql {
  return param(Number.isSafeInteger(n) ? BigInt(n) : n);
}

/** The SQLite dialect of the SQL filter compiler. */
class SqliteFilterCompiler extends JsonSqlFilterCompiler {
  protected readonly trueSql = rawSql("1", true);
  protected readonly falseSql = rawSql("0", true);

  /** A boolean constant, bound as an INTEGER. */
  protected boolConst(value: boolean): Sql {
    return param(value ? 1n : 0n);
  }

  // ---- values and constants ----

  protected textParam = param;
  protected doubleConst = param;
  protected numParam = numParam;
  protected millisConst = numParam;

  protected jsonConst(text: string): Sql {
    return sql`json(${param(text)})`;
  }

  protected nullConst(): Sql {
    return NULL;
  }

  protected nullOf(): Sql {
    return NULL;
  }

  protected list(items: SqlVal[]): SqlVal {
    const elements = items.map((item) => sql`json(${this.toJson(item)})`);
    return { kind: "list", items, sql: sql`json_array(${joinSql(elements, ", ")})` };
  }

  protected recordData(): Sql {
    // Record data is stored as given; guard against text that is not JSON.
    const data = this.column("data");
    return sql`(CASE WHEN json_valid(${data}) THEN ${data} END)`;
  }

  protected walk(root: Sql, path: readonly PathStep[]): Sql {
    return walkJson(root, path, () => this.alias("k"));
  }

  // ---- JSON ----

  protected jsonNumber = jsonScalar;
  protected jsonString = jsonScalar;

  private quoteOrNull(value: Sql): Sql {
    return this.let(
      [value],
      ([v]) => sql`(CASE WHEN ${v!} IS NULL THEN NULL ELSE json_quote(${v!}) END)`,
    );
  }

  protected jsonType(json: Sql): Sql {
    return sql`json_type(${json})`;
  }

  protected jsonTypeFits(json: Sql, kind: SqlValKind): Sql | undefined {
    const types = JSON_TYPES[kind];
    return types === undefined ? undefined : sql`json_type(${json}) IN (${rawSql(types)})`;
  }

  /** Any value as JSON text (absent stays NULL). */
  protected toJson(v: SqlVal): Sql {
    switch (v.kind) {
      case "json":
      case "list":
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
    }
  }

  /** A JSON value as a typed kind: NULL when its JSON type does not fit. */
  protected jsonTo(kind: SqlScalarKind, json: Sql): SqlVal {
    const guarded = (fits: Sql, value: (scalar: Sql) => Sql): SqlVal => ({
      kind,
      sql: this.let(
        [json],
        ([j]) => sql`(CASE WHEN json_type(${j!}) ${fits} THEN ${value(jsonScalar(j!))} END)`,
      ),
    });
    switch (kind) {
      case "num":
        return guarded(sql`IN ('integer', 'real')`, (n) => n);
      case "str":
        return guarded(sql`= 'text'`, (s) => s);
      case "ts":
        return guarded(sql`= 'text'`, (s) => sql`tr_timestamp_ms(${s})`);
      case "dur":
        return guarded(sql`= 'text'`, (s) => sql`tr_duration_ms(${s})`);
      case "bool":
        return {
          kind,
          sql: sql`(CASE json_type(${json}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)`,
        };
    }
  }

  protected jsonToText(j: Sql): Sql {
    const scalar = jsonScalar(j);
    return sql`(CASE json_type(${j}) WHEN 'text' THEN ${scalar} WHEN 'integer' THEN tr_format_number(${scalar}) WHEN 'real' THEN tr_format_number(${scalar}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END)`;
  }

  protected jsonSize(json: Sql): Sql {
    return this.let(
      [json],
      ([j]) =>
        sql`(CASE json_type(${j!}) WHEN 'array' THEN json_array_length(${j!}) WHEN 'object' THEN (SELECT count(*) FROM json_each(${j!})) WHEN 'text' THEN length(${jsonScalar(j!)}) END)`,
    );
  }

  protected arrayLength(array: Sql): Sql {
    return sql`json_array_length(${array})`;
  }

  protected hasKey(object: Sql, key: string): Sql {
    const step = pathStep(key);
    return typeof step === "string"
      ? sql`(json_type(${object}, ${param(`$${step}`)}) IS NOT NULL)`
      : sql`EXISTS (SELECT 1 FROM json_each(${object}) AS _h WHERE _h.key = ${param(key)})`;
  }

  // ---- membership, collections ----

  protected readonly aggregates = aggregates;
  protected dynCompareRows(a: Sql, b: Sql, op: Sql): Sql {
    return sql` WHEN json_type(${a}) IN ('integer', 'real') AND json_type(${b}) IN ('integer', 'real') THEN (${jsonScalar(a)} ${op} ${jsonScalar(b)})
 WHEN json_type(${a}) = 'text' AND json_type(${b}) = 'text' THEN (${jsonScalar(a)} ${op} ${jsonScalar(b)})
 WHEN json_type(${a}) IN ('true', 'false') AND json_type(${b}) IN ('true', 'false') THEN ((json_type(${a}) = 'true') ${op} (json_type(${b}) = 'true'))`;
  }

  protected isTrue(x: Sql): Sql {
    return sql`(${x} IS 1)`;
  }

  protected anyTrue(tests: Sql[]): Sql {
    return sql`(CASE WHEN ${joinLogic(tests, "OR")} THEN 1 ELSE 0 END)`;
  }

  protected anyElement(c: Sql, test: (element: Sql) => Sql): Sql {
    const each = this.alias("j");
    const q = rawSql(this.alias("q"));
    const elements = rawSql(`${each}_e`);
    const equal = test(rawSql(`${each}_e.v`, true));
    return sql`(SELECT total(${q} IS 1) > 0 FROM (SELECT ${equal} AS ${q} FROM (SELECT ${elementJson(each)} AS v FROM json_each(${c}) AS ${rawSql(each)}) AS ${elements}))`;
  }

  protected jsonElementsTable(c: Sql, as: string): Sql {
    const each = this.alias("j");
    return sql`(SELECT ${elementJson(each)} AS v FROM json_each(${c}) AS ${rawSql(each)}) AS ${rawSql(as)}`;
  }

  protected valuesTable(rows: Sql, as: string): Sql {
    return sql`(SELECT column1 AS v FROM (VALUES ${rows})) AS ${rawSql(as)}`;
  }

  protected derivedTableAlias(): Sql {
    return rawSql("");
  }

  // ---- arithmetic ----

  protected numArith(op: ArithOp, a: Sql, b: Sql, int: boolean): Sql {
    if (op === "%") {
      // Integers only (by value, as JSON numbers are); the sign of the dividend.
      return this.let(
        [a, b],
        ([x, y]) =>
          sql`(CASE WHEN ${x!} = CAST(${x!} AS INTEGER) AND ${y!} = CAST(${y!} AS INTEGER) THEN CAST(${x!} AS INTEGER) % CAST(${y!} AS INTEGER) END)`,
      );
    }
    if (op === "/" && !int) return sql`(CAST(${a} AS REAL) / ${b})`;
    return sql`(${a} ${rawSql(op)} ${b})`;
  }

  protected dynArithBranches(op: ArithOp, a: Sql, b: Sql): Sql[] {
    const [x, y] = [jsonScalar(a), jsonScalar(b)];
    const numeric = op === "/" ? sql`(CAST(${x} AS REAL) / ${y})` : sql`(${x} ${rawSql(op)} ${y})`;
    const branches = [
      sql`WHEN json_type(${a}) IN ('integer', 'real') AND json_type(${b}) IN ('integer', 'real') THEN ${this.quoteOrNull(this.finiteDouble(numeric))}`,
    ];
    if (op === "+")
      branches.push(
        sql`WHEN json_type(${a}) = 'text' AND json_type(${b}) = 'text' THEN json_quote(${x} || ${y})`,
      );
    return branches;
  }

  // ---- functions ----

  protected startsWithSql(s: Sql, prefix: Sql): Sql {
    return sql`(substr(${s}, 1, length(${prefix})) = ${prefix})`;
  }

  protected startsWithCall(s: Sql, prefix: Sql): Sql {
    return this.let([s, prefix], ([a, b]) => this.startsWithSql(a!, b!));
  }

  protected endsWithSql(a: Sql, b: Sql): Sql {
    return sql`(length(${a}) >= length(${b}) AND substr(${a}, length(${a}) - length(${b}) + 1) = ${b})`;
  }

  protected containsSql(s: Sql, part: Sql): Sql {
    return sql`(instr(${s}, ${part}) > 0)`;
  }

  protected matchesCall(s: SqlVal, pattern: SqlVal): Sql {
    return sql`regexp(${this.as("str", pattern).sql}, ${this.as("str", s).sql})`;
  }

  protected asciiCase(s: Sql, to: "lower" | "upper"): Sql {
    return sql`${rawSql(to)}(${s})`;
  }

  protected durationOf(v: SqlVal): SqlVal {
    return { kind: "dur", sql: sql`tr_duration_ms(${this.as("str", v).sql})` };
  }

  protected override timestampOfNumber(seconds: Sql): Sql {
    return sql`(${seconds} * 1000)`;
  }

  protected textLength(s: Sql): Sql {
    return sql`length(${s})`;
  }

  protected regexTest(text: Sql, pattern: string): Sql {
    return sql`regexp(${param(pattern)}, ${text})`;
  }

  protected textToNumber(text: Sql, as: "int" | "double"): Sql {
    return sql`CAST(${text} AS ${rawSql(as === "int" ? "INTEGER" : "REAL")})`;
  }

  protected override finiteDouble(parsed: Sql): Sql {
    // Overflow, and a string beyond the double range, give infinity: absent.
    return this.let(
      [parsed],
      ([d]) =>
        sql`(CASE WHEN ${d!} BETWEEN ${param(-Number.MAX_VALUE)} AND ${param(Number.MAX_VALUE)} THEN ${d!} END)`,
    );
  }

  protected truncate(n: Sql): Sql {
    return sql`CAST(${n} AS INTEGER)`;
  }

  protected toReal(n: Sql): Sql {
    return sql`CAST(${n} AS REAL)`;
  }

  protected epochSeconds(ts: Sql): Sql {
    return this.let(
      [sql`CAST(${ts} AS INTEGER)`],
      ([t]) => sql`((${t!} - (((${t!} % 1000) + 1000) % 1000)) / 1000)`,
    );
  }

  protected durationPart(millis: Sql, unit: number): Sql {
    return sql`(CAST(${millis} AS INTEGER) / ${numParam(unit)})`;
  }

  /** The offset in milliseconds of a fixed-offset time zone argument. */
  private zoneOffset(zone: SqlVal | undefined): Sql {
    if (zone === undefined) return numParam(0);
    return this.let(
      [this.as("str", zone).sql],
      ([z]) =>
        sql`(CASE WHEN ${z!} IN ('UTC', 'Z', 'z') THEN 0 WHEN regexp(${param(FIXED_OFFSET.source)}, ${z!}) THEN (CASE substr(${z!}, 1, 1) WHEN '-' THEN -1 ELSE 1 END) * (CAST(substr(${z!}, 2, 2) AS INTEGER) * 60 + CAST(substr(${z!}, 5, 2) AS INTEGER)) * 60000 END)`,
    );
  }

  protected timestampPart(fn: FunctionName, ts: Sql, zone: SqlVal | undefined): Sql {
    const shifted = sql`CAST((${ts} + ${this.zoneOffset(zone)}) AS INTEGER)`;
    if (fn === "getMilliseconds")
      return this.let([shifted], ([t]) => sql`(((${t!} % 1000) + 1000) % 1000)`);
    const part = TIMESTAMP_PARTS[fn];
    if (part === undefined) throw unsupportedFilter(fn);
    const [format, adjust] = part;
    return sql`(CAST(strftime(${param(format)}, ${shifted} / 1000.0, 'unixepoch') AS INTEGER) + ${numParam(adjust)})`;
  }
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
