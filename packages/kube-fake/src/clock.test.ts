import { describe, expect, it } from "vitest";
import { humanDuration, nowTimestamp, randomSuffix } from "./clock.js";

describe("clock helpers", () => {
  it("renders ages like kubectl", () => {
    expect(humanDuration(5_000)).toBe("5s");
    expect(humanDuration(119_000)).toBe("119s");
    expect(humanDuration(5 * 60_000 + 3_000)).toBe("5m3s");
    expect(humanDuration(42 * 60_000)).toBe("42m");
    expect(humanDuration(5 * 3_600_000 + 7 * 60_000)).toBe("5h7m");
    expect(humanDuration(30 * 3_600_000)).toBe("30h");
    expect(humanDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe("3d4h");
    expect(humanDuration(100 * 86_400_000)).toBe("100d");
    expect(humanDuration(-5)).toBe("0s");
  });

  it("writes timestamps in seconds precision RFC 3339", () => {
    expect(nowTimestamp(new Date("2026-01-02T03:04:05.678Z"))).toBe("2026-01-02T03:04:05Z");
    expect(nowTimestamp()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("generates 5-character name suffixes from the API server's alphabet", () => {
    for (let i = 0; i < 50; i++)
      expect(randomSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
