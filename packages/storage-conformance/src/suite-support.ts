/**
 * Shared pieces of the conformance suite: the store lifecycle, value builders,
 * an independent ordering oracle, a page walker and error assertions.
 *
 * Internal to the package; the suite modules import from here.
 *
 * @module
 */
import { afterEach, beforeEach, expect } from "vitest";
import {
  StorageError,
  type Cursor,
  type OrderTerm,
  type Page,
  type RecordOrderField,
  type ResultOrderField,
  type ResultsStore,
  type StorageErrorCode,
  type StoredRecord,
  type StoredResult,
  type StoredSummary,
} from "@tekton-results/storage";

/** Options of the conformance suites. */
export interface StoreConformanceOptions {
  /** Shown as the top-level `describe` of the suite, e.g. `"sqlite (in memory)"`. */
  name: string;
  /** Create a new, empty, ready store. Called once per test. */
  createStore: () => Promise<ResultsStore>;
  /**
   * Dispose of a store after its test (drop a schema, delete a file). When
   * given it replaces the default, `store.close()`, so it must close the store
   * itself.
   */
  destroyStore?: (store: ResultsStore) => Promise<void>;
}

/** Dispose of `store` the way the options ask. */
export async function disposeStore(
  options: StoreConformanceOptions,
  store: ResultsStore,
): Promise<void> {
  if (options.destroyStore !== undefined) await options.destroyStore(store);
  else await store.close();
}

/**
 * Register `beforeEach`/`afterEach` hooks in the current `describe` that give
 * every test a fresh store, and return an accessor for it.
 */
export function useFreshStore(options: StoreConformanceOptions): () => ResultsStore {
  let current: ResultsStore | undefined;
  beforeEach(async () => {
    current = await options.createStore();
  });
  afterEach(async () => {
    const store = current;
    current = undefined;
    if (store !== undefined) await disposeStore(options, store);
  });
  return () => {
    if (current === undefined) throw new Error("the store is only available inside a test");
    return current;
  };
}

/** 2024-01-15T10:00:00.000Z, the origin of the suite's clock. */
export const T0 = Date.UTC(2024, 0, 15, 10, 0, 0, 0);

/** The date `seconds` (fractions allowed, to the millisecond) after {@link T0}. */
export function at(seconds: number): Date {
  return new Date(T0 + Math.round(seconds * 1000));
}

/**
 * A deterministic, valid lowercase UUID for `n`. Its leading digits come from a
 * hash of `n`, so uid order is unrelated to creation order; `n` itself is in
 * the last group, so different `n` never collide.
 */
export function uid(n: number): string {
  let h = (n + 1) * 2654435761;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 2246822519) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  const hex8 = h.toString(16).padStart(8, "0");
  const hex12 = n.toString(16).padStart(12, "0");
  return `${hex8}-0000-4000-8000-${hex12}`;
}

/** The etag the server would compute: `{uid}-{update_time in Unix nanoseconds}`. */
export function etagOf(uidValue: string, updateTime: Date): string {
  return `${uidValue}-${BigInt(updateTime.getTime()) * 1_000_000n}`;
}

let sequence = 0;

/** A fresh uid no other call of this function returns in this process. */
export function freshUid(): string {
  sequence += 1;
  return uid(1_000_000 + sequence);
}

/** A Result with sensible defaults; `fields` override them. */
export function makeResult(
  parent: string,
  name: string,
  fields: Partial<StoredResult> = {},
): StoredResult {
  const u = fields.uid ?? freshUid();
  const createTime = fields.createTime ?? at(0);
  const updateTime = fields.updateTime ?? createTime;
  const result: StoredResult = {
    parent,
    name,
    uid: u,
    annotations: fields.annotations ?? {},
    createTime,
    updateTime,
    etag: fields.etag ?? etagOf(u, updateTime),
  };
  if (fields.summary !== undefined) result.summary = fields.summary;
  return result;
}

/** A summary with the given times (either may be absent). */
export function makeSummary(fields: Partial<StoredSummary> = {}): StoredSummary {
  const summary: StoredSummary = {
    record: fields.record ?? "default/results/r/records/r",
    type: fields.type ?? "tekton.dev/v1.PipelineRun",
    status: fields.status ?? 1,
    annotations: fields.annotations ?? {},
  };
  if (fields.startTime !== undefined) summary.startTime = fields.startTime;
  if (fields.endTime !== undefined) summary.endTime = fields.endTime;
  return summary;
}

/** A Record with sensible defaults; `fields` override them. */
export function makeRecord(
  parent: string,
  resultName: string,
  name: string,
  fields: Partial<StoredRecord> = {},
): StoredRecord {
  const u = fields.uid ?? freshUid();
  const createTime = fields.createTime ?? at(0);
  const updateTime = fields.updateTime ?? createTime;
  return {
    parent,
    resultName,
    name,
    uid: u,
    type: fields.type ?? "tekton.dev/v1.TaskRun",
    data: fields.data ?? JSON.stringify({ kind: "TaskRun", metadata: { name, namespace: parent } }),
    createTime,
    updateTime,
    etag: fields.etag ?? etagOf(u, updateTime),
  };
}

