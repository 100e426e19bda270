/**
 * The list parameters: `order_by`, `page_size`, page tokens (random,
 * truncated, tampered, from another query, forged with a valid scope and a
 * hostile cursor), and GetRecordListSummary's `summary` and `group_by`.
 *
 * @module
 */
import fc from "fast-check";
import { hostileString, shortHostileString } from "./corpus.js";

const ORDER_FIELDS = [
  "create_time",
  "update_time",
  "summary.start_time",
  "summary.end_time",
  "name",
  "uid",
  "data",
  "create_time; DROP TABLE results",
  "CREATE_TIME",
];

/** `order_by` strings: valid lists, wrong fields and directions, separators, hostile text. */
export const orderBy: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...ORDER_FIELDS),
        fc.constantFrom("", " asc", " desc", " ASC", " DESC", " sideways", "  desc ", " asc desc"),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .chain((terms) =>
      fc
        .constantFrom(",", ", ", " , ", ",,", ";")
        .map((sep) => terms.map(([f, d]) => f + d).join(sep)),
    ),
  hostileString,
  fc.string({ maxLength: 40 }),
);

/** `page_size`: in range, at the edges, past them (int32 only: the wire type). */
export const pageSize: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 1, 2, 50, 10_000, 10_001, -1, 2_147_483_647, -2_147_483_648),
  fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
  fc.integer({ min: 0, max: 20 }),
);

/** A page token choice, resolved against the tokens seen so far when it is sent. */
export type PageTokenChoice =
  | { kind: "none" }
  | { kind: "literal"; value: string }
  | { kind: "seen"; index: number; mutation: "none" | "truncate" | "flip" | "append" }
  | { kind: "forged"; values: unknown[]; uid: unknown; version: unknown };

/** Page tokens of every kind. */
export const pageToken: fc.Arbitrary<PageTokenChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: "none" as const }) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 80 }),
        fc.base64String({ maxLength: 120 }),
        hostileString,
        fc.string({ unit: fc.constantFrom(..."ABCDEFGabcdefg0123456789-_".split("")), maxLength: 5000 }),
      )
      .map((value) => ({ kind: "literal" as const, value })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(), fc.constantFrom("none", "truncate", "flip", "append") as fc.Arbitrary<
        "none" | "truncate" | "flip" | "append"
      >)
      .map(([index, mutation]) => ({ kind: "seen" as const, index, mutation })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        values: fc.array(
          fc.oneof(
            fc.double(),
            fc.integer(),
            fc.constant(null),
            shortHostileString,
            fc.constant(Number.MAX_VALUE),
            fc.constant(-8.64e15 - 1),
            fc.constant({}),
          ),
          { maxLength: 3 },
        ),
        uid: fc.oneof(
          fc.uuid(),
          shortHostileString,
          fc.integer(),
        ),
        version: fc.constantFrom(1, 1, 1, 2, "1", null),
      })
      .map((f) => ({ kind: "forged" as const, ...f })),
  },
);

const SUMMARY_FIELDS = [
  "total",
  "succeeded",
  "failed",
  "cancelled",
  "running",
  "others",
  "avg_duration",
  "min_duration",
  "max_duration",
  "total_duration",
  "last_runtime",
  "p50_duration",
  "p95_duration",
  "p99_duration",
  "nope",
];

/** GetRecordListSummary's `summary` (comma-separated aggregates). */
export const summaryFields: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .array(fc.constantFrom(...SUMMARY_FIELDS), { maxLength: 6 })
    .chain((fs) => fc.constantFrom(",", ", ", ",,").map((sep) => fs.join(sep))),
  hostileString,
);

/** GetRecordListSummary's `group_by`. */
export const groupBy: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .tuple(
      fc.constantFrom("year", "month", "week", "day", "hour", "minute", "namespace", "pipeline", "repository", "second", "YEAR"),
      fc.constantFrom("", " startTime", " completionTime", " creationTime", " startTime completionTime"),
    )
    .map(([g, t]) => g + t),
  hostileString,
);

/** GetRecordListSummary's `order_by` (`<field> ASC|DESC`). */
export const summaryOrderBy: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .tuple(fc.constantFrom(...SUMMARY_FIELDS, "group_value"), fc.constantFrom("", " ASC", " DESC", " up"))
    .map(([f, d]) => f + d),
  orderBy,
);
