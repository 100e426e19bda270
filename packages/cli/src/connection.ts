/**
 * From the flags, the stored configuration and the kubeconfig to a client of the Results API.
 *
 * Each setting comes from its flag, else from the configuration `config set` stored, else (the
 * token only) from the kubeconfig's user: a `token`, a `tokenFile` or an exec plugin, through
 * `@kubernetes/client-node`. The namespace comes from `-n`, else the kubeconfig's context, else
 * `default`.
 *
 * @module
 */
import { createGrpcTransport } from "@connectrpc/connect-node";
import { KubeConfig } from "@kubernetes/client-node";
import {
  createLogsClient,
  createResultsClient,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { CliError } from "./errors.js";
import {
  kubeconfigPath,
  openKubeconfig,
  type Kubeconfig,
  type ResultsConfig,
} from "./kubeconfig.js";

/** The persistent flags of upstream's `tkn-results` (`config`, `pipelinerun`, `taskrun`). */
export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  host?: string;
  token?: string;
  apiPath?: string;
  insecureSkipTlsVerify?: boolean;
}

/** Where and how the command talks to the Results API. */
export interface Connection {
  /** The base URL of the API (host and API path). */
  readonly address: string;
  /** The namespace the command works in (unless `-A`). */
  readonly namespace: string;
  /** The client of the Results service. */
  readonly client: ResultsClient;
  /** The client of the Logs service (GetLog of a run's log: `logs` commands). */
  readonly logs: LogsClient;
}

/** Client-go's rule: a host without a scheme is `https` when TLS is configured, else `http`. */
export function baseUrl(host: string, apiPath: string, insecure: boolean): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host)
    ? host
    : `${insecure ? "https" : "http"}://${host}`;
  const path = apiPath.replace(/^\/*/, "/").replace(/\/+$/, "");
  return withScheme.replace(/\/+$/, "") + (path === "/" ? "" : path);
}

function tryOpen(flags: ConnectionFlags): Kubeconfig | undefined {
  try {
    return openKubeconfig(kubeconfigPath(flags.kubeconfig), flags.context);
  } catch (err) {
    // With --host on the command line a kubeconfig is not needed.
    if (flags.host) return undefined;
    throw err;
  }
}

/** The bearer token of the kubeconfig's user (token, tokenFile, exec plugin), if it has one. */
async function kubeconfigToken(kc: Kubeconfig): Promise<string | undefined> {
  const config = new KubeConfig();
  config.loadFromFile(kc.path);
  config.setCurrentContext(kc.contextName);
  const init = await config.applyToFetchOptions({});
  const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  const auth = headers.get("authorization");
  return auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7) : undefined;
}

/**
 * Resolve the settings and build the client. Throws a {@link CliError} when no host is set:
 * upstream's message, with the hint to run `config set`.
 */
export async function connect(flags: ConnectionFlags): Promise<Connection> {
  const kc = tryOpen(flags);
  const stored: Partial<ResultsConfig> = kc?.readConfig() ?? {};
  const host = flags.host || stored.host || "";
  if (!host) {
    throw new CliError(
      "invalid config. You may need to run the 'config set' command to configure the CLI: API server host not configured: host field is empty",
    );
  }
  const insecure =
    flags.insecureSkipTlsVerify === true || stored["insecure-skip-tls-verify"] === "true";
  const token = flags.token || stored.token || (kc ? await kubeconfigToken(kc) : undefined);
  const address = baseUrl(host, flags.apiPath || stored["api-path"] || "", insecure);
  const transport = createGrpcTransport({
    baseUrl: address,
    defaultTimeoutMs: 60_000,
    ...(insecure ? { nodeOptions: { rejectUnauthorized: false } } : {}),
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
    address,
    namespace: flags.namespace || kc?.namespace || "default",
    client: createResultsClient(transport),
    logs: createLogsClient(transport),
  };
}
