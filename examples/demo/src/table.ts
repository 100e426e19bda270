/**
 * Plain-text tables for the demo's output.
 *
 * @module
 */

/**
 * Format `rows` under `header` as left-aligned columns separated by two
 * spaces, each line prefixed with `indent`; trailing spaces are trimmed.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  indent = "  ",
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    (indent + widths.map((w, i) => (cells[i] ?? "").padEnd(w)).join("  ")).trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `text` cut to `max` characters, with `…` when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
