/**
 * Go's `text/tabwriter`, for the output of upstream's older commands, which print through it:
 * tab-terminated cells aligned in column blocks (consecutive lines that have a cell in a column
 * share its width), a line without a tab ending every block, and with `tabIndent` the leading
 * empty cells written as tabs.
 *
 * Written by hand: no maintained npm package ports it, and cli-table3 (which lays out the
 * other tables) has no column blocks, minimum width or tab indentation.
 *
 * @module
 */

/** The settings of `tabwriter.NewWriter(out, minwidth, tabwidth, padding, ' ', flags)`. */
export interface TabwriterOptions {
  /** The minimal width of a cell, padding included. */
  minwidth: number;
  /** The width of a tab, for `tabIndent`. */
  tabwidth: number;
  /** The padding added to a cell's width. */
  padding: number;
  /** `tabwriter.TabIndent`: leading empty cells as tabs. */
  tabIndent?: boolean;
}

interface Cell {
  text: string;
  /** Width in runes, as Go counts it. */
  width: number;
}

const runes = (s: string): number => [...s].length;

function splitLines(text: string): { lines: Cell[][]; trailer: string } {
  const raw = text.split("\n");
  const trailer = raw.pop() ?? "";
  const lines = raw.map((line) => line.split("\t").map((t) => ({ text: t, width: runes(t) })));
  return { lines, trailer };
}

/**
 * `text` laid out as Go's tabwriter lays it out with `options` (left-aligned, padded with
 * spaces). Cells are terminated by tabs; the text after a line's last tab is not aligned.
 */
export function tabwrite(text: string, options: TabwriterOptions): string {
  const { lines, trailer } = splitLines(text);
  let out = "";
  // A line with a single cell (no tab) flushes: blocks never span it.
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || lines[i]!.length === 1) {
      const end = i === lines.length ? i : i + 1;
      out += formatBlock(lines.slice(start, end), options);
      start = end;
    }
  }
  return out + trailer;
}

function formatBlock(lines: Cell[][], o: TabwriterOptions): string {
  const widths: number[] = [];
  let out = "";
  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]!;
      let useTabs = o.tabIndent === true;
      line.forEach((c, j) => {
        if (c.text === "") {
          if (j < widths.length) out += padding(c.width, widths[j]!, useTabs, o);
        } else {
          useTabs = false;
          out += c.text;
          if (j < widths.length) out += padding(c.width, widths[j]!, false, o);
        }
      });
      out += "\n";
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = o.minwidth;
      for (; t < line1; t++) {
        const line = lines[t]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column]!.width + o.padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
      // As Go: the loop's t++ passes line t, which has no cell in this column.
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out;
}

function padding(textw: number, cellw: number, useTabs: boolean, o: TabwriterOptions): string {
  if (useTabs) {
    if (o.tabwidth === 0) return "";
    const w = Math.ceil(cellw / o.tabwidth) * o.tabwidth;
    return "\t".repeat(Math.ceil((w - textw) / o.tabwidth));
  }
  return " ".repeat(cellw - textw);
}
