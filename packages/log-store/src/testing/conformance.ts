/**
 * The conformance suite every {@link LogStore} passes: streamed writes and
 * bounded reads, atomic replacement, deletes by name and by prefix, and name
 * validation (no path traversal). Call it from a vitest test file:
 *
 * ```ts
 * runLogStoreConformance("directory", async () => {
 *   const dir = await mkdtemp(join(tmpdir(), "logs-"));
 *   return { store: createDirectoryLogStore({ dir }), dispose: () => rm(dir, { recursive: true }) };
 * });
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLogStoreError, type LogStoreErrorCode } from "../errors.js";
import { DEFAULT_CHUNK_SIZE, type LogStore } from "../log-store.js";

/** A fresh, empty store for one test, and how to release it. */
export interface LogStoreFixture {
  store: LogStore;
  /** Called after the test (remove temporary directories...). */
  dispose?: () => Promise<void> | void;
}

/** Makes a fresh, empty store for each test. */
export type LogStoreFactory = () => Promise<LogStoreFixture> | LogStoreFixture;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bytes of `text` as UTF-8. */
function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

async function readAll(store: LogStore, name: string, chunkSize?: number): Promise<string> {
  const reader = await store.read(name, chunkSize !== undefined ? { chunkSize } : undefined);
  let out = "";
  for await (const chunk of reader) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

async function errorCode(promise: Promise<unknown>): Promise<LogStoreErrorCode | "none" | "other"> {
  try {
    await promise;
    return "none";
  } catch (err) {
    return isLogStoreError(err) ? err.code : "other";
  }
}

/** A deterministic pseudo-random byte block (xorshift), so big logs are not all one byte. */
function block(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A promise with its resolve function. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const LOG = "ns/results/r1/logs/l1";

/** Register the conformance tests of the store `factory` makes, under `describe(name)`. */
export function runLogStoreConformance(name: string, factory: LogStoreFactory): void {
  describe(`log store conformance: ${name}`, () => {
    let store: LogStore;
    let fixture: LogStoreFixture;
    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose?.();
    });

    describe("write and read", () => {
      it("appends the chunks of a source in order and returns the bytes written", async () => {
        const n = await store.write(LOG, ["[a : b] one\n", "[a : b] two\n", "héllo\n"].map(bytes));
        expect(n).toBe(bytes("[a : b] one\n[a : b] two\nhéllo\n").byteLength);
        expect(await readAll(store, LOG)).toBe("[a : b] one\n[a : b] two\nhéllo\n");
        expect(await store.exists(LOG)).toBe(true);
        expect(await store.size(LOG)).toBe(n);
      });

      it("takes an async source", async () => {
        async function* source(): AsyncGenerator<Uint8Array> {
          for (let i = 0; i < 5; i++) {
            await Promise.resolve();
            yield bytes(`line ${i}\n`);
          }
        }
        expect(await store.write(LOG, source())).toBe(35);
        expect(await readAll(store, LOG)).toBe("line 0\nline 1\nline 2\nline 3\nline 4\n");
      });

      it("stores an empty log that reads as no chunks", async () => {
        expect(await store.write(LOG, [])).toBe(0);
        expect(await store.exists(LOG)).toBe(true);
        expect(await store.size(LOG)).toBe(0);
        const reader = await store.read(LOG);
        expect(reader.size).toBe(0);
        const chunks: Uint8Array[] = [];
        for await (const c of reader) chunks.push(c);
        expect(chunks).toEqual([]);
      });

      it("reads in chunks of the requested size, all full but the last", async () => {
        await store.write(LOG, [bytes("abcdefghij"), bytes("klmnopq")]);
        const reader = await store.read(LOG, { chunkSize: 4 });
        expect(reader.size).toBe(17);
        const sizes: number[] = [];
        let text = "";
        for await (const c of reader) {
          sizes.push(c.byteLength);
          text += decoder.decode(c);
        }
        expect(sizes).toEqual([4, 4, 4, 4, 1]);
        expect(text).toBe("abcdefghijklmnopq");
      });

      it("does not keep a reference to the writer's buffers", async () => {
        const buffer = bytes("original");
        await store.write(LOG, [buffer]);
        buffer.fill(0x78);
        expect(await readAll(store, LOG)).toBe("original");
      });

      it("streams a 10 MiB log in chunks of at most 32 KiB by default", async () => {
        const piece = block(1024 * 1024, 7);
        const expected = createHash("sha256");
        function* source(): Generator<Uint8Array> {
          for (let i = 0; i < 10; i++) {
            expected.update(piece);
            yield piece;
          }
        }
        expect(await store.write(LOG, source())).toBe(10 * 1024 * 1024);
        expect(await store.size(LOG)).toBe(10 * 1024 * 1024);
        const reader = await store.read(LOG);
        expect(reader.size).toBe(10 * 1024 * 1024);
        const actual = createHash("sha256");
        let total = 0;
        let largest = 0;
        let chunks = 0;
        for await (const c of reader) {
          actual.update(c);
          total += c.byteLength;
          largest = Math.max(largest, c.byteLength);
          chunks++;
        }
        expect(total).toBe(10 * 1024 * 1024);
        expect(largest).toBe(DEFAULT_CHUNK_SIZE);
        expect(chunks).toBe((10 * 1024 * 1024) / DEFAULT_CHUNK_SIZE);
        expect(actual.digest("hex")).toBe(expected.digest("hex"));
      });

      it("releases a reader that is closed without being read", async () => {
        await store.write(LOG, [bytes("x")]);
        const reader = await store.read(LOG);
        await reader.close();
        await reader.close();
        expect(await store.delete(LOG)).toBe(true);
      });

      it("keeps logs apart by name", async () => {
        await store.write("ns/results/r1/logs/a", [bytes("A")]);
        await store.write("ns/results/r1/logs/b", [bytes("B")]);
        await store.write("ns/results/r2/logs/a", [bytes("C")]);
        await store.write("ns2/results/r1/logs/a", [bytes("D")]);
        expect(await readAll(store, "ns/results/r1/logs/a")).toBe("A");
        expect(await readAll(store, "ns/results/r1/logs/b")).toBe("B");
        expect(await readAll(store, "ns/results/r2/logs/a")).toBe("C");
        expect(await readAll(store, "ns2/results/r1/logs/a")).toBe("D");
      });

      it("answers not_found for a log never stored", async () => {
        expect(await errorCode(store.read(LOG))).toBe("not_found");
        expect(await errorCode(store.size(LOG))).toBe("not_found");
        expect(await store.exists(LOG)).toBe(false);
      });

      it("rejects a chunk size out of range", async () => {
        await store.write(LOG, [bytes("x")]);
        expect(await errorCode(store.read(LOG, { chunkSize: 0 }))).toBe("invalid_argument");
        expect(await errorCode(store.read(LOG, { chunkSize: 1.5 }))).toBe("invalid_argument");
      });
    });

    describe("atomic replacement", () => {
      it("replaces a log whole", async () => {
        await store.write(LOG, [bytes("first version, longer\n")]);
        await store.write(LOG, [bytes("second\n")]);
        expect(await readAll(store, LOG)).toBe("second\n");
        expect(await store.size(LOG)).toBe(7);
      });

      it("shows the previous log while a write is in progress, and the new one after", async () => {
        await store.write(LOG, [bytes("old\n")]);
        const gate = deferred();
        const started = deferred();
        async function* slow(): AsyncGenerator<Uint8Array> {
          yield bytes("new part 1\n");
          started.resolve();
          await gate.promise;
          yield bytes("new part 2\n");
        }
        const writing = store.write(LOG, slow());
        await started.promise;
        expect(await readAll(store, LOG)).toBe("old\n");
        expect(await store.size(LOG)).toBe(4);
        gate.resolve();
        expect(await writing).toBe(22);
        expect(await readAll(store, LOG)).toBe("new part 1\nnew part 2\n");
      });

      it("shows no log while the first write is in progress", async () => {
        const gate = deferred();
        const started = deferred();
        async function* slow(): AsyncGenerator<Uint8Array> {
          yield bytes("part 1\n");
          started.resolve();
          await gate.promise;
        }
        const writing = store.write(LOG, slow());
        await started.promise;
        expect(await store.exists(LOG)).toBe(false);
        expect(await errorCode(store.read(LOG))).toBe("not_found");
        gate.resolve();
        await writing;
        expect(await readAll(store, LOG)).toBe("part 1\n");
      });

      it("leaves the previous log intact when the source fails, rethrowing its error", async () => {
        await store.write(LOG, [bytes("kept\n")]);
        const boom = new Error("source broke");
        async function* failing(): AsyncGenerator<Uint8Array> {
          yield bytes("partial");
          throw boom;
        }
        await expect(store.write(LOG, failing())).rejects.toBe(boom);
        expect(await readAll(store, LOG)).toBe("kept\n");
      });

      it("leaves no log when a first write fails", async () => {
        async function* failing(): AsyncGenerator<Uint8Array> {
          yield bytes("partial");
          throw new Error("source broke");
        }
        await expect(store.write(LOG, failing())).rejects.toThrow("source broke");
        expect(await store.exists(LOG)).toBe(false);
      });

      it("lets a reader finish the log it opened when the log is replaced", async () => {
        await store.write(LOG, [block(100_000, 3)]);
        const reader = await store.read(LOG, { chunkSize: 1000 });
        const iterator = reader[Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.done).toBe(false);
        await store.write(LOG, [bytes("replaced")]);
        let total = (first.value as Uint8Array).byteLength;
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
          total += r.value.byteLength;
        }
        expect(total).toBe(100_000);
        expect(await readAll(store, LOG)).toBe("replaced");
      });

      it("ends concurrent writes to one log with one of them whole", async () => {
        const a = "A".repeat(50_000);
        const b = "B".repeat(70_000);
        async function* chunked(text: string): AsyncGenerator<Uint8Array> {
          for (let i = 0; i < text.length; i += 10_000) {
            await Promise.resolve();
            yield bytes(text.slice(i, i + 10_000));
          }
        }
        await Promise.all([store.write(LOG, chunked(a)), store.write(LOG, chunked(b))]);
        expect([a, b]).toContain(await readAll(store, LOG));
      });
    });

    describe("delete", () => {
      it("deletes one log and reports whether there was one", async () => {
        await store.write(LOG, [bytes("x")]);
        await store.write("ns/results/r1/logs/l2", [bytes("y")]);
        expect(await store.delete(LOG)).toBe(true);
        expect(await store.exists(LOG)).toBe(false);
        expect(await errorCode(store.read(LOG))).toBe("not_found");
        expect(await store.delete(LOG)).toBe(false);
        expect(await readAll(store, "ns/results/r1/logs/l2")).toBe("y");
      });

      it("can store a log again after deleting it", async () => {
        await store.write(LOG, [bytes("one")]);
        await store.delete(LOG);
        await store.write(LOG, [bytes("two")]);
        expect(await readAll(store, LOG)).toBe("two");
      });

      it("deletes every log of a result, and only those", async () => {
        await store.write("ns/results/r1/logs/a", [bytes("1")]);
        await store.write("ns/results/r1/logs/b", [bytes("2")]);
        await store.write("ns/results/r10/logs/a", [bytes("3")]);
        await store.write("ns2/results/r1/logs/a", [bytes("4")]);
        expect(await store.deletePrefix("ns/results/r1")).toBe(2);
        expect(await store.exists("ns/results/r1/logs/a")).toBe(false);
        expect(await store.exists("ns/results/r1/logs/b")).toBe(false);
        expect(await readAll(store, "ns/results/r10/logs/a")).toBe("3");
        expect(await readAll(store, "ns2/results/r1/logs/a")).toBe("4");
        expect(await store.deletePrefix("ns/results/r1")).toBe(0);
        expect(await store.deletePrefix("ns/results/never")).toBe(0);
      });

      it("deletes every log of a parent", async () => {
        await store.write("ns/results/r1/logs/a", [bytes("1")]);
        await store.write("ns/results/r2/logs/b", [bytes("2")]);
        await store.write("ns-2/results/r1/logs/a", [bytes("3")]);
        expect(await store.deletePrefix("ns")).toBe(2);
        expect(await store.exists("ns/results/r1/logs/a")).toBe(false);
        expect(await store.exists("ns/results/r2/logs/b")).toBe(false);
        expect(await readAll(store, "ns-2/results/r1/logs/a")).toBe("3");
        expect(await store.deletePrefix("nobody")).toBe(0);
      });

      it("accepts a result prefix with a trailing /logs", async () => {
        await store.write(LOG, [bytes("1")]);
        expect(await store.deletePrefix("ns/results/r1/logs/")).toBe(1);
        expect(await store.exists(LOG)).toBe(false);
      });
    });

    describe("names", () => {
      const bad = [
        "",
        "ns",
        "ns/results/r1",
        "ns/results/r1/records/l1",
        "ns/results/r1/logs/l1/extra",
        "../results/r1/logs/l1",
        "ns/results/../logs/l1",
        "ns/results/r1/logs/..",
        "ns/results/r1/logs/.",
        "ns/results/r1/logs/a%2F..",
        "/etc/results/r1/logs/passwd",
        "ns/results/r1/logs/l1.log",
        "NS/results/r1/logs/l1",
        "ns/results/r1/logs/" + "x".repeat(64),
        "ns/results//logs/l1",
        "ns\\..\\x/results/r1/logs/l1",
      ];

      it.each(bad)("rejects the log name %j as invalid_argument on every method", async (n) => {
        expect(await errorCode(store.write(n, [bytes("x")]))).toBe("invalid_argument");
        expect(await errorCode(store.read(n))).toBe("invalid_argument");
        expect(await errorCode(store.delete(n))).toBe("invalid_argument");
        expect(await errorCode(store.exists(n))).toBe("invalid_argument");
        expect(await errorCode(store.size(n))).toBe("invalid_argument");
        expect(() => store.locate(n)).toThrow();
      });

      it.each([
        "",
        "..",
        ".",
        "ns/..",
        "ns/results/..",
        "ns/results",
        "ns/x/r1",
        "/",
        "a/b/c/d/e/f",
      ])("rejects the prefix %j as invalid_argument", async (p) => {
        expect(await errorCode(store.deletePrefix(p))).toBe("invalid_argument");
      });

      it("does not consume the source of a write with a bad name", async () => {
        let pulled = false;
        function* source(): Generator<Uint8Array> {
          pulled = true;
          yield bytes("x");
        }
        expect(await errorCode(store.write("../x", source()))).toBe("invalid_argument");
        expect(pulled).toBe(false);
      });

      it("locates a log by a relative path made of its segments", () => {
        const where = store.locate("ns/results/r1/logs/l1");
        expect(where.startsWith("/")).toBe(false);
        expect(where.split("/")).not.toContain("..");
        expect(where).toContain("ns");
        expect(where).toContain("r1");
        expect(where).toContain("l1");
      });
    });
  });
}
