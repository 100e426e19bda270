/**
 * How upstream's older commands (`result`, `records`, `logs`) reach the Results API: their own
 * settings (upstream's `pkg/cli/dev/config`), not the ones `config set` stores.
 *
 * Each setting comes from its flag, else from the file `$HOME/.config/tkn/results.yaml`
 * (`address`, `token`, `service_account: {name, namespace}`, `ssl: {roots_file_path,
 * server_name_override}`, `portforward`, `insecure`, `v1alpha2`), else (the TLS settings only)
 * from `TKN_RESULTS_SSL_ROOTS_FILE_PATH` and `TKN_RESULTS_SSL_SERVER_NAME_OVERRIDE`. The token is
 * `-t/--authtoken`, else the file's, else one the Kubernetes API issues for the service account
 * of `--sa`/`--sa-ns` (a TokenRequest). Without an address the command port-forwards to
 * `service/tekton-results-api-service` in `tekton-pipelines` (unless `--portforward=false`).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CoreV1Api } from "@kubernetes/client-node";
import {
  createLogsClient,
  createResultsClient,
  type LogsClient,
  type ResultsClient,
  type Transport,
} from "@tekton-results/client";
import { parse } from "yaml";
import { CliError, describeError, kubeMessage } from "../errors.js";
import { openPortForward, type PortForwardHandle } from "../portforward.js";
import { loadKubeconfig } from "./kube.js";

/** The persistent flags of the older commands. */
export interface LegacyFlags {
  addr?: string;
  authtoken?: string;
  sa?: string;
  saNs?: string;
  portforward?: boolean;
  insecure?: boolean;
  v1alpha2?: boolean;
}

/** The settings the older commands run with, resolved as upstream's `setConfig`. */
export interface LegacySettings {
  address: string;
  token: string;
  serviceAccount?: { name: string; namespace: string };
  ssl: { rootsFilePath: string; serverNameOverride: string };
  portforward: boolean;
  insecure: boolean;
  v1alpha2: boolean;
}

/** Where upstream's viper looks for the configuration file: `$HOME/.config/tkn/results.*`. */
export function configFilePath(env = process.env): string | undefined {
  const dir = join(env["HOME"] || homedir(), ".config", "tkn");
  return ["results.yaml", "results.yml", "results.json", "results"]
    .map((name) => join(dir, name))
    .find((path) => existsSync(path));
}

type FileConfig = { [key: string]: unknown };

function lowerKeys(value: unknown): FileConfig {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.toLowerCase(), v] as [string, unknown]),
  );
}

function readFileConfig(path: string | undefined): FileConfig {
  if (!path) return {};
  try {
    return lowerKeys(parse(readFileSync(path, "utf8")));
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new CliError(`error setting up flags and config: ${path}: ${why}`);
  }
}

const str = (v: unknown): string =>
  typeof v === "string" || typeof v === "number" ? String(v) : "";
const bool = (v: unknown): boolean | undefined =>
  typeof v === "boolean" ? v : typeof v === "string" ? /^(1|t|true)$/i.test(v) : undefined;

/** Resolve the settings: flags, then the configuration file, then the environment. */
export function legacySettings(flags: LegacyFlags, env = process.env): LegacySettings {
  const file = readFileConfig(configFilePath(env));
  const ssl = lowerKeys(file["ssl"]);
  const fileSa = lowerKeys(file["service_account"]);
  const sa = flags.sa
    ? { name: flags.sa, namespace: flags.saNs ?? "" }
    : str(fileSa["name"])
      ? { name: str(fileSa["name"]), namespace: str(fileSa["namespace"]) }
      : undefined;
  return {
    address: flags.addr || str(file["address"]),
    token: flags.authtoken || str(file["token"]),
    ...(sa ? { serviceAccount: sa } : {}),
    ssl: {
      rootsFilePath: str(ssl["roots_file_path"]) || (env["TKN_RESULTS_SSL_ROOTS_FILE_PATH"] ?? ""),
      serverNameOverride:
        str(ssl["server_name_override"]) || (env["TKN_RESULTS_SSL_SERVER_NAME_OVERRIDE"] ?? ""),
    },
    portforward: flags.portforward ?? bool(file["portforward"]) ?? true,
    insecure: flags.insecure ?? bool(file["insecure"]) ?? false,
    v1alpha2: flags.v1alpha2 ?? bool(file["v1alpha2"]) ?? false,
  };
}

