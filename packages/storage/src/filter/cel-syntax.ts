/**
 * Syntax errors a person can act on.
 *
 * `@bufbuild/cel`'s parser is a PEG parser that backtracks: when the text
 * after a complete expression cannot be read, it reports the place where the
 * longest complete expression ended ("found = but expecting end of input"),
 * not what is missing. `data.reason == ` then points at `==`, and
 * `a == 1 and b == 2` at `and`, without saying why. This module looks at the
 * text around the parser's position and says what is wrong in the words of
 * the filter: a missing operand, an unclosed bracket or string, `and` where
 * CEL spells `&&`. Anything it does not recognise keeps the parser's own
 * message, shortened.
 *
 * @module
 */
import { parse } from "@bufbuild/cel";
import { FilterError } from "./errors.js";

/** The longest parser message kept in a syntax error. */
const MAX_SYNTAX_MESSAGE = 160;

/** What a peggy syntax error carries. */
interface PegSyntaxError {
  rawMessage?: unknown;
  message?: unknown;
  found?: unknown;
  expected?: unknown;
  location?: { start?: { offset?: number } };
}

/** A diagnosis: what is wrong, and at which zero-based offset. */
interface Diagnosis {
  offset: number;
  message: string;
}

/** Operators CEL spells differently from other languages, and what to write instead. */
const FOREIGN_WORDS: Record<string, string> = {
  and: "&&",
  or: "||",
  not: "!",
};

/** Binary (and ternary) operators, longest first. */
const BINARY_OPERATOR = /^(==|!=|<=|>=|&&|\|\||<|>|\+|-|\*|\/|%|\?|:|in\b)/;

/**
 * Turn an exception of `@bufbuild/cel`'s `parse(expression)` into a
 * {@link FilterError} whose message says what is wrong and where
 * (`syntax error at line:column: ...`), with the offset as its position.
 */
export function celSyntaxError(expression: string, err: unknown): FilterError {
  if (err instanceof RangeError) return new FilterError("filter is nested too deeply");
  const diagnosis = lexicalProblem(expression) ?? diagnose(expression, err, 0);
  if (diagnosis) return located(expression, diagnosis);
  const e = err as PegSyntaxError;
  const offset = e.location?.start?.offset;
  const message = parserMessage(e, String(err));
  if (offset === undefined) return new FilterError(`syntax error: ${message}`);
  return located(expression, { offset, message });
}

function located(expression: string, { offset, message }: Diagnosis): FilterError {
  const before = expression.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return new FilterError(`syntax error at ${line}:${column}: ${message}`, offset);
}

/** The parser's own message without its `<input>:l:c:` prefix, its list of tokens summarised. */
function parserMessage(e: PegSyntaxError, fallback: string): string {
  const expected = Array.isArray(e.expected) ? e.expected : [];
  if (expected.length > 4) {
    // The parser lists every token that may start an expression.
    return typeof e.found === "string" && e.found !== ""
      ? `expected an operand, found "${e.found}"`
      : "expected an operand, but the filter ends";
  }
  const full =
    typeof e.rawMessage === "string"
      ? e.rawMessage
      : typeof e.message === "string"
        ? e.message.replace(/^<input>:\d+:\d+: /, "")
        : fallback;
  return full.length > MAX_SYNTAX_MESSAGE ? `${full.slice(0, MAX_SYNTAX_MESSAGE)}…` : full;
}

/**
 * Unterminated strings and unbalanced brackets, found by a scan that knows
 * CEL's string literals (quotes, triple quotes, raw and bytes prefixes,
 * escapes) and comments, so brackets inside strings do not count.
 */
