/**
 * A tiny SQL fragment builder shared by the SQL storage adapters: text only
 * from template literals in the adapter's code, values only as bound `?`
 * parameters (knex's placeholder), whatever the dialect. Embedding a fragment twice embeds
 * its bindings twice, so positional `?` parameters always line up.
 *
 * @module
 */

/** A value to bind to a `?` placeholder. */
export interface SqlBind {
  readonly bind: unknown;
}

type Part = string | SqlBind;

/** A SQL fragment: text and bound values in order. */
export class Sql {
  /**
   * @param parts text pieces and bound values, in order
   * @param simple true when the fragment is a column reference or a single
   *   bound value, cheap to repeat
   */
  constructor(
    readonly parts: readonly Part[],
    readonly simple = false,
  ) {}
}

/**
 * A bound value. The SQL around it decides its type: SQLite wants integers as
 * `bigint` where they must be INTEGER; PostgreSQL casts (`?::float8`, `?::text`).
 */
export function bind(value: unknown): SqlBind {
  return { bind: value };
}

/** A fragment made of one bound value. */
export function param(value: unknown): Sql {
  return new Sql([bind(value)], true);
}

/**
 * Literal SQL text that is not a value: keywords, operators, identifiers
 * chosen by this package's code. Never pass data to it.
 */
export function rawSql(text: string, simple = false): Sql {
  return new Sql([text], simple);
}

/**
 * Append `more` to `parts` one by one: `push(...more)` passes each part as an
 * argument and overflows the stack once a fragment has some 100,000 parts
 * (a filter of thousands of list items).
 */
function appendParts(parts: Part[], more: readonly Part[]): void {
  for (const part of more) parts.push(part);
}

/** Build a fragment from a template: interpolations are fragments or {@link bind} values. */
export function sql(strings: TemplateStringsArray, ...values: (Sql | SqlBind)[]): Sql {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text !== "") parts.push(text);
    if (i < values.length) {
      const value = values[i]!;
      if (value instanceof Sql) appendParts(parts, value.parts);
      else parts.push(value);
    }
  });
  return new Sql(parts);
}

/** Join fragments with a literal separator. */
export function joinSql(items: readonly Sql[], separator: string): Sql {
  const parts: Part[] = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push(separator);
    appendParts(parts, item.parts);
  });
  return new Sql(parts);
}

/** At most this many operands in one flat `AND`/`OR` chain of {@link joinLogic}. */
export const MAX_FLAT_LOGIC_OPERANDS = 32;

/**
 * `(a AND b AND ...)` / `(a OR b OR ...)`, parenthesized in groups of
 * {@link MAX_FLAT_LOGIC_OPERANDS} so the expression tree the database parses
 * grows with the logarithm of the operand count, not with the count: SQLite
 * parses a flat chain as a tree as deep as it is long, and refuses one deeper
 * than 1,000 ("Expression tree is too large"). `items` must not be empty.
 */
export function joinLogic(items: readonly Sql[], op: "AND" | "OR"): Sql {
  if (items.length <= MAX_FLAT_LOGIC_OPERANDS) return sql`(${joinSql(items, ` ${op} `)})`;
  const groups: Sql[] = [];
  const size = Math.ceil(items.length / MAX_FLAT_LOGIC_OPERANDS);
  for (let i = 0; i < items.length; i += size) groups.push(joinLogic(items.slice(i, i + size), op));
  return joinLogic(groups, op);
}

/** The text with `?` placeholders and the bindings, in order. */
export interface RenderedSql {
  sql: string;
  bindings: unknown[];
}

/** Render a fragment for `knex.raw(sql, bindings)` or a prepared statement. */
export function renderSql(fragment: Sql): RenderedSql {
  const pieces: string[] = [];
  const bindings: unknown[] = [];
  // Whether the text so far ends with "?" (asking the growing string itself
  // flattens it each time: quadratic in the parts of a large filter).
  let endsWithMark = false;
  for (const part of fragment.parts) {
    if (typeof part === "string") {
      if (part === "") continue;
      pieces.push(part);
      endsWithMark = part.endsWith("?");
    } else {
      // A space keeps two placeholders from reading as knex's `??` identifier mark.
      pieces.push(endsWithMark ? " ?" : "?");
      endsWithMark = true;
      bindings.push(part.bind);
    }
  }
  return { sql: pieces.join(""), bindings };
}

/** Concatenate rendered fragments, separated by spaces (so no `??` forms arise). */
export function concatRendered(...parts: RenderedSql[]): RenderedSql {
  return {
    sql: parts.map((p) => p.sql).join(" "),
    bindings: parts.flatMap((p) => p.bindings),
  };
}
