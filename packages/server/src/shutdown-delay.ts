/**
 * The wait of `--shutdown-delay-ms`: between the first stop signal and the
 * graceful shutdown, the server goes on serving, not ready, while Kubernetes
 * removes the pod from its Service's endpoints; a second signal ends it early.
 *
 * @module
 */

/** A shutdown delay that can be ended early. */
export interface ShutdownDelay {
  /** Wait `ms`, or until {@link ShutdownDelay.skip}. */
  wait(ms: number): Promise<void>;
  /** End the wait in progress; false when none is. */
  skip(): boolean;
}

/** A {@link ShutdownDelay}, not waiting yet. */
export function createShutdownDelay(): ShutdownDelay {
  let end: (() => void) | undefined;
  return {
    wait(ms) {
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          end = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        end = done;
      });
    },
    skip() {
      if (!end) return false;
      end();
      return true;
    },
  };
}
