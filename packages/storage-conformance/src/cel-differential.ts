/**
 * The CEL differential: generated filters over generated records of mixed JSON
 * types, each run through a store's `listRecords` (the filter compiled by
 * `compileFilter` and evaluated by the store) and through `@bufbuild/cel`'s
 * evaluator with the API's record bindings. A row must be selected by the
 * store exactly when CEL's result is `true`; the only differences allowed are
 * the named entries of {@link CEL_ALLOWED_DIFFERENCES}.
 *
 * Hand-picked filter cases are checked against the in-memory oracle, which
 * shares the server's reading of CEL; this checks the reading itself.
 *
 * @module
 */
import { celEnv, isCelError, isCelList, isCelMap, parse, plan } from "@bufbuild/cel";
import type { StoredRecord } from "@tekton-results/storage";

/** A seeded pseudo-random generator (mulberry32): the same seed, the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated filter: its text for the server and for the evaluator, and what it touches. */
export interface CelDifferentialCase {
  /** The filter as a client sends it. */
  filter: string;
  /**
   * The same filter as the evaluator runs it: differs only where the API reads
   * a JSON string compared with a timestamp as a timestamp (see
   * {@link CEL_ALLOWED_DIFFERENCES}, `string-as-timestamp`), written out as
   * `timestamp(...)`.
   */
  cel: string;
  /** The CEL text of every `has()` target (`data.o.k`), for the evaluator quirks. */
  has: string[];
  /** The CEL texts of both operands of every `==`/`!=`/`in`, for container equality. */
  equalities: [string, string][];
  /** The CEL texts of dividend and divisor of every `/`, for division by zero. */
  divisions: [string, string][];
}

/**
 * The differences between the API's filters and `@bufbuild/cel` that are
 * allowed, each documented in docs/api.md ("Filter semantics"):
 *
 * - `string-as-timestamp`: the API reads a JSON string compared with (or added
 *   to) a timestamp as an RFC 3339 timestamp; CEL has no such overload. Not a
 *   row-level exception: the evaluator is given the filter with the
 *   conversion written out (`timestamp(data.t) < timestamp("…")`).
 * - `has-null` (an evaluator quirk): `@bufbuild/cel` 0.6.1 reads `has(x.f)`
 *   as false when `f` is present with the JSON value `null`; CEL (cel-go, the
 *   specification) says true, as the API does.
 * - `has-on-non-object` (an evaluator quirk): `@bufbuild/cel` 0.6.1 answers
 *   false for `has(x.f)` when `x` is a string, number, bool, null or list;
 *   cel-go errors, as the API does (neither selects the row, but
 *   `!has(...)` differs).
 * - `container-equality`: `==`, `!=` and `in` between two JSON arrays or two
 *   JSON objects are an error in the API (they cannot be compared in SQL on
 *   every backend); CEL compares them element by element.
 * - `double-division-by-zero`: a double divided by zero is an error in the
 *   API (SQL has no infinities on every backend); CEL gives ±infinity or NaN.
 */
export const CEL_ALLOWED_DIFFERENCES = [
  "string-as-timestamp",
  "has-null",
  "has-on-non-object",
  "container-equality",
  "double-division-by-zero",
] as const;

/** A name of {@link CEL_ALLOWED_DIFFERENCES}. */
export type CelAllowedDifference = (typeof CEL_ALLOWED_DIFFERENCES)[number];

const STRINGS = ["a", "b", "ab", "A", "true", "UPPER", "", "1", "2024-01-15T10:00:00Z", "x y"];
const TIMES = ["2024-01-15T10:00:00Z", "2023-06-01T00:00:00+02:00", "2025-12-31T23:59:59.5Z"];
const INTS = [0, 1, 2, 4, 5, -1, 3];
const DOUBLES = ["0.0", "1.5", "2.0", "-0.5", "4.0"];

