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

/** Build a fragment from a template: interpolations are fragments or {@link bind} values. */
export function sql(strings: TemplateStringsArray, ...values: (Sql | SqlBind)[]): Sql {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text !== "") parts.push(text);
    if (i < values.length) {
      const value = values[i]!;
      if (value instanceof Sql) parts.push(...value.parts);
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
    parts.push(...item.parts);
  });
  return new Sql(parts);
}

/** The text with `?` placeholders and the bindings, in order. */
export interface RenderedSql {
  sql: string;
  bindings: unknown[];
}

/** Render a fragment for `knex.raw(sql, bindings)` or a prepared statement. */
export function renderSql(fragment: Sql): RenderedSql {
  let text = "";
  const bindings: unknown[] = [];
  for (const part of fragment.parts) {
    if (typeof part === "string") text += part;
    else {
      // A space keeps two placeholders from reading as knex's `??` identifier mark.
      text += text.endsWith("?") ? " ?" : "?";
      bindings.push(part.bind);
    }
  }
  return { sql: text, bindings };
}

/** Concatenate rendered fragments, separated by spaces (so no `??` forms arise). */
export function concatRendered(...parts: RenderedSql[]): RenderedSql {
  return {
    sql: parts.map((p) => p.sql).join(" "),
    bindings: parts.flatMap((p) => p.bindings),
  };
}
