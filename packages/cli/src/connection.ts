/**
 * From the flags, the stored configuration and the kubeconfig to a client of the Results API.
 *
 * Each setting comes from its flag, else from the configuration `config set` stored, else (the
 * token only) from the kubeconfig's user: a `token`, a `tokenFile` or an exec plugin, through
 * `@kubernetes/client-node`. The namespace comes from `-n`, else the kubeconfig's context, else
 * `default`. Without a host anywhere, the command port-forwards through the kubeconfig's cluster
 * to `service/tekton-results-api-service` in `tekton-pipelines` (as upstream's older commands do)
 * and closes the forward when it ends ({@link closeConnections}).
 *
 * @module
 */
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport, createNodeHttpClient } from "@connectrpc/connect-node";
import { KubeConfig } from "@kubernetes/client-node";
import {
  createLogsClient,
  createRestTransport,
  createResultsClient,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { CaFileError, readCaFile } from "@tekton-results/client/node";
import { parseDuration } from "@tekton-results/runtime/duration";
import { CliError, kubeMessage } from "./errors.js";
import { openPortForward, type PortForwardHandle } from "./portforward.js";
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
  /** A PEM file of the CA that signed the server's certificate (ours; kubectl's flag name). */
  certificateAuthority?: string;
  /** How long a call may take, a Go duration (`30s`, `1m30s`); upstream's stored `timeout`. */
  timeout?: string;
}

/** The timeout of a call when none is configured: upstream's 60 s. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Milliseconds of a Go duration (`time.ParseDuration`: `300ms`, `1.5s`, `1m30s`, `2h`; the
 * runtime's parser, the watcher's too); a {@link CliError} naming `what` when the text is not one
 * or not positive.
 */
export function parseGoDuration(text: string, what = "timeout"): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    ms = NaN;
  }
  if (!(ms > 0)) {
    throw new CliError(
      `invalid ${what} ${JSON.stringify(text)}`,
      "give a duration such as 30s, 1m30s or 500ms",
    );
  }
  return ms;
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
  /** How long a call may take, in milliseconds (`--timeout`, the stored `timeout`, else 60 s). */
  readonly timeoutMs: number;
  /** Stop the port-forward, if the command opened one (without a configured host). */
  close(): void;
}

/** The port-forwards the command opened, closed when it ends. */
const forwards = new Set<PortForwardHandle>();

/** Close every port-forward that {@link connect} opened (the program calls it when it ends). */
export function closeConnections(): void {
  for (const forward of forwards) forward.close();
  forwards.clear();
}

/** Upstream's error when no host is configured. */
const NO_HOST =
  "invalid config. You may need to run the 'config set' command to configure the CLI: API server host not configured: host field is empty";

/**
 * With no host configured: a port-forward through the kubeconfig's cluster to the API's service,
 * or upstream's error saying why there is none.
 */
async function forwardToApi(kc: Kubeconfig): Promise<PortForwardHandle> {
  const config = new KubeConfig();
  try {
    config.loadFromFile(kc.path);
    config.setCurrentContext(kc.contextName);
    const forward = await openPortForward(config);
    forwards.add(forward);
    return forward;
  } catch (err) {
    const why = err instanceof CliError ? err.message : kubeMessage(err);
    throw new CliError(`${NO_HOST}; and no port-forward either: ${why}`);
  }
}

/**
 * Fails a call with the port-forward's own error (kubelet's, or the API's refusal) when the
 * forward failed, rather than the connection reset it caused.
 */
function forwardErrors(forward: PortForwardHandle): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (err) {
      const why = forward.error();
      if (why) throw new ConnectError(why, Code.Unavailable);
      throw err;
    }
  };
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

/** The interceptors that send `Authorization: Bearer <token>` (none without a token). */
export function bearerInterceptors(token: string | undefined): Interceptor[] {
  return token
    ? [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${token}`);
          return next(req);
        },
      ]
    : [];
}

/**
 * Resolve the settings and build the client. Throws a {@link CliError} when no host is set:
 * upstream's message, with the hint to run `config set`.
 */
export async function connect(flags: ConnectionFlags): Promise<Connection> {
  const kc = tryOpen(flags);
  const stored: Partial<ResultsConfig> = kc?.readConfig() ?? {};
  let host = flags.host || stored.host || "";
  let forward: PortForwardHandle | undefined;
  if (!host) {
    if (!kc) throw new CliError(NO_HOST);
    forward = await forwardToApi(kc);
    // The API's port speaks plain HTTP (deploy/): TLS, if any, ends before it.
    host = `http://127.0.0.1:${forward.port}`;
  }
  const insecure =
    flags.insecureSkipTlsVerify === true || stored["insecure-skip-tls-verify"] === "true";
  const token = flags.token || stored.token || (kc ? await kubeconfigToken(kc) : undefined);
  const address = baseUrl(host, flags.apiPath || stored["api-path"] || "", insecure);
  const timeout = flags.timeout || stored.timeout;
  const timeoutMs = timeout ? parseGoDuration(timeout) : DEFAULT_TIMEOUT_MS;
  const caFile = flags.certificateAuthority || stored["certificate-authority"];
  let ca: string | undefined;
  try {
    ca = caFile ? readCaFile(caFile) : undefined;
  } catch (err) {
    if (err instanceof CaFileError) throw new CliError(err.message, "see --certificate-authority");
    throw err;
  }
  const tls = { ...(insecure ? { rejectUnauthorized: false } : {}), ...(ca ? { ca } : {}) };
  const interceptors = [...(forward ? [forwardErrors(forward)] : []), ...bearerInterceptors(token)];
  // Upstream's paths: <host><api-path>/apis/results.tekton.dev/v1alpha2/parents/...; the one
  // method without a REST route (the client stream UpdateLog) goes by gRPC to the same address.
  const transport = createRestTransport({
    baseUrl: address,
    httpClient: createNodeHttpClient({ httpVersion: "1.1", nodeOptions: tls }),
    interceptors,
    defaultTimeoutMs: timeoutMs,
    fallback: createGrpcTransport({
      baseUrl: address,
      defaultTimeoutMs: timeoutMs,
      nodeOptions: tls,
      interceptors,
    }),
  });
  return {
    address,
    namespace: flags.namespace || kc?.namespace || "default",
    client: createResultsClient(transport),
    logs: createLogsClient(transport),
    timeoutMs,
    close: () => {
      if (!forward) return;
      forward.close();
      forwards.delete(forward);
    },
  };
}