/** The paths filters read (CEL text below `data`), typed record columns included. */
const PATHS = [
  "n",
  "m",
  "s",
  "f",
  "arr",
  "o",
  "o.k",
  "t",
  "zz",
  "arr[0]",
  "metadata.name",
  "status.conditions[0].reason",
  'metadata.labels["tekton.dev/pipeline"]',
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** A JSON scalar of a random type. */
function scalar(rand: () => number): unknown {
  switch (Math.floor(rand() * 7)) {
    case 0:
      return pick(rand, INTS);
    case 1:
      return Number(pick(rand, DOUBLES));
    case 2:
    case 3:
      return pick(rand, STRINGS);
    case 4:
      return rand() < 0.5;
    case 5:
      return null;
    default:
      return pick(rand, TIMES);
  }
}

/** A JSON value of a random type (scalars, small arrays and objects). */
function value(rand: () => number): unknown {
  const r = rand();
  if (r < 0.7) return scalar(rand);
  if (r < 0.85) return Array.from({ length: Math.floor(rand() * 3) }, () => scalar(rand));
  const o: Record<string, unknown> = {};
  if (rand() < 0.7) o.k = scalar(rand);
  if (rand() < 0.3) o.a = scalar(rand);
  return o;
}

/** `count` generated record documents (mostly objects; a few not). */
export function generateCelRecords(seed: number, count: number): unknown[] {
  const rand = seededRandom(seed);
  const out: unknown[] = [];
  for (let i = 0; i < count; i += 1) {
    if (i === 0) out.push([1, 2]);
    else if (i === 1) out.push("text");
    else if (i === 2) out.push(null);
    else {
      const doc: Record<string, unknown> = {};
      for (const key of ["n", "m", "s", "f", "arr", "o", "t"]) {
        if (rand() < 0.85) doc[key] = value(rand);
      }
      if (rand() < 0.6)
        doc.arr = Array.from({ length: Math.floor(rand() * 4) }, () => scalar(rand));
      if (rand() < 0.4) doc.o = { k: scalar(rand) };
      if (rand() < 0.8) {
        const labels = rand() < 0.7 ? { "tekton.dev/pipeline": scalar(rand) } : value(rand);
        doc.metadata = { name: rand() < 0.6 ? pick(rand, STRINGS) : value(rand), labels };
      }
      if (rand() < 0.7) doc.status = { conditions: [{ reason: scalar(rand) }] };
      out.push(doc);
    }
  }
  return out;
}

interface Gen {
  rand: () => number;
  has: string[];
  equalities: [string, string][];
  divisions: [string, string][];
}

/** A piece of filter: the server's text and the evaluator's text. */
interface Piece {
  s: string;
  c: string;
}

const same = (text: string): Piece => ({ s: text, c: text });

function path(g: Gen): Piece {
  return same(`data.${pick(g.rand, PATHS)}`);
}

function literal(g: Gen, allowNull: boolean): Piece {
  const r = g.rand();
  if (r < 0.3) return same(String(pick(g.rand, INTS)));
  if (r < 0.45) return same(pick(g.rand, DOUBLES));
  if (r < 0.8) return same(JSON.stringify(pick(g.rand, STRINGS)));
  if (r < 0.9 || !allowNull) return same(g.rand() < 0.5 ? "true" : "false");
  return same("null");
}

/** A numeric (or at least arithmetic) expression. */
function arith(g: Gen): Piece {
  const p = path(g);
  switch (Math.floor(g.rand() * 8)) {
    case 0:
      return same(`${p.s} + ${pick(g.rand, INTS)}`);
    case 1:
      return same(`${p.s} + ${pick(g.rand, DOUBLES)}`);
    case 2:
      return same(`${p.s} % ${pick(g.rand, [2, 3])}`);
    case 3:
      return same(`${p.s} * ${path(g).s}`);
    case 4: {
      const divisor = pick(g.rand, ["2", "2.0", "0.0"]);
      g.divisions.push([p.c, divisor]);
      return same(`${p.s} / ${divisor}`);
    }
    case 5:
      return same(`-${p.s}`);
    case 6:
      return same(`size(${p.s}) + ${pick(g.rand, ["1", "1.0"])}`);
    default:
      return same(`int(${p.s}) % 2`);
  }
}

const COMPARE_OPS = ["==", "!=", "<", "<=", ">", ">="];

function comparison(g: Gen): Piece {
  const op = pick(g.rand, COMPARE_OPS);
  const equality = op === "==" || op === "!=";
  const r = g.rand();
  let left: Piece;
  let right: Piece;
  if (r < 0.55) {
    left = path(g);
    right = literal(g, equality);
  } else if (r < 0.7) {
    left = path(g);
    right = path(g);
  } else if (r < 0.8) {
    left = literal(g, equality);
    right = path(g);
  } else if (r < 0.9) {
    left = arith(g);
    right = same(g.rand() < 0.5 ? String(pick(g.rand, INTS)) : pick(g.rand, DOUBLES));
  } else {
    // A conditional value.
    left = (() => {
      const test = boolean(g, 0);
      const a = path(g);
      const b = literal(g, false);
      return { s: `(${test.s} ? ${a.s} : ${b.s})`, c: `(${test.c} ? ${a.c} : ${b.c})` };
    })();
    right = literal(g, equality);
  }
  if (equality) g.equalities.push([left.c, right.c]);
  return { s: `${left.s} ${op} ${right.s}`, c: `${left.c} ${op} ${right.c}` };
}

function membership(g: Gen): Piece {
  const r = g.rand();
  // A literal value only meets a JSON collection: a literal list of other
  // literal types is a type error the checker reports (not a row difference).
  const v = g.rand() < 0.8 ? path(g) : literal(g, false);
  const literalValue = !v.s.startsWith("data.");
  let collection: Piece;
  if (r < 0.6 && !literalValue) {
    const items = Array.from({ length: 1 + Math.floor(g.rand() * 3) }, () =>
      g.rand() < 0.15 ? path(g) : literal(g, false),
    );
    collection = {
      s: `[${items.map((i) => i.s).join(", ")}]`,
      c: `[${items.map((i) => i.c).join(", ")}]`,
    };
  } else collection = pick(g.rand, [same("data.arr"), same("data.o"), path(g)]);
  g.equalities.push([v.c, collection.c]);
  return { s: `${v.s} in ${collection.s}`, c: `${v.c} in ${collection.c}` };
}

/** A boolean expression at most `depth` operators deep. */
function boolean(g: Gen, depth: number): Piece {
  const r = g.rand();
  if (depth > 0 && r < 0.3) {
    const a = boolean(g, depth - 1);
    const b = boolean(g, depth - 1);
    const op = g.rand() < 0.5 ? "&&" : "||";
    return { s: `(${a.s} ${op} ${b.s})`, c: `(${a.c} ${op} ${b.c})` };
  }
  if (depth > 0 && r < 0.45) {
    const a = boolean(g, depth - 1);
    return { s: `!(${a.s})`, c: `!(${a.c})` };
  }
  if (depth > 0 && r < 0.5) {
    const t = boolean(g, depth - 1);
    const a = boolean(g, depth - 1);
    const b = boolean(g, depth - 1);
    return { s: `(${t.s} ? ${a.s} : ${b.s})`, c: `(${t.c} ? ${a.c} : ${b.c})` };
  }
  const leaf = g.rand();
  if (leaf < 0.4) return comparison(g);
  if (leaf < 0.55) return membership(g);
  if (leaf < 0.62) {
    const target = `data.${pick(g.rand, ["n", "s", "o.k", "o", "zz", "s.k", "n.k", "metadata.name"])}`;
    g.has.push(target);
    return same(`has(${target})`);
  }
  if (leaf < 0.72) {
    const fn = pick(g.rand, ["startsWith", "endsWith", "contains"]);
    return same(`${path(g).s}.${fn}(${JSON.stringify(pick(g.rand, ["a", "b", "", "U"]))})`);
  }
  if (leaf < 0.8) {
    const p = path(g);
    const op = pick(g.rand, COMPARE_OPS);
    const t = `timestamp(${JSON.stringify(pick(g.rand, TIMES))})`;
    // The API reads the JSON string as a timestamp; CEL needs it written out.
    return { s: `${p.s} ${op} ${t}`, c: `timestamp(${p.c}) ${op} ${t}` };
  }
  if (leaf < 0.86) {
    const p = path(g);
    return same(`size(${p.s}) ${pick(g.rand, COMPARE_OPS)} ${pick(g.rand, [0, 1, 2])}`);
  }
  if (leaf < 0.92) {
    const kind = pick(g.rand, ["exists", "all"]);
    const op = pick(g.rand, ["==", "!=", ">"]);
    const lit = literal(g, false);
    return same(`data.arr.${kind}(x, x ${op} ${lit.s})`);
  }
  // A JSON value used as a bool.
  return same(pick(g.rand, ["data.f", "data.s", "data.zz"]));
}

/** `count` generated filters from `seed`. */
export function generateCelCases(seed: number, count: number): CelDifferentialCase[] {
  const rand = seededRandom(seed);
  const out: CelDifferentialCase[] = [];
  for (let i = 0; i < count; i += 1) {
    const g: Gen = { rand, has: [], equalities: [], divisions: [] };
    const piece = boolean(g, 2);
    out.push({
      filter: piece.s,
      cel: piece.c,
      has: g.has,
      equalities: g.equalities,
      divisions: g.divisions,
    });
  }
  return out;
}

/** The records the differential stores: `r000`, `r001`, … in one Result. */
export function celDifferentialRecords(documents: readonly unknown[]): StoredRecord[] {
  const t = new Date(Date.UTC(2024, 0, 15, 10, 0, 0));
  return documents.map((doc, i) => ({
    parent: "diff",
    resultName: "res",
    name: `r${String(i).padStart(3, "0")}`,
    uid: `00000000-0000-4000-8000-${String(900000 + i).padStart(12, "0")}`,
    type: "tekton.dev/v1.TaskRun",
    data: JSON.stringify(doc),
    createTime: t,
    updateTime: t,
    etag: "differential",
  }));
}

/** The CEL bindings of a record, as the API declares them for ListRecords filters. */
function bindings(record: StoredRecord): Record<string, unknown> {
  return {
    parent: record.parent,
    result_name: record.resultName,
    name: record.name,
    data_type: record.type,
    data: JSON.parse(record.data) as unknown,
  };
}

type Evaluate = (ctx: Record<string, unknown>) => unknown;

const evaluators = new Map<string, Evaluate | undefined>();

/** Evaluate CEL text with `@bufbuild/cel` (parsed and planned once per text). */
function evaluateCel(text: string, ctx: Record<string, unknown>): unknown {
  let run = evaluators.get(text);
  if (!evaluators.has(text)) {
    try {
      run = plan(celEnv(), parse(text)) as unknown as Evaluate;
    } catch {
      run = undefined;
    }
    evaluators.set(text, run);
  }
  if (run === undefined) return undefined;
  try {
    const v = run(ctx);
    return isCelError(v) ? undefined : v;
  } catch {
    return undefined;
  }
}

/** Whether CEL selects `record` with `c`'s filter: its result is exactly `true`. */
export function celSelects(c: CelDifferentialCase, record: StoredRecord): boolean {
  return evaluateCel(c.cel, bindings(record)) === true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The allowed difference that explains a disagreement on `record`, or
 * `undefined` when none does (see {@link CEL_ALLOWED_DIFFERENCES}).
 */
export function allowedDifference(
  c: CelDifferentialCase,
  record: StoredRecord,
): CelAllowedDifference | undefined {
  const ctx = bindings(record);
  for (const target of c.has) {
    // `data.a.b`: walk the JSON itself (the evaluator's map hides null values).
    const steps = target.split(".").slice(1);
    let parent: unknown = ctx.data;
    for (const step of steps.slice(0, -1)) {
      parent = isObject(parent) ? parent[step] : undefined;
    }
    const key = steps[steps.length - 1]!;
    if (isObject(parent) && Object.hasOwn(parent, key) && parent[key] === null) return "has-null";
    if (parent !== undefined && !isObject(parent)) return "has-on-non-object";
  }
  for (const [a, b] of c.equalities) {
    const x = evaluateCel(a, ctx);
    const y = evaluateCel(b, ctx);
    const containers = (u: unknown, v: unknown) =>
      (isCelList(u) && isCelList(v)) || (isCelMap(u) && isCelMap(v));
    if (containers(x, y)) return "container-equality";
    // `v in collection`: each element is compared with v.
    if (isCelList(y)) {
      for (const item of y) if (containers(x, item)) return "container-equality";
    }
  }
  for (const [dividend, divisor] of c.divisions) {
    if (typeof evaluateCel(dividend, ctx) === "number" && evaluateCel(divisor, ctx) === 0)
      return "double-division-by-zero";
  }
  return undefined;
}
