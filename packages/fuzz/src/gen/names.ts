/**
 * Resource names and list parents, from valid (names of the seeded data set)
 * through near-valid (one rule broken) to hostile (the corpus).
 *
 * @module
 */
import fc from "fast-check";
import { hostileString, shortHostileString } from "./corpus.js";

/** The parents (namespaces) of the seeded data set. */
export const SEED_PARENTS = ["ns-a", "ns-b"] as const;
/** The result names under each seeded parent. */
export const SEED_RESULTS = ["r-1", "r-2"] as const;
/** The record names under each seeded result (`log-1` is a Log record). */
export const SEED_RECORDS = ["task-1", "pipe-1", "log-1"] as const;

const VALID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_".split("");

/** A segment following the rules: 1-63 of `a-z 0-9 - _`, not `-`. */
export const validSegment: fc.Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(...VALID_CHARS), minLength: 1, maxLength: 63 })
  .filter((s) => s !== "-");

/** A segment breaking one rule: too long, a capital, a dot, a slash, empty, `-`, unicode. */
export const nearValidSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc.constant("-"),
  fc.constant("a".repeat(64)),
  validSegment.map((s) => s.toUpperCase() + "A"),
  validSegment.map((s) => `${s}.x`),
  validSegment.map((s) => `${s}/`),
  validSegment.map((s) => ` ${s}`),
  validSegment.map((s) => `${s}é`),
  fc.string({ minLength: 1, maxLength: 70 }),
);

/** Any segment: seeded, valid, near-valid or hostile. */
export function segment(seeded: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...seeded) },
    { weight: 2, arbitrary: validSegment },
    { weight: 2, arbitrary: nearValidSegment },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  );
}

/** A parent (namespace) segment. */
export const parentSegment = segment([...SEED_PARENTS, "-"]);
/** A result segment. */
export const resultSegment = segment([...SEED_RESULTS, "-"]);
/** A record segment. */
export const recordSegment = segment([...SEED_RECORDS]);

/** Mangle a well-formed name: drop, double or swap a separator, or add a tail. */
function mangled(name: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(name, fc.nat(5), hostileString).map(([n, how, x]) => {
    switch (how) {
      case 0:
        return n.replace("/results/", "/result/");
      case 1:
        return n.replace("/", "//");
      case 2:
        return `${n}/`;
      case 3:
        return `/${n}`;
      case 4:
        return `${n}/records/${x}`;
      default:
        return n.replaceAll("/", x);
    }
  });
}

/** A Result name `{parent}/results/{result}`, or a mangled one. */
export const resultName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(parentSegment, resultSegment).map(([p, r]) => `${p}/results/${r}`) },
  { weight: 1, arbitrary: mangled(fc.tuple(parentSegment, resultSegment).map(([p, r]) => `${p}/results/${r}`)) },
  { weight: 1, arbitrary: hostileString },
);

/** A Record name `{parent}/results/{result}/records/{record}`, or a mangled one. */
export const recordName: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(parentSegment, resultSegment, recordSegment)
      .map(([p, r, c]) => `${p}/results/${r}/records/${c}`),
  },
  {
    weight: 1,
    arbitrary: mangled(
      fc
        .tuple(parentSegment, resultSegment, recordSegment)
        .map(([p, r, c]) => `${p}/results/${r}/records/${c}`),
    ),
  },
  { weight: 1, arbitrary: hostileString },
);

/** A Log name `{parent}/results/{result}/logs/{record}`. */
export const logName: fc.Arbitrary<string> = fc.oneof(
  recordName.map((n) => n.replace("/records/", "/logs/")),
  recordName,
);

/** A ListRecords parent `{parent}/results/{result}` (wildcards included), or a mangled one. */
export const recordsParent: fc.Arbitrary<string> = resultName;
