/**
 * The log store port: where the server keeps the text of logs, by log name.
 *
 * @module
 */
import { LogStoreError } from "./errors.js";

/** The default size of the chunks a read yields: 32 KiB. */
export const DEFAULT_CHUNK_SIZE = 32 * 1024;

/** The largest chunk size a read accepts: 4 MiB. */
export const MAX_CHUNK_SIZE = 4 * 1024 * 1024;

/** A source of log bytes for {@link LogStore.write}. */
export type LogSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Options of {@link LogStore.read}. */
export interface ReadOptions {
  /**
   * The largest chunk the reader yields, in bytes, from 1 to
   * {@link MAX_CHUNK_SIZE}. Default {@link DEFAULT_CHUNK_SIZE}.
   */
  chunkSize?: number;
}

/**
 * An open log: iterate it once for its bytes, in order, in chunks of at most
 * the requested size (all but the last are full). Iterating to the end or
 * breaking out releases it; {@link LogReader.close} releases it without
 * iterating (calling it again, or after iterating, does nothing).
 */
export interface LogReader extends AsyncIterable<Uint8Array> {
  /** The size of the log that was opened, in bytes. */
  readonly size: number;
  /** Release the open log (file handle) without reading it. */
  close(): Promise<void>;
}

/**
 * Stores logs keyed by log name `{parent}/results/{result}/logs/{record}`,
 * each segment matching `[a-z0-9_-]{1,63}`.
 *
 * Guarantees, pinned by `runLogStoreConformance`:
 * - Every method throws {@link LogStoreError}: `invalid_argument` for a
 *   malformed name or prefix (nothing is touched), `not_found` where
 *   documented, `unavailable` when the storage fails. An error thrown by the
 *   source of a write is rethrown unchanged.
 * - A write replaces the log atomically: readers see the previous log (or
 *   none) until the write completes, then the whole new log; a failed write
 *   leaves the previous log intact. Of concurrent writes to one log, the last
 *   to complete wins, whole.
 * - Writes and reads are streamed: memory per call is bounded by the chunk
 *   sizes (the memory store excepted, which keeps logs in memory).
 * - A reader keeps reading the log it opened even if it is replaced or
 *   deleted meanwhile.
 */
export interface LogStore {
  /**
   * The kind of storage, as the `spec.type` of a Log record names it:
   * `"File"`, `"S3"`, `"Memory"`...
   */
  readonly type: string;

  /**
   * Store the log `name` from `source`, chunks appended in order, replacing
   * any previous log atomically once the source ends. Resolves to the number
   * of bytes written.
   */
  write(name: string, source: LogSource): Promise<number>;

  /** Open the log `name` for reading. `not_found` when none is stored. */
  read(name: string, options?: ReadOptions): Promise<LogReader>;

  /** Delete the log `name`. Resolves to `false` when there was none. */
  delete(name: string): Promise<boolean>;

  /**
   * Delete every log under `prefix`: `{parent}` or `{parent}/results/{result}`
   * (used when a Result is deleted). Resolves to the number of logs deleted.
   */
  deletePrefix(prefix: string): Promise<number>;

  /** True when a log is stored under `name`. */
  exists(name: string): Promise<boolean>;

  /** The size of the log `name` in bytes. `not_found` when none is stored. */
  size(name: string): Promise<number>;

  /**
   * Where the log `name` lives, relative to the store's root (the `status.path`
   * of a Log record). Validates the name; touches nothing.
   */
  locate(name: string): string;
}

/** Check a read's chunk size; returns it or the default. */
export function resolveChunkSize(options: ReadOptions | undefined): number {
  const size = options?.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE) {
    throw new LogStoreError(
      "invalid_argument",
      `chunk size must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${size}`,
    );
  }
  return size;
}
