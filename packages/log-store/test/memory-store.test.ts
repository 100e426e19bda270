import { describe, expect, it } from "vitest";
import { runLogStoreConformance } from "../src/testing/index.js";
import { createMemoryLogStore } from "../src/memory-store.js";

runLogStoreConformance("memory", () => ({ store: createMemoryLogStore() }));

describe("createMemoryLogStore", () => {
  it("lists the stored log names and has type Memory unless told", async () => {
    const store = createMemoryLogStore();
    await store.write("b/results/r/logs/x", [new Uint8Array([1])]);
    await store.write("a/results/r/logs/x", [new Uint8Array([2])]);
    expect(store.names()).toEqual(["a/results/r/logs/x", "b/results/r/logs/x"]);
    expect(store.type).toBe("Memory");
    expect(createMemoryLogStore({ type: "File" }).type).toBe("File");
  });
});
