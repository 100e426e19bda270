import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  errorCode,
  hasCode,
  isAlreadyExists,
  isCanceled,
  isFailedPrecondition,
  isInvalidArgument,
  isNotFound,
  isPermissionDenied,
  isUnauthenticated,
  isUnavailable,
} from "./errors.js";

const helpers = [
  [isNotFound, Code.NotFound],
  [isAlreadyExists, Code.AlreadyExists],
  [isFailedPrecondition, Code.FailedPrecondition],
  [isInvalidArgument, Code.InvalidArgument],
  [isUnauthenticated, Code.Unauthenticated],
  [isPermissionDenied, Code.PermissionDenied],
  [isUnavailable, Code.Unavailable],
  [isCanceled, Code.Canceled],
] as const;

describe("error helpers", () => {
  it.each(helpers)("%o is true only for its own code", (helper, code) => {
    expect(helper(new ConnectError("x", code))).toBe(true);
    for (const [, other] of helpers) {
      if (other !== code) expect(helper(new ConnectError("x", other))).toBe(false);
    }
  });

  it("is false for values that are not ConnectErrors", () => {
    for (const [helper] of helpers) {
      expect(helper(new Error("not found"))).toBe(false);
      expect(helper({ code: Code.NotFound })).toBe(false);
      expect(helper(undefined)).toBe(false);
    }
  });

  it("errorCode returns the code of a ConnectError and undefined otherwise", () => {
    expect(errorCode(new ConnectError("x", Code.AlreadyExists))).toBe(Code.AlreadyExists);
    expect(errorCode(new Error("x"))).toBeUndefined();
    expect(errorCode("x")).toBeUndefined();
  });

  it("hasCode compares an arbitrary code", () => {
    expect(hasCode(new ConnectError("x", Code.ResourceExhausted), Code.ResourceExhausted)).toBe(
      true,
    );
    expect(hasCode(new ConnectError("x", Code.ResourceExhausted), Code.Internal)).toBe(false);
  });
});
