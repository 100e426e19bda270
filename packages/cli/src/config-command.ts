/**
 * `tkn-results config set | view | reset`: the CLI's configuration in the kubeconfig.
 *
 * @module
 */
import { Command } from "commander";
import { stringify } from "yaml";
import { connectionFlags, addConnectionFlags, anyResultsFlagGiven } from "./options.js";
import { parseGoDuration } from "./connection.js";
import { CliError } from "./errors.js";
import { emptyConfig, kubeconfigPath, openKubeconfig, type ResultsConfig } from "./kubeconfig.js";
import type { Io } from "./io.js";

/** The configuration as `config view` prints it: YAML, keys sorted as upstream's printer sorts them. */
export function viewText(config: ResultsConfig): string {
  return stringify(config, { sortMapEntries: true });
}

async function promptValues(current: ResultsConfig): Promise<ResultsConfig> {
  const [{ default: input }, { default: select }] = await Promise.all([
    import("@inquirer/input"),
    import("@inquirer/select"),
  ]);
  const host = await input({ message: "Host :", default: current.host || undefined });
  const token = await input({ message: "Token :", default: current.token || undefined });
  const apiPath = await input({ message: "API Path :", default: current["api-path"] || undefined });
  const insecure = await select({
    message: "Insecure Skip TLS Verify :",
    choices: [{ value: "false" }, { value: "true" }],
  });
  return {
    ...current,
    host: host.trim(),
    token: token.trim(),
    "api-path": apiPath.trim(),
    "insecure-skip-tls-verify": insecure,
  };
}

const SET_HELP = `
Configuration Storage:
The configuration is stored in a namespace-independent way in your kubeconfig file:
the extension 'tekton-results' of the context 'tekton-results-config/<cluster>/<user>'
(the cluster and user of the current context). It persists across namespace switches
('kubectl config set-context --current --namespace=production').

Usage Modes:
1. Interactive (on a terminal): prompts for values, with the current ones as defaults
   tkn-results config set
2. Manual: specify values with flags; no prompts
   tkn-results config set --host=<url> --token=<token>

Examples:
Configure with interactive prompts:
  tkn-results config set

Configure with specific parameters (no prompts):
  tkn-results config set --host=http://localhost:8080 --token=my-token

Configure with custom API path (no prompts):
  tkn-results config set --api-path=/api/v1

Configure with custom kubeconfig and context:
  tkn-results config set --kubeconfig=/path/to/kubeconfig --context=my-cluster
`;

/** The `config` command and its subcommands. */
export function configCommand(io: Io): Command {
  const config = addConnectionFlags(
    new Command("config")
      .summary("Manage Tekton Results CLI configuration")
      .description(
        "Manage Tekton Results CLI configuration\n\nManage configuration settings for the Tekton Results CLI: how it reaches the Tekton Results API server (endpoint, token, API path, TLS verification), stored in the kubeconfig.",
      )
      .addHelpText(
        "after",
        `
Examples:
View current configuration:
  tkn-results config view

Configure with interactive prompts:
  tkn-results config set

Configure with specific parameters:
  tkn-results config set --host=http://localhost:8080 --token=my-token

Reset configuration to defaults:
  tkn-results config reset
`,
      ),
  );
  const open = (cmd: Command) => {
    const flags = connectionFlags(cmd);
    return openKubeconfig(kubeconfigPath(flags.kubeconfig), flags.context);
  };

  config
    .command("set")
    .description("Set Tekton Results CLI configuration values")
    .addHelpText("after", SET_HELP)
    .action(async (_opts: unknown, cmd: Command) => {
      const kc = open(cmd);
      const current = kc.readConfig();
      let next: ResultsConfig;
      if (anyResultsFlagGiven(cmd)) {
        const f = connectionFlags(cmd);
        next = { ...current };
        if (f.host) next.host = f.host.trim();
        if (f.token) next.token = f.token.trim();
        if (f.apiPath) next["api-path"] = f.apiPath.trim();
        if (cmd.getOptionValueSourceWithGlobals("insecureSkipTlsVerify") === "cli") {
          next["insecure-skip-tls-verify"] = String(f.insecureSkipTlsVerify === true);
        }
        if (f.timeout) {
          parseGoDuration(f.timeout);
          next.timeout = f.timeout.trim();
        }
        if (f.certificateAuthority) next["certificate-authority"] = f.certificateAuthority.trim();
      } else if (io.interactive) {
        next = await promptValues(current);
      } else {
        throw new CliError(
          "nothing to set: give --host, --token, --api-path, --insecure-skip-tls-verify, --certificate-authority or --timeout",
          "config set prompts only on a terminal",
        );
      }
      kc.writeConfig(next);
    });

  config
    .command("view")
    .description("Display current CLI configuration")
    .addHelpText(
      "after",
      `
Shows the API server endpoint, the token, the API path and the TLS verification
setting stored for the current cluster and user, in YAML.

Examples:
View current configuration:
  tkn-results config view
`,
    )
    .action((_opts: unknown, cmd: Command) => {
      io.out(viewText(open(cmd).readConfig()));
    });

  config
    .command("reset")
    .description("Reset CLI configuration to defaults")
    .addHelpText(
      "after",
      `
Removes the stored host, token, API path and TLS setting. You will need to
reconfigure the CLI after resetting.

Examples:
Reset all configuration settings:
  tkn-results config reset

Reset and verify the changes:
  tkn-results config reset && tkn-results config view

Reset and immediately reconfigure:
  tkn-results config reset && tkn-results config set
`,
    )
    .action((_opts: unknown, cmd: Command) => {
      open(cmd).writeConfig(emptyConfig());
    });
  return config;
}
