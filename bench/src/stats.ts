/**
 * Measurement: latency percentiles, throughput and the process CPU time spent
 * per operation, for a bounded run of operations at a fixed concurrency.
 *
 * @module
 */
import { performance } from "node:perf_hooks";

/** What one measured run produced. */
export interface Measurement {
  /** Operations completed. */
  ops: number;
  /** Wall time of the whole run, ms. */
  wallMs: number;
  /** Operations per second (ops / wall time). */
  opsPerSec: number;
  /** Latency percentiles and mean of one operation, ms. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Process CPU time (user + system) per operation, µs. */
  cpuUsPerOp: number;
}

/** The `q` quantile (0..1) of sorted values, nearest-rank; 0 when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Summarize latencies (ms) with the run's wall time and CPU time. */
export function summarize(
  latencies: readonly number[],
  wallMs: number,
  cpuUs: number,
): Measurement {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ops = sorted.length;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    ops,
    wallMs,
    opsPerSec: wallMs > 0 ? (ops * 1000) / wallMs : 0,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    meanMs: ops > 0 ? sum / ops : 0,
    cpuUsPerOp: ops > 0 ? cpuUs / ops : 0,
  };
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Operations in total (bounded). */
  ops: number;
  /** Workers issuing operations at once. Default 1. */
  concurrency?: number;
  /** Untimed operations run first (with indexes after the measured ones). Default 0. */
  warmup?: number;
  /** Stop issuing new operations after this many ms. Default: no limit. */
  maxMs?: number;
}

/**
 * Run `op(i, worker)` for i = 0..ops-1 on `concurrency` workers (numbered from
 * 0), each awaiting its
 * previous operation, and measure every operation's latency, the wall time
 * and the process CPU time. A thrown error fails the whole run.
 */
export async function measure(
  options: MeasureOptions,
  op: (index: number, worker: number) => Promise<unknown> | unknown,
): Promise<Measurement> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const warmup = options.warmup ?? 0;
  for (let i = 0; i < warmup; i++) await op(options.ops + i, i % concurrency);
  const latencies: number[] = [];
  let nextIndex = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = options.maxMs !== undefined ? t0 + options.maxMs : Infinity;
  const worker = async (_: unknown, w: number): Promise<void> => {
    for (;;) {
      const i = nextIndex++;
      if (i >= options.ops || performance.now() > deadline) return;
      const start = performance.now();
      await op(i, w);
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return summarize(latencies, wallMs, cpu.user + cpu.system);
}

/** Time one async call, ms. */
export async function time<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}
