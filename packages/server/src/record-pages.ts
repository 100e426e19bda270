/**
 * One page of records for a list request: the part that ListRecords and
 * ListLogs share (order, page size, page token, the store query). Callers
 * parse the parent and authorize first, then compile the filter.
 *
 * @module
 */
import {
  recordCursor,
  type FilterExpr,
  type Page,
  type ResultsStore,
  type StoredRecord,
} from "@tekton-results/storage";
import { parseOrderBy } from "./order-by.js";
import { recordBytes, withinByteBudget } from "./page-budget.js";
import { decodePageToken, encodePageToken, type PageTokenScope } from "./page-token.js";
import { parsePageSize } from "./validate.js";

/** The paging fields of a ListRecordsRequest. */
export interface RecordPageRequest {
  parent: string;
  filter: string;
  orderBy: string;
  pageSize: number;
  pageToken: string;
}

/** How to list: the parsed scope, the compiled filter, and the token namespace. */
export interface RecordPageOptions {
  /** The parent and result of the request's `parent` (`undefined` = any). */
  scope: { parent: string | undefined; result: string | undefined };
  /** The compiled filter, or `undefined` for none. */
  filter: FilterExpr | undefined;
  /** Largest page size a request may ask for. */
  maxPageSize: number;
  /** The byte budget of a page ({@link withinByteBudget}); 0: none. */
  maxPageBytes: number;
  /**
   * What the page token is bound to besides the request's parent, so that
   * tokens of one list are refused by another (e.g. `"logs"`). Default: none.
   */
  tokenNamespace?: string;
}

/**
 * Validate the order, page size and page token of `req`, read one page from
 * `store`, and return it with the token of the next page (`""` at the end).
 * Bad input is InvalidArgument (from the parsers).
 */
export async function listRecordPage(
  store: ResultsStore,
  req: RecordPageRequest,
  options: RecordPageOptions,
): Promise<{ page: Page<StoredRecord>; nextPageToken: string }> {
  const order = parseOrderBy(req.orderBy, "records");
  const pageSize = parsePageSize(req.pageSize, options.maxPageSize);
  const tokenScope: PageTokenScope = {
    target: "records",
    parent:
      options.tokenNamespace === undefined ? req.parent : `${options.tokenNamespace}:${req.parent}`,
    filter: req.filter,
    orderBy: order.normalized,
  };
  const after =
    req.pageToken !== ""
      ? decodePageToken(req.pageToken, tokenScope, order.terms.length)
      : undefined;
  const { scope, filter } = options;
  const stored = await store.listRecords({
    ...(scope.parent !== undefined ? { parent: scope.parent } : {}),
    ...(scope.result !== undefined ? { resultName: scope.result } : {}),
    ...(filter !== undefined ? { filter } : {}),
    orderBy: order.terms,
    pageSize,
    ...(after !== undefined ? { after } : {}),
  });
  const page = withinByteBudget(stored, options.maxPageBytes, recordBytes, (r) =>
    recordCursor(r, order.terms),
  );
  return { page, nextPageToken: page.next ? encodePageToken(tokenScope, page.next) : "" };
}
