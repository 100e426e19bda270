import { describe, expect, it } from "vitest";
import { consoleJsonLogger, noopLogger, randomIds, systemClock } from "./deps.js";

describe("defaults", () => {
  it("randomIds hands out distinct v4 UUIDs", () => {
    const a = randomIds.uid();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomIds.uid()).not.toBe(a);
  });

  it("systemClock reads the wall clock", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it("noopLogger accepts every level", () => {
    expect(() => {
      noopLogger.debug({}, "x");
      noopLogger.error({ err: new Error("e") }, "x");
    }).not.toThrow();
  });
});

// consoleJsonLogger is the runtime's createJsonLogger (its own tests cover the
// format in full); these check that the old signature still reaches it.
describe("consoleJsonLogger", () => {
  it("writes one JSON line per entry at or above its level", () => {
    const lines: string[] = [];
    const log = consoleJsonLogger("info", (l) => lines.push(l));
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

  it("keeps the entry when a field cannot be serialized", () => {
    const lines: string[] = [];
    const cyclic: { [k: string]: unknown } = {};
    cyclic["self"] = cyclic;
    consoleJsonLogger("debug", (l) => lines.push(l)).warn({ cyclic }, "odd");
    // pino writes the repeated value as a marker (the entry is kept).
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "warn",
      msg: "odd",
      cyclic: { self: "[Circular]" },
    });
  });

  it("drops entries below the level", () => {
    const lines: string[] = [];
    const log = consoleJsonLogger("error", (l) => lines.push(l));
    log.warn({}, "w");
    log.info({}, "i");
    expect(lines).toEqual([]);
  });
});
