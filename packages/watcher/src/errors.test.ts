import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  errorKind,
  isUnimplementedError,
  KubernetesError,
  kubeStatusCode,
  LogUploadError,
  PermanentError,
  RetryBefore,
} from "./errors.js";

describe("error kinds", () => {
  it("classifies failures for watcher_errors_total", () => {
    expect(errorKind(new PermanentError("Bad", "bad"))).toBe("permanent");
    expect(errorKind(new KubernetesError("x", 500))).toBe("kubernetes");
    expect(errorKind(new LogUploadError("x"))).toBe("logs");
    expect(errorKind(new ConnectError("x", Code.Unavailable))).toBe("api_unavailable");
    expect(errorKind(new ConnectError("x", Code.DeadlineExceeded))).toBe("api_unavailable");
    expect(errorKind(new ConnectError("x", Code.FailedPrecondition))).toBe("api_conflict");
    expect(errorKind(new ConnectError("x", Code.PermissionDenied))).toBe("api_rejected");
    expect(errorKind(new Error("x"))).toBe("internal");
  });
  it("reads HTTP status codes and recognises Unimplemented", () => {
    expect(kubeStatusCode({ code: 404 })).toBe(404);
    expect(kubeStatusCode({ statusCode: 410 })).toBe(410);
    expect(kubeStatusCode("nope")).toBeUndefined();
    expect(isUnimplementedError(new ConnectError("x", Code.Unimplemented))).toBe(true);
    expect(isUnimplementedError(new Error("x"))).toBe(false);
  });
  it("RetryBefore carries its cause and deadline", () => {
    const cause = new ConnectError("down", Code.Unavailable);
    const err = new RetryBefore(cause, 1234);
    expect(err.cause).toBe(cause);
    expect(err.withinMs).toBe(1234);
    expect(err.message).toContain("down");
  });
});
