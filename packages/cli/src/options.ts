/**
 * The flags shared by the commands, as upstream declares them.
 *
 * @module
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { completeValues } from "./completion.js";
import type { ConnectionFlags } from "./connection.js";
import { clusterNamespaces } from "./namespace-completion.js";

/**
 * A boolean flag as cobra reads one: `--flag` is true, `--flag=true|false` sets it. (commander
 * reads `--flag false` as the value too, cobra as an argument.)
 */
export function parseBool(flag: string): (value: string) => boolean {
  return (value) => {
    if (/^(1|t|true)$/i.test(value)) return true;
    if (/^(0|f|false)$/i.test(value)) return false;
    throw new InvalidArgumentError(`invalid argument "${value}" for "--${flag}" flag`);
  };
}

/** An integer flag, with cobra's message for a value that is not one. */
export function parseInteger(flag: string): (value: string) => number {
  return (value) => {
    if (!/^[+-]?\d+$/.test(value)) {
      throw new InvalidArgumentError(`invalid argument "${value}" for "--${flag}" flag`);
    }
    return Number(value);
  };
}

/**
 * Upstream's persistent flags of `config`, `pipelinerun` and `taskrun`: `-k/--kubeconfig`,
 * `-c/--context`, `-n/--namespace`, `--host`, `--token`, `--api-path`,
 * `--insecure-skip-tls-verify`; and ours, `--certificate-authority` and `--timeout` (upstream
 * stores a `timeout` but has no flag for it). Commander reads them after the subcommand too.
 */
export function addConnectionFlags(cmd: Command): Command {
  return cmd
    .option("-k, --kubeconfig <string>", "kubectl config file (default: $HOME/.kube/config)")
    .option(
      "-c, --context <string>",
      "name of the kubeconfig context to use (default: kubectl config current-context)",
    )
    .addOption(
      // Completes to the cluster's namespaces, as upstream's -n does.
      completeValues(
        new Option("-n, --namespace <string>", "namespace to use (default: from $KUBECONFIG)"),
        clusterNamespaces,
      ),
    )
    .option("--host <string>", "host to use (default: value provided in config set command)")
    .option(
      "--token <string>",
      "bearer token to use (default: value provided in config set command)",
    )
    .option(
      "--api-path <string>",
      "api path to use (default: value provided in config set command)",
    )
    .addOption(
      new Option(
        "--insecure-skip-tls-verify [bool]",
        "skip server's certificate validation for requests (default: false)",
      ).argParser(parseBool("insecure-skip-tls-verify")),
    )
    .option(
      "--certificate-authority <file>",
      "PEM file of the CA that signed the server's certificate (default: value provided in config set command, else the system's CAs)",
    )
    .option(
      "--timeout <duration>",
      "how long a call may take, e.g. 30s or 2m (default: value provided in config set command, else 60s)",
    );
}

/** The connection flags of a command and its parents. */
export function connectionFlags(cmd: Command): ConnectionFlags {
  const o = cmd.optsWithGlobals<ConnectionFlags & { insecureSkipTlsVerify?: boolean | string }>();
  return { ...o, insecureSkipTlsVerify: o.insecureSkipTlsVerify === true };
}

/** Whether any of the flags `config set` stores was given (then it does not prompt). */
export function anyResultsFlagGiven(cmd: Command): boolean {
  return [
    "host",
    "token",
    "apiPath",
    "insecureSkipTlsVerify",
    "certificateAuthority",
    "timeout",
  ].some((key) => cmd.getOptionValueSourceWithGlobals(key) === "cli");
}
