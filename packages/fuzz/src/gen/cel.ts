/**
 * CEL filters generated from the grammar: the variables of ListResults and
 * ListRecords (and unknown ones), literals of every type (huge ones too),
 * every operator and every function the filter compiler knows, with
 * arguments of right and wrong types, nested at random, plus very deep
 * nestings and mangled text.
 *
 * @module
 */
import fc from "fast-check";
import { hostileString, shortHostileString } from "./corpus.js";

const VARIABLES = [
  "parent",
  "uid",
  "annotations",
  "summary.record",
  "summary.type",
  "summary.status",
  "summary.start_time",
  "summary.end_time",
  "summary.annotations",
  "create_time",
  "update_time",
  "result_name",
  "name",
  "data_type",
  "data",
  "data.metadata.name",
  "data.status.conditions[0].reason",
  "data.spec.params",
  "data.n",
  "data.metadata.labels",
  'data.metadata.labels["tekton.dev/pipeline"]',
  "data.status.startTime",
  "PIPELINE_RUN",
  "TASK_RUN",
  "SUCCESS",
  "FAILURE",
  "UNKNOWN",
  "TIMEOUT",
  "CANCELLED",
  "nope",
  "data.__proto__",
];

const BINARY_OPS = ["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "in", "&&", "||"];

/** A CEL string literal holding `s` (escaped), in one of CEL's quotings. */
export function celString(s: string, quoting = 0): string {
  const escaped = s
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"')
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r");
  switch (quoting % 3) {
    case 1:
      return `'${escaped.replaceAll("'", "\\'")}'`;
    case 2:
      return `r"${s.replaceAll('"', "")}"`;
    default:
      return `"${escaped}"`;
  }
}

const stringLiteral = fc
  .tuple(
    fc.oneof(
      fc.string({ maxLength: 20 }),
      hostileString,
      fc.string({ unit: "binary", maxLength: 10 }),
    ),
    fc.nat(2),
  )
  .map(([s, q]) => celString(s, q));

/** Literals of every CEL type, huge and out-of-range ones included. */
export const literal: fc.Arbitrary<string> = fc.oneof(
  stringLiteral,
  fc.integer().map(String),
  fc.constantFrom(
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615u",
    "18446744073709551616u",
    "0x7fffffffffffffff",
    "1e308",
    "1e309",
    "-1e-400",
    "0.0",
    "1.5",
    "true",
    "false",
    "null",
    'b"\\x00\\xff"',
    "[]",
    "{}",
    '{"a": 1}',
    '[1, "a", true, null]',
    '"' + "z".repeat(100_000) + '"',
    "1".repeat(400),
    'timestamp("2026-01-01T00:00:00Z")',
    'timestamp("not a time")',
    'duration("10m")',
    'duration("9999999999999h")',
  ),
  fc.double().map((d) => (Number.isFinite(d) ? d.toExponential() : "1.0")),
);

const FUNCTIONS: ((x: string, y: string) => string)[] = [
  (x, y) => `${x}.startsWith(${y})`,
  (x, y) => `${x}.endsWith(${y})`,
  (x, y) => `${x}.contains(${y})`,
  (x, y) => `${x}.matches(${y})`,
  (x) => `size(${x})`,
  (x) => `${x}.size()`,
  (x) => `has(${x}.f)`,
  (x) => `has(data.${x.replace(/\W/g, "") || "x"})`,
  (x, y) => `${x}.exists(e, e == ${y})`,
  (x, y) => `${x}.all(e, e != ${y})`,
  (x, y) => `${x}.exists_one(e, e == ${y})`,
  (x, y) => `${x}.map(e, ${y})`,
  (x, y) => `${x}.filter(e, e < ${y})`,
  (x) => `timestamp(${x})`,
  (x) => `duration(${x})`,
  (x) => `int(${x})`,
  (x) => `uint(${x})`,
  (x) => `double(${x})`,
  (x) => `string(${x})`,
  (x) => `bytes(${x})`,
  (x) => `bool(${x})`,
  (x) => `dyn(${x})`,
  (x) => `type(${x})`,
  (x) => `${x}.getHours()`,
  (x, y) => `${x}.getHours(${y})`,
  (x) => `${x}.getDayOfWeek()`,
  (x) => `${x}.getFullYear()`,
  (x) => `${x}.getMonth()`,
  (x) => `${x}.getDate()`,
  (x) => `${x}.getDayOfMonth()`,
  (x) => `${x}.getDayOfYear()`,
  (x) => `${x}.getMinutes()`,
  (x) => `${x}.getSeconds()`,
  (x) => `${x}.getMilliseconds()`,
  (x, y) => `${x}[${y}]`,
  (x, y) => `${x}.${y.replace(/\W/g, "") || "f"}`,
  (x, y) => `${x}.lowerAscii(${y})`,
  (x, y) => `unknownFunction(${x}, ${y})`,
  (x, y) => `${x} ? ${y} : ${x}`,
];

const REGEXES = [
  '"^(a+)+$"',
  '"(a)\\\\1"',
  '"(?=x)"',
  '"a{1001}"',
  '"a{256}"',
  '"\\\\pL+"',
  '"[[:alpha:]]"',
  '"(?i)abc"',
  '"["',
  '"\\\\Q.*\\\\E"',
  '"' + "(".repeat(500) + '"',
];

/** CEL expressions from the grammar, nested to a random depth. */
export const celExpr: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...VARIABLES),
    literal,
    fc.tuple(tie("expr"), fc.constantFrom(...BINARY_OPS), tie("expr")).map(
      ([a, op, b]) => `${a} ${op} ${b}`,
    ),
    tie("expr").map((e) => `!${e}`),
    tie("expr").map((e) => `-${e}`),
    tie("expr").map((e) => `(${e})`),
    fc.tuple(tie("expr"), tie("expr"), fc.nat(FUNCTIONS.length - 1)).map(([a, b, i]) =>
      FUNCTIONS[i]!(a, b),
    ),
    fc.tuple(fc.constantFrom(...VARIABLES), fc.constantFrom(...REGEXES)).map(
      ([v, re]) => `${v}.matches(${re})`,
    ),
    fc.array(tie("expr"), { maxLength: 4 }).map((items) => `[${items.join(", ")}]`),
    fc.tuple(tie("expr"), tie("expr")).map(([k, v]) => `{${k}: ${v}}`),
  ),
})).expr;

