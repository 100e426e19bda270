/**
 * The regular expressions of `matches()`: RE2 syntax and linear-time
 * matching on every backend, as in upstream Tekton Results (whose CEL uses
 * Go's RE2 `regexp`). The engine is `re2js`, a pure-JavaScript port of RE2:
 * no backtracking, so no pattern can take more than linear time in the length
 * of the text.
 *
 * A pattern RE2 refuses (backreferences `\1`, lookaround `(?=` `(?<=`,
 * possessive quantifiers `a++`, repeat counts above 1000, ...) is refused by
 * {@link re2PatternError} when the filter compiles, before any SQL runs.
 *
 * @module
 */
import { RE2JS } from "re2js";

/** How many compiled patterns {@link compileRe2} keeps (least recently used go first). */
export const RE2_CACHE_LIMIT = 256;

const cache = new Map<string, RE2JS | null>();

function compileUncached(pattern: string): RE2JS | null {
  try {
    return RE2JS.compile(pattern);
  } catch {
    return null;
  }
}

/**
 * The compiled RE2 form of `pattern` from a bounded LRU cache, or `undefined`
 * when RE2 refuses the pattern.
 */
export function compileRe2(pattern: string): RE2JS | undefined {
  let re = cache.get(pattern);
  if (re !== undefined) {
    cache.delete(pattern);
  } else {
    re = compileUncached(pattern);
    if (cache.size >= RE2_CACHE_LIMIT) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
  }
  cache.set(pattern, re);
  return re ?? undefined;
}

/**
 * Why RE2 refuses `pattern`, as one line for an API client (e.g.
 * ``invalid escape sequence: `\1` ``), or `undefined` when it compiles.
 */
export function re2PatternError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.replace(/^error parsing regexp: /, "");
  }
}

/**
 * RE2 search semantics (unanchored, like CEL's `matches`): whether `pattern`
 * matches anywhere in `text`; `undefined` when RE2 refuses the pattern.
 * Linear in the length of `text`.
 */
export function re2Search(pattern: string, text: string): boolean | undefined {
  return compileRe2(pattern)?.test(text);
}

/** Characters whose case orbit JavaScript's toLowerCase/toUpperCase do not reveal. */
const SPECIAL_FOLDS = [
  0xb5, 0xdf, 0x17f, 0x345, 0x3c2, 0x3d0, 0x3d1, 0x3d5, 0x3d6, 0x3f0, 0x3f1, 0x3f4, 0x3f5, 0x1c80,
  0x1c81, 0x1c82, 0x1c83, 0x1c84, 0x1c85, 0x1c86, 0x1c87, 0x1c88, 0x1e9b, 0x1e9e, 0x1fbe, 0x2126,
  0x212a, 0x212b,
];
const FOLD_CACHE_LIMIT = 4096;
const foldCache = new Map<number, number[]>();

function singleCodePoint(s: string): number | undefined {
  const cp = s.codePointAt(0);
  return cp !== undefined && String.fromCodePoint(cp) === s ? cp : undefined;
}

/**
 * The code points RE2's `(?i)` matches for the code point `cp` (its simple
 * case-folding orbit, `cp` included), ascending. Cached.
 */
export function re2CaseFolds(cp: number): number[] {
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  const ch = String.fromCodePoint(cp);
  if (ch.toLowerCase() === ch && ch.toUpperCase() === ch && !SPECIAL_FOLDS.includes(cp)) {
    return [cp];
  }
  const candidates = new Set<number>([cp, ...SPECIAL_FOLDS]);
  for (const s of [
    ch.toLowerCase(),
    ch.toUpperCase(),
    ch.toUpperCase().toLowerCase(),
    ch.toLowerCase().toUpperCase(),
  ]) {
    const c = singleCodePoint(s);
    if (c !== undefined) candidates.add(c);
  }
  const re = RE2JS.compile(`(?i)${RE2JS.quote(ch)}`);
  const orbit = [...candidates]
    .filter((c) => c === cp || re.testExact(String.fromCodePoint(c)))
    .sort((a, b) => a - b);
  if (foldCache.size >= FOLD_CACHE_LIMIT) foldCache.clear();
  foldCache.set(cp, orbit);
  return orbit;
}
