/**
 * A log held compactly as it streams in: its text in a few large strings (the chunks as they
 * came, cut at line ends) and, per line, offsets in typed arrays (about 20 bytes a line), never
 * one object or element per line. Lines are grouped in sections by the `[task : step]` marker
 * the watcher writes at the start of every line (`log-uploader.ts`: `${prefix} ${line}\n`); a
 * timestamp at the start of a line's text (pods' logs read with `timestamps=true`) is found
 * and kept apart.
 *
 * @module
 */

/** A `[task : step]` marker at an offset (sticky), as the watcher writes it. */
const MARKER = /\[([^\]\n]*) : ([^\]\n]*)\] ?/y;

/** An RFC 3339 timestamp and a space at an offset (sticky), as Kubernetes prefixes log lines. */
const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) /y;

/** A group of consecutive lines with the same marker (or the lines of a log without one). */
export interface LogSection {
  /** The marker as stored (`[task : step]`), or the title given for lines without one. */
  title: string;
  /** The task of the marker, or of the log the lines came from. */
  task: string;
  /** The step of the marker, when it names one. */
  step: string | undefined;
  /** The index of its first line. */
  first: number;
  /** How many lines it holds so far. */
  count: number;
}

/** One line as shown: its timestamp (when stored) and its text after the marker. */
export interface LogLine {
  /** The timestamp the line starts with, without its trailing space; `""` when none. */
  timestamp: string;
  /** The text after the marker and the timestamp (ANSI escapes included). */
  body: string;
}

const INITIAL = 1024;

function grow<T extends Uint32Array | Uint16Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * A log fed with bytes as they stream (`push`), logs after one another (`beginLog` names the
 * section of the next log's lines that have no marker), ended by `end`.
 */
export class LogText {
  private readonly blocks: string[] = [];
  private blockOf = new Uint32Array(INITIAL);
  private startOf = new Uint32Array(INITIAL);
  private endOf = new Uint32Array(INITIAL);
  private sectionOf = new Uint32Array(INITIAL);
  /** Offset of the timestamp (or body) from the line's start: the marker's length. */
  private markerLength = new Uint16Array(INITIAL);
  /** Length of the timestamp and its space; 0 when none. */
  private timestampLength = new Uint8Array(INITIAL);
  private decoder = new TextDecoder();
  private pending = "";
  private fallback: { title: string; task: string } | undefined;
  /** A log has begun: its first line opens a section. */
  private fresh = false;
  private readonly raw: Blob[] = [];
  /** The sections, in order. */
  readonly sections: LogSection[] = [];
  /** The number of complete lines. */
  length = 0;
  /** The bytes received. */
  bytes = 0;
  /** The longest line's body, in characters (the view's width). */
  widest = 0;
  /** Whether any line has a timestamp. */
  hasTimestamps = false;
  /** Bumped by every change (for views). */
  version = 0;

  /**
   * Start the next log: its lines without a marker go in a section titled `title` (`[task]`,
   * as the CLI marks them), or in an untitled one when `title` is undefined.
   */
  beginLog(title?: string, task = ""): void {
    this.flush();
    this.fallback = title === undefined ? undefined : { title, task };
    this.fresh = true;
  }

  /** Add the bytes that came; the lines they complete are added. */
  push(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.raw.push(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    this.bytes += bytes.byteLength;
    this.pending += this.decoder.decode(bytes, { stream: true });
    const cut = this.pending.lastIndexOf("\n");
    if (cut < 0) return;
    const block = this.pending.slice(0, cut + 1);
    this.pending = this.pending.slice(cut + 1);
    this.addBlock(block);
  }

  /** The end of the current log: its last line, when it has no newline. */
  flush(): void {
    this.pending += this.decoder.decode();
    this.decoder = new TextDecoder();
    if (this.pending !== "") {
      const block = `${this.pending}\n`;
      this.pending = "";
      this.addBlock(block);
    }
  }

  /** The raw bytes received, as one Blob (the download). */
  blob(type = "text/plain"): Blob {
    return new Blob(this.raw, { type });
  }

  private addBlock(block: string): void {
    const b = this.blocks.length;
    this.blocks.push(block);
    let count = 0;
    for (let i = block.indexOf("\n"); i >= 0; i = block.indexOf("\n", i + 1)) count++;
    const need = this.length + count;
    this.blockOf = grow(this.blockOf, need);
    this.startOf = grow(this.startOf, need);
    this.endOf = grow(this.endOf, need);
    this.sectionOf = grow(this.sectionOf, need);
    this.markerLength = grow(this.markerLength, need);
    this.timestampLength = grow(this.timestampLength, need);
    let start = 0;
    for (let end = block.indexOf("\n"); end >= 0; end = block.indexOf("\n", start)) {
      // A line ending in \r\n: the \r is not shown.
      const stop = end > start && block.charCodeAt(end - 1) === 13 ? end - 1 : end;
      this.addLine(block, b, start, stop);
      start = end + 1;
    }
    this.version++;
  }

  private addLine(block: string, b: number, start: number, end: number): void {
    const n = this.length++;
    this.blockOf[n] = b;
    this.startOf[n] = start;
    this.endOf[n] = end;
    let markerEnd = start;
    let section = this.fresh ? undefined : this.sections[this.sections.length - 1];
    this.fresh = false;
    if (block.charCodeAt(start) === 91 /* [ */) {
      MARKER.lastIndex = start;
      const m = MARKER.exec(block);
      if (m && MARKER.lastIndex <= end) {
        markerEnd = MARKER.lastIndex;
        const title = block.slice(start, start + m[0].trimEnd().length);
        if (section === undefined || section.title !== title || section.step === undefined) {
          section = this.openSection(title, m[1] ?? "", m[2] ?? "");
        }
      }
    }
    if (markerEnd === start) {
      const title = this.fallback?.title ?? "";
      if (section === undefined || section.title !== title || section.step !== undefined) {
        section = this.openSection(title, this.fallback?.task ?? "", undefined);
      }
    }
    section!.count++;
    this.sectionOf[n] = this.sections.length - 1;
    this.markerLength[n] = Math.min(markerEnd - start, 0xffff);
    TIMESTAMP.lastIndex = markerEnd;
    const ts = TIMESTAMP.test(block) && TIMESTAMP.lastIndex <= end;
    const tsLength = ts ? TIMESTAMP.lastIndex - markerEnd : 0;
    this.timestampLength[n] = tsLength;
    if (ts) this.hasTimestamps = true;
    const width = end - markerEnd - tsLength;
    if (width > this.widest) this.widest = width;
  }

  private openSection(title: string, task: string, step: string | undefined): LogSection {
    const section = { title, task, step, first: this.length - 1, count: 0 };
    this.sections.push(section);
    return section;
  }

  /** Line `n` (0-based) as shown: timestamp and body. */
  line(n: number): LogLine {
    const block = this.blocks[this.blockOf[n]!]!;
    const at = this.startOf[n]! + this.markerLength[n]!;
    const ts = this.timestampLength[n]!;
    return {
      timestamp: ts === 0 ? "" : block.slice(at, at + ts - 1),
      body: block.slice(at + ts, this.endOf[n]),
    };
  }

  /** The body of line `n` (after its marker and timestamp). */
  body(n: number): string {
    const block = this.blocks[this.blockOf[n]!]!;
    return block.slice(
      this.startOf[n]! + this.markerLength[n]! + this.timestampLength[n]!,
      this.endOf[n],
    );
  }

  /** The section index of line `n`. */
  sectionIndexOf(n: number): number {
    return this.sectionOf[n]!;
  }
}
