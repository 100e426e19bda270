/**
 * What an export selects: the parent, the CEL filter and the time range (`--since`, `--until`,
 * RFC 3339 times or durations before now), as the filter of ListRecords.
 *
 * @module
 */
import { parseGoDuration } from "../connection.js";
import { CliError } from "../errors.js";
import type { Selection } from "./format.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The time of `--since` or `--until`: an RFC 3339 time (`2026-12-01T00:00:00Z`), or a duration
 * before `now` (`24h`, `90m`, `1h30m`). A {@link CliError} naming the flag otherwise.
 */
export function parseTimeFlag(text: string, flag: string, now: Date): Date {
  if (RFC3339.test(text.trim())) {
    const date = new Date(text.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  try {
    return new Date(now.getTime() - parseGoDuration(text, flag));
  } catch {
    throw new CliError(
      `invalid ${flag} ${JSON.stringify(text)}`,
      "give an RFC 3339 time (2026-12-01T00:00:00Z) or a duration before now (24h, 90m, 1h30m)",
    );
  }
}

/** The ListRecords parent of a selection: `<namespace>/results/-` or `-/results/-`. */
export function recordsParent(selection: Selection): string {
  return `${selection.parent}/results/-`;
}

/**
 * The ListRecords filter of a selection: its CEL filter (in parentheses) and the time range on
 * `create_time` (`since` included, `until` excluded), joined by `&&`.
 */
export function selectionFilter(selection: Selection): string {
  const parts: string[] = [];
  const alone = selection.since === null && selection.until === null;
  if (selection.filter.trim() !== "")
    parts.push(alone ? selection.filter : `(${selection.filter})`);
  if (selection.since) parts.push(`create_time >= timestamp("${selection.since}")`);
  if (selection.until) parts.push(`create_time < timestamp("${selection.until}")`);
  return parts.join(" && ");
}