/** Well-typed filters that select rows (the ones a real client sends). */
const plausibleFilter = fc.constantFrom(
  "",
  'data_type == TASK_RUN && data.status.conditions[0].reason == "Failed"',
  'data.metadata.labels["tekton.dev/pipeline"] == "release"',
  "summary.status in [FAILURE, TIMEOUT]",
  'annotations["repo"] == "demo"',
  'data.metadata.name.startsWith("task")',
  "size(data.spec.params) > 0",
  "create_time > timestamp(\"2020-01-01T00:00:00Z\")",
  'parent == "ns-a"',
);

/** A deep nesting of one shape, `depth` levels. */
function deep(depth: number, shape: number): string {
  switch (shape % 6) {
    case 0:
      return "(".repeat(depth) + "true" + ")".repeat(depth);
    case 1:
      return "!".repeat(depth) + "true";
    case 2:
      return Array.from({ length: depth }, () => 'parent == "x"').join(" || ");
    case 3:
      return Array.from({ length: depth }, () => "data.a").join(" + ") + ' == "x"';
    case 4:
      return "[".repeat(depth) + "1" + "]".repeat(depth) + " == []";
    default:
      return "data" + ".a".repeat(depth) + ' == "x"';
  }
}

/** A filter: plausible, generated, deeply nested, or mangled text. */
export const celFilter: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: plausibleFilter },
  { weight: 5, arbitrary: celExpr },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 10, max: 3000 }), fc.nat(5))
      .map(([d, s]) => deep(d, s)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(celExpr, fc.nat(), hostileString)
      .map(([e, at, x]) => e.slice(0, at % (e.length + 1)) + x + e.slice(at % (e.length + 1))),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
);
