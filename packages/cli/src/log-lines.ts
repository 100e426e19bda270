/**
 * Printing stored logs line by line: the `[task : step]` marker each line of a log stored by the
 * watcher starts with, added where a log has none, and coloured per task on a terminal as `tkn`
 * colours it.
 *
 * @module
 */
import { styleText } from "node:util";

/** A `[task : step]` marker at the start of a line, as the watcher and `tkn` write it. */
export const STEP_MARKER = /^\[[^\]\n]* : [^\]\n]*\]/;

/** `tkn`'s palette of task colours (red is kept for errors). */
const PALETTE = [
  "greenBright",
  "yellowBright",
  "blueBright",
  "magentaBright",
  "cyanBright",
] as const;

/** The colour of each task's marker, assigned in turn as tasks come (`tkn`'s rainbow). */
export class TaskColours {
  private readonly assigned = new Map<string, (typeof PALETTE)[number]>();

  /** `marker` (`[task : step]`) coloured bold in its task's colour. */
  paint(marker: string): string {
    const task = marker.slice(1, marker.indexOf(" : ") >= 0 ? marker.indexOf(" : ") : -1);
    let colour = this.assigned.get(task);
    if (colour === undefined) {
      colour = PALETTE[this.assigned.size % PALETTE.length]!;
      this.assigned.set(task, colour);
    }
    return styleText([colour, "bold"], marker, { validateStream: false });
  }
}

/** How one log's lines are printed. */
export interface LogLinesOptions {
  /**
   * The marker put in front of lines that have none (`[task : step]`, or `[task]` when the step
   * is not known); none: lines are printed as stored.
   */
  prefix?: string | undefined;
  /** Colour the markers (a terminal): the task colours of the whole output. */
  colours?: TaskColours | undefined;
  /** End an unterminated last line with a newline (logs printed one after another). */
  terminate?: boolean;
}

/**
 * One log, fed as its bytes come, printed by whole lines (a multi-byte character or a line cut
 * between two reads is held until the rest comes). Without a prefix or colours the text is the
 * log's bytes unchanged.
 */
export class LogLines {
  private readonly decoder = new TextDecoder();
  private pending = "";

  /** Build the printer of one log. */
  constructor(private readonly options: LogLinesOptions = {}) {}

  private line(text: string): string {
    const { prefix, colours } = this.options;
    const marker = STEP_MARKER.exec(text)?.[0];
    if (marker !== undefined) {
      return colours ? colours.paint(marker) + text.slice(marker.length) : text;
    }
    if (prefix === undefined) return text;
    return `${colours ? colours.paint(prefix) : prefix} ${text}`;
  }

  /** The text of the whole lines `bytes` completes. */
  push(bytes: Uint8Array): string {
    this.pending += this.decoder.decode(bytes, { stream: true });
    const end = this.pending.lastIndexOf("\n");
    if (end < 0) return "";
    const lines = this.pending.slice(0, end).split("\n");
    this.pending = this.pending.slice(end + 1);
    return lines.map((l) => this.line(l) + "\n").join("");
  }

  /** The text of the last line, once the log is complete (and a newline with `terminate`). */
  end(): string {
    this.pending += this.decoder.decode();
    const rest = this.pending;
    this.pending = "";
    if (rest === "") return "";
    return this.line(rest) + (this.options.terminate ? "\n" : "");
  }
}
