/**
 * The lines of a log, virtualized (`@tanstack/react-virtual`): only the rows in view (and a few
 * around) are elements, whatever the log's length. Section headers fold their lines; each line
 * has its number (a link to `#L<n>`), its timestamp when stored and shown, and its text with
 * its ANSI colours and the search's matches.
 *
 * @module
 */
import { memo, useEffect, useMemo, useReducer, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ChevronDown, ChevronRight } from "@carbon/icons-react";
import { ansiSpans, markMatches, type AnsiSpan } from "./ansi.js";
import { LogRows, sectionOfRow } from "./log-rows.js";
import type { LogSearch } from "./log-search.js";
import type { LogText } from "./log-text.js";

/** The height of a row, in pixels (rows do not wrap: the view scrolls sideways). */
export const ROW_HEIGHT = 20;

/** A request to bring a line into view (a new `seq` asks again for the same line). */
export interface LogFocus {
  line: number;
  seq: number;
}

/** What the view shows. */
export interface LogViewProps {
  text: LogText;
  /** The text's version when rendered (the view follows the text as it streams). */
  version: number;
  search: LogSearch | undefined;
  /** The selected match's index, or -1. */
  current: number;
  /** The line of the URL's `#L<n>` (0-based), highlighted. */
  selectedLine: number | undefined;
  /** The line to scroll to. */
  focus: LogFocus | undefined;
  showTimestamps: boolean;
  /** The link of line `n` (1-based) was followed. */
  onSelectLine(n: number): void;
  /** Fold (true) or unfold every section; a new `seq` asks again. */
  foldAll: { fold: boolean; seq: number } | undefined;
  /** The accessible name of the view. */
  label: string;
}

/** The time of day of an RFC 3339 timestamp, to the millisecond: `10:00:01.500`. */
export function shortTime(timestamp: string): string {
  const m = /T(\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(timestamp);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(3, "0").slice(0, 3)}` : timestamp;
}

function Spans({ spans }: { spans: readonly AnsiSpan[] }) {
  return (
    <>
      {spans.map((s, i) => {
        const cls = [s.className, s.match ? `tr-log-${s.match}` : ""].filter(Boolean).join(" ");
        const style =
          s.color || s.background ? { color: s.color, backgroundColor: s.background } : undefined;
        return cls || style ? (
          <span key={i} className={cls || undefined} style={style}>
            {s.text}
          </span>
        ) : (
          s.text
        );
      })}
    </>
  );
}

interface LineProps {
  n: number;
  timestamp: string;
  body: string;
  matches: readonly number[];
  queryLength: number;
  currentInLine: number;
  selected: boolean;
  showTimestamps: boolean;
  onSelectLine(n: number): void;
}

/** One line; re-rendered only when what it shows changes. */
const Line = memo(function Line(p: LineProps) {
  const spans = markMatches(ansiSpans(p.body), p.matches, p.queryLength, p.currentInLine);
  const number = p.n + 1;
  return (
    <>
      <a
        className="tr-log-num"
        href={`#L${number}`}
        id={`L${number}`}
        onClick={(e) => {
          e.preventDefault();
          p.onSelectLine(number);
        }}
      >
        {number}
      </a>
      {p.showTimestamps ? (
        <time className="tr-log-ts" dateTime={p.timestamp} title={p.timestamp}>
          {shortTime(p.timestamp)}
        </time>
      ) : null}
      <span className="tr-log-body">
        <Spans spans={spans} />
      </span>
      {p.selected ? <span className="cds--visually-hidden"> (linked line)</span> : null}
    </>
  );
});

/** The log's rows, virtualized. */
export function LogView(props: LogViewProps) {
  const { text, version, search, current, selectedLine, focus, showTimestamps } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [folds, refold] = useReducer((x: number) => x + 1, 0);
  // The rows follow the text (one LogRows per text), extended on each version.
  const rows = useMemo(() => new LogRows(text), [text]);
  rows.update();
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 30,
    initialRect: { width: 1000, height: 600 },
  });

  const { foldAll } = props;
  useEffect(() => {
    if (foldAll === undefined) return;
    rows.setFolded(foldAll.fold);
    refold();
  }, [foldAll, rows]);

  useEffect(() => {
    if (focus === undefined) return;
    const row = rows.rowOfLine(focus.line);
    if (row < 0) return;
    refold();
    virtualizer.scrollToIndex(row, { align: "center" });
  }, [focus, rows, virtualizer]);

  const digits = String(Math.max(text.length, 1)).length;
  const width = `calc(${digits + 2}ch + ${showTimestamps && text.hasTimestamps ? 14 : 0}ch + ${text.widest + 2}ch)`;
  const currentMatch = search && current >= 0 ? search.match(current) : undefined;

  return (
    <div
      className="tr-log"
      ref={scroller}
      role="log"
      aria-label={props.label}
      tabIndex={0}
      data-testid="log-view"
      data-version={version}
      data-folds={folds}
    >
      <div
        className="tr-log-inner"
        style={{ height: virtualizer.getTotalSize(), width, minWidth: "100%" }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows.at(item.index);
          const section = sectionOfRow(row);
          const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
          if (section !== undefined) {
            const s = text.sections[section]!;
            const folded = rows.isFolded(section);
            return (
              <div key={`s${section}`} className="tr-log-row tr-log-section" style={style}>
                <button
                  type="button"
                  className="tr-log-fold"
                  aria-expanded={!folded}
                  data-testid="log-section"
                  onClick={() => {
                    rows.setFolded(!folded, [section]);
                    refold();
                  }}
                >
                  {folded ? <ChevronRight aria-hidden /> : <ChevronDown aria-hidden />}
                  <span className="tr-log-section-title">{s.title}</span>
                  <span className="tr-muted">
                    {" "}
                    {s.count.toLocaleString("en")} {s.count === 1 ? "line" : "lines"}
                  </span>
                </button>
              </div>
            );
          }
          const line = text.line(row);
          const inLine = search?.inLine(row);
          const selected = row === selectedLine;
          return (
            <div
              key={row}
              className={`tr-log-row tr-log-line${selected ? " tr-log-selected" : ""}`}
              style={style}
              data-line={row + 1}
            >
              <Line
                n={row}
                timestamp={line.timestamp}
                body={line.body}
                matches={inLine?.columns ?? NONE}
                queryLength={search?.query.length ?? 0}
                currentInLine={currentMatch?.line === row && inLine ? current - inLine.first : -1}
                selected={selected}
                showTimestamps={showTimestamps && text.hasTimestamps}
                onSelectLine={props.onSelectLine}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

const NONE: readonly number[] = [];
