import { describe, expect, it } from "vitest";
import { StorageError } from "@tekton-results/storage";
import { createSqlErrorTranslator, driverErrorCode, type SqlErrorClass } from "./errors.js";

/** A driver error whose `code` names its class in this test's fake dialect. */
function driverError(code: string): Error {
  return Object.assign(new Error(`insert into "results" ... - ${code} violation`), { code });
}

const CLASSES: Record<string, SqlErrorClass> = {
  name_clash: { kind: "unique", uid: false },
  uid_clash: { kind: "unique", uid: true },
  fk: { kind: "foreign_key" },
  slow: { kind: "storage", code: "deadline_exceeded", message: "the database did not answer" },
};
const translate = createSqlErrorTranslator((err) => CLASSES[driverErrorCode(err) ?? ""]);

describe("translateSqlError", () => {
  it("maps unique violations to already_exists with a clean message and the cause kept", () => {
    const cause = driverError("name_clash");
    const err = translate(cause, { kind: "result", name: "ns/results/x", uid: "u1" });
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({
      code: "already_exists",
      message: 'result "ns/results/x" already exists',
      cause,
    });
    expect(translate(cause)).toMatchObject({ code: "already_exists", message: "already exists" });
  });

  it("names the uid when the uid clashes (and the write has one)", () => {
    const cause = driverError("uid_clash");
    const context = { kind: "record", name: "ns/results/x/records/y" } as const;
    expect(translate(cause, { ...context, uid: "u1" })).toMatchObject({
      message: 'a record with uid "u1" already exists',
    });
    expect(translate(cause, context)).toMatchObject({
      message: 'record "ns/results/x/records/y" already exists',
    });
  });

  it("maps foreign key violations of a record to not_found of its result", () => {
    const cause = driverError("fk");
    const err = translate(cause, {
      kind: "record",
      name: "a/results/b/records/c",
      parentName: "a/results/b",
    });
    expect(err).toMatchObject({ code: "not_found", message: 'result "a/results/b" not found' });
    expect(translate(cause)).toMatchObject({
      code: "failed_precondition",
      message: "a referenced resource does not exist",
    });
  });

  it("reports other known conditions with the dialect's code and clean message", () => {
    const cause = driverError("slow");
    const err = translate(cause) as StorageError;
    expect(err).toMatchObject({
      code: "deadline_exceeded",
      message: "the database did not answer",
    });
    expect(err.cause).toBe(cause);
  });

  it("passes StorageErrors and unexpected errors through unchanged", () => {
    const storage = new StorageError("not_found", "x");
    expect(translate(storage)).toBe(storage);
    const unknown = driverError("corrupt");
    expect(translate(unknown)).toBe(unknown);
    const plain = new TypeError("boom");
    expect(translate(plain)).toBe(plain);
    expect(driverErrorCode(plain)).toBeUndefined();
  });
});
