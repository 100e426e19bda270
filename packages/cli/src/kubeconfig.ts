/**
 * The CLI's configuration, stored in the kubeconfig as upstream's `tkn-results` stores it: an
 * extension named `tekton-results` on a context of its own, `tekton-results-config/<cluster>/<user>`
 * (the cluster and user of the current context, the user cut at its first `/`). The context holds no
 * namespace of the user's, so the configuration survives `kubectl config set-context --namespace`.
 *
 * The file is read and written as a YAML document (`yaml`), so every other part of it (comments,
 * key order, other extensions) stays as it was.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { YAMLMap } from "yaml";
import { isMap, isSeq, parseDocument, YAMLSeq, type Document } from "yaml";
import { CliError } from "./errors.js";

/** The name of the extension that holds the CLI's configuration (upstream's `ExtensionName`). */
export const EXTENSION_NAME = "tekton-results";
/** The `apiVersion` of the stored extension (upstream's group and version). */
export const EXTENSION_API_VERSION = "results.tekton.dev/v1alpha2";
/** The `kind` of the stored extension. */
export const EXTENSION_KIND = "Client";

/** The configuration upstream calls `Extension`: every value a string, as upstream stores them. */
export interface ResultsConfig {
  apiVersion: string;
  kind: string;
  "api-path": string;
  host: string;
  token: string;
  /** How long a call may take, a Go duration (upstream's field; `config set --timeout`). */
  timeout?: string;
  "insecure-skip-tls-verify"?: string;
  /** A PEM file of the server's CA: ours, not upstream's (which ignores an unknown field). */
  "certificate-authority"?: string;
}

/** An empty configuration, what `config reset` stores. */
export function emptyConfig(): ResultsConfig {
  return {
    apiVersion: EXTENSION_API_VERSION,
    kind: EXTENSION_KIND,
    "api-path": "",
    host: "",
    token: "",
  };
}

/**
 * The kubeconfig file to use: `-k/--kubeconfig`, else the first file of `$KUBECONFIG`, else
 * `$HOME/.kube/config`.
 */
export function kubeconfigPath(flag: string | undefined, env = process.env): string {
  if (flag) return flag;
  const first = env["KUBECONFIG"]?.split(delimiter).find((p) => p !== "");
  return first ?? join(homedir(), ".kube", "config");
}

/** A kubeconfig opened for reading and editing. */
export interface Kubeconfig {
  /** The file it was read from and is written to. */
  readonly path: string;
  /** The context in use: `-c/--context`, else the file's `current-context`. */
  readonly contextName: string;
  /** The namespace of the context in use, if it sets one. */
  readonly namespace: string | undefined;
  /** The CLI's context: `tekton-results-config/<cluster>/<user>`. */
  readonly configContextName: string;
  /** The stored configuration (an empty one when none is stored). */
  readConfig(): ResultsConfig;
  /** Store `config` in the CLI's context (creating it) and write the file. */
  writeConfig(config: ResultsConfig): void;
}

function str(node: unknown): string | undefined {
  return typeof node === "string" ? node : undefined;
}

function findNamed(doc: Document, list: string, name: string): YAMLMap | undefined {
  const seq = doc.get(list);
  if (!isSeq(seq)) return undefined;
  return seq.items.find((item): item is YAMLMap => isMap(item) && item.get("name") === name);
}

/**
 * Open a kubeconfig: `path` (see {@link kubeconfigPath}) and `context` (the `-c` flag). Throws a
 * {@link CliError} when the file is missing or not YAML, the context is not in it, or the context
 * names no cluster or no user.
 */
export function openKubeconfig(path: string, context?: string): Kubeconfig {
  if (!existsSync(path)) {
    throw new CliError(
      `kubeconfig ${path} not found`,
      "give one with -k/--kubeconfig or $KUBECONFIG",
    );
  }
  const doc = parseDocument(readFileSync(path, "utf8"));
  if (doc.errors.length > 0) {
    throw new CliError(
      `kubeconfig ${path} is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`,
    );
  }
  const contextName = context || str(doc.get("current-context")) || "";
  const entry = findNamed(doc, "contexts", contextName);
  if (!entry) throw new CliError(`context '${contextName}' not found in kubeconfig`);
  const ctx = entry.get("context");
  const cluster = isMap(ctx) ? str(ctx.get("cluster")) : undefined;
  const fullUser = isMap(ctx) ? str(ctx.get("user")) : undefined;
  if (!cluster) throw new CliError("no cluster specified in context");
  if (!fullUser) throw new CliError("no user specified in context");
  const user = fullUser.split("/")[0]!;
  const configContextName = `tekton-results-config/${cluster}/${user}`;
  const namespace = isMap(ctx) ? str(ctx.get("namespace")) : undefined;

  return {
    path,
    contextName,
    namespace: namespace || undefined,
    configContextName,
    readConfig() {
      const stored = findNamed(doc, "contexts", configContextName);
      const extensions = stored?.getIn(["context", "extensions"]);
      if (!isSeq(extensions)) return emptyConfig();
      const ext = extensions.items.find(
        (item): item is YAMLMap => isMap(item) && item.get("name") === EXTENSION_NAME,
      );
      const value: unknown = ext?.toJSON()?.["extension"];
      if (typeof value !== "object" || value === null) return emptyConfig();
      const out: ResultsConfig = { ...emptyConfig() };
      for (const [k, v] of Object.entries(value)) {
        (out as unknown as Record<string, string>)[k] = typeof v === "string" ? v : String(v);
      }
      return out;
    },
    writeConfig(config) {
      let stored = findNamed(doc, "contexts", configContextName);
      if (!stored) {
        if (!isSeq(doc.get("contexts"))) doc.set("contexts", new YAMLSeq());
        stored = doc.createNode({
          name: configContextName,
          context: { cluster, user, namespace: "default" },
        }) as YAMLMap;
        (doc.get("contexts") as YAMLSeq).add(stored);
      }
      const extension = doc.createNode({ name: EXTENSION_NAME, extension: storedForm(config) });
      const extensions = stored.getIn(["context", "extensions"]);
      if (isSeq(extensions)) {
        const at = extensions.items.findIndex(
          (item) => isMap(item) && item.get("name") === EXTENSION_NAME,
        );
        if (at >= 0) extensions.items[at] = extension;
        else extensions.add(extension);
      } else {
        stored.setIn(["context", "extensions"], doc.createNode([extension]));
      }
      writeFileSync(path, doc.toString(), { mode: 0o600 });
    },
  };
}

/** The extension as upstream writes it: its fields in JSON order, the optional ones only when set. */
function storedForm(config: ResultsConfig): Record<string, string> {
  const out: Record<string, string> = {
    apiVersion: config.apiVersion || EXTENSION_API_VERSION,
    kind: config.kind || EXTENSION_KIND,
    "api-path": config["api-path"],
    host: config.host,
    token: config.token,
  };
  if (config.timeout) out["timeout"] = config.timeout;
  if (config["insecure-skip-tls-verify"]) {
    out["insecure-skip-tls-verify"] = config["insecure-skip-tls-verify"];
  }
  if (config["certificate-authority"]) {
    out["certificate-authority"] = config["certificate-authority"];
  }
  return out;
}
