import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredRecord, StoredResult } from "@tekton-results/storage";
import { createSqliteStore, type SqliteStore } from "../src/index.js";

const T0 = Date.UTC(2024, 0, 15, 10);

function result(name: string, n: number): StoredResult {
  const at = new Date(T0 + n);
  return {
    parent: "ns",
    name,
    uid: `uid-${name}`,
    annotations: { n: String(n) },
    createTime: at,
    updateTime: at,
    etag: `e-${n}`,
  };
}

function record(resultName: string, name: string, n: number): StoredRecord {
  const at = new Date(T0 + n);
  return {
    parent: "ns",
    resultName,
    name,
    uid: `ruid-${resultName}-${name}`,
    type: "tekton.dev/v1.TaskRun",
    data: JSON.stringify({ n }),
    createTime: at,
    updateTime: at,
    etag: `e-${n}`,
  };
}

let dir: string;
const open: SqliteStore[] = [];

async function openStore(
  filename: string,
  options: { migrate?: boolean; warnings?: string[] } = {},
): Promise<SqliteStore> {
  const store = await createSqliteStore({
    filename,
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
    logger: { info: () => undefined, warn: (_obj, msg) => options.warnings?.push(msg) },
  });
  open.push(store);
  return store;
}

async function closeStore(store: SqliteStore): Promise<void> {
  open.splice(open.indexOf(store), 1);
  await store.close();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tekton-results-sqlite-"));
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("createSqliteStore (file)", () => {
  it("creates parent directories and turns on WAL and foreign keys", async () => {
    const store = await openStore(join(dir, "a", "b", "results.db"));
    const pragma = async (name: string) =>
      ((await store.knex.raw(`PRAGMA ${name}`)) as Record<string, unknown>[])[0];
    expect(await pragma("journal_mode")).toEqual({ journal_mode: "wal" });
    expect(await pragma("foreign_keys")).toEqual({ foreign_keys: 1 });
    expect(await pragma("busy_timeout")).toEqual({ timeout: 5000 });
    expect(await pragma("synchronous")).toEqual({ synchronous: 1 });
  });

  it("keeps data across close and reopen, and migrating again changes nothing", async () => {
    const file = join(dir, "results.db");
    const first = await openStore(file);
    await first.createResult(result("a", 1));
    await first.createRecord(record("a", "x", 2));
    await closeStore(first);

    const second = await openStore(file);
    await second.migrate();
    await second.migrate();
    expect(await second.getResult("ns", "a")).toEqual(result("a", 1));
    expect((await second.getRecord("ns", "a", "x")).data).toBe('{"n":2}');
    const migrations = (await second.knex("knex_migrations").select("name")) as { name: string }[];
    expect(migrations.map((m) => m.name)).toEqual(["0001_initial", "0002_typed_record_columns"]);
  });

  it("warns when migrate is off and the schema is behind", async () => {
    const warnings: string[] = [];
    const store = await openStore(join(dir, "fresh.db"), { migrate: false, warnings });
    expect(warnings.some((w) => w.includes("pending migrations"))).toBe(true);
    await store.migrate();
    await store.createResult(result("a", 1));
    expect((await store.getResult("ns", "a")).name).toBe("a");
  });

  it("loses no writes when two stores write to the same file at once", async () => {
    const file = join(dir, "shared.db");
    const a = await openStore(file);
    const b = await openStore(file);
    await a.createResult(result("shared", 0));
    const writes: Promise<unknown>[] = [];
    for (let i = 1; i <= 40; i++) {
      const store = i % 2 === 0 ? a : b;
      writes.push(store.createResult(result(`r${i}`, i)));
      writes.push(store.createRecord(record("shared", `x${i}`, i)));
      writes.push(
        store.updateResult({
          parent: "ns",
          name: "shared",
          annotations: { last: String(i) },
          summary: undefined,
          updateTime: new Date(T0 + i),
          etag: `e-${i}`,
        }),
      );
    }
    const settled = await Promise.allSettled(writes);
    expect(settled.filter((s) => s.status === "rejected")).toEqual([]);
    const results = await a.listResults({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 100,
    });
    expect(results.items).toHaveLength(41);
    const records = await b.listRecords({
      parent: "ns",
      resultName: "shared",
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 100,
    });
    expect(records.items.map((r) => r.name)).toEqual(
      Array.from({ length: 40 }, (_, i) => `x${i + 1}`),
    );
  });

  it("waits for a writer in another thread instead of failing or losing writes", async () => {
    const file = join(dir, "threads.db");
    const store = await openStore(file);
    await store.createResult(result("shared", 0));
    const code = `
      const { workerData, parentPort } = require("node:worker_threads");
      const Database = require(workerData.driver);
      const db = new Database(workerData.file);
      db.pragma("busy_timeout = 5000");
      const insert = db.prepare(
        "INSERT INTO results (uid, parent, name, create_time, update_time, etag) VALUES (?, 'other', ?, ?, ?, 'e')");
      for (let i = 0; i < workerData.count; i++) {
        db.transaction(() => {
          insert.run("w-" + i, "w" + i, i, i);
          const until = Date.now() + 1;
          while (Date.now() < until) {}
        }).immediate();
      }
      db.close();
      parentPort.postMessage("done");
    `;
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(code, { eval: true, workerData: { driver, file, count: 150 } });
    const workerDone = new Promise<void>((resolveDone, reject) => {
      worker.on("message", () => resolveDone());
      worker.on("error", reject);
    });
    for (let i = 1; i <= 150; i++) {
      await store.createRecord(record("shared", `x${i}`, i));
      await store.updateResult({
        parent: "ns",
        name: "shared",
        annotations: { last: String(i) },
        summary: undefined,
        updateTime: new Date(T0 + i),
        etag: `e-${i}`,
      });
    }
    await workerDone;
    await worker.terminate();
    const fromWorker = await store.listResults({
      parent: "other",
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 1000,
    });
    expect(fromWorker.items).toHaveLength(150);
    const records = await store.listRecords({
      parent: "ns",
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 1000,
    });
    expect(records.items).toHaveLength(150);
    expect((await store.getResult("ns", "shared")).annotations).toEqual({ last: "150" });
  });

  it("gives exactly one winner to two stores racing on the same etag", async () => {
    const file = join(dir, "race.db");
    const a = await openStore(file);
    const b = await openStore(file);
    await a.createResult(result("r", 1));
    const update = (etag: string) => ({
      parent: "ns",
      name: "r",
      annotations: { by: etag },
      summary: undefined,
      updateTime: new Date(T0 + 2),
      etag,
    });
    const outcomes = await Promise.allSettled([
      a.updateResult(update("from-a"), { expectEtag: "e-1" }),
      b.updateResult(update("from-b"), { expectEtag: "e-1" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const loser = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: "failed_precondition" });
  });

  it("keeps the write-ahead log bounded: creates let SQLite checkpoint it", async () => {
    // SQLite checkpoints the WAL (into the database file, then reuses it)
    // when a commit finds it past 1,000 pages (4 MiB). An INSERT whose
    // RETURNING row was read with `get` committed without that checkpoint,
    // so a running server's -wal file only grew (updates, in explicit
    // transactions, did checkpoint). Here ~24 MiB of records are created.
    const filename = join(dir, "wal", "results.db");
    const store = await openStore(filename);
    await store.createResult(result("a", 0));
    const payload = "x".repeat(6000);
    for (let i = 0; i < 4000; i++) {
      const r = record("a", `r${i}`, i);
      await store.createRecord({ ...r, data: JSON.stringify({ payload, i }) });
    }
    const wal = statSync(`${filename}-wal`).size;
    const db = statSync(filename).size;
    expect(db).toBeGreaterThan(20 * 1024 * 1024);
    expect(wal).toBeLessThan(8 * 1024 * 1024);
    await closeStore(store);
  }, 60_000);
});
