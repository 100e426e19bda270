import { describe, expect, it } from "vitest";
import { StorageError } from "@tekton-results/storage";
import { isPgConnectionError, translatePgError } from "./pg-errors.js";

function pgError(code: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe("translatePgError", () => {
  it("maps unique violations to already_exists with a clean message and the cause kept", () => {
    const cause = pgError(
      "23505",
      'insert into "results" ... - duplicate key value violates unique constraint "results_name_unique"',
      { constraint: "results_name_unique", detail: "Key (parent, name)=(ns, x) already exists." },
    );
    const err = translatePgError(cause, {
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
    const cause = pgError("23505", "duplicate key", { constraint: "records_uid_unique" });
    const err = translatePgError(cause, {
      kind: "record",
      name: "ns/results/x/records/y",
      uid: "u1",
    }) as StorageError;
    expect(err.message).toBe('a record with uid "u1" already exists');
  });

  it("maps foreign key violations of a record to not_found of its result", () => {
    const cause = pgError("23503", "insert or update on table violates foreign key constraint");
    const err = translatePgError(cause, {
      kind: "record",
      name: "a/results/b/records/c",
      parentName: "a/results/b",
    });
    expect(err).toMatchObject({ code: "not_found", message: 'result "a/results/b" not found' });
    expect(translatePgError(cause)).toMatchObject({ code: "failed_precondition" });
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
