/**
 * The Run page: a PipelineRun's or TaskRun's status, reason and message, params and results,
 * labels and annotations, the other records of its Result (a PipelineRun's TaskRuns), the
 * record as YAML, and the `tkn-results` command that shows it.
 *
 * @module
 */
import { useEffect, useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { stringify } from "yaml";
import {
  Breadcrumb,
  BreadcrumbItem,
  SkeletonText,
  Tab,
  TabList,
  TabPanel,
  TabPanels,
  Tabs,
} from "@carbon/react";
import { formatRecordName, formatResultName, type Record } from "@tekton-results/client";
import { useApi } from "./api.js";
import { ErrorNotice } from "./error-notice.js";
import { formatExact, runDuration } from "./format.js";
import { ChildRuns, KeyValues, paramsOf, resultsOf, TknCommand } from "./run-details.js";
import { RunTimeline } from "./run-timeline.js";
import { runRow, type RunRow } from "./runs.js";
import { RunStatusLabel } from "./status.js";
import { useNow } from "./use-now.js";

interface Loaded {
  row: RunRow;
  record: Record;
  /** The other records of the Result, oldest first. */
  children: RunRow[];
}

/** The record and the other records of its Result (one page of up to 1000: no request per row). */
function useRun(namespace: string, result: string, record: string) {
  const { client } = useApi();
  const [state, setState] = useState<{ loaded?: Loaded; error?: unknown }>({});
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState({});
    const name = formatRecordName(namespace, result, record);
    Promise.all([
      client.getRecord({ name }, { signal: abort.signal }),
      client.listRecords(
        {
          parent: formatResultName(namespace, result),
          orderBy: "create_time asc",
          pageSize: 1000,
        },
        { signal: abort.signal },
      ),
    ]).then(
      ([rec, others]) => {
        if (abort.signal.aborted) return;
        const children = others.records
          .filter((r) => r.name !== rec.name && r.data?.type.startsWith("tekton.dev/"))
          .map(runRow);
        setState({ loaded: { row: runRow(rec), record: rec, children } });
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setState({ error });
      },
    );
    return () => abort.abort();
  }, [client, namespace, result, record, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

/** The record as YAML: its fields, with the run's JSON document in place of the bytes. */
export function recordYaml(record: Record, row: RunRow): string {
  return stringify({
    name: record.name,
    id: record.id,
    uid: record.uid,
    etag: record.etag,
    createTime: record.createTime
      ? formatExact(new Date(Number(record.createTime.seconds) * 1000))
      : undefined,
    data: { type: record.data?.type, value: row.run },
  });
}

/** The page. */
export default function RunPage() {
  const params = useParams();
  const namespace = params["namespace"] ?? "";
  const result = params["result"] ?? "";
  const record = params["record"] ?? "";
  const { loaded, error, reload } = useRun(namespace, result, record);
  const now = useNow();

  return (
    <div className="tr-page">
      <Breadcrumb noTrailingSlash>
        <BreadcrumbItem>
          <RouterLink to="/">Runs</RouterLink>
        </BreadcrumbItem>
        <BreadcrumbItem>
          <RouterLink to={`/?ns=${encodeURIComponent(namespace)}`}>{namespace}</RouterLink>
        </BreadcrumbItem>
        <BreadcrumbItem isCurrentPage>{loaded?.row.name ?? record}</BreadcrumbItem>
      </Breadcrumb>
      {error !== undefined ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {!loaded && error === undefined ? <SkeletonText paragraph lineCount={6} /> : null}
      {loaded ? <RunView loaded={loaded} now={now} /> : null}
    </div>
  );
}

function RunView({ loaded, now }: { loaded: Loaded; now: Date }) {
  const { row, record, children } = loaded;
  const meta = row.run.metadata ?? {};
  const duration = runDuration(row.startTime, row.completionTime, now);
  return (
    <>
      <h1 className="tr-title" data-testid="run-title">
        {row.name}
      </h1>
      <RouterLink
        className="cds--link tr-logs-link"
        to="logs"
        relative="path"
        data-testid="logs-link"
      >
        Logs
      </RouterLink>
      <table className="tr-kv" aria-label="Summary">
        <tbody>
          <tr>
            <th scope="row">Status</th>
            <td data-testid="run-status">
              <RunStatusLabel status={row.status} reason={row.reason} />
              {row.reason ? <span className="tr-muted"> ({row.reason})</span> : null}
            </td>
          </tr>
          {row.message ? (
            <tr>
              <th scope="row">Message</th>
              <td className="tr-message" data-testid="run-message">
                {row.message}
              </td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">{row.kind === "taskrun" ? "Task" : "Pipeline"}</th>
            <td>{row.owner ?? "-"}</td>
          </tr>
          <tr>
            <th scope="row">Namespace</th>
            <td>{row.namespace}</td>
          </tr>
          <tr>
            <th scope="row">Started</th>
            <td>{row.startTime ? formatExact(row.startTime) : "-"}</td>
          </tr>
          <tr>
            <th scope="row">Duration</th>
            <td>{duration.text}</td>
          </tr>
          <tr>
            <th scope="row">Record</th>
            <td>{record.name}</td>
          </tr>
        </tbody>
      </table>
      <RunTimeline
        run={row}
        taskRuns={row.kind === "taskrun" ? [row] : children.filter((c) => c.kind === "taskrun")}
        now={now}
      />
      <h2 className="tr-subtitle">Show it with the command line</h2>
      <TknCommand row={row} />
      <Tabs>
        <TabList aria-label="Run details">
          <Tab>Details</Tab>
          <Tab>
            {row.kind === "pipelinerun"
              ? `TaskRuns (${children.length})`
              : `Records (${children.length})`}
          </Tab>
          <Tab>YAML</Tab>
        </TabList>
        <TabPanels>
          <TabPanel>
            <div className="tr-grid">
              <KeyValues title="Params" entries={paramsOf(row.run)} />
              <KeyValues title="Results" entries={resultsOf(row.run)} />
              <KeyValues title="Labels" entries={Object.entries(meta.labels ?? {})} />
              <KeyValues title="Annotations" entries={Object.entries(meta.annotations ?? {})} />
            </div>
          </TabPanel>
          <TabPanel>
            <ChildRuns rows={children} now={now} />
          </TabPanel>
          <TabPanel>
            <pre className="tr-yaml" data-testid="run-yaml">
              {recordYaml(record, row)}
            </pre>
          </TabPanel>
        </TabPanels>
      </Tabs>
    </>
  );
}
