import { describe, expect, it } from "vitest";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { FilterError, StorageError } from "@tekton-results/storage";
import type { Logger } from "@tekton-results/runtime";
import { LogStoreError } from "@tekton-results/log-store";
import { InvalidNameError, Logs, Results } from "@tekton-results/proto";
import { toConnectError, withErrorMapping } from "./errors.js";

function recorder(): Logger & { entries: [string, object, string][] } {
  const entries: [string, object, string][] = [];
  const at = (l: string) => (o: object, m: string) => void entries.push([l, o, m]);
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

describe("toConnectError", () => {
  it("passes ConnectErrors through as the same object", () => {
    const err = new ConnectError("denied", Code.PermissionDenied);
    expect(toConnectError(err, recorder())).toBe(err);
  });

  it("maps storage errors to their codes and keeps their messages", () => {
    const cases = [
      ["not_found", Code.NotFound],
      ["already_exists", Code.AlreadyExists],
      ["failed_precondition", Code.FailedPrecondition],
      ["invalid_argument", Code.InvalidArgument],
      ["unavailable", Code.Unavailable],
      ["deadline_exceeded", Code.DeadlineExceeded],
    ] as const;
    for (const [code, expected] of cases) {
      const log = recorder();
      const mapped = toConnectError(
        new StorageError(code, "m", { cause: new Error("driver detail") }),
        log,
      );
      expect(mapped.code).toBe(expected);
      expect(mapped.rawMessage).toBe("m");
      expect(mapped.cause).toBeUndefined();
    }
  });

  it("logs outages as warnings", () => {
    const log = recorder();
    toConnectError(new StorageError("unavailable", "database unavailable"), log);
    expect(log.entries.map((e) => e[0])).toEqual(["warn"]);
  });

  it("maps filter and name errors to InvalidArgument", () => {
    const f = toConnectError(new FilterError("found no matching overload"), recorder());
    expect([f.code, f.rawMessage]).toEqual([Code.InvalidArgument, "found no matching overload"]);
    const n = toConnectError(new InvalidNameError("result", "X", "bad"), recorder());
    expect(n.code).toBe(Code.InvalidArgument);
    expect(n.rawMessage).toMatch(/^invalid result name "X": bad$/);
  });

  it('hides anything else behind Internal "internal error" and logs it', () => {
    const log = recorder();
    const cause = new TypeError("cannot read properties of undefined (reading 'rows')");
    const mapped = toConnectError(cause, log);
    expect(mapped.code).toBe(Code.Internal);
    expect(mapped.rawMessage).toBe("internal error");
    expect(mapped.cause).toBeUndefined();
    expect(log.entries).toEqual([["error", { err: cause }, "internal error"]]);
    expect(toConnectError(42, recorder()).rawMessage).toBe("internal error");
  });
});

describe("toConnectError on log-store errors", () => {
  it("maps them to NotFound, InvalidArgument and Unavailable", () => {
    const log = recorder();
    const nf = toConnectError(new LogStoreError("not_found", "no such key /x/y"), log);
    expect([nf.code, nf.rawMessage]).toEqual([Code.NotFound, "log not found"]);
    const ia = toConnectError(new LogStoreError("invalid_argument", "bad name"), log);
    expect([ia.code, ia.rawMessage]).toEqual([Code.InvalidArgument, "bad name"]);
    const un = toConnectError(new LogStoreError("unavailable", "S3 said 503"), log);
    expect([un.code, un.rawMessage]).toEqual([Code.Unavailable, "log storage unavailable"]);
    expect(log.entries.map((e) => e[0])).toEqual(["warn"]);
  });
});

describe("withErrorMapping", () => {
  it("maps errors thrown by unary handlers and inside response streams", async () => {
    const log = recorder();
    const results = withErrorMapping(
      Results,
      {
        getResult: () => Promise.reject(new StorageError("not_found", "log not found")),
      } as Partial<ServiceImpl<typeof Results>> as ServiceImpl<typeof Results>,
      log,
    );
    await expect(results.getResult({} as never, {} as never)).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: "log not found",
    });

    async function* chunks(): AsyncGenerator<never> {
      yield {} as never;
      throw new Error("EIO: disk on fire at /var/secret");
    }
    const logs = withErrorMapping(
      Logs,
      { getLog: chunks } as Partial<ServiceImpl<typeof Logs>> as ServiceImpl<typeof Logs>,
      log,
    );
    const seen: unknown[] = [];
    let caught: unknown;
    try {
      for await (const n of logs.getLog({} as never, {} as never) as AsyncIterable<unknown>) {
        seen.push(n);
      }
    } catch (err) {
      caught = err;
    }
    expect(seen).toHaveLength(1);
    expect(caught).toBeInstanceOf(ConnectError);
    expect((caught as ConnectError).code).toBe(Code.Internal);
    expect((caught as ConnectError).rawMessage).toBe("internal error");
    expect(log.entries.filter((e) => e[0] === "error")).toHaveLength(1);
  });
});

describe("toConnectError on what the fuzzer found", () => {
  it("replaces lone surrogates in a message (gRPC could not percent-encode it into the trailer)", () => {
    const err = toConnectError(new FilterError('unknown name "a\uD800b"'), recorder());
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe('unknown name "a\uFFFDb"');
    expect(() => encodeURIComponent(err.rawMessage)).not.toThrow();
    const pair = toConnectError(new FilterError("ok \uD83D\uDE00"), recorder());
    expect(pair.rawMessage).toBe("ok \uD83D\uDE00");
  });

  it("answers a request stream message that does not decode with InvalidArgument, not Internal", () => {
    const framework = new ConnectError("parse binary: premature EOF", Code.Internal);
    const err = toConnectError(framework, recorder());
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("parse binary: premature EOF");
    const other = new ConnectError("internal error", Code.Internal);
    expect(toConnectError(other, recorder())).toBe(other);
  });
});
