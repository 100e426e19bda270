/**
 * The fixed-seed fuzz run on PostgreSQL (embedded, or TEST_DATABASE_URL):
 * 500 generated requests over each protocol — fewer than on SQLite, as every
 * write's data-set checksum is a round trip to the database.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { expectCleanRun } from "./ci-run.js";
import { startPostgres, type FuzzDatabase } from "./postgres.js";

let db: FuzzDatabase | undefined;
beforeAll(async () => {
  db = await startPostgres();
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

describe("fuzzing the API on PostgreSQL, fixed seed", () => {
  it("500 requests per protocol break no invariant", async () => {
    await expectCleanRun({ kind: "postgres", url: db!.url }, 500);
  }, 900_000);
});
