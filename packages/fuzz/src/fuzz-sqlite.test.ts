/**
 * The fixed-seed fuzz run on SQLite: 2,000 generated requests over each of
 * gRPC, gRPC-Web, Connect JSON, Connect binary and REST to the real server
 * program, every invariant checked per request (see README.md).
 */
import { describe, it } from "vitest";
import { expectCleanRun } from "./ci-run.js";

describe("fuzzing the API on SQLite, fixed seed", () => {
  it("2,000 requests per protocol break no invariant", async () => {
    await expectCleanRun({ kind: "sqlite" }, 2000);
  }, 900_000);
});
