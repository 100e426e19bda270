/**
 * Parse and format the resource names of the Tekton Results API.
 *
 * Result: `{parent}/results/{result}`; Record: `{parent}/results/{result}/records/{record}`;
 * Log: `{parent}/results/{result}/logs/{record}`. Every segment matches `[a-z0-9_-]{1,63}`.
 * In list requests `-` stands for "any" (see {@link parseResultParent}).
 *
 * @module
 */

/** The characters and length every name segment must have. */
export const NAME_SEGMENT_PATTERN = /^[a-z0-9_-]{1,63}$/;

/** The wildcard that, in a list parent, matches every value of a segment. */
export const WILDCARD = "-";

/** The parts of a Result name. */
export interface ResultName {
  parent: string;
  result: string;
}

/** The parts of a Record name. */
export interface RecordName extends ResultName {
  record: string;
}

/** The parts of a Log name (the record segment names the Log's record). */
export type LogName = RecordName;

/** Thrown by the `parse*` helpers for a malformed name. */
export class InvalidNameError extends Error {
  override readonly name = "InvalidNameError";
  constructor(
    readonly kind: "parent" | "result" | "record" | "log",
    readonly value: string,
    reason: string,
  ) {
    super(`invalid ${kind} name ${JSON.stringify(truncate(value))}: ${reason}`);
  }
}

function truncate(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

/** True when `segment` is a valid name segment (no wildcard). */
export function isValidSegment(segment: string): boolean {
  return NAME_SEGMENT_PATTERN.test(segment);
}

function checkSegment(
  kind: InvalidNameError["kind"],
  value: string,
  label: string,
  segment: string,
  allowWildcard = false,
): void {
  if (segment === WILDCARD) {
    if (allowWildcard) return;
    throw new InvalidNameError(kind, value, `${label} "-" is reserved as the list wildcard`);
  }
  if (!NAME_SEGMENT_PATTERN.test(segment)) {
    throw new InvalidNameError(
      kind,
      value,
      segment === ""
        ? `${label} is empty`
        : `${label} ${JSON.stringify(truncate(segment))} must be 1-63 characters of a-z, 0-9, '-' and '_'`,
    );
  }
}

function split(
  kind: InvalidNameError["kind"],
  value: string,
  collection: "results" | "records" | "logs",
): string[] {
  const parts = value.split("/");
  const expected = collection === "results" ? 3 : 5;
  const shape =
    collection === "results"
      ? "{parent}/results/{result}"
      : `{parent}/results/{result}/${collection}/{record}`;
  if (
    parts.length !== expected ||
    parts[1] !== "results" ||
    (expected === 5 && parts[3] !== collection)
  ) {
    throw new InvalidNameError(kind, value, `expected ${shape}`);
  }
  return parts;
}

/** Parse `{parent}/results/{result}`; throws {@link InvalidNameError}. */
export function parseResultName(name: string): ResultName {
  const [parent = "", , result = ""] = split("result", name, "results");
  checkSegment("result", name, "parent", parent);
  checkSegment("result", name, "result", result);
  return { parent, result };
}

/** Parse `{parent}/results/{result}/records/{record}`; throws {@link InvalidNameError}. */
export function parseRecordName(name: string): RecordName {
  const [parent = "", , result = "", , record = ""] = split("record", name, "records");
  checkSegment("record", name, "parent", parent);
  checkSegment("record", name, "result", result);
  checkSegment("record", name, "record", record);
  return { parent, result, record };
}

/** Parse `{parent}/results/{result}/logs/{record}`; throws {@link InvalidNameError}. */
export function parseLogName(name: string): LogName {
  const [parent = "", , result = "", , record = ""] = split("log", name, "logs");
  checkSegment("log", name, "parent", parent);
  checkSegment("log", name, "result", result);
  checkSegment("log", name, "record", record);
  return { parent, result, record };
}

/**
 * Parse the parent of a ListResults request: a namespace, or `-` for all.
 * Returns `undefined` for the wildcard.
 */
export function parseResultsParent(parent: string): string | undefined {
  checkSegment("parent", parent, "parent", parent, true);
  return parent === WILDCARD ? undefined : parent;
}

/**
 * Parse the parent of a ListRecords request, `{parent}/results/{result}`,
 * where either segment may be `-`. A wildcard segment comes back `undefined`.
 */
export function parseResultParent(parent: string): {
  parent: string | undefined;
  result: string | undefined;
} {
  const [p = "", , r = ""] = split("parent", parent, "results");
  checkSegment("parent", parent, "parent", p, true);
  checkSegment("parent", parent, "result", r, true);
  return { parent: p === WILDCARD ? undefined : p, result: r === WILDCARD ? undefined : r };
}

/** `{parent}/results/{result}` */
export function formatResultName(parent: string, result: string): string {
  return `${parent}/results/${result}`;
}

/** `{parent}/results/{result}/records/{record}` */
export function formatRecordName(parent: string, result: string, record: string): string {
  return `${parent}/results/${result}/records/${record}`;
}

/** `{parent}/results/{result}/logs/{record}` */
export function formatLogName(parent: string, result: string, record: string): string {
  return `${parent}/results/${result}/logs/${record}`;
}

/** The Log name that belongs to a Record name (`/records/` becomes `/logs/`). */
export function logNameOfRecord(recordName: string): string {
  const { parent, result, record } = parseRecordName(recordName);
  return formatLogName(parent, result, record);
}

/** The Record name that stores a Log (`/logs/` becomes `/records/`). */
export function recordNameOfLog(logName: string): string {
  const { parent, result, record } = parseLogName(logName);
  return formatRecordName(parent, result, record);
}
