/**
 * The Insights page (`/insights?ns=&range=&pipeline=`): for a namespace or all and a window of
 * time, the success rate and p50/p95 duration in all and over time, the slowest and the
 * flakiest pipelines, and the figures of each pipeline and namespace — all from
 * GetRecordListSummary (four requests, whatever the number of runs). The charts load as a
 * chunk of their own.
 *
 * @module
 */
import { lazy, Suspense } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import { ComboBox, Dropdown, InlineLoading, SkeletonText } from "@carbon/react";
import "./insights.css";
import { ErrorNotice } from "./error-notice.js";
import { formatDuration } from "./format.js";
import {
  flakiest,
  formatRate,
  namedPipelines,
  rangeOf,
  RANGES,
  series,
  slowest,
  splitPipeline,
  type GroupStats,
} from "./insights-data.js";
import {
  formatInsightsSearch,
  useInsights,
  useInsightsSearch,
  type Insights,
  type InsightsSearch,
} from "./insights-state.js";
import { StatsTable } from "./insights-tables.js";

const InsightsCharts = lazy(() => import("./insights-charts.js"));

const ALL_NAMESPACES = "All namespaces";
const ALL_PIPELINES = "All pipelines";

/** How the figures are defined (the page's help text). */
export function InsightsHelp() {
  return (
    <details className="tr-insights-help" data-testid="insights-help">
      <summary>How these figures are computed</summary>
      <ul>
        <li>
          The PipelineRuns that <strong>started</strong> in the window, of the namespace chosen (or
          all), as the API&apos;s GetRecordListSummary counts them (the same figures as{" "}
          <code>tkn-results summary</code>).
        </li>
        <li>
          <strong>Success rate</strong> = succeeded ÷ (succeeded + failed). Cancelled runs, runs
          still running and other reasons (timeouts, pending) are counted in the runs but not in the
          rate.
        </li>
        <li>
          <strong>p50 / p95 duration</strong>: the median and 95th percentile of start to
          completion, of the runs that completed.
        </li>
        <li>
          <strong>Slowest</strong>: the pipelines with the highest p95 duration.
        </li>
        <li>
          <strong>Flaky</strong>: a pipeline with at least one success <em>and</em> at least one
          failure in the window — the same pipeline both passes and fails. Ranked by failure rate
          (failed ÷ (succeeded + failed)), highest first; then by the number of runs.
        </li>
      </ul>
    </details>
  );
}

function Tile({ label, value, testid }: { label: string; value: string; testid: string }) {
  return (
    <div className="tr-insights-tile">
      <dt>{label}</dt>
      <dd data-testid={testid}>{value}</dd>
    </div>
  );
}

/** The window's figures in all (of the pipeline chosen). */
function Totals({ s }: { s: GroupStats }) {
  const d = (ms: number | undefined): string => (ms === undefined ? "-" : formatDuration(ms));
  return (
    <dl className="tr-insights-tiles" aria-label="Totals">
      <Tile label="Runs" value={String(s.total)} testid="total-runs" />
      <Tile label="Success rate" value={formatRate(s.successRate)} testid="success-rate" />
      <Tile label="Succeeded / failed" value={`${s.succeeded} / ${s.failed}`} testid="outcomes" />
      <Tile label="p50 duration" value={d(s.p50Ms)} testid="p50" />
      <Tile label="p95 duration" value={d(s.p95Ms)} testid="p95" />
    </dl>
  );
}

function Toolbar({
  search,
  data,
  onChange,
}: {
  search: InsightsSearch;
  data: Insights | undefined;
  onChange: (change: Partial<InsightsSearch>) => void;
}) {
  const namespaces = [
    ALL_NAMESPACES,
    ...new Set([
      ...(search.namespace ? [search.namespace] : []),
      ...(data?.namespaces ?? []).map((n) => n.key).filter((k) => k !== ""),
    ]),
  ];
  const pipelines = [
    ALL_PIPELINES,
    ...new Set([
      ...(search.pipeline ? [search.pipeline] : []),
      ...namedPipelines(data?.pipelines ?? []).map((p) => p.key),
    ]),
  ];
  return (
    <div className="tr-toolbar">
      <ComboBox
        id="tr-insights-namespace"
        titleText="Namespace"
        items={namespaces}
        selectedItem={search.namespace === "" ? ALL_NAMESPACES : search.namespace}
        allowCustomValue
        onChange={({ selectedItem, inputValue }) => {
          const value = (selectedItem as string | null | undefined) ?? inputValue ?? "";
          onChange({ namespace: value === ALL_NAMESPACES ? "" : value.trim(), pipeline: "" });
        }}
      />
      <Dropdown
        id="tr-insights-range"
        titleText="Started"
        label="Started"
        items={RANGES.map((r) => r.id)}
        itemToString={(id) => rangeOf(id).text}
        selectedItem={search.range}
        onChange={({ selectedItem }) => onChange({ range: rangeOf(selectedItem).id })}
      />
      <Dropdown
        id="tr-insights-pipeline"
        titleText="Pipeline"
        label="Pipeline"
        items={pipelines}
        itemToString={(key) => (key === ALL_PIPELINES ? key : (key ?? ""))}
        selectedItem={search.pipeline === "" ? ALL_PIPELINES : search.pipeline}
        onChange={({ selectedItem }) =>
          onChange({
            pipeline: !selectedItem || selectedItem === ALL_PIPELINES ? "" : selectedItem,
          })
        }
      />
    </div>
  );
}

