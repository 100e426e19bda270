import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, chmod, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runLogStoreConformance } from "../src/testing/index.js";
import { createDirectoryLogStore } from "../src/directory-store.js";
import { isLogStoreError, LogStoreError } from "../src/errors.js";

runLogStoreConformance("directory", async () => {
  const dir = await mkdtemp(join(tmpdir(), "log-store-conf-"));
  return {
    store: createDirectoryLogStore({ dir }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

runLogStoreConformance("directory with fsync", async () => {
  const dir = await mkdtemp(join(tmpdir(), "log-store-fsync-"));
  return {
    store: createDirectoryLogStore({ dir, fsync: true }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

const encoder = new TextEncoder();

/** Every file under `dir`, relative, sorted. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("createDirectoryLogStore", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "log-store-dir-"));
  });
  afterEach(async () => {
    await chmod(dir, 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps each log as {parent}/{result}/{record}.log under the directory", async () => {
    const store = createDirectoryLogStore({ dir });
    await store.write("ns/results/r1/logs/l1", [encoder.encode("hello\n")]);
    expect(await files(dir)).toEqual(["ns/r1/l1.log"]);
    expect(await readFile(join(dir, "ns/r1/l1.log"), "utf8")).toBe("hello\n");
    expect(store.filePath("ns/results/r1/logs/l1")).toBe(join(dir, "ns/r1/l1.log"));
    expect(store.locate("ns/results/r1/logs/l1")).toBe("ns/r1/l1.log");
    expect(store.type).toBe("File");
    expect(store.dir).toBe(dir);
  });

  it("creates the directory on the first write", async () => {
    const nested = join(dir, "a", "b");
    const store = createDirectoryLogStore({ dir: nested });
    expect(await store.exists("ns/results/r/logs/l")).toBe(false);
    await store.write("ns/results/r/logs/l", [encoder.encode("x")]);
    expect(await files(nested)).toEqual(["ns/r/l.log"]);
  });

  it("removes its temporary file when a write fails", async () => {
    const store = createDirectoryLogStore({ dir });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield encoder.encode("partial");
      throw new Error("client went away");
    }
    await expect(store.write("ns/results/r/logs/l", failing())).rejects.toThrow("client went away");
    expect(await files(dir)).toEqual([]);
  });

  it("removes emptied directories on delete, but not the root", async () => {
    const store = createDirectoryLogStore({ dir });
    await store.write("ns/results/r/logs/a", [encoder.encode("x")]);
    await store.write("ns/results/r/logs/b", [encoder.encode("y")]);
    await store.delete("ns/results/r/logs/a");
    expect(await readdir(join(dir, "ns", "r"))).toEqual(["b.log"]);
    await store.delete("ns/results/r/logs/b");
    expect(await readdir(dir)).toEqual([]);
    await store.write("ns/results/r2/logs/a", [encoder.encode("x")]);
    await store.deletePrefix("ns/results/r2");
    expect(await readdir(dir)).toEqual([]);
  });

  it("ignores stray files that are not logs", async () => {
    const store = createDirectoryLogStore({ dir });
    await mkdir(join(dir, "ns", "r"), { recursive: true });
    await writeFile(join(dir, "ns", "r", ".l.log.abc.tmp"), "half");
    expect(await store.exists("ns/results/r/logs/l")).toBe(false);
    expect(await store.deletePrefix("ns/results/r")).toBe(0);
  });

  it("removes the temporary files of abandoned writes, not recent ones nor logs", async () => {
    const store = createDirectoryLogStore({ dir });
    await store.write("ns/results/r/logs/done", [encoder.encode("kept")]);
    const old = join(dir, "ns", "r", ".l.log.0a1b2c.tmp");
    const recent = join(dir, "ns", "r", ".m.log.3d4e5f.tmp");
    const notOurs = join(dir, "ns", "r", ".n.log.tmp");
    await writeFile(old, "half");
    await writeFile(recent, "half");
    await writeFile(notOurs, "x");
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await utimes(old, twoDaysAgo, twoDaysAgo);
    await utimes(notOurs, twoDaysAgo, twoDaysAgo);

    expect(await store.removeStaleTemporaryFiles()).toBe(1);
    expect((await readdir(join(dir, "ns", "r"))).sort()).toEqual([
      ".m.log.3d4e5f.tmp",
      ".n.log.tmp",
      "done.log",
    ]);
    // With age 0 the recent one goes too; the log itself never does.
    expect(await store.removeStaleTemporaryFiles(0)).toBe(1);
    expect((await readdir(join(dir, "ns", "r"))).sort()).toEqual([".n.log.tmp", "done.log"]);
    expect(await readFile(join(dir, "ns", "r", "done.log"), "utf8")).toBe("kept");
  });

  it("sweeps nothing, without an error, when the directory does not exist yet", async () => {
    const store = createDirectoryLogStore({ dir: join(dir, "missing") });
    expect(await store.removeStaleTemporaryFiles()).toBe(0);
    await expect(store.removeStaleTemporaryFiles(-1)).rejects.toThrow(LogStoreError);
  });

  // Root ignores file permissions.
  it.skipIf(process.getuid?.() === 0)(
    "answers unavailable, without the path, when the directory cannot be written",
    async () => {
      const store = createDirectoryLogStore({ dir });
      await chmod(dir, 0o500);
      const err = await store.write("ns/results/r/logs/l", [encoder.encode("x")]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isLogStoreError(err, "unavailable")).toBe(true);
      expect((err as LogStoreError).message).not.toContain(dir);
    },
  );

  it("answers unavailable when the storage root is a file", async () => {
    const file = join(dir, "not-a-dir");
    await writeFile(file, "x");
    const store = createDirectoryLogStore({ dir: file });
    const err = await store.write("ns/results/r/logs/l", [encoder.encode("x")]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLogStoreError(err, "unavailable")).toBe(true);
    expect((err as LogStoreError).message).not.toContain(file);
  });

  it("rejects an empty directory option", () => {
    expect(() => createDirectoryLogStore({ dir: "" })).toThrow(LogStoreError);
  });
});
