/**
 * Hostile strings: SQL meta-characters and statements for SQLite and
 * PostgreSQL, CEL and JSON-path meta-characters, unicode tricks (right-to-left
 * overrides, zero-width characters, homoglyphs, lone surrogates, combining
 * marks), NUL and control bytes, path traversal and very long strings. The
 * fuzzers draw from it, and the injection test puts each one in every literal
 * position.
 *
 * @module
 */
import fc from "fast-check";

/** SQL meta-strings: quotes, comments, statement breaks, both dialects' specials. */
export const SQL_STRINGS: readonly string[] = [
  "'",
  '"',
  "`",
  "''",
  "\\'",
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  "'; DROP TABLE records; --",
  "'); DELETE FROM results; --",
  "1; SELECT * FROM records",
  "' UNION SELECT name, uid FROM results --",
  "/* comment */",
  "-- ",
  "%",
  "_",
  "%_%",
  "\\",
  "\\\\",
  "$1",
  "$$ dollar $$",
  "$tag$ x $tag$",
  "?",
  ":name",
  "@p1",
  "E'\\x00'",
  "x'00'",
  "::text",
  "->>'a'",
  "$.a[0]",
  "json_extract(data, '$')",
  "pg_sleep(10)",
  "randomblob(1000000000)",
  "ATTACH DATABASE '/tmp/x.db' AS x",
  "PRAGMA writable_schema=1",
  "COPY results TO PROGRAM 'id'",
  "\\u0000",
  "\\x27",
];

/** Unicode tricks: direction overrides, zero-width, homoglyphs, surrogates, normalization. */
export const UNICODE_STRINGS: readonly string[] = [
  "\u202Egnp.exe",
  "abc\u202Edef\u202C",
  "\u200B",
  "a\u200Bb",
  "\u200D\u200C\uFEFF",
  "\u2066isolate\u2069",
  "раrent", // Cyrillic а and р
  "ｄｅｆａｕｌｔ", // full width
  "ⅾefault",
  "\uD800",
  "\uDFFF",
  "a\uD83D",
  "\uDE00b",
  "😀",
  "👩‍👩‍👧‍👦",
  "e\u0301",
  "é",
  "Å",
  "ﬁ",
  "\u0000",
  "a\u0000b",
  "\u0001\u0002\u001F\u007F",
  "\r\n",
  "\t",
  "\u2028\u2029",
  "\uFFFD",
  "\uFFFF",
  "𝕕𝕖𝕗",
  "İ",
  "ß",
];

/** Other meta-strings: CEL, JSON, paths, URLs, formats. */
export const OTHER_STRINGS: readonly string[] = [
  "",
  " ",
  "-",
  "--",
  "*",
  "..",
  "../../etc/passwd",
  "/",
  "a/results/b",
  "%2F",
  "%00",
  "%",
  "#",
  "?a=b",
  "&&",
  "||",
  '") || true || ("',
  '" + "',
  "\\n",
  "{}",
  "[]",
  '{"a":1}',
  "null",
  "true",
  "1e309",
  "-0",
  "NaN",
  "${jndi:ldap://x}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "%s%s%s%n",
  "__proto__",
  "constructor",
  "toString",
];

/** Very long strings (the longest is 1 MiB). */
export const LONG_STRINGS: readonly string[] = [
  "a".repeat(64),
  "a".repeat(769),
  "x".repeat(65_536),
  "'".repeat(10_000),
  "\u0000".repeat(1000),
  "😀".repeat(5000),
  "y".repeat(1 << 20),
];

/** Every hostile string. */
export const HOSTILE_STRINGS: readonly string[] = [
  ...SQL_STRINGS,
  ...UNICODE_STRINGS,
  ...OTHER_STRINGS,
  ...LONG_STRINGS,
];

/** The hostile strings the fuzzers draw from: the corpus up to 10,000 characters, and rarely a longer one. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length <= 10_000)) },
  { weight: 1, arbitrary: fc.constantFrom(...LONG_STRINGS) },
);

/** The short hostile strings (up to 1,000 characters). */
export const shortHostileString: fc.Arbitrary<string> = fc.constantFrom(
  ...HOSTILE_STRINGS.filter((s) => s.length <= 1000),
);
