/**
 * kubectl's `-o jsonpath=<template>`: text with `{...}` actions (`{.items[*].metadata.name}`,
 * `{range .items[*]}...{end}`, `{"\n"}`), printed as kubectl prints it.
 *
 * The template layer (text, actions, `range`/`end`, quoted strings, kubectl's `\.` escapes in
 * field names, how results are printed) is written here; each path inside an action is
 * evaluated by `jsonpath-plus`. No npm library implements kubectl's template dialect (the
 * JSONPath libraries evaluate one path, not a template); see the README.
 *
 * @module
 */
import { JSONPath } from "jsonpath-plus";
import { CliError } from "./errors.js";

/** A piece of a parsed template. */
type Node =
  | { kind: "text"; text: string }
  | { kind: "path"; path: string }
  | { kind: "range"; path: string; body: Node[] };

function fail(template: string, why: string): never {
  throw new CliError(`error parsing jsonpath ${template}: ${why}`);
}

/** The end of the action that starts after `{` at `from`: the index of its `}`. */
function actionEnd(template: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < template.length; i++) {
    const c = template[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") {
      if (--depth < 0) fail(template, `unexpected ${c}`);
    } else if (c === "}" && depth === 0) return i;
  }
  if (quote) fail(template, "unterminated quoted string");
  if (depth > 0) fail(template, "unclosed array expect ]");
  return fail(template, "unclosed action");
}

/** A Go-quoted string literal (`"a\tb"`, `'x'`) as its text. */
function unquote(template: string, literal: string): string {
  if (literal.startsWith("'")) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return fail(template, `invalid string literal ${literal}`);
  }
}

/**
 * Parse a template into text and actions; a {@link CliError} (`error parsing jsonpath ...`) for
 * an unclosed action or bracket, a `{range}` without `{end}` or an `{end}` without `{range}`, or
 * an action that is not a path, a string, `range` or `end`.
 */
export function parseJsonPathTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: { body: Node[] }[] = [{ body: root }];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf("{", at);
    const text = template.slice(at, open < 0 ? template.length : open);
    if (text !== "") stack[stack.length - 1]!.body.push({ kind: "text", text });
    if (open < 0) break;
    const close = actionEnd(template, open + 1);
    const action = template.slice(open + 1, close).trim();
    at = close + 1;
    const body = stack[stack.length - 1]!.body;
    if (action === "end") {
      if (stack.length === 1) fail(template, "not in range, nothing to end");
      stack.pop();
    } else if (/^range\s/.test(action)) {
      const node: Node = {
        kind: "range",
        path: checkPath(template, action.slice(6).trim()),
        body: [],
      };
      body.push(node);
      stack.push(node);
    } else if (/^(["']).*\1$/s.test(action)) {
      body.push({ kind: "text", text: unquote(template, action) });
    } else if (action !== "") {
      body.push({ kind: "path", path: checkPath(template, action) });
    }
  }
  if (stack.length > 1) fail(template, "range without end");
  return root;
}

/** The index of the `]` that closes the `[` at `from` (quotes and nesting respected), or -1. */
function closingBracket(path: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < path.length; i++) {
    const c = path[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) return i;
  }
  return -1;
}

const PLAIN_NAME = /^(?:\*|[A-Za-z_$][\w$]*)$/;

/**
 * A kubectl path (`.a.b`, `$.a`, `@.a`, `..a`, `.a[*]`, `.labels.tekton\.dev/pipeline`) as a
 * jsonpath-plus path from the current object: `$` first, a field name with characters outside
 * `[A-Za-z0-9_$]` (or escaped dots) in brackets.
 */
function checkPath(template: string, path: string): string {
  let rest: string;
  if (path.startsWith("$") || path.startsWith("@")) rest = path.slice(1);
  else if (path.startsWith(".") || path.startsWith("[")) rest = path;
  else return fail(template, `unrecognized identifier ${path}`);
  let out = "$";
  let i = 0;
  while (i < rest.length) {
    const c = rest[i]!;
    if (c === "[") {
      const j = closingBracket(rest, i);
      if (j < 0) fail(template, "unclosed array expect ]");
      out += rest.slice(i, j + 1);
      i = j + 1;
    } else if (c === ".") {
      const deep = rest[i + 1] === ".";
      i += deep ? 2 : 1;
      let name = "";
      while (i < rest.length && rest[i] !== "." && rest[i] !== "[") {
        if (rest[i] === "\\" && rest[i + 1] === ".") {
          name += ".";
          i += 2;
        } else name += rest[i++];
      }
      if (name === "") {
        if (deep) out += "..";
        else if (i < rest.length && rest[i] !== "[") fail(template, `empty field name in ${path}`);
        continue;
      }
      out += (deep ? ".." : ".") + (PLAIN_NAME.test(name) ? name : `[${JSON.stringify(name)}]`);
    } else {
      return fail(template, `unrecognized character in ${path}: ${c}`);
    }
  }
  return out;
}

/** Values of `path` from `data` (kubectl allows missing keys: none is an empty list). */
function evaluate(path: string, data: unknown): unknown[] {
  if (path === "$") return [data];
  if (data === null || typeof data !== "object") return [];
  return JSONPath({
    path,
    json: data as object,
    wrap: true,
    ignoreEvalErrors: true,
    eval: "safe",
  }) as unknown[];
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** JSON as Go's encoding/json writes it: keys sorted, `<`, `>`, `&` escaped. */
function goJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

/** One result as kubectl prints it: strings as they are, objects and lists as JSON. */
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "object") return goJson(value);
  return String(value);
}

function execute(nodes: Node[], data: unknown, asJson: boolean): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") {
      out += asJson ? goJson([node.text], 4) + "\n" : node.text;
    } else if (node.kind === "path") {
      const values = evaluate(node.path, data);
      out += asJson ? goJson(values, 4) + "\n" : values.map(text).join(" ");
    } else {
      for (const item of evaluate(node.path, data)) out += execute(node.body, item, asJson);
    }
  }
  return out;
}

/**
 * Print `data` through a kubectl JSONPath template. `asJson` is kubectl's
 * `-o jsonpath-as-json=...`: each action's results as an indented JSON list.
 */
export function printJsonPath(template: string, data: unknown, asJson = false): string {
  return execute(parseJsonPathTemplate(template), data, asJson);
}
