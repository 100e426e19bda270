/**
 * How the SQLite filter dialect reads JSON text: paths (`$.a[0]."b.c"`) where
 * SQLite's path syntax can spell the keys, `json_each` where it cannot, and
 * the JSON text of the rows `json_each` yields.
 *
 * @module
 */
import type { PathStep } from "@tekton-results/storage";
import { param, rawSql, sql, type Sql } from "@tekton-results/storage-sql";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Characters a quoted key of a SQLite JSON path cannot hold: a double quote
 * ends it, a backslash escapes (`."\"` is a malformed path), and the path
 * text ends at NUL. A key with one of them was an Internal error (found by
 * the injection test, `test/injection.test.ts`); it is read with `json_each`.
 */
const unspellable = (key: string): boolean =>
  key.includes('"') || key.includes("\\") || key.includes("\u0000");

/**
 * The SQL for a `$...` JSON path step; `null` for an index no array has,
 * `undefined` for a key SQLite paths cannot spell (one with a double quote,
 * a backslash or NUL).
 */
export function pathStep(step: PathStep): string | null | undefined {
  if (typeof step === "number") return Number.isSafeInteger(step) && step >= 0 ? `[${step}]` : null;
  if (IDENTIFIER.test(step)) return `.${step}`;
  if (!unspellable(step)) return `."${step}"`;
  return undefined;
}

/** The value of a JSON scalar (its type already tested). */
export function jsonScalar(json: Sql): Sql {
  return sql`(${json} ->> '$')`;
}

/** JSON text of the current value of a `json_each` row aliased `each`. */
export function valueJson(each: string): Sql {
  const a = rawSql(each);
  return sql`(CASE ${a}.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' WHEN 'array' THEN ${a}.value WHEN 'object' THEN ${a}.value ELSE json_quote(${a}.value) END)`;
}

/** JSON text of an element of a `json_each` over an array, or the key over an object. */
export function elementJson(each: string): Sql {
  const a = rawSql(each);
  return sql`(CASE WHEN typeof(${a}.key) = 'text' THEN json_quote(${a}.key) ELSE ${valueJson(each)} END)`;
}

/**
 * JSON text at `path` below the JSON text `root`; NULL when missing. Runs of
 * steps become one `->` path; `alias` names a `json_each` for a key the path
 * syntax cannot spell.
 */
export function walkJson(root: Sql, path: readonly PathStep[], alias: () => string): Sql {
  let current = root;
  let pending = "$";
  const flush = (): void => {
    if (pending !== "$") current = sql`(${current} -> ${param(pending)})`;
    pending = "$";
  };
  for (const step of path) {
    const text = pathStep(step);
    if (text === null) return rawSql("NULL", true);
    if (text !== undefined) {
      pending += text;
      continue;
    }
    flush();
    const each = alias();
    current = sql`(SELECT ${valueJson(each)} FROM json_each(${current}) AS ${rawSql(each)} WHERE ${rawSql(each)}.key = ${param(step)})`;
  }
  flush();
  return current;
}
