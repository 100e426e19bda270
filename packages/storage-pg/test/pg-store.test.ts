/**
 * Behaviour of the PostgreSQL store beyond the shared conformance suite:
 * index use of list queries, the per-connection statement timeout, startup
 * retries, schemas, migrations and record data that is not JSON.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import {
  StorageError,
  compileFilter,
  type StoredRecord,
  type StoredResult,
} from "@tekton-results/storage";
import { createPgStore, pgMigrations, type PgStore } from "../src/index.js";
import {
  createTestStore,
  destroyTestStore,
  freePort,
  freshSchemaName,
  startTestPostgres,
  stopTestPostgres,
} from "./support/postgres.js";

let url: string;

beforeAll(async () => {
  ({ url } = await startTestPostgres());
});

afterAll(async () => {
  await stopTestPostgres();
});

const T = Date.UTC(2024, 0, 15, 10);

function result(parent: string, name: string, uid: string): StoredResult {
  return {
    parent,
    name,
    uid,
    annotations: {},
    createTime: new Date(T),
    updateTime: new Date(T),
    etag: "e1",
  };
}

function record(
  parent: string,
  resultName: string,
  name: string,
  uid: string,
  data: string,
): StoredRecord {
  return {
    parent,
    resultName,
    name,
    uid,
    type: "tekton.dev/v1.TaskRun",
    data,
    createTime: new Date(T),
    updateTime: new Date(T),
    etag: "e1",
  };
}

/** The plan nodes of an EXPLAIN (FORMAT JSON), depth first. */
function planNodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}

describe("list queries use the indexes", () => {
  it("a parent-scoped list ordered by create_time desc reads an index in order, no Sort over a Seq Scan", async () => {
    const store = await createTestStore();
    try {
      await store.knex.raw(
        `INSERT INTO results (uid, parent, name, create_time, update_time, etag)
         SELECT md5(i::text), 'ns-' || (i % 50), 'r-' || i, ${T} + i * 1000, ${T} + i * 1000, 'e'
         FROM generate_series(1, 20000) AS i`,
      );
      await store.knex.raw(
        `INSERT INTO records (uid, result_id, parent, result_name, name, type, data, create_time, update_time, etag)
         SELECT md5('rec' || id), id, parent, name, 'x', 'tekton.dev/v1.TaskRun', '{}', create_time, update_time, 'e'
         FROM results`,
      );
      await store.knex.raw("ANALYZE results");
      await store.knex.raw("ANALYZE records");
      const queries: { sql: string; bindings: unknown[] }[] = [];
      store.knex.on("query", (q: { sql: string; bindings?: unknown[] }) => {
        queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
      });
      const first = await store.listResults({
        parent: "ns-7",
        orderBy: [{ field: "create_time", direction: "desc" }],
        pageSize: 10,
      });
      expect(first.items).toHaveLength(10);
      await store.listResults({
        parent: "ns-7",
        orderBy: [{ field: "create_time", direction: "desc" }],
        pageSize: 10,
        after: first.next!,
      });
      await store.listRecords({
        parent: "ns-7",
        orderBy: [{ field: "create_time", direction: "desc" }],
        pageSize: 10,
      });
      expect(queries).toHaveLength(3);
      const client = (await store.knex.client.acquireConnection()) as pg.Client;
      try {
        for (const q of queries) {
          const out = await client.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.bindings);
          const plan = (out.rows[0] as { "QUERY PLAN": [{ Plan: Record<string, unknown> }] })[
            "QUERY PLAN"
          ][0].Plan;
          const nodes = planNodes(plan);
          const types = nodes.map((n) => n["Node Type"]);
          expect(types, JSON.stringify(types)).not.toContain("Sort");
          expect(types, JSON.stringify(types)).not.toContain("Seq Scan");
          expect(
            nodes.some((n) => String(n["Index Name"] ?? "").includes("parent_create_time")),
            JSON.stringify(types),
          ).toBe(true);
        }
      } finally {
        await store.knex.client.releaseConnection(client);
      }
    } finally {
      await destroyTestStore(store);
    }
  });
});

describe("JIT", () => {
  it("is off on the store's sessions unless asked for (compiling cost seconds per statement)", async () => {
    const schema = freshSchemaName();
    const store = await createPgStore({ connectionString: url, schema });
    const withJit = await createPgStore({ connectionString: url, schema, jit: true });
    try {
      const setting = async (s: PgStore) =>
        ((await s.knex.raw("SHOW jit")) as { rows: { jit: string }[] }).rows[0]?.jit;
      expect(await setting(store)).toBe("off");
      expect(await setting(withJit)).toBe("on");
    } finally {
      await withJit.close();
      await store.close();
    }
  });
});

