import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { describeDatabase, describeLogStore } from "./backends.js";
import type { LogsConfig } from "./config.js";

describe("describeDatabase (the start-up line's database)", () => {
  it("names the SQLite file by its absolute path", () => {
    expect(describeDatabase({ kind: "sqlite", filename: "./data/results.db" })).toBe(
      `sqlite:${resolve("data/results.db")}`,
    );
    expect(describeDatabase({ kind: "sqlite", filename: "/var/lib/results.db" })).toBe(
      "sqlite:/var/lib/results.db",
    );
    expect(describeDatabase({ kind: "sqlite", filename: ":memory:" })).toBe("sqlite::memory:");
  });

  it("never shows a PostgreSQL password, in the user part or as a parameter", () => {
    const shown = describeDatabase({
      kind: "postgres",
      url: "postgres://results:s3cr%40t@db.example:5432/tekton-results?sslmode=require&password=other",
    });
    expect(shown).toBe(
      "postgres://results:***@db.example:5432/tekton-results?sslmode=require&password=***",
    );
    expect(shown).not.toMatch(/s3cr|other/);
    expect(describeDatabase({ kind: "postgres", url: "postgres://db/x" })).toBe("postgres://db/x");
    expect(describeDatabase({ kind: "postgres", url: "postgres://u:p@[bad" })).toBe(
      "postgres:(unparsable URL)",
    );
  });
});

describe("describeLogStore", () => {
  it("names a log directory by its absolute path", () => {
    const logs = { enabled: true, type: "File", dir: "./data/logs" } as LogsConfig;
    expect(describeLogStore(logs)).toBe(`dir:${resolve("data/logs")}`);
  });
});
