/**
 * Compiles CEL filter expressions to the backend-neutral filter AST.
 *
 * Parsing is `@bufbuild/cel`'s; this module type-checks the parsed tree
 * against the variables of the filter's target (see the API contract,
 * "Filters (CEL)") and produces a typed {@link FilterExpr}. Every problem is a
 * {@link FilterError} whose message says what is wrong and where
 * (`line:column`, 1-based).
 *
 * @module
 */
import { parse } from "@bufbuild/cel";
import type {
  ColumnExpr,
  ColumnName,
  ConstExpr,
  FilterExpr,
  FilterTarget,
  FunctionName,
  JsonColumn,
  JsonExpr,
  ListExpr,
  ValueType,
} from "./ast.js";
import { celSyntaxError } from "./cel-syntax.js";
import { FilterError } from "./errors.js";
import { re2PatternError } from "./regex.js";
import { normalizeTimeZone, parseDuration, parseTimestamp } from "./time.js";

/** Options of {@link compileFilter}. */
export interface CompileFilterOptions {
  /** Which resource the filter ranges over: decides its variables. */
  target: FilterTarget;
}

/** The longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 16_384;
/** The deepest nesting of `(`, `[` and `{` accepted (the parser is recursive). */
export const MAX_FILTER_NESTING = 32;
/** The deepest parsed expression tree accepted (`!!!!x`, `a+b+c+...` chains). */
export const MAX_FILTER_DEPTH = 100;
/** At most this many operands per `and`/`or` node; longer chains are nested. */
export const MAX_LOGIC_OPERANDS = 32;

type Parsed = ReturnType<typeof parse>;
type Expr = Parsed["expr"];
type ExprKind = Expr["exprKind"];
type CallValue = Extract<ExprKind, { case: "callExpr" }>["value"];
type SelectValue = Extract<ExprKind, { case: "selectExpr" }>["value"];
type ComprehensionValue = Extract<ExprKind, { case: "comprehensionExpr" }>["value"];
type ConstantValue = Extract<ExprKind, { case: "constExpr" }>["value"];

/** The names a target declares: variables, qualified fields and constants. */
type Declarations = ReadonlyMap<string, FilterExpr>;

/** The enum names of `RecordSummary.Status`, by value. */
const STATUS_NAMES = ["UNKNOWN", "SUCCESS", "FAILURE", "TIMEOUT", "CANCELLED"] as const;

function column(name: ColumnName, type: ColumnExpr["type"]): ColumnExpr {
  return { kind: "column", type, column: name };
}

function json(name: JsonColumn): JsonExpr {
  return { kind: "json", type: "dyn", root: { column: name }, path: [] };
}

function constant(type: ValueType, value: ConstExpr["value"]): ConstExpr {
  return { kind: "const", type, value };
}

/** The declarations of one target. */
function declarations(target: FilterTarget): Declarations {
  const names = new Map<string, FilterExpr>([
    ["PIPELINE_RUN", constant("string", "tekton.dev/v1.PipelineRun")],
    ["TASK_RUN", constant("string", "tekton.dev/v1.TaskRun")],
    ["parent", column("parent", "string")],
    ["uid", column("uid", "string")],
    ["create_time", column("create_time", "timestamp")],
    ["update_time", column("update_time", "timestamp")],
  ]);
  if (target === "results") {
    names.set("annotations", json("annotations"));
    names.set("summary.record", column("summary.record", "string"));
    names.set("summary.type", column("summary.type", "string"));
    names.set("summary.status", column("summary.status", "int"));
    names.set("summary.start_time", column("summary.start_time", "timestamp"));
    names.set("summary.end_time", column("summary.end_time", "timestamp"));
    names.set("summary.annotations", json("summary.annotations"));
    STATUS_NAMES.forEach((name, value) => {
      for (const prefix of [
        "",
        "RecordSummary.",
        "RecordSummary.Status.",
        "tekton.results.v1alpha2.RecordSummary.Status.",
      ]) {
        names.set(prefix + name, constant("int", value));
      }
    });
  } else {
    names.set("result_name", column("result_name", "string"));
    names.set("name", column("name", "string"));
    names.set("data_type", column("data_type", "string"));
    names.set("data", json("data"));
  }
  return names;
}

