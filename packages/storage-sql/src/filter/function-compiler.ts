/**
 * The top layer of the SQL filter compilers: the CEL functions (string
 * tests, `size`, conversions, timestamp and duration accessors), spelt
 * through dialect hooks. A dialect extends {@link JsonSqlFilterCompiler} and
 * implements the hooks of every layer.
 *
 * @module
 */
import type { FunctionName } from "@tekton-results/storage";
import { sql, type Sql } from "../sql-fragment.js";
import { DOUBLE_STRING, DURATION_PARTS, INT_STRING, TIMESTAMP_ACCESSORS } from "./filter-tables.js";
import { SqlOperatorCompiler } from "./operator-compiler.js";
import { unsupportedFilter as unsupported, type SqlVal } from "./sql-compiler.js";

/** The filter compiler of a dialect whose `dyn` values are JSON. */
export abstract class JsonSqlFilterCompiler extends SqlOperatorCompiler {
  // ---- dialect hooks ----

  /** `s.startsWith(p)`, both text. */
  protected abstract startsWithCall(s: Sql, prefix: Sql): Sql;
  /** `a.endsWith(b)`, both text references. */
  protected abstract endsWithSql(a: Sql, b: Sql): Sql;
  /** `s.contains(part)`. */
  protected abstract containsSql(s: Sql, part: Sql): Sql;
  /** `s.matches(pattern)`. */
  protected abstract matchesCall(s: SqlVal, pattern: SqlVal): Sql;
  /** ASCII lower or upper case. */
  protected abstract asciiCase(s: Sql, to: "lower" | "upper"): Sql;
  /** `duration(v)` of a value that is not a duration constant. */
  protected abstract durationOf(v: SqlVal): SqlVal;
  /** The length of a text as `num`. */
  protected abstract textLength(s: Sql): Sql;
  /** `size()` of a JSON value. */
  protected abstract jsonSize(json: Sql): Sql;
  /** A JSON value as text: strings, numbers and booleans; NULL otherwise. */
  protected abstract jsonToText(json: Sql): Sql;
  /** `text` matches the regular expression `pattern` (a bound constant). */
  protected abstract regexTest(text: Sql, pattern: string): Sql;
  /** A text that matched {@link INT_STRING} or {@link DOUBLE_STRING}, as a number. */
  protected abstract textToNumber(text: Sql, as: "int" | "double"): Sql;
  /** A number truncated toward zero. */
  protected abstract truncate(n: Sql): Sql;
  /** A number as a double. */
  protected abstract toReal(n: Sql): Sql;
  /** A timestamp's seconds since the epoch, rounded down. */
  protected abstract epochSeconds(ts: Sql): Sql;
  /** A JSON number as `num` (its type already tested). */
  protected abstract jsonNumber(json: Sql): Sql;
  /** A JSON string as text (its type already tested). */
  protected abstract jsonString(json: Sql): Sql;
  /** A duration accessor: whole `unit`s (milliseconds) in the duration. */
  protected abstract durationPart(millis: Sql, unit: number): Sql;
  /** A timestamp accessor in a time zone. */
  protected abstract timestampPart(fn: FunctionName, ts: Sql, zone: SqlVal | undefined): Sql;

  /** `timestamp(n)` of a number of seconds, when the dialect has it. */
  protected timestampOfNumber(_n: Sql): Sql | undefined {
    return undefined;
  }

  // ---- shared ----

  protected call(fn: FunctionName, args: SqlVal[]): SqlVal {
    const arg = (i: number): SqlVal => {
      const v = args[i];
      if (v === undefined) throw unsupported(`${fn} needs ${i + 1} arguments`);
      return v;
    };
    const text = (i: number) => this.as("str", arg(i)).sql;
    switch (fn) {
      case "startsWith":
        return { kind: "bool", sql: this.startsWithCall(text(0), text(1)) };
      case "endsWith": {
        const [s, p] = [text(0), text(1)];
        return { kind: "bool", sql: this.let([s, p], ([a, b]) => this.endsWithSql(a!, b!)) };
      }
      case "contains":
        return { kind: "bool", sql: this.containsSql(text(0), text(1)) };
      case "matches":
        return { kind: "bool", sql: this.matchesCall(arg(0), arg(1)) };
      case "lowerAscii":
        return { kind: "str", sql: this.asciiCase(text(0), "lower") };
      case "upperAscii":
        return { kind: "str", sql: this.asciiCase(text(0), "upper") };
      case "size":
        return this.size(arg(0));
      case "timestamp":
        return this.toTimestamp(arg(0));
      case "duration": {
        const v = arg(0);
        return v.kind === "dur" ? v : this.durationOf(v);
      }
      case "string":
        return this.toStringValue(arg(0));
      case "int":
        return this.toInt(arg(0));
      case "double":
        return this.toDouble(arg(0));
      default:
        if (TIMESTAMP_ACCESSORS.has(fn)) return this.accessor(fn, arg(0), args[1]);
        throw unsupported(`function ${fn}`);
    }
  }

