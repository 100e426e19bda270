/**
 * {@link ExclusiveRunner} on PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) taken
 * on a connection of its own, outside the pool, held while the task runs. Another process (an
 * API replica, the retention CronJob) that asks for the same lock meanwhile does not get it and
 * skips its run. The lock goes with the session: when the task ends the connection is closed,
 * and when the holder dies (a kill, a lost node) PostgreSQL ends its session and lets the lock
 * go, so the next run elsewhere takes it.
 *
 * @module
 */
import type pg from "pg";
import type { ExclusiveRunner } from "@tekton-results/storage";

/** The first key of every lock of this project (`hashtext` of it), so it leaves others' alone. */
export const LOCK_NAMESPACE = "tekton-results";

/** Opens the lock's own connection (not yet connected). */
export type PgLockClientFactory = () => pg.Client;

/**
 * An {@link ExclusiveRunner} whose locks are named within `schema`: two installations on one
 * database, in two schemas, do not exclude each other.
 */
export function pgExclusiveRunner(schema: string, open: PgLockClientFactory): ExclusiveRunner {
  return {
    async runExclusive(name, task) {
      const client = open();
      const lost = new AbortController();
      // The session broke (the database restarted, the network went): the lock is gone with it.
      const onLost = (err?: Error) => {
        if (!lost.signal.aborted) lost.abort(err ?? new Error("the lock's connection ended"));
      };
      client.on("error", onLost);
      client.on("end", () => onLost());
      try {
        await client.connect();
        const { rows } = await client.query<{ locked: boolean }>(
          "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked",
          [LOCK_NAMESPACE, `${schema}/${name}`],
        );
        if (rows[0]?.locked !== true) return false;
        await task(lost.signal);
        return true;
      } finally {
        client.removeAllListeners("end");
        // Ending the session lets the lock go (an explicit unlock would only repeat it).
        await client.end().catch(() => undefined);
      }
    },
  };
}
