/**
 * Parse `order_by` of the list RPCs: a comma-separated list of
 * `field [asc|desc]` terms (direction case-insensitive, spaces around terms
 * and between field and direction allowed). Empty means `create_time asc`.
 *
 * @module
 */
import type {
  FilterTarget,
  OrderTerm,
  RecordOrderField,
  ResultOrderField,
} from "@tekton-results/storage";
import { invalidArgument } from "./errors.js";
import { truncateForMessage } from "./validate.js";

/** The fields ListResults may order by. */
export const RESULT_ORDER_FIELDS: readonly ResultOrderField[] = [
  "create_time",
  "update_time",
  "summary.start_time",
  "summary.end_time",
];

/** The fields ListRecords may order by. */
export const RECORD_ORDER_FIELDS: readonly RecordOrderField[] = ["create_time", "update_time"];

/** A parsed `order_by`. */
export interface ParsedOrderBy<F extends string> {
  /** The terms, at least one. */
  terms: OrderTerm<F>[];
  /** A canonical spelling (`create_time asc,update_time desc`): equal orders spell equal. */
  normalized: string;
}

/** Parse the `order_by` of ListResults or ListRecords; throws InvalidArgument. */
export function parseOrderBy(orderBy: string, target: "results"): ParsedOrderBy<ResultOrderField>;
export function parseOrderBy(orderBy: string, target: "records"): ParsedOrderBy<RecordOrderField>;
export function parseOrderBy(orderBy: string, target: FilterTarget): ParsedOrderBy<string>;
export function parseOrderBy(orderBy: string, target: FilterTarget): ParsedOrderBy<string> {
  const allowed: readonly string[] =
    target === "results" ? RESULT_ORDER_FIELDS : RECORD_ORDER_FIELDS;
  const fail = (reason: string): never => {
    throw invalidArgument(
      `invalid order_by ${JSON.stringify(truncateForMessage(orderBy, 100))}: ${reason}`,
    );
  };
  const terms: OrderTerm<string>[] = [];
  if (orderBy.trim() !== "") {
    for (const raw of orderBy.split(",")) {
      const words = raw
        .trim()
        .split(/\s+/)
        .filter((w) => w !== "");
      if (words.length === 0) fail("empty term");
      if (words.length > 2)
        fail(
          `expected "field [asc|desc]", got ${JSON.stringify(truncateForMessage(raw.trim(), 64))}`,
        );
      const field = words[0]!;
      if (!allowed.includes(field)) {
        fail(
          `unknown field ${JSON.stringify(truncateForMessage(field, 64))} (allowed: ${allowed.join(", ")})`,
        );
      }
      let direction: "asc" | "desc" = "asc";
      if (words.length === 2) {
        const d = words[1]!.toLowerCase();
        if (d !== "asc" && d !== "desc")
          fail(`unknown direction ${JSON.stringify(truncateForMessage(words[1]!, 64))}`);
        direction = d as "asc" | "desc";
      }
      if (terms.some((t) => t.field === field)) fail(`duplicate field ${JSON.stringify(field)}`);
      terms.push({ field, direction });
    }
  }
  if (terms.length === 0) terms.push({ field: "create_time", direction: "asc" });
  return { terms, normalized: terms.map((t) => `${t.field} ${t.direction}`).join(",") };
}
