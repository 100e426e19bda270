/**
 * The Logs page (`/namespaces/:ns/results/:result/records/:record/logs`): the log of a TaskRun,
 * or of a PipelineRun assembled from its TaskRuns' logs in order, streamed from GetLog and shown
 * as it arrives; step sections that fold, ANSI colours, search with a match count and
 * next/previous (`/` or Ctrl+F, Enter/n, Shift+Enter/N), a link to each line (`#L<n>`),
 * timestamps when stored, and the download of the raw bytes. A lazy chunk of its own.
 *
 * @module
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link as RouterLink, useLocation, useNavigate, useParams } from "react-router";
import {
  Breadcrumb,
  BreadcrumbItem,
  InlineLoading,
  InlineNotification,
  SkeletonText,
} from "@carbon/react";
import { formatRecordName, isNotFound, type Record } from "@tekton-results/client";
import { useApi } from "./api.js";
import { ErrorNotice } from "./error-notice.js";
import { LogSearch } from "./log-search.js";
import { streamRunLog, type StreamOutcome } from "./log-source.js";
import { LogText } from "./log-text.js";
import { LogToolbar } from "./log-toolbar.js";
import { LogView, type LogFocus } from "./log-view.js";
import { useLogsClient } from "./logs-api.js";
import { runRow, type RunRow } from "./runs.js";
import { LogNotice, NoLogNotice, RunNotFound } from "./logs-notices.js";
import "./logs.scss";

/** The line of a `#L<n>` hash, 0-based; undefined for another hash. */
export function lineOfHash(hash: string): number | undefined {
  const m = /^#L(\d+)$/.exec(hash);
  return m ? Number(m[1]) - 1 : undefined;
}

/** `1.2 MB`-style size of a byte count. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

interface Loaded {
  record: Record;
  row: RunRow;
}

type Stream =
  | { phase: "streaming" }
  | { phase: "done"; outcome: StreamOutcome }
  | { phase: "failed"; error: unknown };

/** The record and its log, streamed into a {@link LogText}; `version` bumps once a frame. */
function useRunLog(namespace: string, result: string, record: string, pollMs: number) {
  const { client } = useApi();
  const logs = useLogsClient();
  const [loaded, setLoaded] = useState<{ run?: Loaded; error?: unknown }>({});
  const [text, setText] = useState(() => new LogText());
  const [stream, setStream] = useState<Stream>({ phase: "streaming" });
  const [version, setVersion] = useState(0);
  const [generation, setGeneration] = useState(0);
  const polled = useRef(false);
  useEffect(() => {
    const abort = new AbortController();
    const name = formatRecordName(namespace, result, record);
    const log = new LogText();
    setText(log);
    // A new run starts blank; the same run read again (a retry, a poll) keeps what it showed.
    setLoaded((l) => (l.run?.record.name === name ? l : {}));
    // A poll keeps showing what the last read found until this one has ended.
    if (!polled.current) setStream({ phase: "streaming" });
    polled.current = false;
    let frame = 0;
    let poll: ReturnType<typeof setTimeout> | undefined;
    const bump = (): void => {
      if (frame !== 0) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (!abort.signal.aborted) setVersion(log.version);
      });
    };
    client
      .getRecord({ name }, { signal: abort.signal })
      .then(async (rec) => {
        if (abort.signal.aborted) return;
        setLoaded({ run: { record: rec, row: runRow(rec) } });
        try {
          const outcome = await streamRunLog(client, logs, rec, log, bump, abort.signal);
          if (!abort.signal.aborted) setStream({ phase: "done", outcome });
          // No log yet of a run still running (or just finished, its log on its way, as the
          // CLI's --follow waits): read again later.
          if (outcome.stored.length === 0 && logMayStillCome(runRow(rec), Date.now())) {
            poll = setTimeout(() => {
              polled.current = true;
              setGeneration((g) => g + 1);
            }, pollMs);
          }
        } catch (error) {
          if (!abort.signal.aborted) setStream({ phase: "failed", error });
        }
        if (!abort.signal.aborted) setVersion(log.version);
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setLoaded({ error });
      });
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
      clearTimeout(poll);
    };
  }, [client, logs, namespace, result, record, generation, pollMs]);
  return { ...loaded, text, stream, version, reload: () => setGeneration((g) => g + 1) };
}

