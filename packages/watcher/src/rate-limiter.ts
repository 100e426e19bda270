/**
 * A token bucket that paces API calls: `qps` tokens per second, at most
 * `burst` saved up.
 *
 * @module
 */
import { sleep, type Clock } from "@tekton-results/runtime";

/** Paces calls. */
export interface RateLimiter {
  /** Resolve when a call may be made (takes one token). */
  take(signal?: AbortSignal): Promise<void>;
  /** Take a token now if one is available. */
  tryTake(): boolean;
}

/**
 * A token bucket of `burst` tokens refilled at `qps` per second on `clock`.
 * `qps` <= 0 means unlimited. Waiters are served in order.
 */
export function createRateLimiter(qps: number, burst: number, clock: Clock): RateLimiter {
  if (qps <= 0) {
    return { take: () => Promise.resolve(), tryTake: () => true };
  }
  const capacity = Math.max(1, burst);
  let tokens = capacity;
  let last = clock.now();
  let chain: Promise<void> = Promise.resolve();

  function refill(): void {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * qps);
    last = now;
  }
  function tryTake(): boolean {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
  return {
    tryTake,
    take(signal) {
      const turn = chain.then(async () => {
        while (!tryTake()) {
          if (signal?.aborted) return;
          await sleep(clock, Math.ceil(((1 - tokens) / qps) * 1000), signal);
        }
      });
      chain = turn;
      return turn;
    },
  };
}
