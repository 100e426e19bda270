/**
 * Waiting for a condition with a deadline, as the tour does for the watcher.
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";

/** The tour failed; the message says where. */
export class DemoError extends Error {
  override readonly name = "DemoError";
}

/** How long a wait may take, and what interrupts it. */
export interface WaitLimits {
  /** The deadline, in ms from the start of the wait. */
  timeoutMs: number;
  /** Aborting it ends the wait with a {@link DemoError}. */
  signal?: AbortSignal | undefined;
  /** Time between checks, in ms. Default 50. */
  intervalMs?: number;
}

/**
 * Poll `check` until it returns a value other than `undefined`. Past the
 * deadline, or when the signal aborts, reject with a {@link DemoError} naming
 * `what` and, when given, the state `progress` describes.
 */
export async function waitFor<T>(
  what: string,
  limits: WaitLimits,
  check: () => Promise<T | undefined> | T | undefined,
  progress?: () => string,
): Promise<T> {
  const { timeoutMs, signal, intervalMs = 50 } = limits;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new DemoError(`interrupted while waiting for ${what}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      const state = progress?.();
      const limit = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
      throw new DemoError(
        `timed out after ${limit} waiting for ${what}${state ? ` (${state})` : ""}`,
      );
    }
    await sleep(intervalMs);
  }
}
