/**
 * An optional capability of a store: running a task in one process at a time among every process
 * sharing the store's database (the API replicas, a retention CronJob). PostgreSQL stores have it
 * (a session advisory lock); a store without it (SQLite, opened by one process; the in-memory
 * store) runs the task directly.
 *
 * @module
 */

/** A store that can run a task exclusively across the processes sharing its database. */
export interface ExclusiveRunner {
  /**
   * Run `task` unless another holder of the lock `name` (in any process on the same database)
   * runs now: resolves `true` once `task` has run, `false` (without calling it) when another
   * holds the lock. The lock is held for the whole task and let go when it ends or throws, and
   * when the holder's process or connection dies. `signal` aborts when the lock is lost while
   * `task` runs (its connection broke): the task should stop, as another may now take over.
   */
  runExclusive(name: string, task: (signal: AbortSignal) => Promise<void>): Promise<boolean>;
}

/** Whether `store` has the {@link ExclusiveRunner} capability. */
export function isExclusiveRunner(store: unknown): store is ExclusiveRunner {
  return (
    typeof store === "object" &&
    store !== null &&
    typeof (store as Partial<ExclusiveRunner>).runExclusive === "function"
  );
}

/**
 * Run `task` under `store`'s lock `name` when the store has one ({@link ExclusiveRunner}), else
 * directly (a never-aborted signal). Resolves whether `task` ran.
 */
export async function runExclusive(
  store: object,
  name: string,
  task: (signal: AbortSignal) => Promise<void>,
): Promise<boolean> {
  if (isExclusiveRunner(store)) return store.runExclusive(name, task);
  await task(new AbortController().signal);
  return true;
}
