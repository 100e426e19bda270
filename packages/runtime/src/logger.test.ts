import { describe, expect, it } from "vitest";
import { createJsonLogger, LOG_LEVELS, noopLogger } from "./logger.js";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: string[] = [];
  const log = createJsonLogger({ ...(level ? { level } : {}), write: (l) => lines.push(l) });
  return { lines, log };
}

describe("noopLogger", () => {
  it("accepts every level", () => {
    expect(() => {
      noopLogger.debug({}, "x");
      noopLogger.error({ err: new Error("e") }, "x");
    }).not.toThrow();
  });
});

describe("createJsonLogger", () => {
  it("lists the levels most verbose first", () => {
    expect(LOG_LEVELS).toEqual(["debug", "info", "warn", "error"]);
  });

  it("writes one JSON object per line at or above its level, with the time pinned", () => {
    const lines: string[] = [];
    const log = createJsonLogger({
      level: "info",
      write: (l) => lines.push(l),
      now: () => new Date("2026-01-01T00:00:00Z"),
    });
    log.debug({}, "hidden");
    log.info({ key: "ns/PipelineRun/a" }, "stored");
    log.error({}, "failed");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: "2026-01-01T00:00:00.000Z", level: "info", msg: "stored", key: "ns/PipelineRun/a" },
      { time: "2026-01-01T00:00:00.000Z", level: "error", msg: "failed" },
    ]);
    expect(lines.every((l) => l.endsWith("\n"))).toBe(true);
  });

  it("writes one JSON line per entry, with an RFC 3339 time and Errors spelled out", () => {
    const { lines, log } = capture("info");
    log.debug({ a: 1 }, "hidden");
    log.info({ method: "GetResult" }, "served");
    log.error({ err: new Error("boom", { cause: new Error("root") }) }, "failed");
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n"))).toBe(true);
    const first = JSON.parse(lines[0]!) as { [k: string]: unknown };
    expect(first).toMatchObject({ level: "info", msg: "served", method: "GetResult" });
    expect(new Date(first["time"] as string).toISOString()).toBe(first["time"]);
    const second = JSON.parse(lines[1]!) as {
      err: { name: string; message: string; stack: string; cause: { message: string } };
    };
    expect(second.err.name).toBe("Error");
    expect(second.err.message).toBe("boom");
    expect(second.err.stack).toContain("boom");
    expect(second.err.cause.message).toBe("root");
  });

  it("spells out Errors in any top-level field, with their code and a non-Error cause", () => {
    const { lines, log } = capture();
    const failure = Object.assign(new TypeError("bad", { cause: "a reason" }), { code: "E_BAD" });
    log.warn({ failure, attempt: 2 }, "retrying");
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "warn",
      msg: "retrying",
      attempt: 2,
      failure: { name: "TypeError", message: "bad", code: "E_BAD", cause: "a reason" },
    });
  });

  it("writes no pid or hostname, and the message as given (no format directives)", () => {
    const { lines, log } = capture();
    log.info({}, "100%s done %d");
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "info",
      time: expect.any(String) as unknown,
      msg: "100%s done %d",
    });
  });

  it("keeps the entry when a field is cyclic or its getter throws", () => {
    const { lines, log } = capture("debug");
    const cyclic: { [k: string]: unknown } = {};
    cyclic["self"] = cyclic;
    const err = new Error("loop");
    err.cause = err;
    log.warn({ cyclic }, "odd");
    log.warn({ err }, "looped");
    log.warn(
      {
        ok: 1,
        get broken(): unknown {
          throw new Error("getter");
        },
      },
      "getter",
    );
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "warn",
      msg: "odd",
      cyclic: { self: "[Circular]" },
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      msg: "looped",
      err: { message: "loop", cause: "[Circular]" },
    });
    expect(JSON.parse(lines[2]!)).toMatchObject({
      msg: "getter",
      ok: 1,
      broken: "[unserializable]",
    });
  });

  it("drops entries below the level", () => {
    const { lines, log } = capture("error");
    log.warn({}, "w");
    log.info({}, "i");
    expect(lines).toEqual([]);
  });
});
