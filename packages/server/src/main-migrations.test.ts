import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createJsonLogger } from "@tekton-results/runtime";
import { main } from "./main.js";

const quiet = createJsonLogger({ level: "error", write: () => {} });
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("main with --skip-migrations (the migration Job's deployment)", () => {
  it("is unready while migrations are pending, and ready once --migrate-only applied them", async () => {
    dir = mkdtempSync(join(tmpdir(), "server-migrations-"));
    const database = join(dir, "results.db");
    let stop!: () => void;
    let url = "";
    const serving = main(
      ["--port", "0", "--host", "127.0.0.1", "--database", database, "--skip-migrations"],
      {},
      {
        logger: quiet,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
      },
    );
    while (url === "") await new Promise((r) => setTimeout(r, 10));
    try {
      const before = await fetch(`${url}/readyz`);
      expect(before.status).toBe(503);
      expect(await before.text()).toMatch(
        /^not ready: schema migrations pending \(\d+\): run the server with --migrate-only/,
      );
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      // The migration Job, on the same database, while the server waits.
      expect(await main(["--database", database, "--migrate-only"], {}, { logger: quiet })).toBe(0);

      const after = await fetch(`${url}/readyz`);
      expect(after.status).toBe(200);
      expect(await after.text()).toBe("ok\n");
    } finally {
      stop();
    }
    expect(await serving).toBe(0);
  });

  it("a server that migrates is ready at once", async () => {
    dir = mkdtempSync(join(tmpdir(), "server-migrations-"));
    let stop!: () => void;
    let url = "";
    const serving = main(
      ["--port", "0", "--host", "127.0.0.1", "--database", join(dir, "results.db")],
      {},
      {
        logger: quiet,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
      },
    );
    while (url === "") await new Promise((r) => setTimeout(r, 10));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    stop();
    expect(await serving).toBe(0);
  });
});
