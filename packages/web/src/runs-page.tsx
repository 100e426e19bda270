/**
 * The Runs page: the PipelineRuns and TaskRuns of a namespace or all, newest first, one page
 * per request, the next loaded as the end of the table scrolls into view.
 *
 * @module
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { Button, DataTableSkeleton, InlineLoading } from "@carbon/react";
import { Code, ConnectError } from "@tekton-results/client";
import { useApi } from "./api.js";
import { ErrorNotice } from "./error-notice.js";
import { celErrorInBox } from "./runs.js";
import { CelFilter, RunsToolbar } from "./runs-filters.js";
import { RunsTable } from "./runs-table.js";
import { useNow } from "./use-now.js";
import { useRunPages } from "./use-run-pages.js";
import { DEFAULT_SEARCH, isFiltered, searchFilter, useRunsSearch } from "./url-state.js";

/**
 * The namespaces holding runs: one summary grouped by namespace (no request per row), asked
 * only once `wanted` (the namespace box is first used): on a large store it reads every record,
 * so the first screen asks for one page of runs and nothing else.
 */
function useNamespaces(wanted: boolean): string[] {
  const { client } = useApi();
  const [namespaces, setNamespaces] = useState<string[]>([]);
  useEffect(() => {
    if (!wanted) return undefined;
    const abort = new AbortController();
    client
      .getRecordListSummary(
        { parent: "-/results/-", groupBy: "namespace", summary: "" },
        { signal: abort.signal },
      )
      .then(
        (res) => {
          const names = res.summary
            .map((s) => s["group_value"])
            .flatMap((v) => (typeof v === "string" ? [v] : []));
          setNamespaces([...new Set(names)].sort());
        },
        () => undefined, // The list is a convenience: a namespace can still be typed.
      );
    return () => abort.abort();
  }, [client, wanted]);
  return namespaces;
}

/** Calls `onVisible` whenever the returned element's node scrolls into view. */
function useOnVisible(onVisible: () => void): React.RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement | null>(null);
  const callback = useRef(onVisible);
  callback.current = onVisible;
  useEffect(() => {
    const node = ref.current;
    if (!node || typeof IntersectionObserver !== "function") return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) callback.current();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return ref;
}

/** The page. */
export default function RunsPage() {
  const { client } = useApi();
  const [search, update] = useRunsSearch();
  const [namespacesWanted, setNamespacesWanted] = useState(false);
  const namespaces = useNamespaces(namespacesWanted);
  const now = useNow();
  const parent = `${search.namespace || "-"}/results/-`;
  const filter = useMemo(() => searchFilter(search), [search]);
  const pages = useRunPages(client, parent, filter);
  const sentinel = useOnVisible(pages.loadMore);
  const invalidFilter =
    pages.error !== undefined &&
    ConnectError.from(pages.error).code === Code.InvalidArgument &&
    search.filter !== ""
      ? celErrorInBox(ConnectError.from(pages.error).rawMessage)
      : undefined;
  const filtered = isFiltered(search);

  return (
    <div className="tr-page">
      <h1 className="tr-title">Runs</h1>
      <RunsToolbar
        search={search}
        namespaces={namespaces}
        onChange={update}
        onNamespaceFocus={() => setNamespacesWanted(true)}
      />
      <CelFilter
        value={search.filter}
        error={invalidFilter}
        onApply={(f) => update({ filter: f })}
      />
      {pages.error !== undefined && invalidFilter === undefined ? (
        <ErrorNotice error={pages.error} onRetry={pages.reload} />
      ) : null}
      {pages.rows.length === 0 && pages.loading ? (
        <DataTableSkeleton columnCount={6} rowCount={8} showHeader={false} showToolbar={false} />
      ) : null}
      {pages.rows.length > 0 ? <RunsTable rows={pages.rows} now={now} /> : null}
      {pages.rows.length === 0 && !pages.loading && pages.error === undefined ? (
        <EmptyState filtered={filtered} onClear={() => update(DEFAULT_SEARCH)} />
      ) : null}
      <div className="tr-more" ref={sentinel}>
        {pages.rows.length > 0 && pages.loading ? (
          <InlineLoading description="Loading more runs…" />
        ) : null}
        {pages.hasMore && !pages.loading ? (
          <Button kind="ghost" size="sm" onClick={pages.loadMore}>
            Load more
          </Button>
        ) : null}
      </div>
    </div>
  );
}

/** What an empty list means, and what to do. */
function EmptyState({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  if (filtered) {
    return (
      <div className="tr-empty" data-testid="empty">
        <h2>No runs match these filters</h2>
        <p>Try another namespace, status or filter.</p>
        <Button kind="tertiary" size="sm" onClick={onClear}>
          Clear all filters
        </Button>
      </div>
    );
  }
  return (
    <div className="tr-empty" data-testid="empty">
      <h2>Nothing stored yet</h2>
      <p>
        Runs appear here once the watcher stores them:{" "}
        <code>npx tekton-results-watcher --api-url http://localhost:8080</code> follows a cluster.
        To see sample runs, <code>npm run demo -- --keep</code> in a clone of the project.
      </p>
    </div>
  );
}
