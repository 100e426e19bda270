/**
 * The Insights page's state in the URL (`/insights?ns=&range=&pipeline=`) and its data: four
 * GetRecordListSummary requests at once (the window in all, per period, per pipeline, per
 * namespace), never one per row.
 *
 * @module
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useApi } from "./api.js";
import {
  groupStats,
  insightsFilter,
  rangeOf,
  SUMMARY_FIELDS,
  summaryParent,
  type GroupStats,
  type RangeId,
} from "./insights-data.js";

/** The state of the page. */
export interface InsightsSearch {
  /** A namespace, `""` for all. */
  namespace: string;
  range: RangeId;
  /** A pipeline as `namespace/name`, `""` for all (the totals and series follow it). */
  pipeline: string;
}

/** The state of a query string (unknown values read as the defaults: all, 7 days). */
export function parseInsightsSearch(params: URLSearchParams): InsightsSearch {
  return {
    namespace: params.get("ns") ?? "",
    range: rangeOf(params.get("range")).id,
    pipeline: params.get("pipeline") ?? "",
  };
}

/** The query string of a state, defaults left out, other parameters (e.g. `api`) kept. */
export function formatInsightsSearch(s: InsightsSearch, keep?: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(keep);
  const set = (key: string, value: string, fallback: string): void => {
    if (value === fallback) params.delete(key);
    else params.set(key, value);
  };
  set("ns", s.namespace, "");
  set("range", s.range, "7d");
  set("pipeline", s.pipeline, "");
  return params;
}

/** The page's state and a setter writing the changed parts into the URL. */
export function useInsightsSearch(): [InsightsSearch, (change: Partial<InsightsSearch>) => void] {
  const [params, setParams] = useSearchParams();
  const search = useMemo(() => parseInsightsSearch(params), [params]);
  const update = useCallback(
    (change: Partial<InsightsSearch>) => {
      setParams((current) =>
        formatInsightsSearch({ ...parseInsightsSearch(current), ...change }, current),
      );
    },
    [setParams],
  );
  return [search, update];
}

/** The figures of the page. */
export interface Insights {
  /** The window's start and end. */
  from: Date;
  to: Date;
  /** The window in all (of the pipeline when one is chosen). */
  overall: GroupStats;
  /** Per period of the window, oldest first (of the pipeline when one is chosen). */
  periods: GroupStats[];
  /** Per pipeline (`ns/name`) of the namespace. */
  pipelines: GroupStats[];
  /** Per namespace. */
  namespaces: GroupStats[];
}

/** The figures of `search`, with the error of a failed request and a way to ask again. */
export function useInsights(search: InsightsSearch): {
  data?: Insights;
  error?: unknown;
  reload: () => void;
} {
  const { client } = useApi();
  const [state, setState] = useState<{ data?: Insights; error?: unknown }>({});
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState({});
    const range = rangeOf(search.range);
    const to = new Date();
    const parent = summaryParent(search.namespace);
    const all = insightsFilter(range.ms, to);
    const one = insightsFilter(range.ms, to, search.pipeline);
    const ask = (filter: string, groupBy: string, orderBy = "") =>
      client
        .getRecordListSummary(
          { parent, filter, groupBy, orderBy, summary: SUMMARY_FIELDS },
          { signal: abort.signal },
        )
        .then((res) => res.summary.map(groupStats));
    Promise.all([
      ask(one, ""),
      ask(one, `${range.bucket} startTime`),
      ask(all, "pipeline", "total DESC"),
      ask(all, "namespace", "total DESC"),
    ]).then(
      ([overall, periods, pipelines, namespaces]) => {
        if (abort.signal.aborted) return;
        setState({
          data: {
            from: new Date(to.getTime() - range.ms),
            to,
            overall: overall[0] ?? groupStats({}),
            periods,
            pipelines,
            namespaces,
          },
        });
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setState({ error });
      },
    );
    return () => abort.abort();
  }, [client, search.namespace, search.range, search.pipeline, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}
