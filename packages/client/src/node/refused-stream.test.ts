import { Code, ConnectError, type UnaryRequest } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { isRefusedStream, retryRefusedStreams } from "./refused-stream.js";

const refused = () =>
  new ConnectError(
    "Stream closed with error code NGHTTP2_REFUSED_STREAM",
    Code.Internal,
    undefined,
    undefined,
    Object.assign(new Error("Stream closed with error code NGHTTP2_REFUSED_STREAM"), {
      code: "ERR_HTTP2_STREAM_ERROR",
    }),
  );

function request(stream = false): UnaryRequest {
  return { stream, signal: new AbortController().signal } as unknown as UnaryRequest;
}

/** A `next` that fails with `errors` in turn, then answers "ok"; counts its calls. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const next = async () => {
    calls++;
    const err = errors.shift();
    if (err !== undefined) throw err;
    return "ok";
  };
  return { next: next as never, calls: () => calls };
}

describe("isRefusedStream", () => {
  it("is true for connect-node's error of a REFUSED_STREAM reset, whatever its code", () => {
    expect(isRefusedStream(refused())).toBe(true);
    expect(
      isRefusedStream(
        new ConnectError(
          "http/2 stream closed with error code REFUSED_STREAM (0x7)",
          Code.Unavailable,
        ),
      ),
    ).toBe(true);
  });
  it("is false for other errors", () => {
    expect(isRefusedStream(new ConnectError("boom", Code.Internal))).toBe(false);
    expect(isRefusedStream(new ConnectError("no", Code.Unavailable))).toBe(false);
    expect(isRefusedStream(new Error("NGHTTP2_REFUSED_STREAM"))).toBe(false);
  });
});

describe("retryRefusedStreams", () => {
  it("sends a refused unary call again until it is answered", async () => {
    const { next, calls } = failing(refused(), refused());
    await expect(retryRefusedStreams()(next)(request())).resolves.toBe("ok");
    expect(calls()).toBe(3);
  });
  it("gives up after `attempts` calls in all, with the last error", async () => {
    const { next, calls } = failing(refused(), refused(), refused());
    await expect(retryRefusedStreams(2)(next)(request())).rejects.toThrow(/REFUSED_STREAM/);
    expect(calls()).toBe(2);
  });
  it("does not retry any other error", async () => {
    const { next, calls } = failing(new ConnectError("conflict", Code.AlreadyExists));
    await expect(retryRefusedStreams()(next)(request())).rejects.toThrow(/conflict/);
    expect(calls()).toBe(1);
  });
  it("does not retry a streaming call", async () => {
    const { next, calls } = failing(refused());
    await expect(retryRefusedStreams()(next)(request(true))).rejects.toThrow(/REFUSED_STREAM/);
    expect(calls()).toBe(1);
  });
  it("refuses attempts below 1", () => {
    expect(() => retryRefusedStreams(0)).toThrow(RangeError);
  });
});
