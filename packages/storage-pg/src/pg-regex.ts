/**
 * Translation of RE2 patterns (the syntax of `matches()`) to PostgreSQL
 * advanced regular expressions (AREs) with the same matches.
 *
 * PostgreSQL's engine is not RE2: its `.` matches a newline, `\w` and `\b`
 * follow the locale, `(?i)` is only allowed at the very start, `{n,m}` stops
 * at 255, and `\d`-style classes, POSIX classes and case folding differ. The
 * translation parses the RE2 pattern and writes explicit constructs
 * instead: every character class becomes an explicit bracket of code points
 * (case folding done here, with RE2's simple folding), `.` becomes
 * `[^\n]` unless `(?s)`, `\b` becomes look-around on `[0-9A-Za-z_]`, `(?m)`
 * anchors become look-around on `\n`, groups become non-capturing, and lazy
 * quantifiers become greedy (only whether a match exists matters).
 *
 * Refused (a `StorageError` `invalid_argument`): Unicode classes
 * (`\pL`, `\p{Greek}`), repeat counts above 255, and a class that matches
 * nothing. The pattern must already be valid RE2 (checked by the CEL compiler).
 *
 * ARE has no catastrophic backtracking for patterns without backreferences
 * (which RE2 syntax cannot express), so `^(a+)+$` stays fast on long values.
 *
 * @module
 */
import { re2CaseFolds } from "@tekton-results/storage";
import { unsupportedFilter } from "@tekton-results/storage-sql";

type Ranges = [number, number][];

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

interface Piece {
  text: string;
  /** `atom`: one character, class or group; `assert`: zero width; `seq`: anything else. */
  kind: "atom" | "assert" | "seq";
}

const MAX_CODE_POINT = 0x10ffff;
/** PostgreSQL's largest repeat count (`DUPMAX`). */
const MAX_REPEAT = 255;
/** Above this many code points, a case-insensitive range is refused. */
const MAX_FOLDED_RANGE = 1024;

const WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const PERL_CLASSES: Record<string, Ranges> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: WORD,
};
const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};
const CONTROL_ESCAPES: Record<string, number> = {
  a: 0x07,
  f: 0x0c,
  t: 0x09,
  n: 0x0a,
  r: 0x0d,
  v: 0x0b,
};

