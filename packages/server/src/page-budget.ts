/**
 * The byte budget of a list page: the API contract lets a page stop short of
 * `page_size` when its items are large (tens of MiB), with a
 * `next_page_token` that continues right after the last item sent. Clients
 * loop on the token already, so nothing breaks, and a page of 10,000 large
 * records cannot make one reply of gigabytes.
 *
 * @module
 */
import type {
  Cursor,
  Page,
  StoredRecord,
  StoredResult,
  StoredSummary,
} from "@tekton-results/storage";

/**
 * The default budget of one list page: 16 MiB of items, the size of the
 * largest message the server accepts by default (`--max-body-bytes`).
 */
export const DEFAULT_MAX_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * `maxPageBytes` of the routes' options, defaulted and checked: a
 * non-negative safe integer, else a `RangeError` when the routes are created.
 */
export function checkedMaxPageBytes(value: number | undefined): number {
  const bytes = value ?? DEFAULT_MAX_PAGE_BYTES;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`maxPageBytes must be a non-negative integer, got ${value}`);
  }
  return bytes;
}

/** Fields and framing of an item besides its variable-length text, roughly. */
const ITEM_OVERHEAD_BYTES = 256;

function mapBytes(map: Record<string, string> | undefined): number {
  let n = 0;
  for (const [k, v] of Object.entries(map ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

function summaryBytes(summary: StoredSummary | undefined): number {
  if (!summary) return 0;
  return Buffer.byteLength(summary.record) + summary.type.length + mapBytes(summary.annotations);
}

/** About how many bytes a record takes in a reply (its data, names and fixed fields). */
export function recordBytes(r: StoredRecord): number {
  return (
    ITEM_OVERHEAD_BYTES +
    Buffer.byteLength(r.data) +
    r.type.length +
    r.parent.length +
    r.resultName.length +
    r.name.length
  );
}

/** About how many bytes a result takes in a reply (its annotations, summary and names). */
export function resultBytes(r: StoredResult): number {
  return (
    ITEM_OVERHEAD_BYTES +
    r.parent.length +
    r.name.length +
    mapBytes(r.annotations) +
    summaryBytes(r.summary)
  );
}

/**
 * Cut `page` after the last item that fits in `maxBytes` (always keeping the
 * first, so a walk makes progress however large an item is); a cut page's
 * `next` points right after its last item. `maxBytes` 0: no budget.
 */
export function withinByteBudget<T>(
  page: Page<T>,
  maxBytes: number,
  sizeOf: (item: T) => number,
  cursorOf: (item: T) => Cursor,
): Page<T> {
  if (maxBytes === 0) return page;
  let total = 0;
  for (let i = 0; i < page.items.length; i++) {
    total += sizeOf(page.items[i]!);
    if (total > maxBytes && i > 0) {
      const items = page.items.slice(0, i);
      return { items, next: cursorOf(items[i - 1]!) };
    }
  }
  return page;
}