/** The sort value of a Result field, computed from the model without the port's helpers. */
export function resultValue(r: StoredResult, field: ResultOrderField): number | null {
  if (field === "create_time") return r.createTime.getTime();
  if (field === "update_time") return r.updateTime.getTime();
  const time = field === "summary.start_time" ? r.summary?.startTime : r.summary?.endTime;
  return time === undefined ? null : time.getTime();
}

/** The sort value of a Record field, computed from the model without the port's helpers. */
export function recordValue(r: StoredRecord, field: RecordOrderField): number {
  return field === "create_time" ? r.createTime.getTime() : r.updateTime.getTime();
}

/**
 * The order the port defines, computed independently of `compareSortKeys`: a
 * stable sort by uid (in the direction of the last term), then stable sorts by
 * each term from the last to the first. A `null` value is smaller than every
 * number, so it comes first ascending and last descending.
 */
export function expectedOrder<T extends { uid: string }, F extends string>(
  items: readonly T[],
  orderBy: readonly OrderTerm<F>[],
  valueOf: (item: T, field: F) => number | null,
): T[] {
  const out = [...items];
  const lastDesc = orderBy[orderBy.length - 1]?.direction === "desc";
  out.sort((a, b) => (a.uid === b.uid ? 0 : a.uid < b.uid ? -1 : 1) * (lastDesc ? -1 : 1));
  for (let i = orderBy.length - 1; i >= 0; i--) {
    const term = orderBy[i]!;
    const sign = term.direction === "desc" ? -1 : 1;
    out.sort((a, b) => {
      const x = valueOf(a, term.field);
      const y = valueOf(b, term.field);
      if (x === y) return 0;
      if (x === null) return -sign;
      if (y === null) return sign;
      return x < y ? -sign : sign;
    });
  }
  return out;
}

/** One page-fetching step of a walk. */
export type FetchPage<T> = (after: Cursor | undefined, pageSize: number) => Promise<Page<T>>;

/** What a walk saw. */
export interface Walk<T> {
  pages: Page<T>[];
  items: T[];
}

/**
 * Walk a list from no cursor until a page has no `next`, asserting that every
 * page but the last is full and has a `next`, and that the last has none.
 * `pageSizes` gives the size of each page in turn (the last one repeats).
 * `between(pageIndex, page)` runs after each page that has a `next`.
 */
export async function walk<T>(
  fetch: FetchPage<T>,
  pageSizes: number | readonly number[],
  between?: (pageIndex: number, page: Page<T>) => Promise<void>,
): Promise<Walk<T>> {
  const sizes = typeof pageSizes === "number" ? [pageSizes] : pageSizes;
  const pages: Page<T>[] = [];
  const items: T[] = [];
  let after: Cursor | undefined;
  for (let i = 0; i < 1000; i++) {
    const size = sizes[Math.min(i, sizes.length - 1)]!;
    const page = await fetch(after, size);
    pages.push(page);
    items.push(...page.items);
    expect(page.items.length, `page ${i} holds more than its page size`).toBeLessThanOrEqual(size);
    if (page.next === undefined) return { pages, items };
    expect(page.items.length, `page ${i} has a next cursor but is not full`).toBe(size);
    after = page.next;
    if (between !== undefined) await between(i, page);
  }
  throw new Error("the walk did not end after 1000 pages");
}

/** Await `promise` and return what it rejects with; fail when it fulfills. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  expect.fail("expected the operation to reject, but it fulfilled");
}

/**
 * Assert that `err` is a {@link StorageError} with `code` and a message fit for
 * API clients (no SQL, no driver error text, no stack trace).
 */
export function expectStorageError(err: unknown, code: StorageErrorCode): void {
  expect(err, `expected a StorageError, got ${String(err)}`).toBeInstanceOf(StorageError);
  const e = err as StorageError;
  expect(e.code).toBe(code);
  expect(e.message).not.toBe("");
  expect(e.message).not.toMatch(
    /\b(SELECT|INSERT INTO|UPDATE \S+ SET|DELETE FROM)\b|SQLITE_|constraint failed|\n\s+at /,
  );
}

/** Assert that `promise` rejects with a {@link StorageError} of `code`. */
export async function expectRejectsWith(
  promise: Promise<unknown>,
  code: StorageErrorCode,
): Promise<void> {
  expectStorageError(await rejectionOf(promise), code);
}

/** Sorted copy of strings, by code unit (the suite's names are ASCII). */
export function sorted(values: readonly string[]): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A valid UUID just beside `u` in string (and byte) order: below it when
 * `side` is negative, above it when positive. `salt` spreads different calls
 * apart so they do not collide.
 */
export function uidBeside(u: string, side: number, salt: number): string {
  const value = BigInt(`0x${u.replace(/-/g, "")}`);
  let h = Math.imul(salt + 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  const delta = BigInt(1 + (h % 0xffffff)) * 0x10000n + BigInt(salt % 0x10000);
  const v = side < 0 ? value - delta - 1n : value + delta + 1n;
  const hex = v.toString(16).padStart(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
