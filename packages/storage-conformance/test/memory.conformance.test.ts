/**
 * The reference store passes its own conformance suite.
 */
import { runStoreConformance } from "../src/index.js";
import { createMemoryStore } from "../src/memory-store.js";

runStoreConformance({
  name: "memory store",
  createStore: async () => createMemoryStore(),
});
