/**
 * A log store on a local directory: one file per log at
 * `{dir}/{parent}/{result}/{record}.log`.
 *
 * A write goes to a temporary file next to the log (`.{record}.log.{random}.tmp`,
 * a name no log can have since segments contain no dots) and is renamed over
 * the log when the source ends, so readers never see a partial log and a
 * failed write leaves the previous log intact. Reads stream the file in
 * chunks of at most the requested size, one buffer per chunk.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import type { Dirent } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LogStoreError } from "./errors.js";
import { parseLogKey, parseLogPrefix, type LogKey } from "./log-name.js";
import {
  resolveChunkSize,
  type LogReader,
  type LogSource,
  type LogStore,
  type ReadOptions,
} from "./log-store.js";

/** Options of {@link createDirectoryLogStore}. */
export interface DirectoryLogStoreOptions {
  /** The root directory; created on the first write when missing. */
  dir: string;
  /**
   * Flush each log (and its directory entry) to disk before a write resolves,
   * so that a stored log survives a power loss. Slower. Default false.
   */
  fsync?: boolean;
  /** Mode of created files. Default `0o640`. */
  fileMode?: number;
}

/** A {@link LogStore} on a local directory. */
export interface DirectoryLogStore extends LogStore {
  /** The absolute root directory. */
  readonly dir: string;
  /** The absolute file path of the log `name` (validated). */
  filePath(name: string): string;
  /**
   * Delete the temporary files of writes that never finished (a process that
   * crashed or was killed mid-write leaves its `.{record}.log.{random}.tmp`
   * behind; a write that fails cleans up after itself). Only files not
   * modified for `olderThanMs` are removed, so the writes in progress of this
   * or another process sharing the directory are left alone (a write touches
   * its file with every chunk). Resolves to the number of files removed; a
   * missing root is no error.
   *
   * @param olderThanMs - minimum age since the last modification; default
   *   {@link STALE_TEMPORARY_FILE_MS} (24 hours).
   */
  removeStaleTemporaryFiles(olderThanMs?: number): Promise<number>;
}

/** Default age after which an unfinished write's temporary file counts as abandoned: 24 hours. */
export const STALE_TEMPORARY_FILE_MS = 24 * 60 * 60 * 1000;

/** A temporary file name of {@link createDirectoryLogStore}'s writes. */
const TEMPORARY_FILE = /^\.[^/]+\.log\.[0-9a-f]+\.tmp$/;

const NOT_FOUND_CODES = new Set(["ENOENT", "ENOTDIR"]);

function errnoCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** A file system error as a {@link LogStoreError} (its message never names a path). */
function fsError(err: unknown, action: string): LogStoreError {
  if (err instanceof LogStoreError) return err;
  const code = errnoCode(err);
  if (code !== undefined && NOT_FOUND_CODES.has(code)) {
    return new LogStoreError("not_found", "log not found", { cause: err });
  }
  return new LogStoreError(
    "unavailable",
    `log storage unavailable: cannot ${action}${code ? ` (${code})` : ""}`,
    { cause: err },
  );
}

/** A file system error during a write: a vanished directory is an outage, not a missing log. */
function writeError(err: unknown, action: string): LogStoreError {
  const e = fsError(err, action);
  return e.code === "not_found"
    ? new LogStoreError("unavailable", `log storage unavailable: cannot ${action}`, { cause: err })
    : e;
}