function normalize(ranges: Ranges): Ranges {
  const sorted = ranges.map((r): [number, number] => [r[0], r[1]]).sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

function complement(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function fold(ranges: Ranges): Ranges {
  const out: Ranges = [...ranges];
  for (const [lo, hi] of ranges) {
    if (hi - lo >= MAX_FOLDED_RANGE) {
      throw unsupportedFilter(
        `a case-insensitive character range wider than ${MAX_FOLDED_RANGE} characters in a matches() pattern (on PostgreSQL)`,
      );
    }
    for (let cp = lo; cp <= hi; cp++) {
      for (const c of re2CaseFolds(cp)) if (c !== cp) out.push([c, c]);
    }
  }
  return normalize(out);
}

function hexEscape(cp: number): string {
  return cp <= 0xffff
    ? `\\u${cp.toString(16).padStart(4, "0")}`
    : `\\U${cp.toString(16).padStart(8, "0")}`;
}

function isAlnum(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
}

/** One literal code point outside brackets. */
function literal(cp: number): string {
  if (isAlnum(cp) || (cp >= 0xa0 && !(cp >= 0x2028 && cp <= 0x2029))) {
    return String.fromCodePoint(cp);
  }
  return hexEscape(cp);
}

/** A set of code points as an ARE atom. */
function classText(ranges: Ranges): string {
  const set = normalize(ranges);
  if (set.length === 0) {
    throw unsupportedFilter(
      "a character class that matches nothing in a matches() pattern (on PostgreSQL)",
    );
  }
  if (set.length === 1 && set[0]![0] === 0 && set[0]![1] === MAX_CODE_POINT) return "(?:.|\\n)";
  if (set.length === 1 && set[0]![0] === set[0]![1]) return literal(set[0]![0]);
  const body = (rs: Ranges) =>
    rs
      .map(([lo, hi]) => {
        const a = isAlnum(lo) ? String.fromCodePoint(lo) : hexEscape(lo);
        const b = isAlnum(hi) ? String.fromCodePoint(hi) : hexEscape(hi);
        return lo === hi ? a : `${a}-${b}`;
      })
      .join("");
  // A bracket never names U+0000 (not a valid character of a PostgreSQL text).
  return set[0]![0] === 0 ? `[^${body(complement(set))}]` : `[${body(set)}]`;
}

const WORD_CLASS = "[0-9A-Za-z_]";
const ASSERTIONS: Record<string, string> = {
  A: "^",
  z: "$",
  b: `(?:(?<=${WORD_CLASS})(?!${WORD_CLASS})|(?<!${WORD_CLASS})(?=${WORD_CLASS}))`,
  B: `(?:(?<=${WORD_CLASS})(?=${WORD_CLASS})|(?<!${WORD_CLASS})(?!${WORD_CLASS}))`,
};

class Translator {
  private pos = 0;
  private readonly cps: number[];

  constructor(pattern: string) {
    this.cps = [...pattern].map((c) => c.codePointAt(0)!);
  }

  translate(): string {
    const out = this.alternation({ i: false, s: false, m: false });
    if (this.pos < this.cps.length) throw this.bad("an unbalanced parenthesis");
    return out;
  }

  private bad(what: string): Error {
    return unsupportedFilter(`${what} in a matches() pattern (on PostgreSQL)`);
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private take(): number {
    const cp = this.cps[this.pos];
    if (cp === undefined) throw this.bad("an unexpected end");
    this.pos += 1;
    return cp;
  }

  private alternation(outer: Flags): string {
    const flags = { ...outer };
    const branches = [this.concat(flags)];
    while (this.peek() === "|") {
      this.pos += 1;
      branches.push(this.concat(flags));
    }
    return branches.join("|");
  }

  private concat(flags: Flags): string {
    let out = "";
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      const piece = this.atom(flags);
      if (piece === undefined) continue;
      out += this.quantified(piece);
    }
    return out;
  }

  /** Apply the quantifiers that follow `piece`. */
  private quantified(piece: Piece): string {
    let text = piece.text;
    let kind = piece.kind;
    for (;;) {
      const q = this.quantifier();
      if (q === undefined) return text;
      if (kind === "assert") {
        // A zero-width assertion repeated: `x*` matches empty, `x+` is `x`.
        if (q.min === 0) text = "";
        continue;
      }
      const wrapped = kind === "atom" ? text : `(?:${text})`;
      text =
        q.min === 0 && q.max === undefined
          ? `${wrapped}*`
          : q.min === 1 && q.max === undefined
            ? `${wrapped}+`
            : q.min === 0 && q.max === 1
              ? `${wrapped}?`
              : `${wrapped}{${q.min}${q.max === q.min ? "" : `,${q.max ?? ""}`}}`;
      text = `(?:${text})`;
      kind = "atom";
    }
  }

  private quantifier(): { min: number; max: number | undefined } | undefined {
    const c = this.peek();
    let q: { min: number; max: number | undefined } | undefined;
    if (c === "*") q = { min: 0, max: undefined };
    else if (c === "+") q = { min: 1, max: undefined };
    else if (c === "?") q = { min: 0, max: 1 };
    if (q !== undefined) {
      this.pos += 1;
    } else if (c === "{") {
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 16));
      const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (m === null) return undefined;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? undefined : Number(m[3]);
      if (min > MAX_REPEAT || (max ?? 0) > MAX_REPEAT)
        throw this.bad(`a repeat count above ${MAX_REPEAT}`);
      q = { min, max };
      this.pos += m[0].length;
    } else {
      return undefined;
    }
    if (this.peek() === "?") this.pos += 1; // lazy: the same matches exist
    return q;
  }

  private atom(flags: Flags): Piece | undefined {
    const cp = this.take();
    const c = String.fromCodePoint(cp);
    switch (c) {
      case "(":
        return this.group(flags);
      case "[":
        return { text: classText(this.bracket(flags)), kind: "atom" };
      case ".":
        return {
          text: classText(flags.s ? [[0, MAX_CODE_POINT]] : complement([[0x0a, 0x0a]])),
          kind: "atom",
        };
      case "^":
        return { text: flags.m ? "(?:^|(?<=\\n))" : "^", kind: "assert" };
      case "$":
        return { text: flags.m ? "(?:$|(?=\\n))" : "$", kind: "assert" };
      case "\\":
        return this.escape(flags);
      default:
        return { text: this.char(cp, flags), kind: "atom" };
    }
  }

  private char(cp: number, flags: Flags): string {
    return flags.i ? classText(fold([[cp, cp]])) : literal(cp);
  }

  private group(flags: Flags): Piece | undefined {
    let inner = flags;
    if (this.peek() === "?") {
      this.pos += 1;
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 64));
      const named = /^P?<[A-Za-z0-9_]+>/.exec(rest);
      const flagged = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (named !== null) {
        this.pos += [...named[0]].length;
      } else if (flagged !== null) {
        this.pos += flagged[0].length;
        const set = { ...flags };
        for (const f of flagged[1] ?? "") if (f !== "U") set[f as keyof Flags] = true;
        for (const f of flagged[2] ?? "") if (f !== "U") set[f as keyof Flags] = false;
        if (flagged[3] === ")") {
          Object.assign(flags, set);
          return undefined;
        }
        inner = set;
      } else {
        throw this.bad("an unknown group syntax");
      }
    }
    const text = this.alternation(inner);
    if (this.take() !== 0x29) throw this.bad("an unbalanced parenthesis");
    return { text: `(?:${text})`, kind: "atom" };
  }

  private escape(flags: Flags): Piece {
    const c = String.fromCodePoint(this.take());
    const assertion = ASSERTIONS[c];
    if (assertion !== undefined) return { text: assertion, kind: "assert" };
    if (c === "Q") {
      let text = "";
      while (this.pos < this.cps.length) {
        if (this.peek() === "\\" && this.peek(1) === "E") {
          this.pos += 2;
          break;
        }
        text += this.char(this.take(), flags);
      }
      return { text: text === "" ? "" : `(?:${text})`, kind: "atom" };
    }
    this.pos -= 1;
    const set = this.escapeSet(flags);
    if (set !== undefined) return { text: classText(set), kind: "atom" };
    return { text: this.char(this.escapedChar(), flags), kind: "atom" };
  }

  /** After a backslash: a Perl class (`\d`, `\W`, ...) as code points, else `undefined`. */
  private escapeSet(flags: Flags): Ranges | undefined {
    const c = this.peek();
    if (c === "p" || c === "P") throw this.bad("a Unicode class (\\p)");
    if (c === undefined) return undefined;
    const base = PERL_CLASSES[c.toLowerCase()];
    if (base === undefined) return undefined;
    this.pos += 1;
    const set = flags.i ? fold(base) : base;
    return c === c.toLowerCase() ? set : complement(set);
  }

  /** After a backslash: the code point of a character escape. */
  private escapedChar(): number {
    const cp = this.take();
    const c = String.fromCodePoint(cp);
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (c >= "0" && c <= "7") {
      let value = cp - 0x30;
      for (let k = 0; k < 2 && /^[0-7]$/.test(this.peek() ?? ""); k++) {
        value = value * 8 + (this.take() - 0x30);
      }
      return value;
    }
    if (c === "x") {
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 12));
      const m = /^(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(rest);
      if (m === null) throw this.bad("a malformed \\x escape");
      this.pos += m[0].length;
      return parseInt(m[1] ?? m[2]!, 16);
    }
    if (isAlnum(cp)) throw this.bad(`the escape \\${c}`);
    return cp;
  }

  /** A bracket class after its `[`, as code points (folded when `(?i)`). */
  private bracket(flags: Flags): Ranges {
    const negated = this.peek() === "^";
    if (negated) this.pos += 1;
    const items: Ranges = [];
    let first = true;
    while (first || this.peek() !== "]") {
      first = false;
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 12));
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest);
      if (posix !== null) {
        this.pos += posix[0].length;
        const base = POSIX_CLASSES[posix[2]!];
        if (base === undefined) throw this.bad(`the class [:${posix[2]}:]`);
        const set = flags.i ? fold(base) : base;
        items.push(...(posix[1] === "^" ? complement(set) : set));
        continue;
      }
      if (this.peek() === "\\") {
        this.pos += 1;
        const set = this.escapeSet(flags);
        if (set !== undefined) {
          items.push(...set);
          continue;
        }
        this.pos -= 1;
      }
      const lo = this.classChar();
      let hi = lo;
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        this.pos += 1;
        hi = this.classChar();
      }
      items.push(...(flags.i ? fold([[lo, hi]]) : [[lo, hi] as [number, number]]));
    }
    this.pos += 1; // ]
    const set = normalize(items);
    return negated ? complement(set) : set;
  }

  private classChar(): number {
    const cp = this.take();
    if (cp !== 0x5c) return cp;
    return this.escapedChar();
  }
}

/**
 * Translate a valid RE2 pattern (the syntax of `matches()`) to a PostgreSQL
 * ARE with the same search semantics for `~`.
 *
 * @throws {StorageError} `invalid_argument` for a construct the translation
 *   refuses: a Unicode class (`\pL`), a repeat count above 255, a
 *   case-insensitive range wider than 1024 characters, a class that matches
 *   nothing.
 */
export function toPgRegex(pattern: string): string {
  return new Translator(pattern).translate();
}
