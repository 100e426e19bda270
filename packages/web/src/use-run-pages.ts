/**
 * The rows of the Runs page: one ListRecords page per request (keyset pages with page tokens,
 * never a count), the first as the query changes, the next on demand.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { ResultsClient } from "@tekton-results/client";
import { runsPageRequest, takeFirstPage } from "./first-page.js";
import { runRow, type RunRow } from "./runs.js";

export { PAGE_SIZE } from "./first-page.js";

/** The state of the list. */
export interface RunPages {
  rows: RunRow[];
  /** A request is in flight. */
  loading: boolean;
  /** The error of the last request. */
  error: unknown;
  /** More pages exist. */
  hasMore: boolean;
  /** Fetch the next page (no-op while loading or at the end). */
  loadMore(): void;
  /** Fetch from the first page again. */
  reload(): void;
}

/** The pages of `parent` under `filter`, newest first. */
export function useRunPages(client: ResultsClient, parent: string, filter: string): RunPages {
  const [rows, setRows] = useState<RunRow[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [nextToken, setNextToken] = useState<string>("");
  const [generation, setGeneration] = useState(0);
  const inFlight = useRef<AbortController | undefined>(undefined);

  const fetchPage = useCallback(
    (pageToken: string, replace: boolean) => {
      inFlight.current?.abort();
      const abort = new AbortController();
      inFlight.current = abort;
      setLoading(true);
      setError(undefined);
      // The first page may have been asked already, as the app started (first-page.ts).
      const early = pageToken === "" ? takeFirstPage(parent, filter) : undefined;
      (
        early ??
        client.listRecords(runsPageRequest(parent, filter, pageToken), { signal: abort.signal })
      ).then(
        (res) => {
          if (abort.signal.aborted) return;
          const page = res.records.map(runRow);
          setRows((old) => (replace ? page : [...old, ...page]));
          setNextToken(res.nextPageToken);
          setLoading(false);
        },
        (err: unknown) => {
          if (abort.signal.aborted) return;
          if (replace) setRows([]);
          setNextToken("");
          setError(err);
          setLoading(false);
        },
      );
    },
    [client, parent, filter],
  );

  useEffect(() => {
    fetchPage("", true);
    return () => inFlight.current?.abort();
  }, [fetchPage, generation]);

  const loadMore = useCallback(() => {
    if (loading || nextToken === "") return;
    fetchPage(nextToken, false);
  }, [fetchPage, loading, nextToken]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  return { rows, loading, error, hasMore: nextToken !== "", loadMore, reload };
}
