/**
 * The process's streams and clock, passed to the commands so that they can be run in-process.
 *
 * @module
 */

/** Where the commands write and read, and what they know of their terminal. */
export interface Io {
  /** Write to standard output. */
  out(text: string): void;
  /** Write to standard error. */
  err(text: string): void;
  /** Read one line of standard input (upstream's pagination prompt); `undefined` at its end. */
  readLine(): Promise<string | undefined>;
  /** Whether standard input and output are a terminal (prompts, pagination). */
  interactive: boolean;
  /** Whether to colour standard output. */
  colour: boolean;
  /** The current time (the STARTED column). */
  now(): Date;
}
