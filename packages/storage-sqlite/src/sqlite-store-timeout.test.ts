import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StorageError, compileFilter } from "@tekton-results/storage";
import { createSqliteStore, type SqliteStore } from "./sqlite-store.js";

const T0 = Date.UTC(2024, 0, 15, 10);

let store: SqliteStore | undefined;
let dir: string | undefined;

afterEach(async () => {
  await store?.close();
  store = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * A file store with `count` records of long values, loaded, then reopened
 * with `statementTimeoutMs`.
 */
async function loaded(statementTimeoutMs: number, count: number): Promise<SqliteStore> {
  dir = mkdtempSync(join(tmpdir(), "sqlite-timeout-"));
  const filename = join(dir, "results.db");
  const s = await createSqliteStore({ filename, statementTimeoutMs: 0 });
  const at = new Date(T0);
  await s.createResult({
    parent: "ns",
    name: "a",
    uid: "uid-a",
    annotations: {},
    createTime: at,
    updateTime: at,
    etag: "e",
  });
  const value = "x".repeat(2000);
  for (let i = 0; i < count; i++) {
    await s.createRecord({
      parent: "ns",
      resultName: "a",
      name: `r${i}`,
      uid: `ruid-${i}`,
      type: "tekton.dev/v1.TaskRun",
      data: JSON.stringify({ a: `${value}${i}` }),
      createTime: new Date(T0 + i),
      updateTime: new Date(T0 + i),
      etag: `e${i}`,
    });
  }
  await s.close();
  return createSqliteStore({ filename, statementTimeoutMs });
}

describe("the SQLite statement time limit", () => {
  it("cuts off a filter that runs past the limit with deadline_exceeded, and keeps serving", async () => {
    store = await loaded(1, 1500);
    const slow = compileFilter('data.a.matches("^(x+)+y$")', { target: "records" })!;
    let err: unknown;
    try {
      await store.listRecords({
        filter: slow,
        orderBy: [{ field: "create_time", direction: "asc" }],
        pageSize: 10,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe("deadline_exceeded");
    expect((err as StorageError).message).toBe(
      "the query ran longer than 1 ms (the SQLite statement limit); use a narrower filter",
    );
    const page = await store.listRecords({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 2,
    });
    expect(page.items.map((r) => r.name)).toEqual(["r0", "r1"]);
    expect((await store.getRecord("ns", "a", "r7")).name).toBe("r7");
  });

  it("lets the same filter finish under the default limit", async () => {
    store = await loaded(5000, 200);
    const page = await store.listRecords({
      filter: compileFilter('data.a.matches("^(x+)+[0-9]$")', { target: "records" })!,
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 100,
    });
    expect(page.items).toHaveLength(10);
  });

  it("refuses a negative limit", async () => {
    await expect(
      createSqliteStore({ filename: ":memory:", statementTimeoutMs: -1 }),
    ).rejects.toThrow("statementTimeoutMs must be a non-negative integer");
  });
});
