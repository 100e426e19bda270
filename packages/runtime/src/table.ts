/**
 * Tables as `tkn` and `kubectl` print them, and byte counts, for the programs' human output
 * (`@tekton-results/runtime/table`, a subpath: only the programs that print tables
 * load cli-table3).
 *
 * @module
 */
import Table from "cli-table3";

/**
 * A table as `tkn` prints one: no borders, each column as wide as its widest cell plus three
 * spaces (Go's tabwriter with padding 3), no trailing spaces. cli-table3 lays it out (it measures
 * coloured cells by their visible width); its border characters are all empty.
 */
export function renderTable(head: string[], rows: string[][]): string {
  const table = new Table({
    head,
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 3, compact: true },
  });
  table.push(...rows);
  return (
    table
      .toString()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => line.trimEnd())
      .join("\n") + "\n"
  );
}

/** Bytes with a binary unit: `300 B`, `12.0 KiB`, `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
