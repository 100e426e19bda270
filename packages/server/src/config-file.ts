/**
 * The server's config file, in upstream Tekton Results' format (the file its
 * API server reads with viper, `config/base/env/config`): one `KEY=VALUE` a
 * line, `#` comments, blank lines, values optionally quoted. Each line is read
 * with `dotenv`'s parser (the same grammar as viper's env files: `export `
 * prefixes, single, double and backtick quotes, `#` comments after a value);
 * a line it cannot read is a {@link ConfigError} naming `file:line`.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { parse } from "dotenv";
import { ConfigError } from "./config-values.js";

/** Where upstream's API server reads its config file, and so where this server looks by default. */
export const DEFAULT_CONFIG_FILE = "/etc/tekton/results/config";

/** The variables of a config file, by name (upper case, as viper matches them). */
export type ConfigFileValues = Readonly<Record<string, string>>;

/**
 * Read the text of a config file. Every line must be blank, a `#` comment or
 * one `KEY=VALUE` (a value spanning lines is not read: upstream's files have
 * none). Keys are upper-cased (viper matches them in any case). A later line
 * wins over an earlier one with the same key.
 */
export function parseConfigFileText(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const parsed = Object.entries(parse(line));
    if (parsed.length !== 1) {
      throw new ConfigError(
        `${file}:${index + 1}: not a KEY=VALUE line: ${JSON.stringify(trimmed.slice(0, 80))}`,
      );
    }
    const [key, value] = parsed[0]!;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new ConfigError(`${file}:${index + 1}: not a variable name: ${JSON.stringify(key)}`);
    }
    values[key.toUpperCase()] = value;
  });
  return values;
}

/** How {@link loadConfigFile} finds and reads the file. */
export interface ConfigFileOptions {
  /** The file named by `--config` or `RESULTS_CONFIG`; must be readable. */
  explicit?: string | undefined;
  /** The file read when none is named, if it exists. Default {@link DEFAULT_CONFIG_FILE}. */
  defaultFile?: string;
  /** Reads a file as UTF-8. Default: `readFileSync`. */
  readFile?: (path: string) => string;
}

/** The config file read, or none. */
export interface LoadedConfigFile {
  /** Its path; `undefined` when there is none. */
  path: string | undefined;
  values: ConfigFileValues;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The config file: the one named (a {@link ConfigError} when it cannot be
 * read), else the default file when it exists (one that exists but cannot be
 * read is an error too), else none.
 */
export function loadConfigFile(options: ConfigFileOptions = {}): LoadedConfigFile {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const explicit = options.explicit;
  if (explicit !== undefined && explicit.trim() === "") {
    throw new ConfigError("config must not be empty");
  }
  const path = explicit ?? options.defaultFile ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    if (explicit === undefined && errorCode(err) === "ENOENT")
      return { path: undefined, values: {} };
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`cannot read the config file ${path}: ${reason}`);
  }
  return { path, values: parseConfigFileText(text, path) };
}