  private size(v: SqlVal): SqlVal {
    switch (v.kind) {
      case "str":
        return { kind: "num", int: true, sql: this.textLength(v.sql) };
      case "list":
        return { kind: "num", int: true, sql: this.numParam((v.items ?? []).length) };
      case "json":
        return { kind: "num", int: true, sql: this.jsonSize(v.sql) };
      default:
        throw unsupported(`size of ${v.kind}`);
    }
  }

  private toTimestamp(v: SqlVal): SqlVal {
    const seconds = v.kind === "num" ? this.timestampOfNumber(v.sql) : undefined;
    if (seconds !== undefined) return { kind: "ts", sql: seconds };
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

  private toStringValue(v: SqlVal): SqlVal {
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
          sql: sql`(CASE ${v.sql} WHEN ${this.trueSql} THEN 'true' WHEN ${this.falseSql} THEN 'false' END)`,
        };
      case "json":
        return { kind: "str", sql: this.let([v.sql], ([j]) => this.jsonToText(j!)) };
      default:
        throw unsupported(`string of ${v.kind}`);
    }
  }

  private parseInt(s: Sql): Sql {
    return this.intRange(
      this.let(
        [s],
        ([t]) =>
          sql`(CASE WHEN ${this.regexTest(t!, INT_STRING)} THEN ${this.textToNumber(t!, "int")} END)`,
      ),
    );
  }

  private parseDouble(s: Sql): Sql {
    return this.finiteDouble(
      this.let(
        [s],
        ([t]) =>
          sql`(CASE WHEN ${this.regexTest(t!, DOUBLE_STRING)} THEN ${this.textToNumber(t!, "double")} END)`,
      ),
    );
  }

  /** `f` of a JSON number, `g` of a JSON string; NULL for other JSON values. */
  private jsonNumberOrString(j: Sql, f: (n: Sql) => Sql, g: (s: Sql) => Sql): Sql {
    const number = this.jsonTypeFits(j, "num")!;
    const string = this.jsonTypeFits(j, "str")!;
    return sql`(CASE WHEN ${number} THEN ${f(this.jsonNumber(j))} WHEN ${string} THEN ${g(this.jsonString(j))} END)`;
  }

  private toInt(v: SqlVal): SqlVal {
    switch (v.kind) {
      case "num":
        return { kind: "num", int: true, sql: this.intRange(this.truncate(v.sql)) };
      case "str":
        return { kind: "num", int: true, sql: this.parseInt(v.sql) };
      case "ts":
        return { kind: "num", int: true, sql: this.epochSeconds(v.sql) };
      case "json":
        return {
          kind: "num",
          int: true,
          sql: this.let([v.sql], ([j]) =>
            this.intRange(
              this.jsonNumberOrString(
                j!,
                (n) => this.truncate(n),
                (s) => this.parseInt(s),
              ),
            ),
          ),
        };
      default:
        throw unsupported(`int of ${v.kind}`);
    }
  }

  private toDouble(v: SqlVal): SqlVal {
    switch (v.kind) {
      case "num":
        return { kind: "num", sql: this.toReal(v.sql) };
      case "str":
        return { kind: "num", sql: this.parseDouble(v.sql) };
      case "json":
        return {
          kind: "num",
          sql: this.let([v.sql], ([j]) =>
            this.jsonNumberOrString(
              j!,
              (n) => this.toReal(n),
              (s) => this.parseDouble(s),
            ),
          ),
        };
      default:
        throw unsupported(`double of ${v.kind}`);
    }
  }

  private accessor(fn: FunctionName, value: SqlVal, zone: SqlVal | undefined): SqlVal {
    if (value.kind === "dur") {
      const unit = DURATION_PARTS[fn];
      if (unit === undefined || zone !== undefined) throw unsupported(`${fn} of a duration`);
      return { kind: "num", int: true, sql: this.durationPart(value.sql, unit) };
    }
    const ts = this.as("ts", value);
    return { kind: "num", int: true, sql: this.timestampPart(fn, ts.sql, zone) };
  }
}
