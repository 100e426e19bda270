/**
 * `-o/--output`, one definition for every command that has it: the formats a command takes
 * (`json`, `yaml`, `name`, and kubectl's `jsonpath=<template>`, `jsonpath-file=<file>`,
 * `jsonpath-as-json=<template>`), read into an {@link Output}, and the machine outputs of an
 * object printed from it.
 *
 * ```ts
 * cmd.addOption(outputOption(["json", "yaml", "name"]));
 * // in the action: printOutput(flags.output, object, { name: () => "pipelinerun.tekton.dev/x\n" })
 * ```
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option } from "commander";
import { stringify } from "yaml";
import { completeValues } from "./completion.js";
import { CliError } from "./errors.js";
import { parseJsonPathTemplate, printJsonPath } from "./jsonpath.js";

/** The plain formats a command may take (besides the JSONPath ones, which every command takes). */
export type PlainFormat = "json" | "yaml" | "name";

/** A parsed `-o` value. */
export type Output =
  { format: PlainFormat } | { format: "jsonpath"; template: string; asJson: boolean };

/** The `-o` values of the JSONPath formats, as kubectl names them. */
export const JSONPATH_FORMATS = ["jsonpath", "jsonpath-file", "jsonpath-as-json"] as const;

/** The formats as the help and the errors name them. */
function formatList(formats: readonly PlainFormat[]): string[] {
  return [...formats, "jsonpath=<template>", "jsonpath-file=<file>", "jsonpath-as-json=<template>"];
}

/**
 * Read an `-o` value: one of `formats`, or `jsonpath=<template>`, `jsonpath-file=<file>`
 * (the template read from the file), `jsonpath-as-json=<template>`. The template is parsed
 * here, so a bad one is reported before any call. Throws commander's `InvalidArgumentError`
 * (`error: option '-o, --output <format>' argument '...' is invalid. ...`) or, for a template
 * that does not parse or a file that cannot be read, a {@link CliError}.
 */
export function parseOutput(value: string, formats: readonly PlainFormat[]): Output {
  if ((formats as readonly string[]).includes(value)) return { format: value as PlainFormat };
  const eq = value.indexOf("=");
  const kind = eq < 0 ? value : value.slice(0, eq);
  if ((JSONPATH_FORMATS as readonly string[]).includes(kind)) {
    let template = eq < 0 ? "" : value.slice(eq + 1);
    if (kind === "jsonpath-file" && template !== "") {
      try {
        template = readFileSync(template, "utf8");
      } catch (err) {
        throw new CliError(
          `cannot read the template file ${template}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
    }
    if (template === "") {
      throw new CliError(`template format specified but no template given (-o ${kind}=...)`);
    }
    parseJsonPathTemplate(template);
    return { format: "jsonpath", template, asJson: kind === "jsonpath-as-json" };
  }
  throw new InvalidArgumentError(`Allowed formats are ${formatList(formats).join(", ")}.`);
}

/** The `-o, --output <format>` option of a command that prints `formats` (and JSONPath). */
export function outputOption(
  formats: readonly PlainFormat[],
  description = "Output format",
): Option {
  const option = new Option(
    "-o, --output <format>",
    `${description}. One of: ${formatList(formats).join("|")} (default: a table)`,
  ).argParser((value: string) => parseOutput(value, formats));
  // Shell completion offers the formats, and the JSONPath ones up to their `=`.
  return completeValues(option, [...formats, ...JSONPATH_FORMATS.map((f) => `${f}=`)]);
}

/** How {@link printOutput} prints what is particular to a command. */
export interface PrintHooks {
  /** `-o name`: the command's names. */
  name?: () => string;
  /** The indent of `-o json`: 2, or kubectl's 4. Default 2. */
  jsonIndent?: number;
  /** `-o yaml` with keys sorted, as kubectl prints an object. Default false (as given). */
  sortYamlKeys?: boolean;
}

/**
 * The text of `data` in `output`: JSON (with a newline), YAML, the JSONPath template's text, or
 * the command's names (`hooks.name`).
 */
export function printOutput(output: Output, data: unknown, hooks: PrintHooks = {}): string {
  switch (output.format) {
    case "json":
      return JSON.stringify(data, null, hooks.jsonIndent ?? 2) + "\n";
    case "yaml":
      return stringify(data, { sortMapEntries: hooks.sortYamlKeys === true });
    case "name":
      return hooks.name?.() ?? "";
    case "jsonpath":
      return printJsonPath(output.template, data, output.asJson);
  }
}
