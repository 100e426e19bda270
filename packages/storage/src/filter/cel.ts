/**
 * Compiles CEL filter expressions to the filter AST. (Being implemented.)
 * @module
 */
import type { FilterExpr, FilterTarget } from "./ast.js";
import { FilterError } from "./errors.js";

/** Options of {@link compileFilter}. */
export interface CompileFilterOptions {
  /** Which resource the filter ranges over: decides its variables. */
  target: FilterTarget;
}

/**
 * Parse, type-check and compile a CEL filter. An empty or blank expression
 * compiles to `undefined` (no filter). Throws {@link FilterError}.
 */
export function compileFilter(expression: string, options: CompileFilterOptions): FilterExpr | undefined {
  if (expression.trim() === "") return undefined;
  throw new FilterError(`filters are not implemented yet (${options.target})`);
}