describe("statement timeout", () => {
  it("cancels a statement that runs longer than statementTimeoutMs: deadline_exceeded", async () => {
    const schema = freshSchemaName();
    const store = await createPgStore({ connectionString: url, schema, statementTimeoutMs: 200 });
    const holder = await createPgStore({ connectionString: url, schema, statementTimeoutMs: 0 });
    try {
      await store.createResult(result("ns", "a", "00000000-0000-4000-8000-000000000001"));
      const trx = await holder.knex.transaction();
      try {
        await trx.raw("SELECT * FROM results WHERE name = 'a' FOR UPDATE");
        const started = Date.now();
        const err = await store
          .updateResult({
            parent: "ns",
            name: "a",
            annotations: {},
            summary: undefined,
            updateTime: new Date(T + 1000),
            etag: "e2",
          })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect(err).toMatchObject({ code: "deadline_exceeded" });
        expect((err as Error).message).not.toMatch(/statement|cancel|SELECT|UPDATE/i);
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await trx.rollback();
      }
      const slow = await store.knex.raw("SELECT pg_sleep(2)").catch((e: unknown) => e);
      expect((slow as { code?: string }).code).toBe("57014");
    } finally {
      await holder.close();
      await destroyTestStore(store);
    }
  });
});

/** A TCP proxy to `target`, started later: the database "comes up" when it listens. */
function proxy(port: number, target: URL): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  server.on("close", () => sockets.forEach((s) => s.destroy()));
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

describe("startup", () => {
  it("retries a refused first connection, logging each retry, then works", async () => {
    const port = await freePort();
    const target = new URL(url);
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(port);
    const warnings: { obj: object; msg: string }[] = [];
    let server: Server | undefined;
    const timer = setTimeout(() => {
      void proxy(port, target).then((s) => (server = s));
    }, 400);
    const store = await createPgStore({
      connectionString: proxied.toString(),
      schema: freshSchemaName(),
      startupRetries: { attempts: 50, delayMs: 100 },
      logger: { info: () => undefined, warn: (obj, msg) => warnings.push({ obj, msg }) },
    });
    try {
      clearTimeout(timer);
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      expect(warnings[0]!.msg).toMatch(/retrying/);
      expect(warnings[0]!.obj).toMatchObject({ attempt: 1, code: "ECONNREFUSED" });
      await store.createResult(result("ns", "a", "00000000-0000-4000-8000-000000000002"));
      expect((await store.getResult("ns", "a")).uid).toBe("00000000-0000-4000-8000-000000000002");
    } finally {
      await destroyTestStore(store);
      await new Promise((r) => server?.close(r) ?? r(undefined));
    }
  });

  it("gives up after the attempts with unavailable and no driver text in the message", async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const err = await createPgStore({
      connectionString: `postgres://postgres:x@127.0.0.1:${port}/postgres`,
      startupRetries: { attempts: 2, delayMs: 10 },
      logger: { info: () => undefined, warn: (_obj, msg) => warnings.push(msg) },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: "unavailable" });
    expect((err as Error).message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect((err as StorageError).cause).toMatchObject({ code: "ECONNREFUSED" });
    expect(warnings).toHaveLength(2);
  });
});

