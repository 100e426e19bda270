/**
 * The progress of an export or import on standard error: a progress bar (cli-progress) with
 * counts and rate when standard error is a terminal, else a plain line every few seconds, and
 * nothing with `--quiet`.
 *
 * @module
 */
import { SingleBar } from "cli-progress";
import { formatBytes } from "@tekton-results/runtime/table";

export { formatBytes };

/** What has been moved so far. */
export interface Counts {
  results: number;
  records: number;
  logs: number;
  logBytes: number;
}

/** A new set of zero counts. */
export function zeroCounts(): Counts {
  return { results: 0, records: 0, logs: 0, logBytes: 0 };
}

/** `3 results, 10 records, 4 logs (1.2 MiB)`. */
export function describeCounts(c: Counts): string {
  return `${c.results} results, ${c.records} records, ${c.logs} logs (${formatBytes(c.logBytes)})`;
}

/** A progress display. */
export interface Progress {
  /** The counts now, and (import) how many bytes of the stream are read. */
  update(counts: Counts, bytesDone?: number): void;
  /** Stop the display (the bar stays as it was last drawn). */
  stop(): void;
}

/** Where and how to show progress. */
export interface ProgressOptions {
  /** `export` or `import`: the first word of each line. */
  verb: string;
  /** `--quiet`: show nothing. */
  quiet: boolean;
  /** The stream the bar is drawn on when it is a terminal (standard error). */
  stream: NodeJS.WriteStream;
  /** Write a plain line (standard error), when the stream is not a terminal. */
  err: (text: string) => void;
  /** The size of the stream read (import of a file): the bar shows a percentage. */
  totalBytes?: number | undefined;
  /** Seconds between plain lines (default 2). */
  intervalSeconds?: number;
}

const PLAIN_INTERVAL_S = 2;

/** Start showing progress. */
export function startProgress(o: ProgressOptions): Progress {
  const started = Date.now();
  let counts = zeroCounts();
  const rate = () => (counts.records / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1);
  if (o.quiet) return { update: () => undefined, stop: () => undefined };
  if (o.stream.isTTY !== true) {
    const timer = setInterval(
      () => o.err(`${o.verb}: ${describeCounts(counts)} so far, ${rate()} records/s\n`),
      (o.intervalSeconds ?? PLAIN_INTERVAL_S) * 1000,
    );
    timer.unref();
    return {
      update: (c) => void (counts = { ...c }),
      stop: () => clearInterval(timer),
    };
  }
  const known = o.totalBytes !== undefined && o.totalBytes > 0;
  const bar = new SingleBar({
    stream: o.stream,
    hideCursor: true,
    etaBuffer: 50,
    format: known
      ? `${o.verb} [{bar}] {percentage}% | {counts} | {rate} records/s | ETA {eta_formatted}`
      : `${o.verb} {counts} | {rate} records/s | {duration_formatted}`,
  });
  bar.start(known ? o.totalBytes! : 0, 0, { counts: describeCounts(counts), rate: rate() });
  return {
    update(c, bytesDone) {
      counts = { ...c };
      bar.update(bytesDone ?? 0, { counts: describeCounts(counts), rate: rate() });
    },
    stop: () => bar.stop(),
  };
}
