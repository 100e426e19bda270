/**
 * The lines of a stream with their numbers and byte offsets (for error messages, the progress of
 * an import, and where a resumed export cuts an unfinished file).
 *
 * @module
 */

/** One line of a stream. */
export interface StreamLine {
  /** The text, without its newline (and without a `\r` before it). */
  text: string;
  /** 1 for the first line. */
  lineNo: number;
  /** The byte offset of its first byte. */
  start: number;
  /** The byte offset after its newline (or after its last byte when it has none). */
  end: number;
  /** Whether a newline ends it (the last line of a cut stream has none). */
  complete: boolean;
}

/** The lines of `source` (chunks of bytes, as a Node stream gives them). */
export async function* readLines(
  source: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<StreamLine, void, undefined> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = 0;
  let lineNo = 0;
  const line = (bytes: Buffer, complete: boolean): StreamLine => {
    const start = offset;
    offset += bytes.byteLength + (complete ? 1 : 0);
    let text = bytes.toString("utf8");
    if (text.endsWith("\r")) text = text.slice(0, -1);
    return { text, lineNo: ++lineNo, start, end: offset, complete };
  };
  for await (const chunk of source) {
    let buf =
      typeof chunk === "string"
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10)) {
      const head = buf.subarray(0, nl);
      const bytes =
        pending.length === 0 ? head : Buffer.concat([...pending, head], pendingBytes + nl);
      pending = [];
      pendingBytes = 0;
      yield line(bytes, true);
      buf = buf.subarray(nl + 1);
    }
    if (buf.byteLength > 0) {
      pending.push(Buffer.from(buf));
      pendingBytes += buf.byteLength;
    }
  }
  if (pendingBytes > 0) yield line(Buffer.concat(pending, pendingBytes), false);
}
