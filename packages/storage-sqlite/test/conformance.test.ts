import { runStoreConformance } from "@tekton-results/storage-conformance";
import { createSqliteStore } from "../src/index.js";

runStoreConformance({
  name: "sqlite",
  createStore: () => createSqliteStore({ filename: ":memory:" }),
});
