import { describe, expect, it } from "vitest";
import { isExclusiveRunner, runExclusive, type ExclusiveRunner } from "./exclusive.js";

describe("runExclusive", () => {
  it("runs the task directly on a store without the capability", async () => {
    let ran = 0;
    let aborted: boolean | undefined;
    const done = await runExclusive({}, "retention", (signal) => {
      ran++;
      aborted = signal.aborted;
      return Promise.resolve();
    });
    expect(done).toBe(true);
    expect(ran).toBe(1);
    expect(aborted).toBe(false);
    expect(isExclusiveRunner({})).toBe(false);
  });

  it("goes through the store's runExclusive when it has one, and reports a run it skipped", async () => {
    const names: string[] = [];
    const store: ExclusiveRunner = {
      runExclusive: (name) => {
        names.push(name);
        return Promise.resolve(false);
      },
    };
    expect(isExclusiveRunner(store)).toBe(true);
    let ran = false;
    const done = await runExclusive(store, "retention", () => {
      ran = true;
      return Promise.resolve();
    });
    expect(done).toBe(false);
    expect(ran).toBe(false);
    expect(names).toEqual(["retention"]);
  });

  it("lets the task's error through", async () => {
    await expect(runExclusive({}, "x", () => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
  });
});
