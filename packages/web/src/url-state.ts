/**
 * The Runs page's state in the URL's query (`?ns=&kind=&status=&pipeline=&label=&since=&filter=`),
 * so that a link
 * shows what its sender saw: read with defaults, written back with the defaults left out.
 *
 * @module
 */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { buildFilter, type KindFilter, type SinceFilter, type StatusFilter } from "./runs.js";

/** The state of the Runs page. */
export interface RunsSearch {
  /** A namespace, or `""` for all. */
  namespace: string;
  kind: KindFilter;
  status: StatusFilter;
  /** A pipeline's name, or `""` for any. */
  pipeline: string;
  /** Labels `key=value,...`, or `""`. */
  label: string;
  /** A time range, or `""` for any time. */
  since: SinceFilter;
  /** The CEL of the filter box. */
  filter: string;
}

/** The state of an empty query: every namespace, PipelineRuns, any status, no CEL. */
export const DEFAULT_SEARCH: RunsSearch = {
  namespace: "",
  kind: "pipelinerun",
  status: "all",
  pipeline: "",
  label: "",
  since: "",
  filter: "",
};

const SINCES: readonly SinceFilter[] = ["", "1h", "24h", "7d", "30d"];

const KINDS: readonly KindFilter[] = ["pipelinerun", "taskrun", "all"];
const STATUSES: readonly StatusFilter[] = [
  "all",
  "succeeded",
  "failed",
  "running",
  "cancelled",
  "pending",
];

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** The state a query string holds (unknown values read as the defaults). */
export function parseRunsSearch(params: URLSearchParams): RunsSearch {
  return {
    namespace: params.get("ns") ?? DEFAULT_SEARCH.namespace,
    kind: oneOf(params.get("kind"), KINDS, DEFAULT_SEARCH.kind),
    status: oneOf(params.get("status"), STATUSES, DEFAULT_SEARCH.status),
    pipeline: params.get("pipeline") ?? DEFAULT_SEARCH.pipeline,
    label: params.get("label") ?? DEFAULT_SEARCH.label,
    since: oneOf(params.get("since"), SINCES, DEFAULT_SEARCH.since),
    filter: params.get("filter") ?? DEFAULT_SEARCH.filter,
  };
}

/** The query string of a state, defaults left out; other parameters (e.g. `api`) kept. */
export function formatRunsSearch(search: RunsSearch, keep?: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(keep);
  const set = (key: string, value: string, fallback: string): void => {
    if (value === fallback) params.delete(key);
    else params.set(key, value);
  };
  set("ns", search.namespace, DEFAULT_SEARCH.namespace);
  set("kind", search.kind, DEFAULT_SEARCH.kind);
  set("status", search.status, DEFAULT_SEARCH.status);
  set("pipeline", search.pipeline, DEFAULT_SEARCH.pipeline);
  set("label", search.label, DEFAULT_SEARCH.label);
  set("since", search.since, DEFAULT_SEARCH.since);
  set("filter", search.filter, DEFAULT_SEARCH.filter);
  return params;
}

/** The ListRecords filter of a state of the Runs page (its time range counted back from `now`). */
export function searchFilter(search: RunsSearch, now?: number): string {
  return buildFilter(
    {
      kind: search.kind,
      status: search.status,
      cel: search.filter,
      pipeline: search.pipeline,
      labels: search.label,
      since: search.since,
    },
    now,
  );
}

/** Whether a state filters anything beyond the defaults (kind aside). */
export function isFiltered(search: RunsSearch): boolean {
  return (
    search.filter !== DEFAULT_SEARCH.filter ||
    search.status !== DEFAULT_SEARCH.status ||
    search.namespace !== DEFAULT_SEARCH.namespace ||
    search.pipeline !== DEFAULT_SEARCH.pipeline ||
    search.label !== DEFAULT_SEARCH.label ||
    search.since !== DEFAULT_SEARCH.since
  );
}

/** The Runs page's state and a setter that writes the changed parts into the URL (a new entry). */
export function useRunsSearch(): [RunsSearch, (change: Partial<RunsSearch>) => void] {
  const [params, setParams] = useSearchParams();
  const search = useMemo(() => parseRunsSearch(params), [params]);
  const update = useCallback(
    (change: Partial<RunsSearch>) => {
      setParams((current) => formatRunsSearch({ ...parseRunsSearch(current), ...change }, current));
    },
    [setParams],
  );
  return [search, update];
}

/** The path of a run's page. */
export function runPath(namespace: string, result: string, record: string): string {
  return `/namespaces/${encodeURIComponent(namespace)}/results/${encodeURIComponent(result)}/records/${encodeURIComponent(record)}`;
}
