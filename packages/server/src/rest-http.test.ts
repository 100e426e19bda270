import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { httpStatusFromCode } from "./rest-http.js";

describe("httpStatusFromCode", () => {
  it("maps the codes of the API contract", () => {
    expect(httpStatusFromCode(Code.NotFound)).toBe(404);
    expect(httpStatusFromCode(Code.InvalidArgument)).toBe(400);
    expect(httpStatusFromCode(Code.AlreadyExists)).toBe(409);
    expect(httpStatusFromCode(Code.FailedPrecondition)).toBe(400);
    expect(httpStatusFromCode(Code.Unauthenticated)).toBe(401);
    expect(httpStatusFromCode(Code.PermissionDenied)).toBe(403);
    expect(httpStatusFromCode(Code.Unavailable)).toBe(503);
    expect(httpStatusFromCode(Code.Unimplemented)).toBe(501);
    expect(httpStatusFromCode(Code.DeadlineExceeded)).toBe(504);
    expect(httpStatusFromCode(Code.Internal)).toBe(500);
  });
});
