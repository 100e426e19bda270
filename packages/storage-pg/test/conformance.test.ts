import { afterAll } from "vitest";
import { runStoreConformance } from "@tekton-results/storage-conformance";
import type { PgStore } from "../src/index.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

afterAll(async () => {
  await stopTestPostgres();
});

runStoreConformance({
  name: "postgres",
  createStore: () => createTestStore(),
  destroyStore: (store) => destroyTestStore(store as PgStore),
});
