/**
 * Go-style durations (`10m`, `1h30m`, `-1s`, `500ms`, `0`) as milliseconds
 * (`@tekton-results/runtime/duration`, a subpath that loads nothing else): the
 * watcher's flags and the CLI's `--timeout` read them with this one parser.
 *
 * @module
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parse a duration like Go's `time.ParseDuration`: an optional sign, then
 * one or more `<number><unit>` with units ns, us, ms, s, m, h (`1h30m`,
 * `-1s`, `1.5s`). `0` needs no unit. Returns milliseconds; throws a
 * `RangeError` on anything else.
 */
export function parseDuration(text: string): number {
  const input = text.trim();
  const match = /^([+-]?)(.*)$/.exec(input)!;
  const sign = match[1] === "-" ? -1 : 1;
  const body = match[2]!;
  if (body === "0") return 0;
  if (body === "") throw new RangeError(`invalid duration ${JSON.stringify(text)}`);
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const m = part.exec(body);
    if (!m)
      throw new RangeError(`invalid duration ${JSON.stringify(text)}: use e.g. 10m, 1h30m, -1s`);
    total += Number(m[1]) * UNITS[m[2]!]!;
    index = part.lastIndex;
  }
  return sign * total;
}

/** Format milliseconds as a Go-style duration (`1h30m0s`-like, shortest exact form). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  return `${sign}${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s || (!h && !m) ? `${s}s` : ""}`;
}