/** Message-typed variables: they only exist as the prefix of a field. */
const MESSAGES: Record<FilterTarget, ReadonlySet<string>> = {
  results: new Set(["summary"]),
  records: new Set(),
};

/** The comparison kind of a type: ints and doubles compare with each other. */
function kindOf(type: ValueType): string {
  return type === "int" || type === "double" ? "number" : type;
}

function isNumeric(type: ValueType): boolean {
  return type === "int" || type === "double";
}

function isBoolish(type: ValueType): boolean {
  return type === "bool" || type === "dyn";
}

function isStringish(type: ValueType): boolean {
  return type === "string" || type === "dyn";
}

/** Whether an expression is a walkable JSON value (a path or comprehension variable). */
function isJsonish(e: FilterExpr): boolean {
  return e.kind === "json" || e.kind === "var";
}

/** The deepest `(`/`[`/`{` nesting of a CEL text, outside string literals. */
function bracketNesting(text: string): number {
  let depth = 0;
  let max = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const prev = text[i - 1];
      const raw = prev === "r" || prev === "R";
      const triple = text.startsWith(ch.repeat(3), i);
      const close = triple ? ch.repeat(3) : ch;
      i += close.length;
      while (i < text.length && !text.startsWith(close, i)) {
        i += !raw && text[i] === "\\" ? 2 : 1;
      }
      i += close.length;
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") {
      depth += 1;
      max = Math.max(max, depth);
    } else if (ch === ")" || ch === "]" || ch === "}") {
      depth -= 1;
    }
    i += 1;
  }
  return max;
}

/** The children of a parsed expression. */
function children(e: Expr): Expr[] {
  const k = e.exprKind;
  const out: (Expr | undefined)[] = [];
  switch (k.case) {
    case "selectExpr":
      out.push(k.value.operand);
      break;
    case "callExpr":
      out.push(k.value.target, ...k.value.args);
      break;
    case "listExpr":
      out.push(...k.value.elements);
      break;
    case "structExpr":
      for (const entry of k.value.entries) {
        out.push(entry.value);
        if (entry.keyKind.case === "mapKey") out.push(entry.keyKind.value);
      }
      break;
    case "comprehensionExpr":
      out.push(
        k.value.iterRange,
        k.value.accuInit,
        k.value.loopCondition,
        k.value.loopStep,
        k.value.result,
      );
      break;
    default:
      break;
  }
  return out.filter((c): c is Expr => c !== undefined);
}

/** The depth of a parsed tree, computed without recursion. */
function treeDepth(root: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[root, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [e, depth] = item;
    max = Math.max(max, depth);
    for (const c of children(e)) stack.push([c, depth + 1]);
  }
  return max;
}

/** Nest a long operand list of `and`/`or` so no node has more than {@link MAX_LOGIC_OPERANDS}. */
function logic(kind: "and" | "or", args: FilterExpr[]): FilterExpr {
  if (args.length === 1 && args[0] !== undefined) return args[0];
  if (args.length <= MAX_LOGIC_OPERANDS) return { kind, type: "bool", args };
  const groups: FilterExpr[] = [];
  for (let i = 0; i < args.length; i += MAX_LOGIC_OPERANDS) {
    groups.push(logic(kind, args.slice(i, i + MAX_LOGIC_OPERANDS)));
  }
  return logic(kind, groups);
}

