import { describe, expect, it } from "vitest";
import { DemoUsageError, parseDemoArgs } from "./args.js";

describe("parseDemoArgs", () => {
  it("defaults to a run with kubectl, not kept, temporary data and a free port", () => {
    expect(parseDemoArgs([])).toEqual({ kind: "run", keep: false, useKubectl: true });
  });

  it("reads --keep, --http, --data and --port (separate or inline values)", () => {
    expect(parseDemoArgs(["--keep", "--data", "/tmp/d", "--port=8080", "--http"])).toEqual({
      kind: "run",
      keep: true,
      useKubectl: false,
      dataDir: "/tmp/d",
      port: 8080,
    });
  });

  it("answers help for -h and --help", () => {
    expect(parseDemoArgs(["--keep", "-h"])).toEqual({ kind: "help" });
    expect(parseDemoArgs(["--help"])).toEqual({ kind: "help" });
  });

  it("rejects unknown flags, missing values and bad ports", () => {
    expect(() => parseDemoArgs(["--nope"])).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(["--data"])).toThrow(/--data needs a value/);
    expect(() => parseDemoArgs(["--port", "http"])).toThrow(/port number/);
    expect(() => parseDemoArgs(["--port", "70000"])).toThrow(/port number/);
  });
});