/** How often the page reads a running run's log again, in milliseconds. */
export const POLL_MS = 10_000;

/** How long after a run finished its log may still be on its way, in milliseconds (the CLI's). */
export const LOG_GRACE_MS = 30_000;

/** Whether the log of a run without one may still come: not finished, or finished just now. */
export function logMayStillCome(row: RunRow, now: number): boolean {
  return row.completionTime === undefined || now - row.completionTime.getTime() < LOG_GRACE_MS;
}

/** The page; `pollMs`: how often a running run's log is read again. */
export default function LogsPage({ pollMs = POLL_MS }: { pollMs?: number }) {
  const params = useParams();
  const namespace = params["namespace"] ?? "";
  const result = params["result"] ?? "";
  const record = params["record"] ?? "";
  const { run, error, text, stream, version, reload } = useRunLog(
    namespace,
    result,
    record,
    pollMs,
  );
  const runPath = `/namespaces/${encodeURIComponent(namespace)}/results/${encodeURIComponent(result)}/records/${encodeURIComponent(record)}`;
  return (
    <div className="tr-page tr-logs-page">
      <Breadcrumb noTrailingSlash>
        <BreadcrumbItem>
          <RouterLink to="/">Runs</RouterLink>
        </BreadcrumbItem>
        <BreadcrumbItem>
          <RouterLink to={`/?ns=${encodeURIComponent(namespace)}`}>{namespace}</RouterLink>
        </BreadcrumbItem>
        <BreadcrumbItem>
          <RouterLink to={runPath}>{run?.row.name ?? record}</RouterLink>
        </BreadcrumbItem>
        <BreadcrumbItem isCurrentPage>Logs</BreadcrumbItem>
      </Breadcrumb>
      <h1 className="tr-title" data-testid="logs-title">
        Logs of {run?.row.name ?? record}
      </h1>
      {error !== undefined ? (
        isNotFound(error) ? (
          <RunNotFound name={formatRecordName(namespace, result, record)} namespace={namespace} />
        ) : (
          <ErrorNotice error={error} onRetry={reload} />
        )
      ) : null}
      {!run && error === undefined ? <SkeletonText paragraph lineCount={4} /> : null}
      {run ? (
        <LogBody
          run={run}
          text={text}
          stream={stream}
          version={version}
          reload={reload}
          runPath={runPath}
        />
      ) : null}
    </div>
  );
}

interface BodyProps {
  run: Loaded;
  text: LogText;
  stream: Stream;
  version: number;
  reload(): void;
  runPath: string;
}