describe("schemas and migrations", () => {
  it("keeps stores in different schemas apart, in that schema only", async () => {
    const a = await createTestStore();
    const b = await createTestStore();
    try {
      await a.createResult(result("ns", "x", "00000000-0000-4000-8000-000000000003"));
      await expect(b.getResult("ns", "x")).rejects.toMatchObject({ code: "not_found" });
      const tables = (await a.knex.raw(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'results'",
      )) as { rows: { table_schema: string }[] };
      expect(tables.rows.map((r) => r.table_schema)).not.toContain("public");
    } finally {
      await destroyTestStore(a);
      await destroyTestStore(b);
    }
  });

  it("migrates idempotently, and warns about pending migrations with migrate: false", async () => {
    const schema = freshSchemaName();
    const warnings: string[] = [];
    const empty = await createPgStore({
      connectionString: url,
      schema,
      migrate: false,
      logger: { info: () => undefined, warn: (_o, msg) => warnings.push(msg) },
    });
    expect(warnings).toEqual(["postgres: the database schema has pending migrations"]);
    await empty.migrate();
    await empty.migrate();
    const migrated = (await empty.knex.raw(`SELECT name FROM ${schema}.knex_migrations`)) as {
      rows: { name: string }[];
    };
    expect(migrated.rows.map((r) => r.name)).toEqual(["0001_initial", "0002_typed_record_columns"]);
    await destroyTestStore(empty);
  });

  it("migrates concurrently from several stores", async () => {
    const schema = freshSchemaName();
    const stores = await Promise.all(
      [1, 2, 3].map(() => createPgStore({ connectionString: url, schema })),
    );
    await stores[0]!.createResult(result("ns", "c", "00000000-0000-4000-8000-000000000004"));
    expect((await stores[2]!.getResult("ns", "c")).name).toBe("c");
    await Promise.all(stores.slice(1).map((s) => s.close()));
    await destroyTestStore(stores[0]!);
  });

  it("migrates past a doubled or stale knex lock (two racing first migrators, a crashed one)", async () => {
    for (const rows of [[0, 0], [1]]) {
      const schema = freshSchemaName();
      // What knex leaves when two first migrators both insert its lock row, or
      // when a migrator dies holding it: every later migration was refused.
      const setup = await createPgStore({ connectionString: url, schema, migrate: false });
      await setup.knex.raw(`CREATE SCHEMA ${schema}`);
      await setup.knex.raw(
        `CREATE TABLE ${schema}.knex_migrations_lock (index serial PRIMARY KEY, is_locked integer)`,
      );
      for (const locked of rows) {
        await setup.knex.raw(`INSERT INTO ${schema}.knex_migrations_lock (is_locked) VALUES (?)`, [
          locked,
        ]);
      }
      await setup.close();
      const started = Date.now();
      const store = await createPgStore({ connectionString: url, schema });
      try {
        expect(Date.now() - started).toBeLessThan(10_000);
        const applied = (await store.knex.raw(
          `SELECT count(*)::int AS n FROM ${schema}.knex_migrations`,
        )) as { rows: { n: number }[] };
        expect(applied.rows[0]!.n).toBe(pgMigrations.length);
        await store.createResult(result("ns", "l", "00000000-0000-4000-8000-000000000009"));
        const lock = (await store.knex.raw(
          `SELECT is_locked FROM ${schema}.knex_migrations_lock`,
        )) as { rows: { is_locked: number }[] };
        expect(lock.rows).toEqual([{ is_locked: 0 }]);
      } finally {
        await destroyTestStore(store);
      }
    }
  });

  it("rejects a schema name that is not a plain identifier", async () => {
    await expect(createPgStore({ connectionString: url, schema: 'x"; DROP' })).rejects.toThrow(
      TypeError,
    );
  });
});

describe("record data", () => {
  let store: PgStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(async () => {
    await destroyTestStore(store);
  });

  it("is returned byte for byte, and text that is not JSON is absent to filters without failing them", async () => {
    await store.createResult(result("ns", "r", "00000000-0000-4000-8000-000000000005"));
    const odd = '{ "b": 1.50,  "a": [1e2, "\\u00e9"], "b": 2 }';
    const broken = '{"spec": ';
    await store.createRecord(record("ns", "r", "odd", "00000000-0000-4000-8000-000000000006", odd));
    await store.createRecord(
      record("ns", "r", "broken", "00000000-0000-4000-8000-000000000007", broken),
    );
    expect((await store.getRecord("ns", "r", "odd")).data).toBe(odd);
    expect((await store.getRecord("ns", "r", "broken")).data).toBe(broken);
    const list = async (cel: string) =>
      (
        await store.listRecords({
          parent: "ns",
          resultName: "r",
          filter: compileFilter(cel, { target: "records" }),
          orderBy: [{ field: "create_time", direction: "asc" }],
          pageSize: 10,
        })
      ).items.map((r) => r.name);
    expect(await list("data.b == 2")).toEqual(["odd"]);
    expect(await list('data.a[1] == "é" && data.a[0] == 100')).toEqual(["odd"]);
    expect(await list("!has(data.spec)")).toEqual(["odd"]);
    expect(await list("data.b / 0 == 1 || size(data.a) == 2")).toEqual(["odd"]);
  });

  it("rejects a NUL character with invalid_argument, while an escaped \\u0000 is stored as given", async () => {
    await expect(
      store.createRecord(
        record(
          "ns",
          "r",
          "nul",
          "00000000-0000-4000-8000-000000000008",
          '{"a":"x\u0000"}' /* a real NUL */,
        ),
      ),
    ).rejects.toMatchObject({ code: "invalid_argument" });
    const escaped = '{"a":"x\\u0000"}';
    await store.createRecord(
      record("ns", "r", "esc", "00000000-0000-4000-8000-000000000009", escaped),
    );
    expect((await store.getRecord("ns", "r", "esc")).data).toBe(escaped);
  });
});
