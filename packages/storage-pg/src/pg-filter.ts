/**
 * Compiles the backend-neutral filter AST to a PostgreSQL boolean expression
 * with bound parameters only: the PostgreSQL dialect of the SQL filter
 * compiler of `@tekton-results/storage-sql` (which walks the AST and knows
 * every operator and function; this module only spells them).
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
 * On records, predicates with a typed form read the typed, indexed columns
 * the store fills at write time (`compileTypedTruth` of the SQL core).
 *
 * Nothing a row contains can make the query fail: every operation that could
 * raise (casts, overflow, division by zero, timestamp parsing) goes through
 * the exception-safe functions the migrations create (`tr_arith`,
 * `tr_timestamp_ms`, ...), which return NULL instead. Every bound parameter
 * carries an explicit cast, so plans never depend on type inference.
 *
 * @module
 */
import type {
  ArithOp,
  CompareOp,
  FilterExpr,
  FunctionName,
  PathStep,
} from "@tekton-results/storage";
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
import type { SqlColumnSpec, SqlScalarKind, SqlVal, SqlValKind } from "@tekton-results/storage-sql";
import { toPgRegex } from "./pg-regex.js";

/** Options of {@link compilePgFilter}. */
export type CompilePgFilterOptions = SqlFilterOptions;

const JSON_NULL = rawSql("'null'::jsonb", true);
const ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz";
const ASCII_UPPER = ASCII_LOWER.toUpperCase();

/** The typed `NULL` of each kind: PostgreSQL types its absent values. */
const NULL_OF: Record<SqlValKind, Sql> = {
  bool: rawSql("NULL::boolean", true),
  num: rawSql("NULL::float8", true),
  str: rawSql("NULL::text", true),
  ts: rawSql("NULL::bigint", true),
  dur: rawSql("NULL::bigint", true),
  json: rawSql("NULL::jsonb", true),
  list: rawSql("NULL::jsonb", true),
  null: rawSql("NULL::jsonb", true),
};

/** The `jsonb_typeof` of a typed kind's values. */
const JSONB_TYPE: Partial<Record<SqlValKind, string>> = {
  num: "number",
  str: "string",
  bool: "boolean",
};

/** The comprehensions' aggregates over a predicate column `p`. */
const aggregates = {
  exists: (p: Sql) =>
    sql`CASE WHEN count(*) FILTER (WHERE ${p}) > 0 THEN true WHEN count(*) FILTER (WHERE ${p} IS NULL) > 0 THEN NULL::boolean ELSE false END`,
  all: (p: Sql) =>
    sql`CASE WHEN count(*) FILTER (WHERE NOT ${p}) > 0 THEN false WHEN count(*) FILTER (WHERE ${p} IS NULL) > 0 THEN NULL::boolean ELSE true END`,
  exists_one: (p: Sql) =>
    sql`CASE WHEN count(*) FILTER (WHERE ${p} IS NULL) > 0 THEN NULL::boolean ELSE count(*) FILTER (WHERE ${p}) = 1 END`,
};

function numParam(n: number): Sql {
  return sql`${param(n)}::float8`;
}

function bigintParam(n: number): Sql {
  return sql`${param(String(Math.trunc(n)))}::bigint`;
}

function textParam(s: string): Sql {
  return sql`${param(s)}::text`;
}

/** The text of a JSON string (its type already tested). */
function jsonText(json: Sql): Sql {
  return sql`(${json} #>> '{}')`;
}

