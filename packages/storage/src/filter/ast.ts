/**
 * The backend-neutral filter AST. The server compiles a CEL expression into
 * this tree (see `compileFilter`); each storage adapter translates the tree to
 * its own SQL with bound parameters, and the in-memory reference store
 * evaluates it directly as the oracle the conformance suite checks every
 * backend against.
 *
 * ## Values
 *
 * | type        | JavaScript value                                  |
 * |-------------|---------------------------------------------------|
 * | `bool`      | `boolean`                                         |
 * | `int`       | `number` (an integer within ±2^53)                |
 * | `double`    | `number`                                          |
 * | `string`    | `string`                                          |
 * | `timestamp` | `number`: Unix milliseconds                       |
 * | `duration`  | `number`: milliseconds                            |
 * | `null`      | `null`                                            |
 * | `list`      | an array of values                                |
 * | `map`       | a plain object                                    |
 * | `dyn`       | any JSON value, typed at run time                 |
 *
 * `int` and `double` are both "numbers" and compare with each other by value.
 * A JSON number is a number; a JSON string compared with (or converted to) a
 * timestamp is parsed as an RFC 3339 timestamp.
 *
 * ## Absent values (three-valued logic)
 *
 * Evaluation may produce **absent** (SQL `NULL`, `undefined` in the reference
 * evaluator) instead of a value: a JSON path that does not exist, a JSON value
 * of the wrong type for the operation (`data.x < "b"` where `x` is a number,
 * `size()` of a number), a string that is not a timestamp, division by zero,
 * an index out of range, and a missing summary time.
 *
 * - Every operator and function applied to an absent operand is absent,
 *   except `and`, `or`, `has` and the comprehensions. A list literal with an
 *   absent item is absent (CEL's list construction fails).
 * - `and`: false if any operand is false; else absent if any is absent; else true.
 * - `or`: true if any operand is true; else absent if any is absent; else false.
 * - `not absent` is absent.
 * - A row matches only when the whole filter is `true`.
 * - `exists`: true if the predicate is true for some element; else absent if
 *   it is absent for some element; else false. An absent or non-list range is absent.
 * - `all`: false if the predicate is false for some element; else absent if
 *   absent for some; else true. An absent or non-list range is absent.
 * - `exists_one`: true when the predicate is true for exactly one element and
 *   absent for none; absent when absent for any; else false.
 *
 * This is CEL's commutative error semantics, which is also SQL's `NULL` logic,
 * so every backend can evaluate filters in the database.
 *
 * ## Comparison
 *
 * `==` and `!=` between two present operands of different kinds (a string and
 * a number, say) are `false` and `true` when an operand is `dyn` (CEL's
 * heterogeneous equality), and rejected at compile time when both are
 * statically typed. Two JSON arrays or two JSON objects are not compared (absent). Ordering (`< <= > >=`) is defined for
 * numbers, strings (by UTF-8 bytes, i.e. code point order), timestamps,
 * durations and bools (`false < true`). Equality on lists and maps is not
 * supported. `x == null` is true when `x` is the JSON `null`, and absent when
 * `x` does not exist.
 *
 * Clarifications (the compiler, `compileFilter`, and the reference evaluator
 * follow these; backends must too):
 *
 * - `x == null` is `false` (and `x != null` is `true`) when `x` is any other
 *   existing value, whatever its kind; it is absent only when `x` is absent.
 * - Run-time kind mismatches with a `dyn` operand (`data.n == "3"` where `n` is
 *   a number) are unequal for `==`/`!=` and absent for ordering.
 * - Strings order by code point (= UTF-8 byte order), not by UTF-16 units.
 *
 * ## What the compiler guarantees about the tree
 *
 * - No implicit conversions are left to backends: wherever a `dyn` operand
 *   meets a `timestamp` (a comparison, `+`/`-` with a timestamp or duration,
 *   an `in` over a list of timestamps, a `?:` branch, the receiver of a
 *   `get*` function), the compiler wraps it in an explicit
 *   `call timestamp(dyn)`. A `dyn` compared with a `duration` is rejected.
 * - `timestamp("literal")` and `duration("literal")` are folded into
 *   {@link ConstExpr}s; `duration` never appears as a {@link CallExpr} and
 *   `timestamp` only with a `dyn` or `string` argument.
 * - Timestamp text is RFC 3339 exactly:
 *   `YYYY-MM-DD(T|t)hh:mm:ss[.fraction](Z|z|±hh:mm)`, year 0001-9999, valid
 *   day of month, hour 0-23, minute and second 0-59 (no leap second); the
 *   fraction has any number of digits and is truncated to milliseconds.
 *   Anything else (including a JSON number) is absent.
 * - The second argument of the `get*` functions is always a constant string
 *   in the canonical form `±HH:MM` (`"UTC"` becomes `"+00:00"`).
 * - The pattern of `matches` is always a constant string in RE2 syntax,
 *   already checked to compile with RE2 (`re2PatternError`). Matching is an
 *   RE2 search (unanchored, linear time; `re2Search` is the reference).
 * - `and`/`or` nodes have at most 32 operands (longer chains are nested), and
 *   the tree is at most about 100 levels deep.
 * - List literals only appear as the collection of `in`, the argument of
 *   `size`, or the range of a comprehension.
 *
 * ## Arithmetic and conversions on `dyn`
 *
 * - `dyn + dyn` (type `dyn`): numbers add, strings concatenate, anything else
 *   is absent. `dyn + string` (type `string`) needs a string at run time.
 * - A JSON number is a `double`: arithmetic between a static `int` and a
 *   `double` or `dyn` is absent whatever the values (CEL has no such
 *   overload: `data.n + 1`, `data.n / 2`), see `mixesIntAndDouble`.
 * - `-`, `*`, `/` between `double`/`dyn` operands need numbers at run time.
 *   `/` truncates toward zero when both operands are `int`.
 * - `%` needs two static `int`s (anything else is absent); the result has the
 *   sign of the dividend.
 * - An `int`-typed result outside ±(2^53 - 1) is absent.
 * - `neg` of a `dyn` needs a number; a `?:` test or a `!`/`and`/`or` operand
 *   that is a non-boolean `dyn` value is absent.
 * - `size(dyn)`: code points of a string, length of an array, keys of an
 *   object; absent for anything else.
 * - `string(x)`: a string as is; `true`/`false`; a number as JavaScript's
 *   `String(n)` prints it (`3`, `1.5`); absent for anything else.
 * - `int(x)`: a number truncated toward zero; a string matching
 *   `^[+-]?[0-9]+$`; a timestamp as whole Unix seconds (floor); else absent.
 * - `double(x)`: a number; a string matching
 *   `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`; else absent.
 * - `lowerAscii`/`upperAscii` change only the letters A-Z/a-z.
 *
 * @module
 */

