/**
 * Shell completion: `tkn-results completion bash|zsh|fish` prints a script, and the script asks
 * the program itself for the candidates of each word (`tkn-results __complete <words...> <word>`),
 * as cobra's completion does (same request, same output, same directives). The program answers
 * from the commander command tree it is running, so commands and flags added later complete
 * without regenerating the script.
 *
 * @module
 */
import { Argument, Command, type Help, type Option } from "commander";
import {
  completionScript,
  COMPLETE_COMMAND,
  DIRECTIVE,
  installHelp,
  SHELLS,
  type Shell,
} from "./completion-scripts.js";
import type { Io } from "./io.js";

export {
  completionScript,
  COMPLETE_COMMAND,
  DIRECTIVE,
  SHELLS,
  type Shell,
} from "./completion-scripts.js";

/** A completion candidate and the description a shell may show beside it. */
export interface Candidate {
  /** The word. */
  value: string;
  /** What it is (the first line of a command's or flag's description). */
  description: string;
}

/** The answer to a completion request. */
export interface Completions {
  /** The candidates, already filtered by the word being completed. */
  candidates: Candidate[];
  /** {@link DIRECTIVE} bits. */
  directive: number;
}

/**
 * Values that name a file or a directory: an argument or a flag whose name or value placeholder
 * ends in file, dir, directory, folder or kubeconfig. Their values complete as file names; other
 * free values complete nothing.
 */
const FILE_LIKE = /(file|dir|directory|folder|kubeconfig)s?$/i;

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() ?? "";
}

function helperOf(cmd: Command): Help {
  return cmd.createHelp();
}

/** The options that apply at `cmd`: its own (with `-h, --help`) and its ancestors'. */
function optionsInScope(cmd: Command): Option[] {
  const own = helperOf(cmd).visibleOptions(cmd);
  const inherited: Option[] = [];
  for (let p = cmd.parent; p; p = p.parent) inherited.push(...p.options.filter((o) => !o.hidden));
  const names = new Set(own.map((o) => o.name()));
  return [...own, ...inherited.filter((o) => !names.has(o.name()))];
}

/** The subcommands a user can name at `cmd` (without hidden ones), with commander's `help`. */
function subcommands(cmd: Command): Command[] {
  return helperOf(cmd).visibleCommands(cmd);
}

function findSubcommand(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function isFileLike(nameOrFlags: string): boolean {
  return nameOrFlags
    .split(/[\s,<>[\]|.]+/)
    .filter(Boolean)
    .some((part) => FILE_LIKE.test(part.replace(/^-+/, "")));
}

interface Parsed {
  /** The command the words lead to. */
  cmd: Command;
  /** How many positional arguments of `cmd` the words hold. */
  positionals: number;
  /** Options given already. */
  given: Set<Option>;
  /** An option whose value the word being completed is. */
  pending: Option | undefined;
  /** After `--`: every word is an argument. */
  afterDashDash: boolean;
  /** The implicit `help` command's parent, when the words are `... help`. */
  helpOf: Command | undefined;
  /** The values of the options given, by option name (`namespace`). */
  values: Map<string, string>;
}

function findOption(options: Option[], word: string): { option?: Option; inline?: string } {
  if (word.startsWith("--")) {
    const eq = word.indexOf("=");
    const flag = eq < 0 ? word : word.slice(0, eq);
    const option = options.find((o) => o.long === flag);
    return { option, inline: eq < 0 ? undefined : word.slice(eq + 1) };
  }
  const option = options.find((o) => o.short === word.slice(0, 2));
  if (option && word.length > 2 && takesValue(option)) return { option, inline: word.slice(2) };
  return { option };
}

/** Walk the words before the one being completed as commander would parse them. */
function parseWords(root: Command, words: string[]): Parsed {
  const parsed: Parsed = {
    cmd: root,
    positionals: 0,
    given: new Set(),
    pending: undefined,
    afterDashDash: false,
    helpOf: undefined,
    values: new Map(),
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!parsed.afterDashDash && word === "--") {
      parsed.afterDashDash = true;
      continue;
    }
    if (!parsed.afterDashDash && word.startsWith("-") && word.length > 1) {
      const options = optionsInScope(parsed.cmd);
      const { option, inline } = findOption(options, word);
      if (!option) continue;
      parsed.given.add(option);
      if (!word.startsWith("--") && inline === undefined && word.length > 2) {
        // Combined short flags (-Ax): the others are booleans too.
        for (const c of word.slice(2)) {
          const other = options.find((o) => o.short === `-${c}`);
          if (other) parsed.given.add(other);
        }
        continue;
      }
      if (inline !== undefined) parsed.values.set(option.name(), inline);
      if (inline !== undefined || !takesValue(option)) continue;
      if (i + 1 === words.length) {
        parsed.pending = option;
      } else if (option.required || !words[i + 1]!.startsWith("-")) {
        i++; // commander takes the next word as the value
        parsed.values.set(option.name(), words[i]!);
      }
      continue;
    }
    if (parsed.positionals === 0 && !parsed.afterDashDash && !parsed.helpOf) {
      const sub = findSubcommand(parsed.cmd, word);
      if (sub) {
        parsed.cmd = sub;
        continue;
      }
      const help = subcommands(parsed.cmd).find(
        (c) => c.name() === word && !parsed.cmd.commands.includes(c),
      );
      if (help) {
        parsed.helpOf = parsed.cmd;
        continue;
      }
    }
    parsed.positionals++;
  }
  return parsed;
}

