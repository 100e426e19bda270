/**
 * The Runs page's first page of runs, asked as soon as the configuration is read: before the
 * page's code has loaded and rendered, so that the request and the page's code load at the same
 * time rather than one after the other. The page takes the answer when its own first request
 * would be the same one (same parent and filter), else asks as usual.
 *
 * @module
 */
import type { ListRecordsResponse, ResultsClient } from "@tekton-results/client";
import { parseRunsSearch, searchFilter } from "./url-state.js";

/** Runs per request. */
export const PAGE_SIZE = 50;

/** The ListRecords request of a page of runs: newest first, {@link PAGE_SIZE} at a time. */
export function runsPageRequest(parent: string, filter: string, pageToken: string) {
  return { parent, filter, orderBy: "create_time desc", pageSize: PAGE_SIZE, pageToken };
}

/** The parent and filter of the Runs page at the query string `search`. */
export function runsQueryOf(search: string): { parent: string; filter: string } {
  const s = parseRunsSearch(new URLSearchParams(search));
  return {
    parent: `${s.namespace || "-"}/results/-`,
    filter: searchFilter(s),
  };
}

let early: { key: string; response: Promise<ListRecordsResponse> } | undefined;

const keyOf = (parent: string, filter: string): string => JSON.stringify([parent, filter]);

/**
 * Ask the first page of the Runs page at `path` and `search` now, when `path` (below the app's
 * base) is the Runs page's.
 */
export function prefetchFirstPage(client: ResultsClient, path: string, search: string): void {
  if (path !== "/" && path !== "/runs") return;
  const { parent, filter } = runsQueryOf(search);
  const response = client.listRecords(runsPageRequest(parent, filter, ""));
  response.catch(() => undefined); // the page reports it, if it takes it
  early = { key: keyOf(parent, filter), response };
}

/** The early answer of the first page of `parent` and `filter`, once; `undefined` when none. */
export function takeFirstPage(
  parent: string,
  filter: string,
): Promise<ListRecordsResponse> | undefined {
  const found = early?.key === keyOf(parent, filter) ? early.response : undefined;
  early = undefined;
  return found;
}
