/**
 * Search in a log: every case-insensitive match of a text in the lines' bodies (ANSI escapes
 * removed), as line and column in typed arrays, extended as the log streams in.
 *
 * @module
 */
import { plainText } from "./ansi.js";
import type { LogText } from "./log-text.js";

/** The matches of one query in a {@link LogText}. */
export class LogSearch {
  private lines = new Int32Array(256);
  private columns = new Int32Array(256);
  /** The number of matches. */
  count = 0;
  private linesDone = 0;
  private readonly needle: string;

  /** The search of `query` (case-insensitive) in `text`; empty: no match. */
  constructor(
    private readonly text: LogText,
    readonly query: string,
  ) {
    this.needle = query.toLowerCase();
    this.update();
  }

  /** Search the lines added since the last call. */
  update(): void {
    const { text, needle } = this;
    if (needle === "") return;
    for (let n = this.linesDone; n < text.length; n++) {
      const hay = plainText(text.body(n)).toLowerCase();
      for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) {
        this.push(n, at);
      }
    }
    this.linesDone = text.length;
  }

  private push(line: number, column: number): void {
    if (this.count === this.lines.length) {
      const l = new Int32Array(this.lines.length * 2);
      l.set(this.lines);
      this.lines = l;
      const c = new Int32Array(this.columns.length * 2);
      c.set(this.columns);
      this.columns = c;
    }
    this.lines[this.count] = line;
    this.columns[this.count++] = column;
  }

  /** Match `i`: its line and column (in the body without escapes). */
  match(i: number): { line: number; column: number } {
    return { line: this.lines[i]!, column: this.columns[i]! };
  }

  /** The columns of the matches on line `n`, with the index of the first (binary search). */
  inLine(n: number): { first: number; columns: number[] } {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lines[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    const columns: number[] = [];
    for (let i = lo; i < this.count && this.lines[i] === n; i++) columns.push(this.columns[i]!);
    return { first: lo, columns };
  }

  /** The first match at or after line `n` (wrapping), or -1 when none. */
  firstFrom(n: number): number {
    if (this.count === 0) return -1;
    const { first } = this.inLine(n);
    return first < this.count ? first : 0;
  }
}
