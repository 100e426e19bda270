/**
 * The command reference in `docs/cli/`: one markdown page per command, generated from the
 * commander definitions in the layout of cobra's doc generator (upstream's `docs/cli`): name and
 * summary, synopsis, usage, examples, options, options inherited from parent commands, see also.
 *
 * @module
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { EventEmitter } from "node:events";
import { join } from "node:path";
import type { Command, Help, Option } from "commander";
import type { Io } from "./io.js";
import { createProgram } from "./program.js";

/** Commands whose name starts with this are internal (`__complete`) and get no page. */
const INTERNAL_PREFIX = "__";

/** The path of names from the root to `cmd` (`["tkn-results", "pipelinerun", "list"]`). */
function pathOf(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names;
}

/** The page's file name: the path joined with `_`, as cobra names it. */
export function docFileName(cmd: Command): string {
  return `${pathOf(cmd).join("_")}.md`;
}

function summaryOf(cmd: Command): string {
  return cmd.summary() || (cmd.description().split("\n")[0] ?? "").trim();
}

/** The commands that get a page: all but the internal ones, hidden (deprecated) ones too. */
function documented(cmd: Command): Command[] {
  return cmd.commands
    .filter((c) => !c.name().startsWith(INTERNAL_PREFIX))
    .slice()
    .sort((a, b) => a.name().localeCompare(b.name()));
}

/** The text a help event writes (`beforeHelp`, `afterHelp`: what `addHelpText` added). */
function helpText(cmd: Command, event: "beforeHelp" | "afterHelp"): string {
  let text = "";
  // commander's Command is an EventEmitter (addHelpText listens to these events); its typings
  // do not say so.
  (cmd as unknown as EventEmitter).emit(event, {
    error: false,
    command: cmd,
    write: (s: string) => (text += s),
  });
  return text;
}

/** Split a command's help texts into the synopsis and the examples (after `Examples:`). */
function synopsisAndExamples(cmd: Command): { synopsis: string; examples: string } {
  const lines = cmd.description().split("\n").slice(1);
  const long = [lines.join("\n"), helpText(cmd, "beforeHelp"), helpText(cmd, "afterHelp")]
    .map((s) => s.trim())
    .filter(Boolean)
    .join("\n\n");
  const match = /^Examples?:[ \t]*$/m.exec(long);
  if (!match) return { synopsis: long, examples: "" };
  return {
    synopsis: long.slice(0, match.index).trim(),
    examples: long.slice(match.index + match[0].length).replace(/^\n+|\s+$/g, ""),
  };
}

/** Terms and descriptions in two columns, as the help prints them (without wrapping). */
function twoColumns(items: [term: string, description: string][]): string {
  const width = Math.max(...items.map(([term]) => term.length));
  return items.map(([term, text]) => `  ${term.padEnd(width)}   ${text}`.trimEnd()).join("\n");
}

function optionLines(help: Help, options: readonly Option[]): string {
  return twoColumns(options.map((o) => [help.optionTerm(o), help.optionDescription(o)]));
}

function fenced(text: string): string {
  return "```\n" + text + "\n```\n";
}

function seeAlsoLine(cmd: Command): string {
  return `- [${pathOf(cmd).join(" ")}](${docFileName(cmd)}) - ${summaryOf(cmd)}`;
}

/** The markdown page of one command. */
export function commandPage(cmd: Command): string {
  const help = cmd.createHelp();
  const name = pathOf(cmd).join(" ");
  const { synopsis, examples } = synopsisAndExamples(cmd);
  const out: string[] = [`## ${name}\n`, `${summaryOf(cmd)}\n`];
  if (synopsis) {
    // Kept as written: text with indented lines (tables of commands) stays preformatted.
    out.push("### Synopsis\n", /^[ \t]/m.test(synopsis) ? fenced(synopsis) : `${synopsis}\n`);
  }
  const usage = [`${name} ${cmd.usage()}`.trim()];
  if (cmd.aliases().length > 0) usage.push(`Aliases: ${[cmd.name(), ...cmd.aliases()].join(", ")}`);
  out.push(fenced(usage.join("\n\n")));
  const args = help.visibleArguments(cmd);
  if (args.length > 0) {
    const items = args.map((a): [string, string] => [
      help.argumentTerm(a),
      help.argumentDescription(a),
    ]);
    out.push("### Arguments\n", fenced(twoColumns(items)));
  }
  if (examples) out.push("### Examples\n", fenced(examples));
  const own = help.visibleOptions(cmd);
  if (own.length > 0) out.push("### Options\n", fenced(optionLines(help, own)));
  const inherited: Option[] = [];
  for (let p = cmd.parent; p; p = p.parent) inherited.push(...p.options.filter((o) => !o.hidden));
  if (inherited.length > 0) {
    out.push("### Options inherited from parent commands\n", fenced(optionLines(help, inherited)));
  }
  const related = [...(cmd.parent ? [cmd.parent] : []), ...documented(cmd)];
  if (related.length > 0) out.push("### SEE ALSO\n", related.map(seeAlsoLine).join("\n") + "\n");
  return out.join("\n");
}

/**
 * The reference of `program`: file name → markdown, one page for the program and one for each of
 * its commands at any depth (internal `__` commands aside).
 */
export function generateCliDocs(program: Command): Map<string, string> {
  const pages = new Map<string, string>();
  const visit = (cmd: Command) => {
    pages.set(docFileName(cmd), commandPage(cmd));
    for (const sub of documented(cmd)) visit(sub);
  };
  visit(program);
  return pages;
}

/** An Io for building the program without running it: it writes and reads nothing. */
export const NO_IO: Io = {
  out: () => {},
  err: () => {},
  readLine: () => Promise.resolve(undefined),
  interactive: false,
  colour: false,
  now: () => new Date(0),
};

/** The reference of the `tkn-results` program as it is built now (see {@link generateCliDocs}). */
export function cliReference(): Map<string, string> {
  return generateCliDocs(createProgram(NO_IO));
}

/** The command that regenerates `docs/cli` (the freshness test names it). */
export const DOCS_COMMAND = "npm run docs:cli -w @tekton-results/cli";

/**
 * Write the reference into `dir` (made if missing), removing the pages of commands that are gone
 * (other `.md` files of `dir` that start with the program's name). Returns the files written.
 */
export function writeCliDocs(dir: string, pages = cliReference()): string[] {
  mkdirSync(dir, { recursive: true });
  const prefix = [...pages.keys()][0]!.replace(/\.md$/, "");
  for (const file of readdirSync(dir)) {
    if (file.endsWith(".md") && file.startsWith(prefix) && !pages.has(file)) {
      rmSync(join(dir, file));
    }
  }
  for (const [file, text] of pages) writeFileSync(join(dir, file), text);
  return [...pages.keys()];
}
