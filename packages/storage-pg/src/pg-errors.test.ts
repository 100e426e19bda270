import { describe, expect, it } from "vitest";
import { StorageError } from "@tekton-results/storage";
import type { SqlErrorClass } from "@tekton-results/storage-sql";
import { classifyPgError, isPgConnectionError, translatePgError } from "./pg-errors.js";

const NAME_CLASH: SqlErrorClass = { kind: "unique", uid: false };
const UID_CLASH: SqlErrorClass = { kind: "unique", uid: true };

function pgError(code: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

// The phrasing of each class is tested once, in storage-sql (translateSqlError);
// here: which SQLSTATEs and errors mean what, end to end.
describe("translatePgError", () => {
  it("reads 23505 as a unique violation (of the uid by constraint or detail), 23503 as a foreign key", () => {
    const detail = "Key (parent, name)=(ns, x) already exists.";
    const classes: [Error, SqlErrorClass][] = [
      [pgError("23505", "duplicate", { constraint: "results_name_unique", detail }), NAME_CLASH],
      [pgError("23505", "duplicate key", { constraint: "records_uid_unique" }), UID_CLASH],
      [pgError("23505", "duplicate key", { detail: "Key (uid)=(u1) already exists." }), UID_CLASH],
      [pgError("23503", "violates foreign key constraint"), { kind: "foreign_key" }],
    ];
    for (const [cause, expected] of classes) expect(classifyPgError(cause)).toEqual(expected);
    const clash = classes[0]![0];
    const err = translatePgError(clash, { kind: "result", name: "ns/results/x", uid: "u1" });
    expect(err).toMatchObject({
      code: "already_exists",
      message: 'result "ns/results/x" already exists',
      cause: clash,
    });
  });

  it("maps text the database cannot store (NUL characters) to invalid_argument", () => {
    for (const code of ["22021", "22P05"]) {
      const cause = pgError(code, 'invalid byte sequence for encoding "UTF8": 0x00');
      const err = translatePgError(cause) as StorageError;
      expect(err.code).toBe("invalid_argument");
      expect(err.message).not.toMatch(/0x00|UTF8/);
    }
  });

  it("maps a cancelled statement (statement timeout) to deadline_exceeded", () => {
    const cause = pgError("57014", "canceling statement due to statement timeout");
    const err = translatePgError(cause) as StorageError;
    expect(err.code).toBe("deadline_exceeded");
    expect(err.message).not.toMatch(/canceling|statement/);
    expect(err.cause).toBe(cause);
  });

  it("maps connection failures, shutdowns and pool timeouts to unavailable", () => {
    const causes = [
      pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"),
      pgError("ECONNRESET", "read ECONNRESET"),
      pgError("57P01", "terminating connection due to administrator command"),
      pgError("08006", "connection failure"),
      pgError("08001", "could not connect"),
      pgError("53300", "sorry, too many clients already"),
      Object.assign(new Error("Knex: Timeout acquiring a connection."), {
        name: "KnexTimeoutError",
      }),
      new Error("Connection terminated unexpectedly"),
    ];
    for (const cause of causes) {
      expect(isPgConnectionError(cause), cause.message).toBe(true);
      const err = translatePgError(cause) as StorageError;
      expect(err.code, cause.message).toBe("unavailable");
      expect(err.message).toBe("the database is unavailable, try again");
      expect(err.cause).toBe(cause);
    }
  });

  it("maps a statement too complex for PostgreSQL (54001, 54000, 54023) to invalid_argument", () => {
    for (const code of ["54001", "54000", "54023"]) {
      const cause = pgError(code, "stack depth limit exceeded");
      const err = translatePgError(cause) as StorageError;
      expect(err.code).toBe("invalid_argument");
      expect(err.message).toBe(
        "the filter is too complex for the database: use fewer terms or less nesting",
      );
      expect(err.cause).toBe(cause);
    }
  });

  it("passes StorageErrors and unexpected errors through unchanged", () => {
    const storage = new StorageError("not_found", "x");
    expect(translatePgError(storage)).toBe(storage);
    const missing = pgError("42P01", 'relation "results" does not exist');
    expect(translatePgError(missing)).toBe(missing);
    expect(isPgConnectionError(missing)).toBe(false);
    const plain = new TypeError("boom");
    expect(translatePgError(plain)).toBe(plain);
  });
});