/** Create a log store on the directory `options.dir`. */
export function createDirectoryLogStore(options: DirectoryLogStoreOptions): DirectoryLogStore {
  if (options.dir === "") throw new LogStoreError("invalid_argument", "dir must not be empty");
  const root = resolve(options.dir);
  const fsync = options.fsync ?? false;
  const fileMode = options.fileMode ?? 0o640;

  function relative(key: LogKey): string[] {
    return [key.parent, key.result, `${key.record}.log`];
  }
  function filePath(name: string): string {
    return join(root, ...relative(parseLogKey(name)));
  }

  async function syncDir(dir: string): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(dir, "r");
      await handle.sync();
    } catch {
      // Some file systems cannot sync directories; the file itself was synced.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** Remove now-empty result and parent directories (best effort, never the root). */
  async function pruneEmpty(key: LogKey): Promise<void> {
    for (const dir of [join(root, key.parent, key.result), join(root, key.parent)]) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or gone, or racing with a writer): leave it
      }
    }
  }

  async function write(name: string, source: LogSource): Promise<number> {
    const key = parseLogKey(name);
    const dir = join(root, key.parent, key.result);
    const target = join(dir, `${key.record}.log`);
    const temp = join(dir, `.${key.record}.log.${randomBytes(6).toString("hex")}.tmp`);
    let handle: FileHandle | undefined;
    let written = 0;
    let renamed = false;
    try {
      try {
        await mkdir(dir, { recursive: true });
        handle = await open(temp, "wx", fileMode);
      } catch (err) {
        throw writeError(err, "create the log file");
      }
      for await (const chunk of source) {
        let offset = 0;
        while (offset < chunk.byteLength) {
          let result;
          try {
            result = await handle.write(chunk, offset, chunk.byteLength - offset);
          } catch (err) {
            throw writeError(err, "write the log file");
          }
          offset += result.bytesWritten;
        }
        written += chunk.byteLength;
      }
      try {
        if (fsync) await handle.sync();
        await handle.close();
        handle = undefined;
        await rename(temp, target);
        renamed = true;
        if (fsync) await syncDir(dir);
      } catch (err) {
        throw writeError(err, "store the log file");
      }
      return written;
    } finally {
      if (handle) await handle.close().catch(() => undefined);
      if (!renamed) await unlink(temp).catch(() => undefined);
    }
  }

  async function read(name: string, readOptions?: ReadOptions): Promise<LogReader> {
    const path = filePath(name);
    const chunkSize = resolveChunkSize(readOptions);
    let handle: FileHandle;
    let size: number;
    try {
      handle = await open(path, "r");
    } catch (err) {
      throw fsError(err, "open the log file");
    }
    try {
      size = (await handle.stat()).size;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw fsError(err, "read the log file");
    }
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await handle.close().catch(() => undefined);
    };
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        // Read to the end of the file that was opened (a replacement is a new file).
        for (;;) {
          if (closed) return;
          const buffer = new Uint8Array(chunkSize);
          let filled = 0;
          while (filled < chunkSize) {
            let bytesRead: number;
            try {
              ({ bytesRead } = await handle.read(buffer, filled, chunkSize - filled, null));
            } catch (err) {
              throw fsError(err, "read the log file");
            }
            if (bytesRead === 0) break;
            filled += bytesRead;
          }
          if (filled === 0) return;
          yield filled === chunkSize ? buffer : buffer.subarray(0, filled);
          if (filled < chunkSize) return;
        }
      } finally {
        await close();
      }
    }
    const iterator = chunks();
    return {
      size,
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        await iterator.return(undefined);
        await close();
      },
    };
  }

  return {
    type: "File",
    dir: root,
    filePath,
    write,
    read,

    async delete(name: string): Promise<boolean> {
      const key = parseLogKey(name);
      try {
        await unlink(join(root, ...relative(key)));
      } catch (err) {
        const e = fsError(err, "delete the log file");
        if (e.code === "not_found") return false;
        throw e;
      }
      await pruneEmpty(key);
      return true;
    },

    async deletePrefix(prefix: string): Promise<number> {
      const parsed = parseLogPrefix(prefix);
      const parentDir = join(root, parsed.parent);
      const resultDirs: string[] = [];
      try {
        if (parsed.result !== undefined) {
          resultDirs.push(join(parentDir, parsed.result));
        } else {
          for (const entry of await readdir(parentDir, { withFileTypes: true })) {
            if (entry.isDirectory()) resultDirs.push(join(parentDir, entry.name));
          }
        }
      } catch (err) {
        const e = fsError(err, "list the log directory");
        if (e.code === "not_found") return 0;
        throw e;
      }
      let deleted = 0;
      for (const dir of resultDirs) {
        let names: string[];
        try {
          names = await readdir(dir);
        } catch (err) {
          const e = fsError(err, "list the log directory");
          if (e.code === "not_found") continue;
          throw e;
        }
        deleted += names.filter((n) => !n.startsWith(".") && n.endsWith(".log")).length;
        try {
          await rm(dir, { recursive: true, force: true });
        } catch (err) {
          throw fsError(err, "delete the log directory");
        }
      }
      if (parsed.result !== undefined) {
        await rmdir(parentDir).catch(() => undefined);
      } else {
        await rm(parentDir, { recursive: true, force: true }).catch(() => undefined);
      }
      return deleted;
    },

    async removeStaleTemporaryFiles(olderThanMs = STALE_TEMPORARY_FILE_MS): Promise<number> {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
        throw new LogStoreError("invalid_argument", "olderThanMs must be a non-negative number");
      }
      const cutoff = Date.now() - olderThanMs;
      /** The names in `dir`, or none when it vanished meanwhile. */
      async function list(dir: string): Promise<Dirent[]> {
        try {
          return await readdir(dir, { withFileTypes: true });
        } catch (err) {
          const e = fsError(err, "list the log directory");
          if (e.code === "not_found") return [];
          throw e;
        }
      }
      let removed = 0;
      for (const parent of await list(root)) {
        if (!parent.isDirectory()) continue;
        for (const result of await list(join(root, parent.name))) {
          if (!result.isDirectory()) continue;
          const dir = join(root, parent.name, result.name);
          for (const entry of await list(dir)) {
            if (!entry.isFile() || !TEMPORARY_FILE.test(entry.name)) continue;
            const path = join(dir, entry.name);
            try {
              if ((await stat(path)).mtimeMs > cutoff) continue;
              await unlink(path);
              removed += 1;
            } catch (err) {
              const e = fsError(err, "delete a temporary log file");
              if (e.code !== "not_found") throw e; // finished or removed meanwhile
            }
          }
        }
      }
      return removed;
    },

    async exists(name: string): Promise<boolean> {
      const path = filePath(name);
      try {
        return (await stat(path)).isFile();
      } catch (err) {
        const e = fsError(err, "read the log file");
        if (e.code === "not_found") return false;
        throw e;
      }
    },

    async size(name: string): Promise<number> {
      const path = filePath(name);
      try {
        const info = await stat(path);
        if (!info.isFile()) throw new LogStoreError("not_found", "log not found");
        return info.size;
      } catch (err) {
        throw fsError(err, "read the log file");
      }
    },

    locate(name: string): string {
      return relative(parseLogKey(name)).join("/");
    },
  };
}