/** The log once its run is known: status line, notices, toolbar and lines. */
function LogBody({ run, text, stream, version, reload, runPath }: BodyProps) {
  const location = useLocation();
  const navigate = useNavigate();
  const selectedLine = lineOfHash(location.hash);
  const searchBox = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState("");
  const [debounced, setDebounced] = useState("");
  const [current, setCurrent] = useState(-1);
  const [focus, setFocus] = useState<LogFocus>();
  const [foldAll, setFoldAll] = useState<{ fold: boolean; seq: number }>();
  const [showTimestamps, setShowTimestamps] = useState(true);
  const focused = useRef<string>("");

  useEffect(() => {
    const t = setTimeout(() => setDebounced(query), 150);
    return () => clearTimeout(t);
  }, [query]);
  const search = useMemo(
    () => (debounced === "" ? undefined : new LogSearch(text, debounced)),
    [text, debounced],
  );
  search?.update();
  const count = search?.count ?? 0;

  const goTo = useCallback(
    (i: number) => {
      if (!search || search.count === 0) return;
      const c = ((i % search.count) + search.count) % search.count;
      setCurrent(c);
      setFocus((f) => ({ line: search.match(c).line, seq: (f?.seq ?? 0) + 1 }));
    },
    [search],
  );
  // A new query selects its first match from the top.
  useEffect(() => {
    setCurrent(-1);
    if (search && search.count > 0) goTo(0);
  }, [search, goTo]);
  // The first matches of a query typed while the log streams.
  useEffect(() => {
    if (search && current < 0 && search.count > 0) goTo(0);
  }, [search, current, version, goTo]);

  // A `#L<n>` link: brought into view once its line has arrived.
  useEffect(() => {
    if (selectedLine === undefined || focused.current === location.hash) return;
    if (selectedLine < text.length) {
      focused.current = location.hash;
      setFocus((f) => ({ line: selectedLine, seq: (f?.seq ?? 0) + 1 }));
    }
  }, [selectedLine, location.hash, text, version]);

  const selectLine = useCallback(
    (n: number) => {
      focused.current = `#L${n}`;
      void navigate({ hash: `L${n}` }, { replace: true });
    },
    [navigate],
  );

  // Keyboard: `/` and Ctrl+F focus the search; n and N go to the next and previous match.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement | null;
      const typing =
        target !== null &&
        (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
      if ((e.ctrlKey || e.metaKey) && e.key === "f") {
        e.preventDefault();
        searchBox.current?.focus();
        searchBox.current?.select();
      } else if (typing || e.ctrlKey || e.metaKey || e.altKey) {
        return;
      } else if (e.key === "/") {
        e.preventDefault();
        searchBox.current?.focus();
      } else if (e.key === "n") {
        goTo(current + 1);
      } else if (e.key === "N") {
        goTo(current - 1);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [goTo, current]);

  const download = (): void => {
    const url = URL.createObjectURL(text.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = `${run.row.name}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const done = stream.phase === "done";
  const outcome = done ? stream.outcome : undefined;
  const nothing = outcome !== undefined && outcome.stored.length === 0;
  return (
    <>
      <p
        className="tr-log-status"
        data-testid="log-status"
        data-state={stream.phase}
        data-lines={text.length}
      >
        {stream.phase === "streaming" ? (
          <InlineLoading
            description={`Loading the log… ${text.length.toLocaleString("en")} lines (${formatSize(text.bytes)})`}
          />
        ) : (
          <span className="tr-muted">
            {text.length.toLocaleString("en")} lines, {formatSize(text.bytes)}
            {run.row.kind === "pipelinerun" && outcome
              ? `, from ${outcome.stored.length} ${outcome.stored.length === 1 ? "log" : "logs"}`
              : ""}{" "}
            · <RouterLink to={runPath}>the run</RouterLink>
          </span>
        )}
      </p>
      {stream.phase === "failed" ? (
        <>
          {text.length > 0 ? (
            <InlineNotification
              kind="warning"
              lowContrast
              hideCloseButton
              title="The log stopped early"
              subtitle={`Only the first ${text.length.toLocaleString("en")} lines arrived before the error below.`}
            />
          ) : null}
          <ErrorNotice error={stream.error} onRetry={reload} />
        </>
      ) : null}
      {nothing ? <NoLogNotice row={run.row} onReload={reload} /> : null}
      {outcome && outcome.stored.length > 0 && outcome.missing.length > 0 ? (
        <LogNotice
          title="Some TaskRuns have no log stored"
          detail={`No log for ${outcome.missing.map((m) => m.run).join(", ")}: not stored yet, or not stored (the watcher stores logs with --logs).`}
        />
      ) : null}
      {outcome && outcome.stored.length > 0 && text.bytes === 0 ? (
        <LogNotice title="The log is empty" detail="The run's steps printed nothing." />
      ) : null}
      {nothing ? null : (
        <>
          <LogToolbar
            ref={searchBox}
            query={query}
            onQuery={setQuery}
            count={count}
            current={current}
            onNext={() => goTo(current + 1)}
            onPrevious={() => goTo(current - 1)}
            hasTimestamps={text.hasTimestamps}
            showTimestamps={showTimestamps}
            onShowTimestamps={setShowTimestamps}
            onFoldAll={(fold) => setFoldAll((f) => ({ fold, seq: (f?.seq ?? 0) + 1 }))}
            onDownload={text.bytes > 0 ? download : undefined}
          />
          <LogView
            text={text}
            version={version}
            search={search}
            current={current}
            selectedLine={selectedLine}
            focus={focus}
            foldAll={foldAll}
            showTimestamps={showTimestamps}
            onSelectLine={selectLine}
            label={`Log of ${run.row.name}`}
          />
        </>
      )}
    </>
  );
}
