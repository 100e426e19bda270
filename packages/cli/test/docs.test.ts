/**
 * The documentation of the command line: the generated reference in docs/cli/ is the program's
 * (regenerated in memory and compared), every command's --help has examples, and the exit codes
 * of the README are errors.ts's and the program's.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import {
  cliReference,
  commandPage,
  DOCS_COMMAND,
  generateCliDocs,
  writeCliDocs,
} from "../src/docs-gen.js";
import { EXIT } from "../src/errors.js";
import type { Io } from "../src/io.js";
import { createProgram } from "../src/program.js";
import { cli, ROOT } from "./support/cli.js";

const DOCS = join(ROOT, "docs/cli");

describe("docs/cli", () => {
  it("is the reference generated from the program as it is now", () => {
    const pages = cliReference();
    const onDisk = readdirSync(DOCS).filter(
      (f) => f.startsWith("tkn-results") && f.endsWith(".md"),
    );
    const stale = [
      ...[...pages]
        .filter(([f, text]) => !onDisk.includes(f) || readFileSync(join(DOCS, f), "utf8") !== text)
        .map(([f]) => f),
      ...onDisk.filter((f) => !pages.has(f)),
    ];
    expect(
      stale,
      `docs/cli is out of date with the program (${stale.join(", ")}): run '${DOCS_COMMAND}'`,
    ).toEqual([]);
  });
});

function program(): Command {
  const root = new Command("prog").description("The program\n\nWhat it does, at length.");
  root.option("-v, --verbose", "say more");
  const group = root.command("thing").alias("t").description("Things");
  group
    .command("get")
    .description("Get a thing")
    .argument("<name>", "its name")
    .option("--limit <n>", "how many", "50")
    .addOption(new Option("-o, --output <format>", "output format").choices(["json", "yaml"]))
    .addHelpText(
      "after",
      "\nMore about getting.\n\nExamples:\n  prog thing get a\n  prog t get b -o json\n",
    );
  root.command("__internal", { hidden: true });
  root.command("old", { hidden: true }).description("[DEPRECATED] The old way");
  return root;
}

describe("the generator", () => {
  it("writes one page per command, internal __ commands aside, hidden ones included", () => {
    expect([...generateCliDocs(program()).keys()]).toEqual([
      "prog.md",
      "prog_old.md",
      "prog_thing.md",
      "prog_thing_get.md",
    ]);
  });

  it("lays a page out as cobra does", () => {
    const get = program().commands[0]!.commands[0]!;
    expect(commandPage(get)).toBe(`## prog thing get

Get a thing

### Synopsis

More about getting.

\`\`\`
prog thing get [options] <name>
\`\`\`

### Arguments

\`\`\`
  name   its name
\`\`\`

### Examples

\`\`\`
  prog thing get a
  prog t get b -o json
\`\`\`

### Options

\`\`\`
  --limit <n>             how many (default: "50")
  -o, --output <format>   output format (choices: "json", "yaml")
  -h, --help              display help for command
\`\`\`

### Options inherited from parent commands

\`\`\`
  -v, --verbose   say more
\`\`\`

### SEE ALSO

- [prog thing](prog_thing.md) - Things
`);
  });

  it("gives the root its long description, aliases on the usage, and links to the commands", () => {
    const pages = generateCliDocs(program());
    expect(pages.get("prog.md")).toContain("### Synopsis\n\nWhat it does, at length.\n");
    expect(pages.get("prog.md")).toContain(
      "### SEE ALSO\n\n- [prog old](prog_old.md) - [DEPRECATED] The old way\n- [prog thing](prog_thing.md) - Things\n",
    );
    expect(pages.get("prog_thing.md")).toContain(
      "prog thing [options] [command]\n\nAliases: thing, t\n",
    );
    expect(pages.get("prog_thing.md")).toContain(
      "- [prog thing get](prog_thing_get.md) - Get a thing",
    );
  });

  it("writes the pages and removes those of commands that are gone", () => {
    const dir = mkdtempSync(join(tmpdir(), "docs-cli-"));
    writeFileSync(join(dir, "prog_gone.md"), "old");
    writeFileSync(join(dir, "README.md"), "kept");
    writeCliDocs(dir, generateCliDocs(program()));
    expect(readdirSync(dir).sort()).toEqual([
      "README.md",
      "prog.md",
      "prog_old.md",
      "prog_thing.md",
      "prog_thing_get.md",
    ]);
  });
});

/** Every command of the program at any depth but the internal `__` ones, with its path. */
function commands(cmd: Command, path = cmd.name()): [string, Command][] {
  return cmd.commands
    .filter((c) => !c.name().startsWith("__"))
    .flatMap((c): [string, Command][] => [
      [`${path} ${c.name()}`, c],
      ...commands(c, `${path} ${c.name()}`),
    ]);
}

describe("--help", () => {
  let help = "";
  const io: Io = {
    out: (s) => (help += s),
    err: () => {},
    readLine: () => Promise.resolve(undefined),
    interactive: false,
    colour: false,
    now: () => new Date(0),
  };
  const all = commands(createProgram(io));

  it.each(all)("of %s has examples", (_path, cmd) => {
    help = "";
    cmd.outputHelp();
    expect(help).toMatch(/^Examples?:$/m);
  });
});

/** The codes of the README's exit code table. */
function documentedCodes(): number[] {
  const readme = readFileSync(join(ROOT, "packages/cli/README.md"), "utf8");
  const start = /^#+ Exit codes$/m.exec(readme);
  if (!start) return [];
  const section = readme.slice(start.index + start[0].length);
  const table = section.slice(0, /^#/m.exec(section)?.index ?? section.length);
  return [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
}

/** For each documented code, command lines that end with it, and what they print. */
const CASES: Record<number, { args: string[]; stdout?: RegExp; stderr: RegExp }[]> = {
  [EXIT.OK]: [
    { args: ["--help"], stdout: /^Usage: tkn-results/, stderr: /^$/ },
    { args: ["completion", "bash"], stdout: /complete -o default -F/, stderr: /^$/ },
  ],
  [EXIT.ERROR]: [
    { args: ["pipelinerun", "list", "--bogus"], stderr: /^Error: unknown option '--bogus'\n$/ },
    {
      args: ["pipelinerun", "list", "--limit=3"],
      stderr: /^Error: limit should be between 5 and 1000\n$/,
    },
    { args: ["nosuchcommand"], stderr: /^Error: unknown command 'nosuchcommand'\n$/ },
  ],
};

describe("exit codes", () => {
  it("the README documents errors.ts's EXIT", () => {
    expect(documentedCodes()).toEqual(Object.values(EXIT));
  });

  it.each(documentedCodes())(
    "code %i is what the program exits with when the README says",
    async (code) => {
      expect(CASES[code], `no test case for exit code ${code}`).toBeDefined();
      for (const c of CASES[code]!) {
        const out = await cli(c.args);
        expect(out.code, c.args.join(" ")).toBe(code);
        expect(out.stderr).toMatch(c.stderr);
        if (c.stdout) expect(out.stdout).toMatch(c.stdout);
      }
    },
  );
});
