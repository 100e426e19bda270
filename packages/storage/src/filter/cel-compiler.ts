/**
 * The walk of the CEL compiler: a {@link Compiler} type-checks one parsed
 * expression against the declarations of the filter's target, node by node,
 * handing operators, macros and functions to their modules.
 *
 * @module
 */
import type { ConstExpr, FilterExpr, FilterTarget, JsonExpr } from "./ast.js";
import {
  constant,
  isBoolish,
  type CallValue,
  type CelContext,
  type ConstantValue,
  type Expr,
  type Parsed,
  type SelectValue,
} from "./cel-context.js";
import { column, declarations, MESSAGES, type Declarations } from "./cel-declarations.js";
import { callFunction } from "./cel-functions.js";
import { comprehension } from "./cel-macros.js";
import {
  ARITHMETIC,
  arithmetic,
  COMPARISONS,
  compare,
  conditional,
  logical,
  membership,
  negate,
} from "./cel-operators.js";
import { FilterError } from "./errors.js";

/** Type-checks one parsed expression into the filter AST. */
export class Compiler implements CelContext {
  private readonly names: Declarations;
  private readonly messages: ReadonlySet<string>;

  constructor(
    private readonly text: string,
    readonly parsed: Parsed,
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

  /** Throw a {@link FilterError} for `e`, its message ending with ` at line:column`. */
  fail(message: string, e: Expr): never {
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

  /** Compile a parsed node; `scope` holds the comprehension variables in reach. */
  convert(e: Expr, scope: ReadonlySet<string>): FilterExpr {
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
        return comprehension(this, e, k.value, scope);
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
      if (fn === "_&&_" || fn === "_||_") return logical(this, e, fn, scope);
      if (fn === "!_" && args.length === 1 && args[0] !== undefined) {
        const arg = this.convert(args[0], scope);
        if (!isBoolish(arg.type)) this.fail(`operator ! needs a bool operand, got ${arg.type}`, e);
        return { kind: "not", type: "bool", arg };
      }
      if (fn === "-_" && args.length === 1 && args[0] !== undefined)
        return negate(this, e, this.convert(args[0], scope));
      const op = COMPARISONS[fn];
      if (op !== undefined && args.length === 2 && args[0] !== undefined && args[1] !== undefined) {
        return compare(this, e, op, this.convert(args[0], scope), this.convert(args[1], scope));
      }
      const arith = ARITHMETIC[fn];
      if (
        arith !== undefined &&
        args.length === 2 &&
        args[0] !== undefined &&
        args[1] !== undefined
      ) {
        return arithmetic(
          this,
          e,
          arith,
          this.convert(args[0], scope),
          this.convert(args[1], scope),
        );
      }
      if (fn === "@in" && args.length === 2 && args[0] !== undefined && args[1] !== undefined) {
        return membership(this, e, this.convert(args[0], scope), this.convert(args[1], scope));
      }
      if (
        fn === "_?_:_" &&
        args.length === 3 &&
        args[0] !== undefined &&
        args[1] !== undefined &&
        args[2] !== undefined
      ) {
        return conditional(
          this,
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
    return callFunction(this, e, fn, c.target !== undefined, converted);
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
}
