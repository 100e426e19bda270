import { describe, expect, it } from "vitest";
import { StorageError } from "@tekton-results/storage";
import { translateSqliteError } from "./sqlite-errors.js";

function driverError(code: string, message: string): Error {
  return Object.assign(new Error(`insert into "results" ... - ${message}`), { code });
}

describe("translateSqliteError", () => {
  it("maps unique violations to already_exists with a clean message and the cause kept", () => {
    const cause = driverError(
      "SQLITE_CONSTRAINT_UNIQUE",
      "UNIQUE constraint failed: results.parent, results.name",
    );
    const err = translateSqliteError(cause, {
      kind: "result",
      name: "ns/results/x",
      uid: "u1",
    }) as StorageError;
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe("already_exists");
    expect(err.message).toBe('result "ns/results/x" already exists');
    expect(err.cause).toBe(cause);
  });

  it("names the uid when the uid clashes", () => {
    const cause = driverError("SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: records.uid");
    const err = translateSqliteError(cause, {
      kind: "record",
      name: "ns/results/x/records/y",
      uid: "u1",
    }) as StorageError;
    expect(err.message).toBe('a record with uid "u1" already exists');
  });

  it("maps foreign key violations of a record to not_found of its result", () => {
    const cause = driverError("SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed");
    const err = translateSqliteError(cause, {
      kind: "record",
      name: "a/results/b/records/c",
      parentName: "a/results/b",
    });
    expect(err).toMatchObject({ code: "not_found", message: 'result "a/results/b" not found' });
    expect(translateSqliteError(cause)).toMatchObject({ code: "failed_precondition" });
  });

  it("maps busy and locked databases to unavailable", () => {
    for (const code of ["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED"]) {
      const err = translateSqliteError(driverError(code, "database is locked")) as StorageError;
      expect(err.code).toBe("unavailable");
      expect(err.message).not.toMatch(/locked|insert/);
    }
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
