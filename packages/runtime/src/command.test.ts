import { describe, expect, it } from "vitest";
import {
  EXIT_FAILURE,
  EXIT_USAGE,
  onStopSignals,
  packageVersion,
  runCommandLine,
  UsageError,
  type ParsedCommand,
} from "./command.js";

function program(parse: () => ParsedCommand<{ port: number }>) {
  const out: string[] = [];
  const err: string[] = [];
  const ran: { port: number }[] = [];
  const run = () =>
    runCommandLine({
      name: "tekton-results-test",
      usage: "Usage: tekton-results-test [--port N]\n",
      version: "1.2.3",
      parse,
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      run: (config) => {
        ran.push(config);
        return Promise.resolve(7);
      },
    });
  return { out, err, ran, run };
}

describe("runCommandLine", () => {
  it("prints the usage for help and the version for version, exiting 0", async () => {
    const help = program(() => ({ kind: "help" }));
    expect(await help.run()).toBe(0);
    expect(help.out.join("")).toBe("Usage: tekton-results-test [--port N]\n");
    const version = program(() => ({ kind: "version" }));
    expect(await version.run()).toBe(0);
    expect(version.out.join("")).toBe("1.2.3\n");
    expect(help.ran).toEqual([]);
    expect(version.err).toEqual([]);
  });

  it("reports a UsageError in one line and a hint, exiting 2", async () => {
    const p = program(() => {
      throw new UsageError("--port: not a number");
    });
    expect(await p.run()).toBe(EXIT_USAGE);
    expect(EXIT_USAGE).toBe(2);
    expect(p.err.join("")).toBe(
      "tekton-results-test: --port: not a number\nRun with --help for usage.\n",
    );
    expect(p.out).toEqual([]);
  });

  it("treats subclasses of UsageError alike", async () => {
    class ConfigError extends UsageError {}
    const p = program(() => {
      throw new ConfigError("bad");
    });
    expect(await p.run()).toBe(EXIT_USAGE);
  });

  it("lets other errors from parse propagate", async () => {
    const p = program(() => {
      throw new Error("bug");
    });
    await expect(p.run()).rejects.toThrow("bug");
  });

  it("runs the program with its configuration and returns its exit code", async () => {
    const p = program(() => ({ kind: "run", config: { port: 8080 } }));
    expect(await p.run()).toBe(7);
    expect(p.ran).toEqual([{ port: 8080 }]);
    expect(EXIT_FAILURE).toBe(1);
  });
});

describe("UsageError", () => {
  it("is an Error named UsageError", () => {
    const err = new UsageError("x");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("UsageError");
  });
});

describe("packageVersion", () => {
  it("reads the version of a package.json", () => {
    expect(packageVersion(new URL("../package.json", import.meta.url))).toBe("0.1.0");
  });
  it("is unknown for a missing file", () => {
    expect(packageVersion(new URL("../no-such-package.json", import.meta.url))).toBe("unknown");
  });
});

describe("onStopSignals", () => {
  it("resolves with the first signal's name and calls onSecond on later ones", async () => {
    let seconds = 0;
    const signals = onStopSignals(() => seconds++);
    try {
      process.emit("SIGTERM", "SIGTERM");
      expect(await signals.stop).toBe("SIGTERM");
      process.emit("SIGINT", "SIGINT");
      expect(seconds).toBe(1);
    } finally {
      signals.dispose();
    }
    const listeners = process.listenerCount("SIGINT");
    process.emit("SIGINT", "SIGINT");
    expect(seconds).toBe(1);
    expect(process.listenerCount("SIGINT")).toBe(listeners);
  });
});

describe("onStopSignals keeps the process alive", () => {
  const timers = (): number =>
    process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

  it("holds one referenced timer until the first signal", async () => {
    const before = timers();
    const signals = onStopSignals();
    try {
      expect(timers()).toBe(before + 1);
      process.emit("SIGTERM", "SIGTERM");
      await signals.stop;
      expect(timers()).toBe(before);
    } finally {
      signals.dispose();
    }
  });

  it("releases it on dispose without a signal", () => {
    const before = timers();
    const signals = onStopSignals();
    expect(timers()).toBe(before + 1);
    signals.dispose();
    expect(timers()).toBe(before);
  });
});
