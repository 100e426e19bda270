/**
 * The rows a log view shows: a header row for each titled section, then its lines unless the
 * section is folded. Kept in one growing `Int32Array` (a line's index, or `-1 - section` for a
 * header) and extended as lines stream in; rebuilt only when a section folds or unfolds.
 *
 * @module
 */
import type { LogText } from "./log-text.js";

/** The row of a section's header: `-1 - section` (a line's row is its index, >= 0). */
export const headerRow = (section: number): number => -1 - section;

/** The section of a header row, or `undefined` for a line's row. */
export const sectionOfRow = (row: number): number | undefined => (row < 0 ? -1 - row : undefined);

/** The visible rows of a {@link LogText}, given the folded sections. */
export class LogRows {
  private rows = new Int32Array(1024);
  /** The number of rows. */
  length = 0;
  private linesDone = 0;
  private lastSection = -1;
  private readonly folded = new Set<number>();

  /** The rows of `text` (call {@link LogRows.update} as it grows). */
  constructor(private readonly text: LogText) {
    this.update();
  }

  /** Add the rows of the lines added to the text since the last call. */
  update(): void {
    const { text } = this;
    for (let n = this.linesDone; n < text.length; n++) {
      const s = text.sectionIndexOf(n);
      if (s !== this.lastSection) {
        this.lastSection = s;
        if (text.sections[s]!.title !== "") this.push(headerRow(s));
      }
      if (!this.folded.has(s)) this.push(n);
    }
    this.linesDone = text.length;
  }

  private push(row: number): void {
    if (this.length === this.rows.length) {
      const bigger = new Int32Array(this.rows.length * 2);
      bigger.set(this.rows);
      this.rows = bigger;
    }
    this.rows[this.length++] = row;
  }

  /** Row `i`: a line's index (>= 0) or a header (see {@link sectionOfRow}). */
  at(i: number): number {
    return this.rows[i]!;
  }

  /** Whether section `s` is folded. */
  isFolded(s: number): boolean {
    return this.folded.has(s);
  }

  /** Fold or unfold sections (all when `sections` is undefined); the rows are rebuilt. */
  setFolded(fold: boolean, sections?: readonly number[]): void {
    const which = sections ?? this.text.sections.map((_, i) => i);
    for (const s of which) {
      if (fold) this.folded.add(s);
      else this.folded.delete(s);
    }
    this.length = 0;
    this.linesDone = 0;
    this.lastSection = -1;
    this.update();
  }

  /** The row of line `n`, unfolding its section when folded; -1 when the line is not loaded. */
  rowOfLine(n: number): number {
    if (n < 0 || n >= this.text.length) return -1;
    const s = this.text.sectionIndexOf(n);
    if (this.folded.has(s)) this.setFolded(false, [s]);
    // Rows are in line order, a header just before its section's first line.
    const key = (r: number): number => (r >= 0 ? r : this.text.sections[-1 - r]!.first - 0.5);
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = key(this.rows[mid]!);
      if (k === n) return mid;
      if (k < n) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
