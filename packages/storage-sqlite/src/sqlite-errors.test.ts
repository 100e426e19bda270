import { describe, expect, it } from "vitest";
import { StorageError } from "@tekton-results/storage";
import type { SqlErrorClass } from "@tekton-results/storage-sql";
import { classifySqliteError, translateSqliteError } from "./sqlite-errors.js";

function driverError(code: string, message: string): Error {
  return Object.assign(new Error(`insert into "results" ... - ${message}`), { code });
}

// The phrasing of each class is tested once, in storage-sql (translateSqlError);
// here: which SQLite result codes and errors mean what, end to end.
describe("translateSqliteError", () => {
  it("reads UNIQUE and PRIMARYKEY failures as unique violations (of the uid when named), FOREIGNKEY as a foreign key", () => {
    const unique = "SQLITE_CONSTRAINT_UNIQUE";
    const table: [string, string, SqlErrorClass][] = [
      [
        unique,
        "UNIQUE constraint failed: results.parent, results.name",
        { kind: "unique", uid: false },
      ],
      [
        "SQLITE_CONSTRAINT_PRIMARYKEY",
        "UNIQUE constraint failed: results.id",
        { kind: "unique", uid: false },
      ],
      [unique, "UNIQUE constraint failed: records.uid", { kind: "unique", uid: true }],
      ["SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed", { kind: "foreign_key" }],
    ];
    for (const [code, message, expected] of table)
      expect(classifySqliteError(driverError(code, message)), message).toEqual(expected);
    const fk = driverError("SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed");
    const context = {
      kind: "record",
      name: "a/results/b/records/c",
      parentName: "a/results/b",
    } as const;
    expect(translateSqliteError(fk, context)).toMatchObject({ code: "not_found", cause: fk });
  });

  it("maps busy and locked databases, and knex's pool timeout, to unavailable", () => {
    for (const code of ["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED"]) {
      const err = translateSqliteError(driverError(code, "database is locked")) as StorageError;
      expect(err.code).toBe("unavailable");
      expect(err.message).not.toMatch(/locked|insert/);
    }
    const timeout = Object.assign(new Error("Knex: Timeout acquiring a connection."), {
      name: "KnexTimeoutError",
    });
    expect(translateSqliteError(timeout)).toMatchObject({ code: "unavailable", cause: timeout });
  });

  it("maps a statement past SQLite's parser limits to invalid_argument, without its text", () => {
    const causes = [
      driverError("SQLITE_ERROR", "Expression tree is too large (maximum depth 1000)"),
      driverError("SQLITE_ERROR", "too many SQL variables"),
      driverError("SQLITE_ERROR", "parser stack overflow"),
      driverError("SQLITE_TOOBIG", "string or blob too big"),
    ];
    for (const cause of causes) {
      const err = translateSqliteError(cause) as StorageError;
      expect(err.code, cause.message).toBe("invalid_argument");
      expect(err.message).toBe(
        "the filter is too complex for the database: use fewer terms or less nesting",
      );
    }
    const other = driverError("SQLITE_ERROR", "no such table: results");
    expect(translateSqliteError(other)).toBe(other);
  });

  it("passes StorageErrors and unexpected errors through unchanged", () => {
    const storage = new StorageError("not_found", "x");
    expect(translateSqliteError(storage)).toBe(storage);
    const corrupt = driverError("SQLITE_CORRUPT", "database disk image is malformed");
    expect(translateSqliteError(corrupt)).toBe(corrupt);
    const plain = new TypeError("boom");
    expect(translateSqliteError(plain)).toBe(plain);
  });
});
