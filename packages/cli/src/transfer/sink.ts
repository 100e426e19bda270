/**
 * Where an export writes its lines: a file (new, or appended to when resuming) or standard
 * output, waiting for either to take each line so a large export never piles up in memory.
 *
 * @module
 */
import { once } from "node:events";
import { open, type FileHandle } from "node:fs/promises";

/** A writer of lines. */
export interface Sink {
  /** Write `text`; resolves once it is handed to the operating system (or the pipe drained). */
  write(text: string): Promise<void>;
  /** Close the file (nothing for standard output). */
  close(): Promise<void>;
}

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, "utf8");
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}

/** A file: created anew (`w`), or appended to (`a`, when resuming). */
export async function fileSink(path: string, mode: "w" | "a"): Promise<Sink> {
  const handle = await open(path, mode);
  return { write: (text) => writeAll(handle, text), close: () => handle.close() };
}

/**
 * Standard output. Written directly rather than through `Io.out`, which has no backpressure: an
 * export of gigabytes must wait for the pipe.
 */
export function stdoutSink(stream: NodeJS.WritableStream = process.stdout): Sink {
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, "drain");
    },
    close: async () => undefined,
  };
}
