/**
 * Shell completion: what `__complete` answers for a command line (in-process, on the program as
 * createProgram builds it), the request as a process, and the scripts of `completion bash|zsh|fish`
 * run by the real shells with `tkn-results` on their PATH (a wrapper running src/bin.ts): their
 * functions driven directly, and bash and zsh in a tmux pane with TAB pressed.
 */
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Command, Option } from "commander";
import { createKubeFake } from "@tekton-results/kube-fake";
import { describe, expect, it } from "vitest";
import {
  complete,
  completeValues,
  completionScript,
  DIRECTIVE,
  formatCompletions,
} from "../src/completion.js";
import { NO_IO } from "../src/docs-gen.js";
import { createProgram } from "../src/program.js";
import { BIN, cli, ROOT } from "./support/cli.js";

const run = promisify(execFile);

const io = NO_IO;

/** The candidate words for the last of `words` on `tkn-results words...`. */
async function values(words: string[], program = createProgram(io)): Promise<string[]> {
  return (await complete(program, words)).candidates.map((c) => c.value);
}

describe("complete", () => {
  it("offers the visible commands with their descriptions, not the hidden ones", async () => {
    const { candidates, directive } = await complete(createProgram(io), [""]);
    const names = candidates.map((c) => c.value);
    expect(names).toEqual(
      expect.arrayContaining(["config", "pipelinerun", "taskrun", "completion"]),
    );
    expect(names).not.toContain("__complete");
    expect(candidates.find((c) => c.value === "pipelinerun")?.description).toBe(
      "Query PipelineRuns",
    );
    expect(directive).toBe(DIRECTIVE.NO_FILE_COMP);
  });

  it("completes a prefix of a subcommand, through aliases of its parent", async () => {
    expect(await values(["pipel"])).toEqual(["pipelinerun"]);
    expect(await values(["pr", "l"])).toEqual(["list", "logs"]);
    expect(await values(["tr", "li"])).toEqual(["list"]);
  });

  it("offers an alias when only an alias matches", async () => {
    expect(await values(["pipelinerun", "ls"])).toEqual(["ls"]);
  });

  it("completes flags of the command and of its parents, long after --, short too after -", async () => {
    const long = await values(["pipelinerun", "list", "--"]);
    expect(long).toEqual(expect.arrayContaining(["--limit", "--output", "--namespace", "--help"]));
    expect(long.every((v) => v.startsWith("--"))).toBe(true);
    expect(await values(["pipelinerun", "list", "--li"])).toEqual(["--limit"]);
    expect(await values(["taskrun", "list", "-"])).toEqual(
      expect.arrayContaining(["-A", "-L", "-o", "-n", "--pipelinerun"]),
    );
  });

  it("leaves out a flag already given", async () => {
    expect(await values(["pipelinerun", "list", "--limit", "20", "--li"])).toEqual([]);
    expect(await values(["pipelinerun", "list", "-A", "--all"])).toEqual([]);
  });

  it("completes the fixed values of a flag, after a space or an =", async () => {
    const program = new Command("x");
    program.command("get").addOption(new Option("-o, --output <f>").choices(["json", "yaml"]));
    expect(await values(["get", "-o", ""], program)).toEqual(["json", "yaml"]);
    expect(await values(["get", "--output", "y"], program)).toEqual(["yaml"]);
    expect(await values(["get", "--output=j"], program)).toEqual(["json"]);
    expect((await complete(program, ["get", "-o", ""])).directive).toBe(DIRECTIVE.NO_FILE_COMP);
  });

  it("completes the values declared with completeValues, without a space after a value=", async () => {
    const program = new Command("x");
    program
      .command("get")
      .addOption(completeValues(new Option("-o, --output <f>"), ["json", "jsonpath="]));
    expect((await complete(program, ["get", "-o", "j"])).candidates.map((c) => c.value)).toEqual([
      "json",
      "jsonpath=",
    ]);
    expect(await complete(program, ["get", "-o", "jsonp"])).toEqual({
      candidates: [{ value: "jsonpath=", description: "" }],
      directive: DIRECTIVE.NO_FILE_COMP | DIRECTIVE.NO_SPACE,
    });
  });

  it("completes list's -o: its formats and the JSONPath ones up to their =", async () => {
    expect(await values(["pipelinerun", "list", "-o", ""])).toEqual([
      "json",
      "yaml",
      "name",
      "jsonpath=",
      "jsonpath-file=",
      "jsonpath-as-json=",
    ]);
  });

  it("completes file names for a file's flag, and nothing for other free values", async () => {
    expect(await complete(createProgram(io), ["pipelinerun", "list", "-k", ""])).toEqual({
      candidates: [],
      directive: DIRECTIVE.DEFAULT,
    });
    expect(await complete(createProgram(io), ["pipelinerun", "list", "--limit", ""])).toEqual({
      candidates: [],
      directive: DIRECTIVE.NO_FILE_COMP,
    });
  });

  it("after a flag's value, completes commands again", async () => {
    expect(await values(["pipelinerun", "-n", "default", "l"])).toEqual(["list", "logs"]);
    expect(await values(["pipelinerun", "--namespace=default", "de"])).toEqual(["describe"]);
  });

  it("completes an argument's choices: completion's shells", async () => {
    expect(await values(["completion", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(await values(["completion", "z"])).toEqual(["zsh"]);
  });

  it("completes the commands after help", async () => {
    expect(await values(["help", "pi"])).toEqual(["pipelinerun"]);
  });

  it("completes hidden commands' flags once they are typed", async () => {
    const program = new Command("x");
    program.command("old", { hidden: true }).option("--filter <cel>", "a filter");
    expect((await complete(program, ["ol"])).candidates).toEqual([]);
    expect((await complete(program, ["old", "--fi"])).candidates.map((c) => c.value)).toEqual([
      "--filter",
    ]);
  });

  it("treats words after -- as arguments", async () => {
    const program = new Command("x");
    program.command("get").addOption(new Option("--kind <k>").choices(["a", "b"]));
    expect((await complete(program, ["get", "--", "--ki"])).candidates).toEqual([]);
  });

  it("completes -n with the namespaces of the kubeconfig's cluster, and nothing without one", async () => {
    const fake = await createKubeFake();
    try {
      for (const name of ["team-b", "team-a", "other"]) {
        await fake.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
      }
      const kubeconfig = join(mkdtempSync(join(tmpdir(), "kube-")), "config");
      writeFileSync(kubeconfig, fake.kubeconfigYaml());
      expect(await values(["pipelinerun", "list", "-k", kubeconfig, "-n", "team"])).toEqual([
        "team-a",
        "team-b",
      ]);
      expect(await values(["pr", "--kubeconfig=" + kubeconfig, "ls", "--namespace=d"])).toEqual([
        "default",
      ]);
      const missing = join(tmpdir(), "no-such-kubeconfig");
      expect(await complete(createProgram(io), ["pr", "ls", "-k", missing, "-n", ""])).toEqual({
        candidates: [],
        directive: DIRECTIVE.NO_FILE_COMP,
      });
    } finally {
      await fake.close();
    }
  });

  it("formats an answer as cobra does: value<TAB>description lines, then :directive", async () => {
    expect(
      formatCompletions({
        candidates: [
          { value: "list", description: "List runs" },
          { value: "ls", description: "" },
        ],
        directive: 4,
      }),
    ).toBe("list\tList runs\nls\n:4\n");
  });
});

describe("tkn-results __complete and completion, as processes", () => {
  it("__complete prints the candidates and the directive, and takes flags as words", async () => {
    const out = await cli(["__complete", "completion", ""]);
    expect(out).toEqual({ code: 0, stdout: "bash\nzsh\nfish\n:4\n", stderr: "" });
    // --help is a word to complete after, not a request for __complete's help.
    const afterHelp = await cli(["__complete", "--help", "conf"]);
    expect(afterHelp).toEqual({
      code: 0,
      stdout: "config\tManage Tekton Results CLI configuration\n:4\n",
      stderr: "",
    });
    const flags = await cli(["__complete", "pipelinerun", "list", "--he"]);
    expect(flags).toEqual({
      code: 0,
      stdout: "--help\tdisplay help for command\n:4\n",
      stderr: "",
    });
  });

  it("completion prints each shell's script; an unknown shell is one line and exit 1", async () => {
    for (const shell of ["bash", "zsh", "fish"] as const) {
      const out = await cli(["completion", shell]);
      expect(out).toEqual({ code: 0, stdout: completionScript(shell, "tkn-results"), stderr: "" });
    }
    const bad = await cli(["completion", "powershell"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe(
      "Error: command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.\n",
    );
  });

  it("completion --help tells how to install each script", async () => {
    const out = await cli(["completion", "--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("source <(tkn-results completion bash)");
    expect(out.stdout).toContain('tkn-results completion zsh > "${fpath[1]}/_tkn-results"');
    expect(out.stdout).toContain(
      "tkn-results completion fish > ~/.config/fish/completions/tkn-results.fish",
    );
    expect(out.stdout).toMatch(/^Examples:$/m);
  });
});

/** A directory holding `tkn-results` (src/bin.ts through tsx), for the shells' PATH. */
function binDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tkn-results-bin-"));
  const tsx = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  writeFileSync(
    join(dir, "tkn-results"),
    `#!/bin/sh\nexec "${process.execPath}" --conditions=source --import ${tsx} "${BIN}" "$@"\n`,
  );
  chmodSync(join(dir, "tkn-results"), 0o755);
  writeFileSync(join(dir, "script.bash"), completionScript("bash", "tkn-results"));
  writeFileSync(join(dir, "script.zsh"), completionScript("zsh", "tkn-results"));
  writeFileSync(join(dir, "script.fish"), completionScript("fish", "tkn-results"));
  return dir;
}

async function shell(cmd: string, args: string[], dir: string): Promise<string> {
  const { stdout } = await run(cmd, args, {
    env: { ...process.env, PATH: `${dir}:${process.env["PATH"]}`, KUBECONFIG: "" },
    cwd: dir,
  });
  return stdout;
}

function installed(name: string): boolean {
  return spawnSync(name, ["-c", "exit 0"]).status === 0;
}

const DIR = binDir();

describe("the scripts in their shells", () => {
  it("bash: registers the function and fills COMPREPLY from COMP_WORDS as bash splits them", async () => {
    // COMP_WORDS as bash's readline splits a line (= is a word break): checked by hand in a
    // terminal with a function printing them.
    const script = `
      source script.bash
      complete -p tkn-results
      t() { COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
            COMPREPLY=(); __tkn_results_complete; echo "\${COMPREPLY[*]}"; }
      t "tkn-results pipel" tkn-results pipel
      t "tkn-results pr l" tkn-results pr l
      t "tkn-results pr describe --output=y" tkn-results pr describe --output = y
      t "tkn-results pr describe -o y" tkn-results pr describe -o y
      COMP_TYPE=63 t "tkn-results completion " tkn-results completion ""
      COMP_TYPE=63 t "tkn-results tr " tkn-results tr ""
    `;
    const out = (await shell("bash", ["-c", script], DIR)).split("\n");
    expect(out.slice(0, 6)).toEqual([
      "complete -o default -F __tkn_results_complete tkn-results",
      "pipelinerun",
      "list logs",
      "yaml",
      "yaml",
      "bash zsh fish",
    ]);
    // Listing (COMP_TYPE 63, the second TAB): each candidate with its description.
    expect(out[6]).toContain("list      (List TaskRuns in a namespace)");
  });

  it.skipIf(!installed("zsh"))(
    // .ci/run installs zsh; a machine without it has no zsh to test.
    "zsh: the completion function hands _describe the candidates, -P for --flag=, _files for a file",
    async () => {
      // _describe and _files are compsys's, which need a live completion widget: stand-ins print
      // what the script hands them.
      const script = `
        compdef() { print "compdef $*" }
        source ./script.zsh
        _describe() { print -r -- "describe \${(j:,:)completions} opts:\${(j: :)opts}" }
        _files() { print -r -- "files $*" }
        words=(tkn-results pipel); CURRENT=2; _tkn-results
        words=(tkn-results pr describe --output=y); CURRENT=4; _tkn-results
        words=(tkn-results pr ls -k ""); CURRENT=5; _tkn-results
      `;
      const out = await shell("zsh", ["-f", "-c", script], DIR);
      expect(out.split("\n")).toEqual([
        "compdef _tkn-results tkn-results",
        "describe pipelinerun:Query PipelineRuns opts:",
        "describe yaml opts:-P --output=",
        "files ",
        "",
      ]);
    },
  );

  it.skipIf(!installed("fish"))(
    // .ci/run installs fish; a machine without it has no fish to test.
    "fish: complete -C lists the candidates with descriptions, the flag in front of =",
    async () => {
      const script = `
        source script.fish
        complete -C "tkn-results pipel"; echo ==
        complete -C "tkn-results pr describe --output=y"; echo ==
        complete -C "tkn-results completion b"; echo ==
        complete -C "tkn-results pr ls -k script.f"
      `;
      const out = await shell("fish", ["-c", script], DIR);
      expect(out).toBe(
        [
          "pipelinerun\tQuery PipelineRuns",
          "==",
          "--output=yaml",
          "==",
          "bash",
          "==",
          "script.fish",
          "",
        ].join("\n"),
      );
    },
  );
});

/** A terminal: type text, press keys, and wait for the screen to show what a person would see. */
interface Terminal {
  type(text: string): Promise<void>;
  press(...keys: string[]): Promise<void>;
  /** Wait until the screen matches `pattern` (each TAB runs the program: seconds here). */
  shows(pattern: RegExp): Promise<string>;
}

/**
 * An interactive shell in a tmux pane (its own tmux server, ended after), for typing a line and
 * pressing TAB as a person does: readline's and zsh's own completion machinery, not stand-ins.
 */
async function inTerminal(shellArgs: string[], setup: string, use: (t: Terminal) => Promise<void>) {
  const socket = `tkn-results-completion-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmux = (...args: string[]) =>
    run("tmux", ["-L", socket, "-f", "/dev/null", ...args], {
      env: { ...process.env, PATH: `${DIR}:${process.env["PATH"]}`, KUBECONFIG: "" },
      cwd: DIR,
    });
  const shows = async (pattern: RegExp): Promise<string> => {
    let text = "";
    for (const started = Date.now(); Date.now() - started < 40_000;) {
      text = (await tmux("capture-pane", "-p", "-N", "-t", "t")).stdout;
      if (pattern.test(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toMatch(pattern);
    return text;
  };
  await tmux("new-session", "-d", "-s", "t", "-x", "200", "-y", "40", ...shellArgs);
  try {
    await tmux("send-keys", "-t", "t", "-l", `PS1='$ '; ${setup}; clear; echo ready`);
    await tmux("send-keys", "-t", "t", "Enter");
    await shows(/^ready$/m);
    await use({
      type: async (text) => void (await tmux("send-keys", "-t", "t", "-l", text)),
      press: async (...keys) => void (await tmux("send-keys", "-t", "t", ...keys)),
      shows,
    });
  } finally {
    await tmux("kill-server").catch(() => undefined);
  }
}

describe("the scripts in a terminal, TAB pressed", () => {
  it.skipIf(!installed("tmux"))(
    // .ci/run installs tmux; a machine without it has no terminal to type in.
    "bash: TAB completes a command, a second TAB lists the candidates with their descriptions",
    () =>
      inTerminal(["bash", "--norc", "--noprofile", "-i"], "source script.bash", async (term) => {
        await term.type("tkn-results pipel");
        await term.press("Tab");
        await term.shows(/tkn-results pipelinerun $/m);
        await term.type("l");
        await term.press("Tab", "Tab");
        await term.shows(
          /list +\(List PipelineRuns in a namespace\) +logs +\(Get logs for a PipelineRun\)/,
        );
        await term.press("C-u");
        await term.type("tkn-results pr describe --output=y");
        await term.press("Tab");
        await term.shows(/tkn-results pr describe --output=yaml $/m);
      }),
    120_000,
  );

  it.skipIf(!installed("tmux") || !installed("zsh"))(
    // .ci/run installs tmux and zsh; a machine without them has no zsh terminal to type in.
    "zsh: TAB completes through compsys, the value of --flag= after the flag",
    () =>
      inTerminal(
        ["zsh", "-f", "-i"],
        "autoload -U compinit; compinit -u; source ./script.zsh",
        async (term) => {
          await term.type("tkn-results pipel");
          await term.press("Tab");
          await term.shows(/tkn-results pipelinerun $/m);
          await term.type("describe --output=y");
          await term.press("Tab");
          await term.shows(/tkn-results pipelinerun describe --output=yaml $/m);
        },
      ),
    120_000,
  );
});