function lexicalProblem(text: string): Diagnosis | undefined {
  const open: { char: string; offset: number }[] = [];
  const closing: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const prefix = /[rRbB]{1,2}$/.exec(text.slice(Math.max(0, i - 2), i))?.[0] ?? "";
      const raw = /[rR]/.test(prefix);
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      let closed = false;
      while (j < text.length) {
        if (!raw && text[j] === "\\") {
          j += 2;
          continue;
        }
        if (!triple && text[j] === "\n") break;
        if (text.startsWith(quote, j)) {
          closed = true;
          j += quote.length;
          break;
        }
        j++;
      }
      if (!closed) {
        return {
          offset: i - prefix.length,
          message: `string literal is never closed (no ${quote})`,
        };
      }
      i = j;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") open.push({ char: c, offset: i });
    else if (c in closing) {
      const top = open.pop();
      if (!top) return { offset: i, message: `unmatched "${c}"` };
      if (top.char !== closing[c]) {
        return {
          offset: i,
          message: `"${c}" does not close "${top.char}" (opened at offset ${top.offset})`,
        };
      }
    }
    i++;
  }
  const unclosed = open.pop();
  if (unclosed) {
    const close = unclosed.char === "(" ? ")" : unclosed.char === "[" ? "]" : "}";
    return {
      offset: unclosed.offset,
      message: `"${unclosed.char}" is never closed (no "${close}")`,
    };
  }
  return undefined;
}

/**
 * When the parser stopped after a complete expression, say what the text
 * that follows is missing; `base` is the offset of `text` in the filter.
 */
function diagnose(text: string, err: unknown, base: number): Diagnosis | undefined {
  const e = err as PegSyntaxError;
  const at = e.location?.start?.offset;
  if (at === undefined) return undefined;
  const expected = Array.isArray(e.expected) ? (e.expected as { type?: unknown }[]) : [];
  if (expected.length === 0 || !expected.every((x) => x.type === "end")) {
    if (expected.length > 4) {
      // Nothing that starts an operand was found here.
      const rest = text.slice(at).trimStart();
      const offset = base + text.length - rest.length;
      if (rest === "") return { offset, message: "missing operand at the end of the filter" };
      const word = /^[A-Za-z_]\w*/.exec(rest)?.[0];
      if (word && word.toLowerCase() in FOREIGN_WORDS) return foreignWord(word, offset);
      return { offset, message: `expected an operand, found "${word ?? rest[0]!}"` };
    }
    return undefined;
  }

  const rest = text.slice(at);
  const trimmed = rest.trimStart();
  const offset = base + at + (rest.length - trimmed.length);

  // A word that reads as an operator in SQL or Python.
  const word = /^[A-Za-z_]\w*/.exec(trimmed)?.[0];
  if (word && word.toLowerCase() in FOREIGN_WORDS) return foreignWord(word, offset);
  // `not x`: the parser read `not` as a name and stopped before `x`.
  const previous = /([A-Za-z_]\w*)\s*$/.exec(text.slice(0, at));
  if (previous && previous[1]!.toLowerCase() === "not") {
    return foreignWord(previous[1]!, base + previous.index);
  }

  if (/^(===|!==)/.test(trimmed)) {
    return {
      offset,
      message: `"${trimmed.slice(0, 3)}" is not a CEL operator: use ${trimmed.slice(0, 2)}`,
    };
  }
  if (/^=(?!=)/.test(trimmed)) {
    return { offset, message: `"=" is not a comparison: use ==` };
  }
  if (/^&(?!&)/.test(trimmed)) return { offset, message: `"&" is not a CEL operator: use &&` };
  if (/^\|(?!\|)/.test(trimmed)) return { offset, message: `"|" is not a CEL operator: use ||` };
  if (/^\.\s*($|[^A-Za-z_\s])/.test(trimmed)) {
    return { offset, message: `missing field name after "."` };
  }

  const op = BINARY_OPERATOR.exec(trimmed)?.[0];
  if (op) {
    const operand = trimmed.slice(op.length);
    const operandBase = offset + op.length;
    if (operand.trim() === "") {
      return { offset: base + text.length, message: `missing operand after "${op}"` };
    }
    try {
      parse(operand);
    } catch (inner) {
      return diagnose(operand, inner, operandBase);
    }
  }
  return undefined;
}

function foreignWord(word: string, offset: number): Diagnosis {
  const instead = FOREIGN_WORDS[word.toLowerCase()]!;
  return { offset, message: `"${word}" is not a CEL operator: use ${instead}` };
}
