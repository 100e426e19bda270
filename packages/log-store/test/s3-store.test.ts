import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLogStoreError, LogStoreError } from "../src/errors.js";
import { createS3LogStore, MIN_S3_PART_SIZE, type S3LogStoreOptions } from "../src/s3-store.js";
import { canonicalRequest, sha256Hex, sigV4Signature, stringToSign } from "../src/s3-signer.js";
import { runLogStoreConformance, startFakeS3, type FakeS3 } from "../src/testing/index.js";

const encoder = new TextEncoder();

function options(s3: FakeS3, extra: Partial<S3LogStoreOptions> = {}): S3LogStoreOptions {
  return {
    endpoint: s3.url,
    bucket: s3.bucket,
    region: "eu-west-3",
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    partSize: MIN_S3_PART_SIZE,
    ...extra,
  };
}

runLogStoreConformance("S3 (fake S3-compatible server)", async () => {
  const s3 = await startFakeS3();
  return { store: createS3LogStore(options(s3)), dispose: () => s3.close() };
});

describe("SigV4 signing", () => {
  it("matches the AWS documentation example (GET Object)", () => {
    const input = {
      method: "GET",
      path: "/test.txt",
      query: [],
      headers: [
        ["Host", "examplebucket.s3.amazonaws.com"],
        ["Range", "bytes=0-9"],
        ["x-amz-content-sha256", sha256Hex("")],
        ["x-amz-date", "20130524T000000Z"],
      ] as const,
      payloadHash: sha256Hex(""),
      amzDate: "20130524T000000Z",
      region: "us-east-1",
    };
    expect(canonicalRequest(input).split("\n").slice(0, 3)).toEqual(["GET", "/test.txt", ""]);
    expect(stringToSign(input).split("\n")[3]).toBe(
      "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
    );
    expect(sigV4Signature(input, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toBe(
      "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });
});

describe("createS3LogStore", () => {
  let s3: FakeS3;
  beforeEach(async () => {
    s3 = await startFakeS3();
  });
  afterEach(async () => {
    await s3.close();
  });

  it("stores a small log with one PutObject under the key prefix", async () => {
    const store = createS3LogStore(options(s3, { keyPrefix: "tekton/logs/" }));
    expect(await store.write("ns/results/r1/logs/l1", [encoder.encode("hi\n")])).toBe(3);
    expect([...s3.objects.keys()]).toEqual(["tekton/logs/ns/r1/l1.log"]);
    expect(store.locate("ns/results/r1/logs/l1")).toBe("tekton/logs/ns/r1/l1.log");
    expect(store.objectKey("ns/results/r1/logs/l1")).toBe("tekton/logs/ns/r1/l1.log");
    expect(s3.requests).toEqual([`PUT /${s3.bucket}/tekton/logs/ns/r1/l1.log`]);
    expect(store.type).toBe("S3");
  });

  it("uploads a big log in parts of the part size, holding at most a part in memory", async () => {
    const store = createS3LogStore(options(s3));
    const piece = new Uint8Array(1024 * 1024).fill(0x41);
    function* source(): Generator<Uint8Array> {
      for (let i = 0; i < 12; i++) yield piece;
    }
    expect(await store.write("ns/results/r/logs/big", source())).toBe(12 * 1024 * 1024);
    const kinds = s3.requests.map((r) => r.replace(/uploadId=[^&]+/, "uploadId=U"));
    expect(kinds).toEqual([
      `POST /${s3.bucket}/ns/r/big.log?uploads=`,
      `PUT /${s3.bucket}/ns/r/big.log?partNumber=1&uploadId=U`,
      `PUT /${s3.bucket}/ns/r/big.log?partNumber=2&uploadId=U`,
      `PUT /${s3.bucket}/ns/r/big.log?partNumber=3&uploadId=U`,
      `POST /${s3.bucket}/ns/r/big.log?uploadId=U`,
    ]);
    expect(s3.objects.get("ns/r/big.log")?.byteLength).toBe(12 * 1024 * 1024);
    expect(s3.uploads.size).toBe(0);
  });

  it("aborts the multipart upload when the source fails, keeping the previous log", async () => {
    const store = createS3LogStore(options(s3));
    await store.write("ns/results/r/logs/l", [encoder.encode("previous")]);
    const piece = new Uint8Array(3 * 1024 * 1024);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield piece;
      yield piece;
      throw new Error("client went away");
    }
    await expect(store.write("ns/results/r/logs/l", failing())).rejects.toThrow("client went away");
    expect(s3.uploads.size).toBe(0);
    expect(s3.requests.some((r) => r.startsWith("DELETE ") && r.includes("uploadId="))).toBe(true);
    expect(new TextDecoder().decode(s3.objects.get("ns/r/l.log"))).toBe("previous");
  });

  it("answers unavailable for a server error and aborts a failed multipart upload", async () => {
    const store = createS3LogStore(options(s3));
    s3.fail(1, 503);
    const err = await store
      .write("ns/results/r/logs/l", [encoder.encode("x")])
      .catch((e: unknown) => e);
    expect(isLogStoreError(err, "unavailable")).toBe(true);
    expect((err as LogStoreError).message).not.toContain(s3.url);
    s3.fail(1, 500, (method, q) => method === "PUT" && q.has("partNumber"));
    const big = new Uint8Array(6 * 1024 * 1024);
    expect(
      isLogStoreError(
        await store.write("ns/results/r/logs/l", [big]).catch((e: unknown) => e),
        "unavailable",
      ),
    ).toBe(true);
    expect(s3.uploads.size).toBe(0);
    expect(s3.objects.size).toBe(0);
  });

  it("answers unavailable (access denied) with wrong credentials", async () => {
    const store = createS3LogStore(
      options(s3, { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "wrong" } }),
    );
    const err = await store.exists("ns/results/r/logs/l").catch((e: unknown) => e);
    expect(isLogStoreError(err, "unavailable")).toBe(true);
    expect((err as LogStoreError).message).toContain("access denied");
  });

  it("answers unavailable when the service cannot be reached", async () => {
    const url = s3.url;
    await s3.close();
    const store = createS3LogStore({ ...options(s3), endpoint: url });
    const err = await store.read("ns/results/r/logs/l").catch((e: unknown) => e);
    expect(isLogStoreError(err, "unavailable")).toBe(true);
    s3 = await startFakeS3();
  });

  it("deletes a prefix across list pages", async () => {
    s3.pageSize = 2;
    const store = createS3LogStore(options(s3));
    for (const n of ["a", "b", "c", "d", "e"]) {
      await store.write(`ns/results/r/logs/${n}`, [encoder.encode(n)]);
    }
    await store.write("ns/results/r2/logs/a", [encoder.encode("keep")]);
    expect(await store.deletePrefix("ns/results/r")).toBe(5);
    expect([...s3.objects.keys()]).toEqual(["ns/r2/a.log"]);
  });

  it("signs session tokens and builds virtual-hosted URLs when asked", async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const store = createS3LogStore({
      endpoint: "https://s3.example.com/base",
      bucket: "my-bucket",
      credentials: { accessKeyId: "AK", secretAccessKey: "SK", sessionToken: "TOKEN" },
      pathStyle: false,
      fetch: async (url, init) => {
        seen.push({ url: String(url), headers: init?.headers as Record<string, string> });
        return new Response(null, { status: 404 });
      },
      now: () => new Date("2024-01-02T03:04:05Z"),
    });
    expect(await store.exists("ns/results/r/logs/l")).toBe(false);
    expect(seen[0]!.url).toBe("https://my-bucket.s3.example.com/base/ns/r/l.log");
    expect(seen[0]!.headers["x-amz-security-token"]).toBe("TOKEN");
    expect(seen[0]!.headers["x-amz-date"]).toBe("20240102T030405Z");
    expect(seen[0]!.headers["authorization"]).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AK\/20240102\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it("validates its options", () => {
    const base = options(s3);
    expect(() => createS3LogStore({ ...base, endpoint: "ftp://x" })).toThrow(LogStoreError);
    expect(() => createS3LogStore({ ...base, endpoint: "not a url" })).toThrow(LogStoreError);
    expect(() => createS3LogStore({ ...base, bucket: "Bad_Bucket" })).toThrow(LogStoreError);
    expect(() => createS3LogStore({ ...base, keyPrefix: "../" })).toThrow(LogStoreError);
    expect(() => createS3LogStore({ ...base, keyPrefix: "logs" })).toThrow(LogStoreError);
    expect(() => createS3LogStore({ ...base, partSize: 1024 })).toThrow(LogStoreError);
  });
});
