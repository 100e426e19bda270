/**
 * Exponential backoff: the delay before the n-th retry, jittered by default.
 *
 * The jitter cuts each delay by a random share of up to {@link DEFAULT_JITTER}
 * (20%): after an outage, the keys that failed together (and the replicas
 * that retried together) spread over a fifth of the delay instead of retrying
 * in lockstep. Cutting, not adding (client-go's `wait.Jitter` adds up to a
 * factor), keeps every delay within `maxMs` and within a deadline a caller
 * computed from it; at 20% the next failure's delay (at least 1.6 times this
 * one's undiminished delay) still grows. Full jitter (a delay anywhere in
 * [0, d]) spreads more but retries half the keys far too early.
 *
 * @module
 */

/** The default jitter: each delay is cut by a random share of up to 20%. */
export const DEFAULT_JITTER = 0.2;

/** Backoff settings. */
export interface BackoffOptions {
  /** First delay, in milliseconds. Default 100. */
  baseMs?: number;
  /** Largest delay, in milliseconds. Default 300000 (5 minutes). */
  maxMs?: number;
  /** Growth factor per failure. Default 2. */
  factor?: number;
  /**
   * Random spread in [0, 1): the delay is multiplied by a factor in
   * (1 - jitter, 1]. Default {@link DEFAULT_JITTER}; 0 turns it off.
   */
  jitter?: number;
  /** Source of randomness in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

/** Computes delays for a number of consecutive failures. */
export type Backoff = (failures: number) => number;

/**
 * An exponential backoff: `base * factor^(failures-1)`, capped at `max`,
 * reduced by a random share of up to `jitter` of itself. `failures` <= 0 gives 0.
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 300_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? DEFAULT_JITTER;
  const random = options.random ?? Math.random;
  return (failures) => {
    if (failures <= 0) return 0;
    const raw = Math.min(max, base * Math.pow(factor, Math.min(failures - 1, 64)));
    return jitter > 0 ? raw * (1 - jitter * random()) : raw;
  };
}