const COMPARISONS: Record<string, "==" | "!=" | "<" | "<=" | ">" | ">="> = {
  "_==_": "==",
  "_!=_": "!=",
  "_<_": "<",
  "_<=_": "<=",
  "_>_": ">",
  "_>=_": ">=",
};
const ARITHMETIC: Record<string, "+" | "-" | "*" | "/" | "%"> = {
  "_+_": "+",
  "_-_": "-",
  "_*_": "*",
  "_/_": "/",
  "_%_": "%",
};
const TIME_GETTERS = new Set<FunctionName>([
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
const DURATION_GETTERS = new Set<string>([
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
]);

/** Type-checks one parsed expression into the filter AST. */
class Compiler {
  private readonly names: Declarations;
  private readonly messages: ReadonlySet<string>;

  constructor(
    private readonly text: string,
    private readonly parsed: Parsed,
    target: FilterTarget,
  ) {
    this.names = declarations(target);
    this.messages = MESSAGES[target];
  }

  /** The zero-based offset of a parsed node. */
  private offset(e: Expr): number | undefined {
    return this.parsed.sourceInfo?.positions[e.id.toString()];
  }

  /** ` at line:column` for a parsed node. */
  private where(e: Expr): string {
    const offset = this.offset(e);
    if (offset === undefined) return "";
    const before = this.text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return ` at ${line}:${column}`;
  }

  private fail(message: string, e: Expr): never {
    throw new FilterError(message + this.where(e), this.offset(e));
  }

  /** Compile the whole filter, which must be boolean. */
  compile(): FilterExpr {
    const result = this.convert(this.parsed.expr, new Set());
    if (!isBoolish(result.type)) {
      throw new FilterError(`filter must be a boolean expression, got ${result.type}`, 0);
    }
    return result;
  }

  private convert(e: Expr, scope: ReadonlySet<string>): FilterExpr {
    const k = e.exprKind;
    switch (k.case) {
      case "constExpr":
        return this.literal(e, k.value);
      case "identExpr":
        return this.ident(e, k.value.name, scope);
      case "selectExpr":
        return this.select(e, k.value, scope);
      case "callExpr":
        return this.call(e, k.value, scope);
      case "listExpr": {
        if (k.value.optionalIndices.length > 0)
          this.fail("optional list elements are not supported", e);
        return {
          kind: "list",
          type: "list",
          items: k.value.elements.map((x) => this.convert(x, scope)),
        };
      }
      case "structExpr":
        return this.fail("map and message literals are not supported", e);
      case "comprehensionExpr":
        return this.comprehension(e, k.value, scope);
      default:
        return this.fail("unsupported expression", e);
    }
  }

  private literal(e: Expr, c: ConstantValue): ConstExpr {
    const k = c.constantKind;
    switch (k.case) {
      case "boolValue":
        return constant("bool", k.value);
      case "int64Value": {
        const limit = 2n ** 53n - 1n;
        if (k.value > limit || k.value < -limit)
          this.fail(`integer ${k.value} is out of range (±2^53)`, e);
        return constant("int", Number(k.value));
      }
      case "doubleValue":
        if (!Number.isFinite(k.value)) this.fail("number is out of range", e);
        return constant("double", k.value);
      case "stringValue":
        return constant("string", k.value);
      case "nullValue":
        return constant("null", null);
      case "uint64Value":
        return this.fail("unsigned integers are not supported", e);
      case "bytesValue":
        return this.fail("bytes literals are not supported", e);
      default:
        return this.fail("unsupported literal", e);
    }
  }

  private ident(e: Expr, name: string, scope: ReadonlySet<string>): FilterExpr {
    if (scope.has(name)) return { kind: "var", type: "dyn", name };
    const found = this.names.get(name);
    if (found !== undefined) return structuredClone(found);
    if (this.messages.has(name)) {
      this.fail(`"${name}" is a message: select one of its fields, like ${name}.status`, e);
    }
    return this.fail(`undeclared reference to "${name}"`, e);
  }

  /** The dotted name of an identifier/field chain not rooted in a comprehension variable. */
  private qualifiedName(e: Expr, scope: ReadonlySet<string>): string | undefined {
    const k = e.exprKind;
    if (k.case === "identExpr") return scope.has(k.value.name) ? undefined : k.value.name;
    if (k.case === "selectExpr" && !k.value.testOnly && k.value.operand !== undefined) {
      const prefix = this.qualifiedName(k.value.operand, scope);
      return prefix === undefined ? undefined : `${prefix}.${k.value.field}`;
    }
    return undefined;
  }

  private select(e: Expr, sel: SelectValue, scope: ReadonlySet<string>): FilterExpr {
    const operand = sel.operand;
    if (operand === undefined) return this.fail("malformed field selection", e);
    const prefix = this.qualifiedName(operand, scope);
    const name = prefix === undefined ? undefined : `${prefix}.${sel.field}`;
    const declared = name === undefined ? undefined : this.names.get(name);
    if (sel.testOnly) {
      if (declared !== undefined) {
        if (declared.kind === "column")
          return { kind: "has", type: "bool", target: structuredClone(declared) };
        if (
          declared.kind === "json" &&
          "column" in declared.root &&
          declared.root.column === "summary.annotations"
        ) {
          // A summary is present exactly when its record column is.
          return { kind: "has", type: "bool", target: column("summary.record", "string") };
        }
        return this.fail(`has() cannot test "${name}"`, e);
      }
      if (prefix !== undefined && this.messages.has(prefix)) {
        this.fail(`unknown field "${sel.field}" of ${prefix}`, e);
      }
      const target = this.member(this.convert(operand, scope), sel.field, e);
      return { kind: "has", type: "bool", target };
    }
    if (declared !== undefined) return structuredClone(declared);
    if (prefix !== undefined && this.messages.has(prefix)) {
      return this.fail(`unknown field "${sel.field}" of ${prefix}`, e);
    }
    if (
      prefix !== undefined &&
      (prefix === "RecordSummary" ||
        prefix.startsWith("RecordSummary.") ||
        prefix.startsWith("tekton."))
    ) {
      return this.fail(`undeclared reference to "${name}"`, e);
    }
    return this.member(this.convert(operand, scope), sel.field, e);
  }

  /** `operand.key` / `operand[key]` on a JSON value. */
  private member(operand: FilterExpr, key: string | number, e: Expr): JsonExpr {
    if (operand.kind === "json") return { ...operand, path: [...operand.path, key] };
    if (operand.kind === "var")
      return { kind: "json", type: "dyn", root: { variable: operand.name }, path: [key] };
    const what = typeof key === "string" ? `select field "${key}" of` : "index";
    if (operand.type === "dyn") {
      return this.fail(
        `cannot ${what} a computed value: only data, annotations and comprehension variables can be walked into`,
        e,
      );
    }
    return this.fail(`cannot ${what} a value of type ${operand.type}`, e);
  }

  private call(e: Expr, c: CallValue, scope: ReadonlySet<string>): FilterExpr {
    const fn = c.function;
    const args = c.args;
    if (c.target === undefined) {
      if (fn === "_&&_" || fn === "_||_") return this.logical(e, fn, scope);
      if (fn === "!_" && args.length === 1 && args[0] !== undefined) {
        const arg = this.convert(args[0], scope);
        if (!isBoolish(arg.type)) this.fail(`operator ! needs a bool operand, got ${arg.type}`, e);
        return { kind: "not", type: "bool", arg };
      }
      if (fn === "-_" && args.length === 1 && args[0] !== undefined)
        return this.negate(e, this.convert(args[0], scope));
      const op = COMPARISONS[fn];
      if (op !== undefined && args.length === 2 && args[0] !== undefined && args[1] !== undefined) {
        return this.compare(e, op, this.convert(args[0], scope), this.convert(args[1], scope));
      }
      const arith = ARITHMETIC[fn];
      if (
        arith !== undefined &&
        args.length === 2 &&
        args[0] !== undefined &&
        args[1] !== undefined
      ) {
        return this.arithmetic(
          e,
          arith,
          this.convert(args[0], scope),
          this.convert(args[1], scope),
        );
      }
      if (fn === "@in" && args.length === 2 && args[0] !== undefined && args[1] !== undefined) {
        return this.membership(e, this.convert(args[0], scope), this.convert(args[1], scope));
      }
      if (
        fn === "_?_:_" &&
        args.length === 3 &&
        args[0] !== undefined &&
        args[1] !== undefined &&
        args[2] !== undefined
      ) {
        return this.conditional(
          e,
          this.convert(args[0], scope),
          this.convert(args[1], scope),
          this.convert(args[2], scope),
        );
      }
      if (fn === "_[_]" && args.length === 2 && args[0] !== undefined && args[1] !== undefined) {
        return this.index(e, this.convert(args[0], scope), this.convert(args[1], scope));
      }
      if (fn === "has") return this.fail("has() needs a field selection, like has(data.status)", e);
    }
    const converted = [...(c.target === undefined ? [] : [c.target]), ...args].map((a) =>
      this.convert(a, scope),
    );
    return this.function(e, fn, c.target !== undefined, converted);
  }

  private logical(e: Expr, fn: "_&&_" | "_||_", scope: ReadonlySet<string>): FilterExpr {
    // Flatten a chain of the same operator without recursion.
    const operands: Expr[] = [];
    const stack: Expr[] = [e];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      const k = next.exprKind;
      if (k.case === "callExpr" && k.value.function === fn && k.value.target === undefined) {
        for (let i = k.value.args.length - 1; i >= 0; i -= 1) {
          const arg = k.value.args[i];
          if (arg !== undefined) stack.push(arg);
        }
      } else {
        operands.push(next);
      }
    }
    const symbol = fn === "_&&_" ? "&&" : "||";
    const args = operands.map((operand) => {
      const converted = this.convert(operand, scope);
      if (!isBoolish(converted.type))
        this.fail(`operator ${symbol} needs bool operands, got ${converted.type}`, operand);
      return converted;
    });
    return logic(fn === "_&&_" ? "and" : "or", args);
  }

  /** Read a `dyn` operand as a timestamp (an RFC 3339 JSON string). */
  private toTimestamp(x: FilterExpr): FilterExpr {
    return { kind: "call", type: "timestamp", fn: "timestamp", args: [x] };
  }

  private compare(
    e: Expr,
    op: "==" | "!=" | "<" | "<=" | ">" | ">=",
    l: FilterExpr,
    r: FilterExpr,
  ): FilterExpr {
    let left = l;
    let right = r;
    for (const side of [left, right]) {
      if (side.type === "list" || side.type === "map")
        this.fail(`cannot compare ${side.type} values with ${op}`, e);
    }
    if (left.type === "dyn" && right.type === "timestamp") left = this.toTimestamp(left);
    if (right.type === "dyn" && left.type === "timestamp") right = this.toTimestamp(right);
    if (
      (left.type === "dyn" && right.type === "duration") ||
      (left.type === "duration" && right.type === "dyn")
    ) {
      this.fail("cannot compare a JSON value with a duration", e);
    }
    if (left.type !== "dyn" && right.type !== "dyn" && kindOf(left.type) !== kindOf(right.type)) {
      this.fail(`cannot compare ${left.type} with ${right.type}`, e);
    }
    if (op !== "==" && op !== "!=" && (left.type === "null" || right.type === "null")) {
      this.fail(`null cannot be ordered with ${op}`, e);
    }
    return { kind: "compare", type: "bool", op, left, right };
  }

  private membership(e: Expr, v: FilterExpr, collection: FilterExpr): FilterExpr {
    let value = v;
    if (collection.kind === "list") {
      if (
        value.type === "dyn" &&
        collection.items.length > 0 &&
        collection.items.every((i) => i.type === "timestamp")
      ) {
        value = this.toTimestamp(value);
      }
      for (const item of collection.items) {
        if (
          item.type === "list" ||
          item.type === "map" ||
          value.type === "list" ||
          value.type === "map"
        ) {
          this.fail('"in" does not support lists or maps as elements', e);
        }
        if (
          item.type !== "dyn" &&
          value.type !== "dyn" &&
          kindOf(item.type) !== kindOf(value.type)
        ) {
          this.fail(`cannot look for ${value.type} in a list with ${item.type} elements`, e);
        }
      }
      return { kind: "in", type: "bool", value, collection };
    }
    if (isJsonish(collection)) {
      if (value.type === "list" || value.type === "map")
        this.fail('"in" does not support lists or maps as elements', e);
      return { kind: "in", type: "bool", value, collection };
    }
    return this.fail(`"in" needs a list or a map, got ${collection.type}`, e);
  }

  private negate(e: Expr, arg: FilterExpr): FilterExpr {
    if (arg.type === "int" || arg.type === "double" || arg.type === "duration")
      return { kind: "neg", type: arg.type, arg };
    if (arg.type === "dyn") return { kind: "neg", type: "double", arg };
    return this.fail(`cannot negate ${arg.type}`, e);
  }

  private arithmetic(
    e: Expr,
    op: "+" | "-" | "*" | "/" | "%",
    l: FilterExpr,
    r: FilterExpr,
  ): FilterExpr {
    let left = l;
    let right = r;
    const temporal = (t: ValueType) => t === "timestamp" || t === "duration";
    if (left.type === "dyn" && temporal(right.type)) left = this.toTimestamp(left);
    if (right.type === "dyn" && temporal(left.type)) right = this.toTimestamp(right);
    const lt = left.type;
    const rt = right.type;
    const node = (type: ValueType): FilterExpr => ({ kind: "arith", type, op, left, right });
    const mismatch = (): never =>
      this.fail(`operator ${op} cannot be applied to ${lt} and ${rt}`, e);
    if (op === "%") {
      if ((lt === "int" || lt === "dyn") && (rt === "int" || rt === "dyn")) return node("int");
      return mismatch();
    }
    if (isNumeric(lt) && isNumeric(rt))
      return node(lt === "int" && rt === "int" ? "int" : "double");
    if ((isNumeric(lt) && rt === "dyn") || (lt === "dyn" && isNumeric(rt))) return node("double");
    if (lt === "dyn" && rt === "dyn") return node(op === "+" ? "dyn" : "double");
    if (op === "+") {
      if (isStringish(lt) && isStringish(rt)) return node("string");
      if (left.kind === "list" && right.kind === "list") {
        return {
          kind: "list",
          type: "list",
          items: [...left.items, ...right.items],
        } satisfies ListExpr;
      }
      if ((lt === "timestamp" && rt === "duration") || (lt === "duration" && rt === "timestamp"))
        return node("timestamp");
      if (lt === "duration" && rt === "duration") return node("duration");
    }
    if (op === "-") {
      if (lt === "timestamp" && rt === "timestamp") return node("duration");
      if (lt === "timestamp" && rt === "duration") return node("timestamp");
      if (lt === "duration" && rt === "duration") return node("duration");
    }
    return mismatch();
  }

  private conditional(e: Expr, test: FilterExpr, a: FilterExpr, b: FilterExpr): FilterExpr {
    if (!isBoolish(test.type)) this.fail(`the condition of ?: must be bool, got ${test.type}`, e);
    let then = a;
    let otherwise = b;
    if (then.type === "dyn" && otherwise.type === "timestamp") then = this.toTimestamp(then);
    if (otherwise.type === "dyn" && then.type === "timestamp")
      otherwise = this.toTimestamp(otherwise);
    const tt = then.type;
    const ot = otherwise.type;
    let type: ValueType;
    if (tt === ot) type = tt;
    else if (isNumeric(tt) && isNumeric(ot)) type = "double";
    else if (
      (tt === "dyn" || ot === "dyn") &&
      tt !== "duration" &&
      ot !== "duration" &&
      tt !== "list" &&
      ot !== "list"
    ) {
      type = "dyn";
    } else return this.fail(`the branches of ?: have different types ${tt} and ${ot}`, e);
    return { kind: "cond", type, test, then, otherwise };
  }

  private index(e: Expr, operand: FilterExpr, key: FilterExpr): FilterExpr {
    let step: string | number;
    if (key.kind === "const" && key.type === "string" && typeof key.value === "string")
      step = key.value;
    else if (
      key.kind === "const" &&
      key.type === "int" &&
      typeof key.value === "number" &&
      key.value >= 0
    )
      step = key.value;
    else return this.fail("an index must be a constant string or a non-negative integer", e);
    if (operand.kind === "list" && typeof step === "number") {
      const item = operand.items[step];
      if (item === undefined) this.fail(`index ${step} is out of range of the list`, e);
      return item;
    }
    return this.member(operand, step, e);
  }

  private comprehension(e: Expr, c: ComprehensionValue, scope: ReadonlySet<string>): FilterExpr {
    const macro = this.parsed.sourceInfo?.macroCalls[e.id.toString()];
    const name = macro?.exprKind.case === "callExpr" ? macro.exprKind.value.function : "";
    const step = c.loopStep?.exprKind;
    let kind: "exists" | "all" | "exists_one";
    let predicate: Expr | undefined;
    if ((name === "exists" || name === "all") && step?.case === "callExpr") {
      kind = name;
      predicate = step.value.args[1];
    } else if ((name === "exists_one" || name === "existsOne") && step?.case === "callExpr") {
      kind = "exists_one";
      predicate = step.value.args[0];
    } else {
      return this.fail(`unsupported macro "${name || "comprehension"}"`, e);
    }
    if (c.iterRange === undefined || predicate === undefined)
      return this.fail(`malformed ${name}()`, e);
    const range = this.convert(c.iterRange, scope);
    if (range.kind !== "list" && !isJsonish(range)) {
      this.fail(`${name}() needs a list or a map, got ${range.type}`, e);
    }
    const inner = new Set(scope);
    inner.add(c.iterVar);
    const body = this.convert(predicate, inner);
    if (!isBoolish(body.type))
      this.fail(`the predicate of ${name}() must be bool, got ${body.type}`, predicate);
    return { kind, type: "bool", range, variable: c.iterVar, predicate: body };
  }

  private function(e: Expr, fn: string, member: boolean, args: FilterExpr[]): FilterExpr {
    const types = args.map((a) => a.type);
    const noOverload = (): never =>
      this.fail(
        `no matching overload for ${member ? `${types[0]}.${fn}(${types.slice(1).join(", ")})` : `${fn}(${types.join(", ")})`}`,
        e,
      );
    const call = (
      name: FunctionName,
      type: ValueType,
      callArgs: FilterExpr[] = args,
    ): FilterExpr => ({
      kind: "call",
      type,
      fn: name,
      args: callArgs,
    });
    const [first, second] = args;
    switch (fn) {
      case "startsWith":
      case "endsWith":
      case "contains":
        if (!member || args.length !== 2 || !types.every(isStringish)) return noOverload();
        return call(fn, "bool");
      case "matches": {
        if (args.length !== 2 || !types.every(isStringish) || second === undefined)
          return noOverload();
        if (second.kind !== "const" || typeof second.value !== "string") {
          return this.fail("the pattern of matches() must be a string literal", e);
        }
        this.checkPattern(e, second.value);
        return call("matches", "bool");
      }
      case "size":
        if (args.length !== 1 || first === undefined) return noOverload();
        if (
          first.type !== "string" &&
          first.kind !== "list" &&
          !isJsonish(first) &&
          first.type !== "dyn"
        )
          return noOverload();
        return call("size", "int");
      case "timestamp": {
        if (member || args.length !== 1 || first === undefined) return noOverload();
        if (first.type === "timestamp") return first;
        if (first.kind === "const" && typeof first.value === "string") {
          const ms = parseTimestamp(first.value);
          if (ms === undefined)
            this.fail(
              `invalid timestamp "${first.value}" (want RFC 3339, like 2026-01-05T10:00:00Z)`,
              e,
            );
          return constant("timestamp", ms);
        }
        if (!isStringish(first.type)) return noOverload();
        return call("timestamp", "timestamp");
      }
      case "duration": {
        if (member || args.length !== 1 || first === undefined) return noOverload();
        if (first.type === "duration") return first;
        if (first.kind !== "const" || typeof first.value !== "string") {
          return this.fail('duration() needs a string literal, like duration("1h30m")', e);
        }
        const ms = parseDuration(first.value);
        if (ms === undefined)
          this.fail(`invalid duration "${first.value}" (want e.g. "1h30m", "90s", "250ms")`, e);
        return constant("duration", ms);
      }
      case "string":
        if (member || args.length !== 1 || first === undefined) return noOverload();
        if (first.type === "string") return first;
        if (!["int", "double", "bool", "dyn"].includes(first.type)) return noOverload();
        return call("string", "string");
      case "int":
        if (member || args.length !== 1 || first === undefined) return noOverload();
        if (first.type === "int") return first;
        if (!["double", "string", "timestamp", "dyn"].includes(first.type)) return noOverload();
        return call("int", "int");
      case "double":
        if (member || args.length !== 1 || first === undefined) return noOverload();
        if (first.type === "double") return first;
        if (!["int", "string", "dyn"].includes(first.type)) return noOverload();
        return call("double", "double");
      case "lowerAscii":
      case "upperAscii":
        if (!member || args.length !== 1 || !types.every(isStringish)) return noOverload();
        return call(fn, "string");
      default:
        break;
    }
    if (TIME_GETTERS.has(fn as FunctionName)) {
      const getter = fn as FunctionName;
      if (!member || args.length < 1 || args.length > 2 || first === undefined) return noOverload();
      if (first.type === "duration") {
        if (args.length !== 1 || !DURATION_GETTERS.has(fn)) return noOverload();
        return call(getter, "int");
      }
      let receiver = first;
      if (receiver.type === "dyn") receiver = this.toTimestamp(receiver);
      if (receiver.type !== "timestamp") return noOverload();
      if (second === undefined) return call(getter, "int", [receiver]);
      if (second.kind !== "const" || typeof second.value !== "string") {
        return this.fail(`the time zone of ${fn}() must be a string literal`, e);
      }
      const zone = normalizeTimeZone(second.value);
      if (zone === undefined) {
        this.fail(
          `unsupported time zone "${second.value}" (only "UTC" and fixed offsets like "+05:30")`,
          e,
        );
      }
      return call(getter, "int", [receiver, constant("string", zone)]);
    }
    return this.fail(`unsupported function "${fn}"`, e);
  }

  /** Reject a pattern RE2 refuses (the syntax of `matches()` on every backend). */
  private checkPattern(e: Expr, pattern: string): void {
    const problem = re2PatternError(pattern);
    if (problem !== undefined) {
      this.fail(
        `invalid regular expression ${JSON.stringify(pattern)} (RE2 syntax): ${problem}`,
        e,
      );
    }
  }
}

/**
 * Parse, type-check and compile a CEL filter. An empty or blank expression
 * compiles to `undefined` (no filter). Throws {@link FilterError} for any bad
 * input and nothing else.
 */
export function compileFilter(
  expression: string,
  options: CompileFilterOptions,
): FilterExpr | undefined {
  if (expression.trim() === "") return undefined;
  if (expression.length > MAX_FILTER_LENGTH) {
    throw new FilterError(
      `filter is too long: ${expression.length} characters, at most ${MAX_FILTER_LENGTH}`,
    );
  }
  if (bracketNesting(expression) > MAX_FILTER_NESTING) {
    throw new FilterError(
      `filter is nested too deeply: at most ${MAX_FILTER_NESTING} levels of brackets`,
    );
  }
  let parsed: Parsed;
  try {
    parsed = parse(expression);
  } catch (err) {
    throw celSyntaxError(expression, err);
  }
  if (treeDepth(parsed.expr) > MAX_FILTER_DEPTH) {
    throw new FilterError(
      `filter is nested too deeply: at most ${MAX_FILTER_DEPTH} levels of operators`,
    );
  }
  try {
    return new Compiler(expression, parsed, options.target).compile();
  } catch (err) {
    if (err instanceof FilterError) throw err;
    if (err instanceof RangeError) throw new FilterError("filter is nested too deeply");
    throw new FilterError(`invalid filter: ${err instanceof Error ? err.message : String(err)}`);
  }
}
