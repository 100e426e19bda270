/**
 * Exponential backoff: the delay before the n-th retry.
 *
 * @module
 */

/** Backoff settings. */
export interface BackoffOptions {
  /** First delay, in milliseconds. Default 100. */
  baseMs?: number;
  /** Largest delay, in milliseconds. Default 300000 (5 minutes). */
  maxMs?: number;
  /** Growth factor per failure. Default 2. */
  factor?: number;
  /** Random spread in [0, 1): the delay is multiplied by a factor in [1 - jitter, 1]. Default 0. */
  jitter?: number;
  /** Source of randomness in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
}

/** Computes delays for a number of consecutive failures. */
export type Backoff = (failures: number) => number;

/**
 * An exponential backoff: `base * factor^(failures-1)`, capped at `max`,
 * optionally reduced by up to `jitter` of itself. `failures` <= 0 gives 0.
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 300_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0;
  const random = options.random ?? Math.random;
  return (failures) => {
    if (failures <= 0) return 0;
    const raw = Math.min(max, base * Math.pow(factor, Math.min(failures - 1, 64)));
    return jitter > 0 ? raw * (1 - jitter * random()) : raw;
  };
}