/** The offset in milliseconds of a constant fixed-offset time zone argument. */
function zoneOffset(zone: SqlVal | undefined): number {
  if (zone === undefined) return 0;
  if (zone.kind !== "str" || zone.constant === undefined)
    throw unsupportedFilter("a time zone that is not a constant");
  const text = zone.constant;
  if (text === "UTC" || text === "Z" || text === "z") return 0;
  const m = FIXED_OFFSET.exec(text);
  if (m === null) throw unsupportedFilter(`the time zone ${JSON.stringify(text)}`);
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/** The PostgreSQL dialect of the SQL filter compiler. */
class PgFilterCompiler extends JsonSqlFilterCompiler {
  protected readonly trueSql = rawSql("true", true);
  /** `OFFSET 0` keeps the planner from pulling a `let` up and copying its fragment into each reference. */
  protected override readonly letFence = rawSql(" OFFSET 0");
  protected readonly falseSql = rawSql("false", true);

  // ---- values and constants ----

  protected textParam = textParam;
  protected numParam = numParam;
  protected doubleConst = numParam;
  protected millisConst = bigintParam;

  protected boolConst(value: boolean): Sql {
    return value ? this.trueSql : this.falseSql;
  }

  protected jsonConst(text: string): Sql {
    return sql`${param(text)}::jsonb`;
  }

  protected nullConst(): Sql {
    return JSON_NULL;
  }

  protected nullOf(kind: SqlValKind): Sql {
    return NULL_OF[kind];
  }

  protected list(items: SqlVal[]): SqlVal {
    if (items.length === 0) return { kind: "list", items, sql: rawSql("'[]'::jsonb", true) };
    const elements = items.map((item) => this.toJson(item));
    return { kind: "list", items, sql: sql`jsonb_build_array(${joinSql(elements, ", ")})` };
  }

  protected override columnSql(spec: SqlColumnSpec): Sql {
    // Integer columns read as float8, like every `num`.
    return spec.int === true
      ? rawSql(`${this.table}.${spec.column}::float8`, true)
      : super.columnSql(spec);
  }

  protected recordData(): Sql {
    return this.column("data_json");
  }

  /**
   * The `jsonb` at `path` below `root`; NULL when missing. Keys only select
   * from objects and indexes only from arrays (`->` with a text or an integer).
   */
  protected walk(root: Sql, path: readonly PathStep[]): Sql {
    let current = root;
    for (const step of path) {
      if (typeof step === "number") {
        if (!Number.isSafeInteger(step) || step < 0 || step > 2_147_483_647) return NULL_OF.json;
        // A scalar `jsonb` answers `-> 0` with itself: index arrays only.
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

  // ---- JSON ----

  protected jsonString = jsonText;
  protected jsonType(json: Sql): Sql {
    return sql`jsonb_typeof(${json})`;
  }

  protected jsonTypeFits(json: Sql, kind: SqlValKind): Sql | undefined {
    const type = JSONB_TYPE[kind];
    return type === undefined ? undefined : sql`jsonb_typeof(${json}) = ${rawSql(`'${type}'`)}`;
  }

  protected jsonNumber(json: Sql): Sql {
    return sql`tr_jnum(${json})`;
  }

  /** Any value as `jsonb` (absent stays NULL). */
  protected toJson(v: SqlVal): Sql {
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
  protected jsonTo(kind: SqlScalarKind, json: Sql): SqlVal {
    const whenString = (f: (text: Sql) => Sql): SqlVal => ({
      kind,
      sql: this.let(
        [json],
        ([j]) => sql`(CASE WHEN jsonb_typeof(${j!}) = 'string' THEN ${f(jsonText(j!))} END)`,
      ),
    });
    switch (kind) {
      case "num":
        return { kind, sql: sql`tr_jnum(${json})` };
      case "bool":
        return { kind, sql: sql`tr_jbool(${json})` };
      case "str":
        return whenString((text) => text);
      case "ts":
        return whenString((text) => sql`tr_timestamp_ms(${text})`);
      case "dur":
        throw unsupportedFilter("a dynamic value used as a duration");
    }
  }

  protected jsonToText(j: Sql): Sql {
    return sql`(CASE jsonb_typeof(${j}) WHEN 'string' THEN ${jsonText(j)} WHEN 'number' THEN tr_format_number(tr_jnum(${j})) WHEN 'boolean' THEN ${jsonText(j)} END)`;
  }

  protected jsonSize(json: Sql): Sql {
    return sql`tr_jsize(${json})`;
  }

  protected arrayLength(array: Sql): Sql {
    return sql`tr_jsize(${array})`;
  }

  protected hasKey(object: Sql, key: string): Sql {
    return sql`jsonb_exists(${object}, ${textParam(key)})`;
  }

  // ---- comparisons, membership, collections ----

  protected override readonly jsonDurations = false;
  protected readonly aggregates = aggregates;
  protected override typedCompare(op: CompareOp, kind: SqlValKind, a: Sql, b: Sql): Sql {
    if (kind !== "str") return super.typedCompare(op, kind, a, b);
    // By code point, whatever the database's collation.
    return super.typedCompare(op, kind, sql`(${a}) COLLATE "C"`, sql`(${b})`);
  }

  protected dynCompareRows(a: Sql, b: Sql, op: Sql): Sql {
    return sql` WHEN jsonb_typeof(${a}) = 'number' AND jsonb_typeof(${b}) = 'number' THEN (tr_jnum(${a}) ${op} tr_jnum(${b}))
 WHEN jsonb_typeof(${a}) = 'string' AND jsonb_typeof(${b}) = 'string' THEN (${jsonText(a)} COLLATE "C" ${op} ${jsonText(b)})
 WHEN jsonb_typeof(${a}) = 'boolean' AND jsonb_typeof(${b}) = 'boolean' THEN (tr_jbool(${a}) ${op} tr_jbool(${b}))`;
  }

  protected isTrue(x: Sql): Sql {
    return sql`(${x} IS TRUE)`;
  }

  protected anyTrue(tests: Sql[]): Sql {
    return joinLogic(tests, "OR");
  }

  protected anyElement(c: Sql, test: (element: Sql) => Sql): Sql {
    const as = this.alias("e");
    const elements = this.jsonElementsTable(c, as);
    return sql`EXISTS (SELECT 1 FROM ${elements} WHERE (${test(rawSql(`${as}.v`, true))}) IS TRUE)`;
  }

  /** The elements of a JSON array or the keys (as JSON strings) of an object, as rows `(v)`. */
  protected jsonElementsTable(c: Sql, as: string): Sql {
    return sql`(SELECT value AS v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${c}) = 'array' THEN ${c} ELSE '[]'::jsonb END) UNION ALL SELECT to_jsonb(k) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(${c}) = 'object' THEN ${c} ELSE '{}'::jsonb END) AS k) AS ${rawSql(as)}`;
  }

  protected valuesTable(rows: Sql, as: string): Sql {
    return sql`(VALUES ${rows}) AS ${rawSql(as)} (v)`;
  }

  protected derivedTableAlias(): Sql {
    return rawSql(` AS ${this.alias("s")}`);
  }

  // ---- arithmetic ----

  protected numArith(op: ArithOp, a: Sql, b: Sql, int: boolean): Sql {
    const result = sql`tr_arith(${rawSql(`'${op}'`)}, ${a}, ${b})`;
    return op === "/" && int ? sql`trunc(${result})` : result;
  }

  protected dynArithBranches(op: ArithOp, a: Sql, b: Sql): Sql[] {
    const branches = [
      sql`WHEN jsonb_typeof(${a}) = 'number' AND jsonb_typeof(${b}) = 'number' THEN to_jsonb(tr_arith(${rawSql(`'${op}'`)}, tr_jnum(${a}), tr_jnum(${b})))`,
    ];
    if (op === "+")
      branches.push(
        sql`WHEN jsonb_typeof(${a}) = 'string' AND jsonb_typeof(${b}) = 'string' THEN to_jsonb(${jsonText(a)} || ${jsonText(b)})`,
      );
    return branches;
  }

  // ---- functions ----

  protected startsWithSql(s: Sql, prefix: Sql): Sql {
    return sql`starts_with(${s}, ${prefix})`;
  }

  protected startsWithCall(s: Sql, prefix: Sql): Sql {
    return this.startsWithSql(s, prefix);
  }

  protected endsWithSql(a: Sql, b: Sql): Sql {
    return sql`(length(${a}) >= length(${b}) AND right(${a}, length(${b})) = ${b})`;
  }

  protected containsSql(s: Sql, part: Sql): Sql {
    return sql`(strpos(${s}, ${part}) > 0)`;
  }

  protected matchesCall(s: SqlVal, pattern: SqlVal): Sql {
    if (pattern.kind !== "str" || pattern.constant === undefined)
      throw unsupportedFilter("matches needs a constant pattern");
    return sql`(${this.as("str", s).sql} ~ ${textParam(toPgRegex(pattern.constant))})`;
  }

  protected asciiCase(s: Sql, to: "lower" | "upper"): Sql {
    const [from, into] = to === "lower" ? [ASCII_UPPER, ASCII_LOWER] : [ASCII_LOWER, ASCII_UPPER];
    return sql`translate(${s}, ${rawSql(`'${from}'`)}, ${rawSql(`'${into}'`)})`;
  }

  protected durationOf(): SqlVal {
    throw unsupportedFilter("duration() of a non-constant value");
  }

  protected textLength(s: Sql): Sql {
    return sql`length(${s})::float8`;
  }

  protected regexTest(text: Sql, pattern: string): Sql {
    return sql`${text} ~ ${textParam(pattern)}`;
  }

  protected textToNumber(text: Sql): Sql {
    return sql`tr_text_float(${text})`;
  }

  protected truncate(n: Sql): Sql {
    return sql`trunc(${n})`;
  }

  protected toReal(n: Sql): Sql {
    return n;
  }

  protected epochSeconds(ts: Sql): Sql {
    return sql`floor(${ts} / 1000.0)::float8`;
  }

  protected durationPart(millis: Sql, unit: number): Sql {
    return sql`((${millis}) / ${bigintParam(unit)})::float8`;
  }

  protected timestampPart(fn: FunctionName, ts: Sql, zone: SqlVal | undefined): Sql {
    const offset = zoneOffset(zone);
    const shifted = offset === 0 ? ts : sql`(${ts} + ${bigintParam(offset)})`;
    return sql`tr_ts_part(${shifted}, ${textParam(fn)})`;
  }
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