/** What an empty window means, and what to do. */
function Empty({ search }: { search: InsightsSearch }) {
  const where = search.namespace ? ` in namespace ${search.namespace}` : "";
  const what = search.pipeline ? ` of pipeline ${splitPipeline(search.pipeline).name}` : "";
  return (
    <div className="tr-empty" data-testid="empty">
      <h2>
        {`No PipelineRuns${what} started in the ${rangeOf(search.range).text.toLowerCase()}${where}`}
      </h2>
      <p>
        Pick a longer window or another namespace, or <RouterLink to="/">see every run</RouterLink>.
        Nothing stored at all? Runs appear once the watcher stores them:{" "}
        <code>npx tekton-results-watcher --api-url http://localhost:8080</code>; for sample runs,{" "}
        <code>npm run demo -- --keep</code> in a clone of the project.
      </p>
    </div>
  );
}

function Figures({ search, data }: { search: InsightsSearch; data: Insights }) {
  const [params] = useSearchParams();
  const link = (change: Partial<InsightsSearch>): string =>
    `/insights?${formatInsightsSearch({ ...search, ...change }, params).toString()}`;
  const bucket = rangeOf(search.range).bucket;
  const pipelines = namedPipelines(data.pipelines);
  const now = data.to;
  const toPipeline = (key: string): string => link({ pipeline: key });
  return (
    <>
      {data.overall.total === 0 ? <Empty search={search} /> : <Totals s={data.overall} />}
      {data.overall.total > 0 ? (
        <Suspense fallback={<InlineLoading description="Loading the charts…" />}>
          <InsightsCharts {...series(data.periods)} bucket={bucket} from={data.from} to={data.to} />
        </Suspense>
      ) : null}
      <div className="tr-insights-ranks">
        <StatsTable
          title="Slowest pipelines"
          testid="slowest"
          rows={slowest(data.pipelines)}
          columns={["pipeline", "namespace", "p95", "p50", "runs"]}
          linkTo={toPipeline}
          now={now}
          empty="No pipeline completed a run in this window."
        />
        <StatsTable
          title="Flakiest pipelines"
          testid="flakiest"
          rows={flakiest(data.pipelines)}
          columns={["pipeline", "namespace", "failureRate", "outcomes"]}
          linkTo={toPipeline}
          now={now}
          empty="No flaky pipeline: none both succeeded and failed in this window."
        />
      </div>
      <StatsTable
        title="Pipelines"
        testid="pipelines"
        rows={pipelines}
        columns={[
          "pipeline",
          "namespace",
          "runs",
          "successRate",
          "outcomes",
          "p50",
          "p95",
          "lastRun",
        ]}
        linkTo={toPipeline}
        now={now}
        empty="No PipelineRun with a tekton.dev/pipeline label in this window."
      />
      <StatsTable
        title="Namespaces"
        testid="namespaces"
        rows={data.namespaces.filter((n) => n.key !== "")}
        columns={["namespace", "runs", "successRate", "outcomes", "p50", "p95", "lastRun"]}
        linkTo={(key) => link({ namespace: key, pipeline: "" })}
        now={now}
        empty="No namespace has runs in this window."
      />
    </>
  );
}

/** The page. */
export default function InsightsPage() {
  const [search, update] = useInsightsSearch();
  const { data, error, reload } = useInsights(search);
  const pipelineName = search.pipeline ? splitPipeline(search.pipeline).name : "";
  return (
    <div className="tr-page tr-insights">
      <h1 className="tr-title">Insights{pipelineName ? `: ${pipelineName}` : ""}</h1>
      <InsightsHelp />
      <Toolbar search={search} data={data} onChange={update} />
      {error !== undefined ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {data === undefined && error === undefined ? (
        <div data-testid="loading">
          <InlineLoading description="Summarizing the runs…" />
          <SkeletonText paragraph lineCount={6} />
        </div>
      ) : null}
      {data ? <Figures search={search} data={data} /> : null}
    </div>
  );
}
