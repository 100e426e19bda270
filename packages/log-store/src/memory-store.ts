/**
 * A log store that keeps logs in memory: for tests and embedding.
 *
 * @module
 */
import { LogStoreError } from "./errors.js";
import {
  formatLogKey,
  logKeyHasPrefix,
  parseLogKey,
  parseLogPrefix,
  type LogKey,
} from "./log-name.js";
import {
  resolveChunkSize,
  type LogReader,
  type LogSource,
  type LogStore,
  type ReadOptions,
} from "./log-store.js";

/** Options of {@link createMemoryLogStore}. */
export interface MemoryLogStoreOptions {
  /** The store's `type`. Default `"Memory"`. */
  type?: string;
}

/** A {@link LogStore} in memory, with the same guarantees as the others. */
export interface MemoryLogStore extends LogStore {
  /** The names of the stored logs, sorted. */
  names(): string[];
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Create an empty in-memory log store. */
export function createMemoryLogStore(options: MemoryLogStoreOptions = {}): MemoryLogStore {
  const logs = new Map<string, { key: LogKey; data: Uint8Array }>();

  function key(name: string): { id: string; key: LogKey } {
    const parsed = parseLogKey(name);
    return { id: formatLogKey(parsed), key: parsed };
  }

  return {
    type: options.type ?? "Memory",

    async write(name: string, source: LogSource): Promise<number> {
      const { id, key: parsed } = key(name);
      const parts: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of source) {
        // Copy: the caller may reuse its buffer.
        parts.push(chunk.slice());
        total += chunk.byteLength;
      }
      logs.set(id, { key: parsed, data: concat(parts, total) });
      return total;
    },

    async read(name: string, readOptions?: ReadOptions): Promise<LogReader> {
      const { id } = key(name);
      const chunkSize = resolveChunkSize(readOptions);
      const entry = logs.get(id);
      if (!entry) throw new LogStoreError("not_found", "log not found");
      const data = entry.data;
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let offset = 0; offset < data.byteLength; offset += chunkSize) {
          yield data.slice(offset, Math.min(offset + chunkSize, data.byteLength));
        }
      }
      const iterator = chunks();
      return {
        size: data.byteLength,
        [Symbol.asyncIterator]: () => iterator,
        close: async () => {
          await iterator.return(undefined);
        },
      };
    },

    async delete(name: string): Promise<boolean> {
      return logs.delete(key(name).id);
    },

    async deletePrefix(prefix: string): Promise<number> {
      const parsed = parseLogPrefix(prefix);
      let n = 0;
      for (const [id, entry] of logs) {
        if (logKeyHasPrefix(entry.key, parsed)) {
          logs.delete(id);
          n++;
        }
      }
      return n;
    },

    async exists(name: string): Promise<boolean> {
      return logs.has(key(name).id);
    },

    async size(name: string): Promise<number> {
      const entry = logs.get(key(name).id);
      if (!entry) throw new LogStoreError("not_found", "log not found");
      return entry.data.byteLength;
    },

    locate(name: string): string {
      const k = parseLogKey(name);
      return `${k.parent}/${k.result}/${k.record}.log`;
    },

    names(): string[] {
      return [...logs.keys()].sort();
    },
  };
}
