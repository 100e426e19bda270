/**
 * The Insights page's charts over time (Carbon Charts, the charts of Carbon's design system):
 * success rate, p50 and p95 duration, and the runs that succeeded and failed per period. Loaded
 * as a chunk of its own after the page's figures (d3 is most of its weight). Under each chart,
 * its data as a table (folded), for screen readers and for copying: Carbon Charts' own toolbar
 * is off, as its menu buttons nest interactive roles (axe-core's nested-interactive, serious).
 *
 * @module
 */
import "@carbon/charts-react/styles.min.css";
import {
  ChartTheme,
  LineChart,
  ScaleTypes,
  StackedBarChart,
  type LineChartOptions,
  type StackedBarChartOptions,
} from "@carbon/charts-react";
import type { Bucket, ChartPoint } from "./insights-data.js";
import { usePreferredTheme } from "./theme.js";

/** The series a chart draws. */
export interface InsightsChartsProps {
  successRate: ChartPoint[];
  duration: ChartPoint[];
  runs: ChartPoint[];
  /** The period of a point, for the axis' title. */
  bucket: Bucket;
  /** The window's ends, so the axis spans the whole window and not only the periods with runs. */
  from: Date;
  to: Date;
}

/** A chart's points as a table: a row per date, a column per series. */
export function ChartTable({ title, points }: { title: string; points: readonly ChartPoint[] }) {
  const groups = [...new Set(points.map((p) => p.group))];
  const dates = [...new Set(points.map((p) => p.date.getTime()))].sort((a, b) => a - b);
  const value = (date: number, group: string): string =>
    String(points.find((p) => p.date.getTime() === date && p.group === group)?.value ?? "-");
  return (
    <details className="tr-insights-chart-data">
      <summary>{title}: the data</summary>
      <table className="tr-kv">
        <thead>
          <tr>
            <th scope="col">Start (UTC)</th>
            {groups.map((g) => (
              <th scope="col" key={g}>
                {g}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dates.map((d) => (
            <tr key={d}>
              <th scope="row">{new Date(d).toISOString().slice(0, 16).replace("T", " ")}</th>
              {groups.map((g) => (
                <td key={g}>{value(d, g)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** The three charts. */
export default function InsightsCharts(props: InsightsChartsProps) {
  const theme = usePreferredTheme() === "g100" ? ChartTheme.G100 : ChartTheme.WHITE;
  const bottom = {
    mapsTo: "date",
    scaleType: ScaleTypes.TIME,
    title: `Start (per ${props.bucket}, UTC)`,
    domain: [props.from, props.to],
  };
  const common = {
    theme,
    height: "16rem",
    animations: false,
    timeScale: { addSpaceOnEdges: 0 },
    toolbar: { enabled: false },
  } as const;
  const rate: LineChartOptions = {
    ...common,
    title: "Success rate",
    axes: {
      bottom,
      left: { mapsTo: "value", title: "%", domain: [0, 100], scaleType: ScaleTypes.LINEAR },
    },
    legend: { enabled: false },
    color: { scale: { "Success rate": "#198038" } },
  };
  const durations: LineChartOptions = {
    ...common,
    title: "Duration (p50, p95)",
    axes: {
      bottom,
      left: { mapsTo: "value", title: "minutes", scaleType: ScaleTypes.LINEAR },
    },
  };
  const runs: StackedBarChartOptions = {
    ...common,
    title: "Runs",
    axes: {
      bottom,
      left: { mapsTo: "value", title: "runs", stacked: true, scaleType: ScaleTypes.LINEAR },
    },
    color: { scale: { Succeeded: "#198038", Failed: "#da1e28" } },
  };
  return (
    <div className="tr-insights-charts" data-testid="insights-charts">
      <div className="tr-insights-chart" data-testid="chart-success-rate">
        <LineChart data={props.successRate} options={rate} />
        <ChartTable title="Success rate (%)" points={props.successRate} />
      </div>
      <div className="tr-insights-chart" data-testid="chart-duration">
        <LineChart data={props.duration} options={durations} />
        <ChartTable title="Duration (minutes)" points={props.duration} />
      </div>
      <div className="tr-insights-chart" data-testid="chart-runs">
        <StackedBarChart data={props.runs} options={runs} />
        <ChartTable title="Runs" points={props.runs} />
      </div>
    </div>
  );
}
