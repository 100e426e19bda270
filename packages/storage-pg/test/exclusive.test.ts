/**
 * `runExclusive` on PostgreSQL: of two stores on one database and schema (two API replicas) that
 * race for a lock, exactly one runs its task; the other skips, and gets the lock once the first
 * is done. A task whose lock's session ends is told by its signal. A holder killed with SIGKILL in the middle of its task (another process) lets the lock
 * go with its session: the next try elsewhere runs. Another schema has locks of its own.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgStore, type PgStore } from "../src/index.js";
import {
  destroyTestStore,
  freshSchemaName,
  startTestPostgres,
  stopTestPostgres,
} from "./support/postgres.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

let url: string;
let schema: string;
let a: PgStore;
let b: PgStore;

beforeAll(async () => {
  ({ url } = await startTestPostgres());
  schema = freshSchemaName();
  a = await createPgStore({ connectionString: url, schema, poolMax: 2 });
  b = await createPgStore({ connectionString: url, schema, poolMax: 2 });
}, 120_000);

afterAll(async () => {
  await b?.close();
  if (a) await destroyTestStore(a);
  await stopTestPostgres();
});

/** A promise and its resolve function. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("runExclusive on PostgreSQL", () => {
  it("of two stores racing for a lock, exactly one runs; the other runs once it is free", async () => {
    const release = deferred();
    const ran: string[] = [];
    const task = (who: string) => async () => {
      ran.push(who);
      await release.promise;
    };
    const both = Promise.all([
      a.runExclusive("retention", task("a")),
      b.runExclusive("retention", task("b")),
    ]);
    // Whichever took the lock waits in its task; the other has given up.
    await expect.poll(() => ran.length).toBe(1);
    release.resolve();
    const results = await both;
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(ran).toHaveLength(1);
    // Free again: the next run, on either, runs.
    expect(await b.runExclusive("retention", () => Promise.resolve())).toBe(true);
    expect(await a.runExclusive("retention", () => Promise.resolve())).toBe(true);
  });

  it("lets the lock go when the task throws", async () => {
    await expect(
      a.runExclusive("retention", () => Promise.reject(new Error("boom"))),
    ).rejects.toThrow("boom");
    expect(await b.runExclusive("retention", () => Promise.resolve())).toBe(true);
  });

  it("other names and other schemas have locks of their own", async () => {
    const other = await createPgStore({ connectionString: url, schema: freshSchemaName() });
    try {
      const inner: Record<string, boolean> = {};
      await a.runExclusive("retention", async () => {
        inner.sameName = await b.runExclusive("retention", () => Promise.resolve());
        inner.otherName = await b.runExclusive("something-else", () => Promise.resolve());
        inner.otherSchema = await other.runExclusive("retention", () => Promise.resolve());
      });
      expect(inner).toEqual({ sameName: false, otherName: true, otherSchema: true });
    } finally {
      await destroyTestStore(other);
    }
  });

  it("aborts the task's signal when the lock's session ends under it (the lock is lost)", async () => {
    let reason: unknown;
    const ran = await a.runExclusive("retention", async (signal) => {
      expect(signal.aborted).toBe(false);
      // The database ends the session holding the lock (a restart, an administrator).
      await a.knex.raw(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
      );
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      reason = signal.reason;
    });
    expect(ran).toBe(true);
    expect(reason).toBeInstanceOf(Error);
    // Lost, so free: another takes it.
    expect(await b.runExclusive("retention", () => Promise.resolve())).toBe(true);
  });

  it("a holder killed with SIGKILL lets the lock go: the next try elsewhere runs", async () => {
    // The holder is another process on the built package (dist), as an API replica would be.
    const dist = join(packageDir, "dist/index.js");
    expect(existsSync(dist), "build it: npx tsc -p packages/storage-pg/tsconfig.lib.json").toBe(
      true,
    );
    const script = `
      const { createPgStore } = await import(${JSON.stringify(dist)});
      const store = await createPgStore({ connectionString: process.env.URL, schema: process.env.SCHEMA, poolMax: 1, migrate: false });
      await store.runExclusive("retention", async () => {
        process.stdout.write("holding\\n");
        await new Promise(() => {});
      });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, URL: url, SCHEMA: schema },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once("exit", (_c, s) => r(s)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("holding")) resolve();
      });
      child.once("exit", () => reject(new Error("the holder exited before holding the lock")));
    });
    // Held by the other process: skipped here.
    let ran = false;
    expect(await a.runExclusive("retention", async () => void (ran = true))).toBe(false);
    expect(ran).toBe(false);

    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    // PostgreSQL ends the dead client's session (its socket closed) and the lock with it.
    await expect
      .poll(() => a.runExclusive("retention", async () => void (ran = true)), {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(true);
    expect(ran).toBe(true);
  });
});