/** The static type of an expression. `dyn` is known only at run time. */
export type ValueType =
  "bool" | "int" | "double" | "string" | "timestamp" | "duration" | "null" | "list" | "map" | "dyn";

/** A JSON-compatible constant or run-time value. */
export type FilterValue =
  boolean | number | string | null | FilterValue[] | { [key: string]: FilterValue };

/**
 * The typed scalar columns a filter can read.
 *
 * Results: `parent`, `uid`, `create_time`, `update_time`, `summary.record`,
 * `summary.type`, `summary.status` (int 0-4), `summary.start_time`,
 * `summary.end_time` (absent without a summary or time).
 * Records: `parent`, `result_name`, `name`, `uid`, `data_type`, `create_time`, `update_time`.
 */
export type ColumnName =
  | "parent"
  | "uid"
  | "result_name"
  | "name"
  | "data_type"
  | "create_time"
  | "update_time"
  | "summary.record"
  | "summary.type"
  | "summary.status"
  | "summary.start_time"
  | "summary.end_time";

/** The JSON documents a filter can walk into. */
export type JsonColumn = "data" | "annotations" | "summary.annotations";

/** One step of a JSON path: an object key or an array index. */
export type PathStep = string | number;

/** The comparison operators. */
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** The arithmetic operators. */
export type ArithOp = "+" | "-" | "*" | "/" | "%";

/**
 * The functions. Receiver-style CEL calls (`s.startsWith(p)`) have the receiver
 * as first argument.
 *
 * - `startsWith endsWith contains matches`: (string, string) -> bool; `matches`
 *   takes a regular expression in the RE2 subset shared by JavaScript, SQLite's
 *   adapter and PostgreSQL (`.`, classes, anchors, `* + ? {n,m}`, groups, `|`).
 * - `size`: string (code points), list or map -> int.
 * - `timestamp`: string -> timestamp; `duration`: string -> duration.
 * - `getFullYear getMonth getDate getDayOfMonth getDayOfWeek getDayOfYear
 *   getHours getMinutes getSeconds getMilliseconds`: (timestamp[, tz]) -> int,
 *   in UTC unless a second argument gives a fixed offset (`"+05:30"`, `"UTC"`).
 *   CEL's numbering: `getMonth` 0-11, `getDate` 1-31, `getDayOfMonth` 0-30,
 *   `getDayOfWeek` 0-6 from Sunday, `getDayOfYear` 0-365.
 *   On a duration, `getHours getMinutes getSeconds getMilliseconds` are the
 *   whole duration in that unit.
 * - `string int double`: conversions (`int` of a double truncates toward zero,
 *   `int` of a timestamp is Unix seconds; `string` of a number as JSON prints it).
 * - `lowerAscii upperAscii`: string -> string.
 */
export type FunctionName =
  | "startsWith"
  | "endsWith"
  | "contains"
  | "matches"
  | "size"
  | "timestamp"
  | "duration"
  | "getFullYear"
  | "getMonth"
  | "getDate"
  | "getDayOfMonth"
  | "getDayOfWeek"
  | "getDayOfYear"
  | "getHours"
  | "getMinutes"
  | "getSeconds"
  | "getMilliseconds"
  | "string"
  | "int"
  | "double"
  | "lowerAscii"
  | "upperAscii";

