/**
 * The toolbar of the Logs page: search with its match count and previous/next, the timestamps
 * switch, fold and unfold all, and the download of the raw log.
 *
 * @module
 */
import { forwardRef } from "react";
import { Button, Checkbox, Search } from "@carbon/react";
import { ChevronDown, ChevronUp, Download } from "@carbon/icons-react";

/** What the toolbar shows and does. */
export interface LogToolbarProps {
  query: string;
  onQuery(query: string): void;
  /** The number of matches, and the selected one (0-based, -1: none). */
  count: number;
  current: number;
  onNext(): void;
  onPrevious(): void;
  /** Whether the log has timestamps; whether they are shown. */
  hasTimestamps: boolean;
  showTimestamps: boolean;
  onShowTimestamps(show: boolean): void;
  onFoldAll(fold: boolean): void;
  /** Download the raw log; undefined while there is nothing to download. */
  onDownload: (() => void) | undefined;
}

/** The count of the search: `3 of 120`, `No matches`, or nothing without a query. */
export function matchCount(query: string, count: number, current: number): string {
  if (query === "") return "";
  if (count === 0) return "No matches";
  return `${current >= 0 ? (current + 1).toLocaleString("en") : "–"} of ${count.toLocaleString("en")}`;
}

/** The toolbar; its ref is the search input (focused by `/` and Ctrl+F). */
export const LogToolbar = forwardRef<HTMLInputElement, LogToolbarProps>(
  function LogToolbar(p, searchRef) {
    return (
      <div className="tr-log-toolbar" role="toolbar" aria-label="Log tools">
        <div className="tr-log-search">
          <Search
            ref={searchRef}
            id="tr-log-search"
            size="sm"
            labelText="Search the log"
            placeholder="Search the log (/ or Ctrl+F; Enter, n: next; Shift+Enter, N: previous)"
            value={p.query}
            onChange={(e) => p.onQuery(typeof e === "string" ? e : e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                if (e.shiftKey) p.onPrevious();
                else p.onNext();
              } else if (e.key === "Escape") {
                (e.target as HTMLInputElement).blur();
              }
            }}
          />
          <span className="tr-log-count" data-testid="log-match-count" aria-live="polite">
            {matchCount(p.query, p.count, p.current)}
          </span>
          <Button
            kind="ghost"
            size="sm"
            hasIconOnly
            renderIcon={ChevronUp}
            iconDescription="Previous match (Shift+Enter, N)"
            disabled={p.count === 0}
            onClick={p.onPrevious}
          />
          <Button
            kind="ghost"
            size="sm"
            hasIconOnly
            renderIcon={ChevronDown}
            iconDescription="Next match (Enter, n)"
            disabled={p.count === 0}
            onClick={p.onNext}
          />
        </div>
        {p.hasTimestamps ? (
          <Checkbox
            id="tr-log-timestamps"
            labelText="Timestamps"
            checked={p.showTimestamps}
            onChange={(_, { checked }) => p.onShowTimestamps(checked)}
          />
        ) : null}
        <Button kind="ghost" size="sm" onClick={() => p.onFoldAll(true)}>
          Collapse all
        </Button>
        <Button kind="ghost" size="sm" onClick={() => p.onFoldAll(false)}>
          Expand all
        </Button>
        <Button
          kind="tertiary"
          size="sm"
          renderIcon={Download}
          disabled={p.onDownload === undefined}
          onClick={p.onDownload}
        >
          Download
        </Button>
      </div>
    );
  },
);
