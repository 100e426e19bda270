/**
 * Walk every page of a list RPC: follow `next_page_token` until the server
 * returns none, yielding the items one at a time.
 *
 * @module
 */
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";

/** Options of the `listAll*` helpers: the call options of each page request, and a page size. */
export interface ListAllOptions extends CallOptions {
  /**
   * How many items to ask for per request (`page_size`). Overrides the
   * request's own `pageSize`; when neither is set the server's default (50)
   * applies.
   */
  pageSize?: number;
}

/** One page as the list RPCs return it. */
export interface Page<T> {
  /** The items of this page. */
  items: readonly T[];
  /** The token of the next page; empty when this page is the last. */
  nextPageToken: string;
}

/**
 * Fetch the page that starts at `pageToken` (empty for the first page),
 * asking for `pageSize` items (0 for the server's default).
 */
export type PageFetcher<T> = (
  pageToken: string,
  pageSize: number,
  options: CallOptions,
) => Promise<Page<T>>;

function abortError(signal: AbortSignal): ConnectError {
  return ConnectError.from(signal.reason ?? new Error("the operation was aborted"), Code.Canceled);
}

/**
 * Iterate every item of a paginated list, one page request at a time (the next
 * page is only requested once the caller has consumed the current one).
 *
 * Stops with a `ConnectError` of code `Canceled` as soon as `options.signal`
 * is aborted, and with code `Internal` if the server hands back the token it
 * was just given (a server bug that would otherwise loop forever).
 *
 * @param fetchPage requests one page
 * @param firstPageToken where to start; empty for the beginning
 * @param defaultPageSize the page size when `options.pageSize` is not given
 */
export async function* paginate<T>(
  fetchPage: PageFetcher<T>,
  firstPageToken: string,
  defaultPageSize: number,
  options: ListAllOptions = {},
): AsyncGenerator<T, void, undefined> {
  const { pageSize = defaultPageSize, ...callOptions } = options;
  if (!Number.isInteger(pageSize) || pageSize < 0) {
    throw new RangeError(`pageSize must be a non-negative integer, got ${String(pageSize)}`);
  }
  const signal = callOptions.signal;
  let token = firstPageToken;
  for (;;) {
    if (signal?.aborted) throw abortError(signal);
    const page = await fetchPage(token, pageSize, callOptions);
    for (const item of page.items) {
      if (signal?.aborted) throw abortError(signal);
      yield item;
    }
    if (page.nextPageToken === "") return;
    if (page.nextPageToken === token) {
      throw new ConnectError(
        "the server returned the same page token twice; stopping to avoid an endless loop",
        Code.Internal,
      );
    }
    token = page.nextPageToken;
  }
}
