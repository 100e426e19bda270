import { describe, expect, it } from "vitest";
import { DemoError, waitFor } from "./wait.js";

describe("waitFor", () => {
  it("resolves to the first defined value, checking until it comes", async () => {
    let calls = 0;
    const value = await waitFor("three calls", { timeoutMs: 5000, intervalMs: 1 }, () =>
      ++calls === 3 ? "done" : undefined,
    );
    expect(value).toBe("done");
    expect(calls).toBe(3);
  });

  it("treats false and 0 as values, only undefined as not yet", async () => {
    expect(await waitFor("zero", { timeoutMs: 100 }, () => 0)).toBe(0);
  });

  it("fails at the deadline with what it waited for and the progress", async () => {
    const started = Date.now();
    const err = await waitFor(
      "the watcher",
      { timeoutMs: 120, intervalMs: 10 },
      () => undefined,
      () => "3/8 stored",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DemoError);
    expect((err as Error).message).toBe(
      "timed out after 120 ms waiting for the watcher (3/8 stored)",
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("stops when the signal aborts", async () => {
    const stop = new AbortController();
    let calls = 0;
    const waiting = waitFor(
      "forever",
      { timeoutMs: 60_000, signal: stop.signal, intervalMs: 5 },
      () => {
        if (++calls === 2) stop.abort();
        return undefined;
      },
    );
    await expect(waiting).rejects.toThrow("interrupted while waiting for forever");
  });
});
