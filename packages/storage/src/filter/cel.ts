/**
 * Compiles CEL filter expressions to the backend-neutral filter AST.
 *
 * Parsing is `@bufbuild/cel`'s; this module type-checks the parsed tree
 * against the variables of the filter's target (see the API contract,
 * "Filters (CEL)") and produces a typed {@link FilterExpr}. Every problem is a
 * {@link FilterError} whose message says what is wrong and where
 * (`line:column`, 1-based).
 *
 * This is the entry: the size limits (`cel-limits.ts`), parsing, then the
 * walk (`cel-compiler.ts`) over the target's names (`cel-declarations.ts`),
 * which hands operators, macros and functions to `cel-operators.ts`,
 * `cel-macros.ts` and `cel-functions.ts`.
 *
 * @module
 */
import { parse } from "@bufbuild/cel";
import type { FilterExpr, FilterTarget } from "./ast.js";
import type { Parsed } from "./cel-context.js";
import { Compiler } from "./cel-compiler.js";
import {
  bracketNesting,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_NESTING,
  treeDepth,
} from "./cel-limits.js";
import { celSyntaxError } from "./cel-syntax.js";
import { FilterError } from "./errors.js";

export {
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_NESTING,
  MAX_LOGIC_OPERANDS,
} from "./cel-limits.js";

/** Options of {@link compileFilter}. */
export interface CompileFilterOptions {
  /** Which resource the filter ranges over: decides its variables. */
  target: FilterTarget;
  /** The longest filter accepted, in characters. Default {@link MAX_FILTER_LENGTH}. */
  maxLength?: number;
  /**
   * The deepest parsed expression accepted, in levels of operators (at most
   * {@link MAX_FILTER_NESTING} of them brackets). Default {@link MAX_FILTER_DEPTH}.
   */
  maxDepth?: number;
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
  const maxLength = options.maxLength ?? MAX_FILTER_LENGTH;
  const maxDepth = options.maxDepth ?? MAX_FILTER_DEPTH;
  const maxNesting = Math.min(MAX_FILTER_NESTING, maxDepth);
  if (expression.length > maxLength) {
    throw new FilterError(
      `filter is too long: ${expression.length} characters, at most ${maxLength}`,
    );
  }
  if (bracketNesting(expression) > maxNesting) {
    throw new FilterError(`filter is nested too deeply: at most ${maxNesting} levels of brackets`);
  }
  let parsed: Parsed;
  try {
    parsed = parse(expression);
  } catch (err) {
    throw celSyntaxError(expression, err);
  }
  if (treeDepth(parsed.expr) > maxDepth) {
    throw new FilterError(`filter is nested too deeply: at most ${maxDepth} levels of operators`);
  }
  try {
    return new Compiler(expression, parsed, options.target).compile();
  } catch (err) {
    if (err instanceof FilterError) throw err;
    if (err instanceof RangeError) throw new FilterError("filter is nested too deeply");
    throw new FilterError(`invalid filter: ${err instanceof Error ? err.message : String(err)}`);
  }
}
