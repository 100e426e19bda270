/**
 * ANSI colours of log lines, parsed by `anser` (not by hand): a line's styled spans, its text
 * without escapes (what search looks in), and the spans cut where search matches are, so that
 * a match is highlighted inside coloured text.
 *
 * @module
 */
import Anser from "anser";

/** A run of text with one style. */
export interface AnsiSpan {
  text: string;
  /** CSS classes: `ansi-red-fg`, `ansi-bright-blue-bg`, `ansi-bold`, …; empty for plain text. */
  className: string;
  /** Inline colours of 256-colour and true-colour escapes (`rgb(…)`), else undefined. */
  color?: string | undefined;
  background?: string | undefined;
  /** Part of a search match: `current` for the selected one. */
  match?: "match" | "current" | undefined;
}

const ESC = "\u001b";

/** The text of `line` without its ANSI escapes (`line` itself when it has none). */
export function plainText(line: string): string {
  return line.includes(ESC) ? Anser.ansiToText(line) : line;
}

/** The RGB of colour `n` (16 to 255) of the xterm palette, as `anser` names it `ansi-palette-n`. */
export function paletteRgb(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const level = (x: number): number => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
}

/** A colour of `anser`'s class output: a class name, or an inline colour. */
function colour(
  value: string | null,
  truecolor: string | null,
  suffix: string,
): { className?: string; inline?: string } {
  if (!value) return {};
  if (value === "ansi-truecolor" && truecolor) return { inline: `rgb(${truecolor})` };
  const palette = /^ansi-palette-(\d+)$/.exec(value);
  if (palette) return { inline: paletteRgb(Number(palette[1])) };
  return { className: value + suffix };
}

/** The styled spans of `line` (one plain span when it has no escapes). */
export function ansiSpans(line: string): AnsiSpan[] {
  if (!line.includes(ESC)) return line === "" ? [] : [{ text: line, className: "" }];
  const spans: AnsiSpan[] = [];
  for (const e of Anser.ansiToJson(line, { use_classes: true, remove_empty: true })) {
    if (e.content === "") continue;
    const fg = colour(e.fg, e.fg_truecolor, "-fg");
    const bg = colour(e.bg, e.bg_truecolor, "-bg");
    const classes = [
      fg.className,
      bg.className,
      ...(e.decorations ?? []).map((d) => `ansi-${d}`),
    ].filter((c): c is string => Boolean(c));
    spans.push({
      text: e.content,
      className: classes.join(" "),
      color: fg.inline,
      background: bg.inline,
    });
  }
  return spans;
}

/**
 * `spans` cut at the matches of a `length`-character query at `columns` (positions in the
 * text without escapes); the match numbered `current` (index into `columns`) marked so.
 */
export function markMatches(
  spans: readonly AnsiSpan[],
  columns: readonly number[],
  length: number,
  current = -1,
): AnsiSpan[] {
  if (columns.length === 0 || length === 0) return [...spans];
  const out: AnsiSpan[] = [];
  let pos = 0;
  for (const span of spans) {
    const end = pos + span.text.length;
    let cut = pos;
    for (let m = 0; m < columns.length; m++) {
      const from = Math.max(columns[m]!, cut);
      const to = Math.min(columns[m]! + length, end);
      if (from >= to) continue;
      if (from > cut) out.push({ ...span, text: span.text.slice(cut - pos, from - pos) });
      out.push({
        ...span,
        text: span.text.slice(from - pos, to - pos),
        match: m === current ? "current" : "match",
      });
      cut = to;
    }
    if (cut < end) out.push({ ...span, text: span.text.slice(cut - pos) });
    pos = end;
  }
  return out;
}