/** The values of the flags given before the word being completed, by flag name (`namespace`). */
export type GivenFlags = ReadonlyMap<string, string>;

/**
 * Where the values of a flag or an argument come from: a list, or a function of the flags given
 * before (`-k`, `-c` for the namespaces of a cluster). A function that fails or takes longer than
 * {@link VALUES_TIMEOUT_MS} completes nothing.
 */
export type ValueSource = readonly string[] | ((given: GivenFlags) => Promise<readonly string[]>);

/** How long a {@link ValueSource} function may take before completion gives up on it. */
export const VALUES_TIMEOUT_MS = 3000;

const VALUES = new WeakMap<Option | Argument, ValueSource>();

/**
 * Declare the values `option` (or `argument`) completes to, when they are not its commander
 * `choices`: a list (a flag whose parser takes more, as `-o` takes `jsonpath=...`), or a function
 * (the namespaces of the cluster). Returns it, for chaining in `addOption(...)`.
 */
export function completeValues<T extends Option | Argument>(target: T, values: ValueSource): T {
  VALUES.set(target, values);
  return target;
}

async function valuesOf(target: Option | Argument, given: GivenFlags): Promise<readonly string[]> {
  const source = VALUES.get(target) ?? target.argChoices ?? [];
  if (typeof source !== "function") return source;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<readonly string[]>((done) => {
    timer = setTimeout(() => done([]), VALUES_TIMEOUT_MS);
  });
  try {
    return await Promise.race([source(given).catch(() => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function valueCompletions(
  option: Option,
  prefix: string,
  given: GivenFlags,
): Promise<Completions> {
  const choices = await valuesOf(option, given);
  if (choices.length > 0) {
    const candidates = choices
      .filter((c) => c.startsWith(prefix))
      .map((value) => ({ value, description: "" }));
    // A value to go on typing after (`jsonpath=`): no space after it.
    const open = candidates.length === 1 && candidates[0]!.value.endsWith("=");
    return {
      candidates,
      directive: DIRECTIVE.NO_FILE_COMP | (open ? DIRECTIVE.NO_SPACE : 0),
    };
  }
  return {
    candidates: [],
    directive: isFileLike(option.flags) ? DIRECTIVE.DEFAULT : DIRECTIVE.NO_FILE_COMP,
  };
}

function flagCompletions(parsed: Parsed, word: string): Completions {
  const candidates: Candidate[] = [];
  for (const option of optionsInScope(parsed.cmd)) {
    if (parsed.given.has(option) && !option.variadic) continue;
    const description = firstLine(option.description);
    if (option.long?.startsWith(word)) candidates.push({ value: option.long, description });
    if (word.length === 1 && option.short) candidates.push({ value: option.short, description });
  }
  return { candidates, directive: DIRECTIVE.NO_FILE_COMP };
}

function argumentAt(cmd: Command, index: number): Argument | undefined {
  const args = cmd.registeredArguments;
  const last = args[args.length - 1];
  return args[index] ?? (last?.variadic ? last : undefined);
}

async function wordCompletions(parsed: Parsed, word: string): Promise<Completions> {
  if (parsed.helpOf) {
    // `help <command>`: the commands of the help command's parent.
    const parent = parsed.helpOf;
    return {
      candidates:
        parsed.positionals === 0
          ? subcommands(parent)
              .filter((c) => parent.commands.includes(c) && c.name().startsWith(word))
              .map((c) => ({ value: c.name(), description: firstLine(c.description()) }))
          : [],
      directive: DIRECTIVE.NO_FILE_COMP,
    };
  }
  const candidates: Candidate[] = [];
  if (parsed.positionals === 0 && !parsed.afterDashDash) {
    const visible = subcommands(parsed.cmd);
    for (const c of visible) {
      if (c.name().startsWith(word)) {
        candidates.push({
          value: c.name(),
          description: firstLine(c.summary() || c.description()),
        });
      }
    }
    if (candidates.length === 0) {
      // No name matches what was typed: an alias may (`tkn-results pipelinerun ls` offers `ls`;
      // `tkn-results pipelinerun l` offers the names `list` and `logs`, not the alias `ls`).
      for (const c of visible) {
        const alias = c.aliases().find((a) => a.startsWith(word));
        if (alias) {
          candidates.push({
            value: alias,
            description: firstLine(c.summary() || c.description()),
          });
        }
      }
    }
  }
  const arg = argumentAt(parsed.cmd, parsed.positionals);
  for (const choice of arg ? await valuesOf(arg, parsed.values) : []) {
    if (choice.startsWith(word)) candidates.push({ value: choice, description: "" });
  }
  const files = candidates.length === 0 && arg !== undefined && isFileLike(arg.name());
  return { candidates, directive: files ? DIRECTIVE.DEFAULT : DIRECTIVE.NO_FILE_COMP };
}

/**
 * The candidates for the last of `words` (the word being completed, `""` after a space) on the
 * command line `<program> words...`, from the commands, aliases, flags, and values of flags and
 * arguments with fixed choices of `program`.
 */
export async function complete(program: Command, words: string[]): Promise<Completions> {
  const word = words[words.length - 1] ?? "";
  const parsed = parseWords(program, words.slice(0, -1));
  if (parsed.pending && !(parsed.pending.optional && word.startsWith("-"))) {
    return valueCompletions(parsed.pending, word, parsed.values);
  }
  if (!parsed.afterDashDash && word.startsWith("-")) {
    const eq = word.indexOf("=");
    if (word.startsWith("--") && eq > 0) {
      const { option } = findOption(optionsInScope(parsed.cmd), word);
      return option && takesValue(option)
        ? valueCompletions(option, word.slice(eq + 1), parsed.values)
        : { candidates: [], directive: DIRECTIVE.NO_FILE_COMP };
    }
    return flagCompletions(parsed, word);
  }
  return wordCompletions(parsed, word);
}

/** A `__complete` answer as the scripts read it: `value<TAB>description` lines, then `:<bits>`. */
export function formatCompletions({ candidates, directive }: Completions): string {
  const lines = candidates.map(({ value, description }) =>
    description ? `${value}\t${description.replace(/\s+/g, " ")}` : value,
  );
  return [...lines, `:${directive}`].join("\n") + "\n";
}

/**
 * `completion <shell>`: prints the completion script of `bash`, `zsh` or `fish` for the program
 * it is added to, with the install instructions in its help.
 */
export function completionCommand(io: Io): Command {
  const cmd = new Command("completion")
    .description("Generate the autocompletion script for the specified shell")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .action((shell: Shell, _opts: unknown, self: Command) => {
      io.out(completionScript(shell, rootOf(self).name()));
    });
  cmd.addHelpText("after", () => installHelp(rootOf(cmd).name()));
  return cmd;
}

/**
 * The hidden `__complete <words...>` the scripts call: prints the candidates for the last word
 * (see {@link complete}, {@link formatCompletions}). Every word after it is taken as given,
 * flags too.
 */
export function completeCommand(io: Io): Command {
  return new Command(COMPLETE_COMMAND)
    .description("Complete the last word of a command line (called by the completion scripts)")
    .argument("[words...]")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_words: string[], _opts: unknown, self: Command) => {
      const root = rootOf(self);
      // The words exactly as given (commander's parse drops a \`--\` and moves options); rawArgs
      // is commander's, untyped in its typings.
      const rawArgs = (root as unknown as { rawArgs: string[] }).rawArgs;
      const raw = rawArgs.slice(rawArgs.indexOf(COMPLETE_COMMAND) + 1);
      io.out(formatCompletions(await complete(root, raw)));
    });
}

function rootOf(cmd: Command): Command {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root;
}