/** A node of the filter tree. Every node knows its static {@link ValueType}. */
export type FilterExpr =
  | ConstExpr
  | ColumnExpr
  | JsonExpr
  | VarExpr
  | ListExpr
  | LogicExpr
  | NotExpr
  | CompareExpr
  | InExpr
  | ArithExpr
  | NegExpr
  | CallExpr
  | HasExpr
  | ComprehensionExpr
  | CondExpr;

/** A constant. Timestamps and durations are numbers (milliseconds). */
export interface ConstExpr {
  kind: "const";
  type: ValueType;
  value: FilterValue;
}

/** A typed scalar column of the row. */
export interface ColumnExpr {
  kind: "column";
  type: "string" | "int" | "timestamp";
  column: ColumnName;
}

/**
 * A value inside a JSON document: a column of the row (`data`, `annotations`,
 * `summary.annotations`) or a comprehension variable, followed by `path`.
 * An empty path is the document itself. A missing key or index is absent.
 * `annotations` and `summary.annotations` are objects of strings.
 */
export interface JsonExpr {
  kind: "json";
  type: "dyn";
  root: { column: JsonColumn } | { variable: string };
  path: PathStep[];
}

/**
 * A comprehension variable that is not walked into (`x` in `l.exists(x, x > 2)`).
 * Always `dyn`: it is an element of a JSON list or a key of a JSON object.
 */
export interface VarExpr {
  kind: "var";
  type: "dyn";
  name: string;
}

/** A list literal (`[1, 2, data.x]`), used by `in` and `size`. */
export interface ListExpr {
  kind: "list";
  type: "list";
  items: FilterExpr[];
}

/** `&&` and `||` over two or more operands. */
export interface LogicExpr {
  kind: "and" | "or";
  type: "bool";
  args: FilterExpr[];
}

/** `!x`. */
export interface NotExpr {
  kind: "not";
  type: "bool";
  arg: FilterExpr;
}

/** A comparison; see the module documentation for mixed and `dyn` operands. */
export interface CompareExpr {
  kind: "compare";
  type: "bool";
  op: CompareOp;
  left: FilterExpr;
  right: FilterExpr;
}

/**
 * `value in collection`: membership in a list (literal or JSON array), or key
 * membership in a map (a JSON object, `annotations`). Elements compare with
 * `==`; the result is true if some element equals, else false (absent only
 * when `collection` is absent or not a list/map).
 *
 * Clarification: an absent `value` is absent (as CEL's error), and so is a
 * list literal with an absent item. An element "equals" only when `==` is
 * exactly true. Over a map, a string `value` is looked up, a number or bool
 * is never a key (`false`), and anything else is absent.
 */
export interface InExpr {
  kind: "in";
  type: "bool";
  value: FilterExpr;
  collection: FilterExpr;
}

/**
 * Arithmetic. `+` also concatenates strings and lists and adds a duration to
 * a timestamp or duration; `-` subtracts timestamps (giving a duration) and
 * durations. `int / int` truncates toward zero; `/` or `%` by zero is absent.
 */
export interface ArithExpr {
  kind: "arith";
  type: ValueType;
  op: ArithOp;
  left: FilterExpr;
  right: FilterExpr;
}

/** Unary minus. */
export interface NegExpr {
  kind: "neg";
  type: ValueType;
  arg: FilterExpr;
}

/** A function call; see {@link FunctionName}. */
export interface CallExpr {
  kind: "call";
  type: ValueType;
  fn: FunctionName;
  args: FilterExpr[];
}

/**
 * `has(x.f)`: whether the JSON object `x` has the key `f` (true or false, never
 * absent, unless `x` itself is absent or not an object: then absent).
 * For typed columns CEL's `has(summary.start_time)` is a presence test.
 *
 * Clarification: the target is a {@link JsonExpr} whose path has at least one
 * step (the last step is the key tested; a numeric last step tests that an
 * array has that index), or a {@link ColumnExpr}, which is true when the column
 * is not null and false when it is (never absent). `has(summary.annotations)`
 * compiles to the presence of `summary.record`, i.e. of the summary.
 */
export interface HasExpr {
  kind: "has";
  type: "bool";
  target: JsonExpr | ColumnExpr;
}

/**
 * `range.exists(v, p)`, `range.all(v, p)`, `range.exists_one(v, p)`: over the
 * elements of a JSON array or a list literal, or the keys of a JSON object.
 * Inside `predicate`, `variable` is a {@link VarExpr} or the root of a {@link JsonExpr}.
 *
 * Clarification: `range` is a {@link ListExpr}, a {@link JsonExpr} or a
 * {@link VarExpr}. An inner comprehension may reuse an outer one's variable
 * name; the innermost binding wins.
 */
export interface ComprehensionExpr {
  kind: "exists" | "all" | "exists_one";
  type: "bool";
  range: FilterExpr;
  variable: string;
  predicate: FilterExpr;
}

/** `test ? then : otherwise`; absent when `test` is absent. */
export interface CondExpr {
  kind: "cond";
  type: ValueType;
  test: FilterExpr;
  then: FilterExpr;
  otherwise: FilterExpr;
}

/** What a filter ranges over, which decides its variables and constants. */
export type FilterTarget = "results" | "records";
