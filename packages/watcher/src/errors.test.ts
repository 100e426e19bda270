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
import { createJsonLogger } from "./logger.js";

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

describe("JSON logger", () => {
  it("writes one JSON object per line at or above its level", () => {
    const lines: string[] = [];
    const log = createJsonLogger(
      "info",
      (l) => lines.push(l),
      () => new Date("2026-01-01T00:00:00Z"),
    );
    log.debug("hidden");
    log.info("stored", { key: "ns/PipelineRun/a" });
    log.error("failed");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: "2026-01-01T00:00:00.000Z", level: "info", msg: "stored", key: "ns/PipelineRun/a" },
      { time: "2026-01-01T00:00:00.000Z", level: "error", msg: "failed" },
    ]);
    expect(lines.every((l) => l.endsWith("\n"))).toBe(true);
  });
});