/** A token issued for a service account by the Kubernetes API (upstream's `--sa`). */
async function serviceAccountToken(sa: { name: string; namespace: string }): Promise<string> {
  const kc = loadKubeconfig("--sa");
  const namespace =
    sa.namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || "default";
  try {
    const res = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: sa.name,
      namespace,
      body: { spec: { audiences: [] } },
    });
    const token = res.status?.token;
    if (!token) throw new Error("the TokenRequest's answer has no token");
    return token;
  } catch (err) {
    throw new CliError(`error getting service account token: ${kubeMessage(err)}`);
  }
}

/** The clients of the older commands and what to close when done. */
export interface LegacyConnection {
  /** The API's address, for error messages. */
  readonly address: string;
  /** The Results service (v1alpha2). */
  readonly results: ResultsClient;
  /** The Logs service (v1alpha2), for `logs get --v1alpha2`. */
  readonly logs: LogsClient;
  /** The transport, for the v1alpha3 Logs service. */
  readonly transport: Transport;
  /** The settings resolved. */
  readonly settings: LegacySettings;
  /** The one-line error of a failed call, naming the port-forward when that failed. */
  explain(err: unknown): string;
  /** Stop the port-forward, if one runs. */
  close(): void;
}

/**
 * Where to send the calls: `-a` as given when it has a scheme (`http://` for a server without
 * TLS), else `https://<addr>` (upstream always speaks TLS to `host:port`).
 */
export function addressUrl(addr: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(addr) ? addr : `https://${addr}`;
}

function tlsOptions(s: LegacySettings): object {
  if (s.insecure) return { rejectUnauthorized: false };
  const options: { ca?: string[]; servername?: string } = {};
  if (s.ssl.rootsFilePath) {
    let pem: string;
    try {
      pem = readFileSync(s.ssl.rootsFilePath, "utf8");
    } catch (err) {
      throw new CliError(`unable to read TLS cert file: ${describeError(err)}`);
    }
    options.ca = [...rootCertificates, pem];
  }
  if (s.ssl.serverNameOverride) options.servername = s.ssl.serverNameOverride;
  return options;
}

/** The hints of {@link describeError}, with the older commands' flags. */
function legacyHints(line: string): string {
  return line
    .replace(
      "is --host (or 'tkn-results config set --host') right?",
      "is -a/--addr (or 'address' in ~/.config/tkn/results.yaml) right?",
    )
    .replace(
      "set a token with --token or 'tkn-results config set --token'",
      "set a token with -t/--authtoken or --sa",
    );
}

/** Resolve the settings, start a port-forward when there is no address, and build the clients. */
export async function legacyConnect(flags: LegacyFlags): Promise<LegacyConnection> {
  const settings = legacySettings(flags);
  let forward: PortForwardHandle | undefined;
  let address = settings.address;
  if (!address) {
    if (!settings.portforward) {
      throw new CliError(
        "no Results API address",
        "give it with -a/--addr or 'address' in ~/.config/tkn/results.yaml, or leave --portforward on",
      );
    }
    forward = await openPortForward(
      loadKubeconfig("the port-forward to tekton-results-api-service"),
    );
    // Our API server speaks plain HTTP/2 on its port (deploy/); upstream's would want TLS.
    address = `http://127.0.0.1:${forward.port}`;
  }
  try {
    const url = addressUrl(address);
    const token =
      settings.token ||
      (settings.serviceAccount ? await serviceAccountToken(settings.serviceAccount) : "");
    const transport = createGrpcTransport({
      baseUrl: url,
      defaultTimeoutMs: 60_000,
      ...(url.startsWith("https:") ? { nodeOptions: tlsOptions(settings) } : {}),
      interceptors: token
        ? [
            (next) => (req) => {
              req.header.set("authorization", `Bearer ${token}`);
              return next(req);
            },
          ]
        : [],
    });
    return {
      address: url,
      results: createResultsClient(transport),
      logs: createLogsClient(transport),
      transport,
      settings,
      explain: (err) => forward?.error() ?? legacyHints(describeError(err, url)),
      close: () => forward?.close(),
    };
  } catch (err) {
    forward?.close();
    throw err;
  }
}
