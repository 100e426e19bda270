/**
 * Trusting a private CA from Node: the options connect-node's transports
 * take (`nodeOptions: { ca, servername, cert, key }`), read from PEM files
 * (a client certificate for a server that asks for one: mutual TLS), and an
 * explanation of the certificate errors a wrong CA, a self-signed or expired
 * certificate, or a wrong host name gives.
 * Node-only (`node:fs`): imported from `@tekton-results/client/node`, never
 * from the package's main entry, which stays browser-safe.
 *
 * @module
 */
// The one Node-only subpath: the browser boundary (eslint.config.js) holds for the rest of src/.
// eslint-disable-next-line no-restricted-imports
import { readFileSync } from "node:fs";

/** Options of {@link trustCa}. */
export interface TrustCaOptions {
  /** PEM file of the CA (or bundle) that signed the server's certificate. */
  caFile?: string | undefined;
  /** The CA's PEM text itself (instead of `caFile`). */
  ca?: string | undefined;
  /**
   * The host name to check the server's certificate against (and to send as
   * SNI), when it is not the URL's host, e.g. connecting by IP address.
   */
  serverName?: string | undefined;
  /** PEM file of a client certificate (chain) to present, for a server that asks for one (mTLS). */
  clientCertFile?: string | undefined;
  /** PEM file of the client certificate's private key; goes with `clientCertFile`. */
  clientKeyFile?: string | undefined;
}

/** The TLS part of connect-node's `nodeOptions` (HTTP/2 sessions and HTTP/1.1 requests alike). */
export interface NodeTlsOptions {
  /** Trusted CA certificates, PEM; absent: Node's default roots. */
  ca?: string;
  /** The name the server's certificate must hold. */
  servername?: string;
  /** The client certificate (chain) presented to the server, PEM. */
  cert?: string;
  /** The client certificate's private key, PEM. */
  key?: string;
}

/** A CA file that cannot be used; the message names the file and the problem. */
export class CaFileError extends Error {
  override readonly name = "CaFileError";
}

/**
 * Read a PEM CA file. Throws {@link CaFileError} when it is missing,
 * unreadable or holds no certificate.
 */
export function readCaFile(caFile: string): string {
  return readPemFile(caFile, "CA", CERTIFICATE, "certificate");
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * Read a PEM file holding `marker`; `label` and `kind` name it and what it
 * lacks in the {@link CaFileError}.
 */
function readPemFile(file: string, label: string, marker: RegExp, kind: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${(err as Error).message})`;
    throw new CaFileError(`${label} file ${file} ${why}`);
  }
  if (!marker.test(pem)) throw new CaFileError(`${label} file ${file} holds no PEM ${kind}`);
  return pem;
}

/**
 * The `nodeOptions` that make connect-node's transports trust `ca`/`caFile`
 * (instead of Node's default roots) and check `serverName`:
 *
 * ```ts
 * createGrpcTransport({ baseUrl: "https://results:8080", ...trustCa({ caFile: "ca.crt" }) });
 * ```
 *
 * With your own `Http2SessionManager`, pass `trustCa(...).nodeOptions` as
 * its third argument instead (a session manager ignores the transport's
 * `nodeOptions`). With `clientCertFile` and `clientKeyFile` it also presents
 * that client certificate (mutual TLS). Throws {@link CaFileError} for an
 * unusable file, or a client certificate without its key (or the reverse).
 */
export function trustCa(options: TrustCaOptions): { nodeOptions: NodeTlsOptions } {
  const ca = options.ca ?? (options.caFile !== undefined ? readCaFile(options.caFile) : undefined);
  const { clientCertFile, clientKeyFile } = options;
  if ((clientCertFile === undefined) !== (clientKeyFile === undefined)) {
    throw new CaFileError("a client certificate file and its key file go together");
  }
  const client =
    clientCertFile !== undefined && clientKeyFile !== undefined
      ? {
          cert: readPemFile(clientCertFile, "client certificate", CERTIFICATE, "certificate"),
          key: readPemFile(clientKeyFile, "client key", PRIVATE_KEY, "private key"),
        }
      : {};
  return {
    nodeOptions: {
      ...(ca !== undefined ? { ca } : {}),
      ...(options.serverName ? { servername: options.serverName } : {}),
      ...client,
    },
  };
}

/** Certificate verification codes that mean: the trusted CAs did not sign the server's certificate. */
const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
]);

/** The first `{ code, message }` in `err` and its chain of causes. */
function nodeError(err: unknown): { code: string; message: string } | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && typeof e === "object" && e !== null; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") return { code, message };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** How {@link explainTlsError} names the settings to fix. */
export interface TlsHintNames {
  /** The CA setting, e.g. `--api-ca-file`. Default `the CA (caFile)`. */
  ca?: string;
  /**
   * The server name setting, e.g. `--api-server-name`. Default `serverName`;
   * `null` when there is none (the hint then only says to connect by a name
   * the certificate holds).
   */
  serverName?: string | null;
}

/**
 * A one-line explanation of a TLS failure in `err` (a connect-node error or
 * Node's own), naming the certificate problem and what to check; `undefined`
 * when `err` is no TLS failure. E.g. `unable to verify the first certificate:
 * is --api-ca-file the CA that signed the server's certificate?`
 */
export function explainTlsError(err: unknown, names: TlsHintNames = {}): string | undefined {
  const found = nodeError(err);
  if (!found) return undefined;
  const ca = names.ca ?? "the CA (caFile)";
  const { code, message } = found;
  if (code === "DEPTH_ZERO_SELF_SIGNED_CERT") {
    return `${message}: the server's certificate is signed by no CA; give its certificate as ${ca}, or serve one a trusted CA signed`;
  }
  if (UNTRUSTED.has(code)) {
    return `${message}: is ${ca} the CA that signed the server's certificate?`;
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return `${message}: the server's certificate is outside its validity period (is it renewed, and the clocks right?)`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const setting = names.serverName === undefined ? "serverName" : names.serverName;
    return setting === null
      ? `${message}: connect by a name the certificate holds`
      : `${message}: connect by a name the certificate holds, or set ${setting}`;
  }
  if (code === "EPROTO" && /wrong version number|packet length too long/i.test(message)) {
    return `${message}: the server does not speak TLS here (use an http:// URL for a cleartext server)`;
  }
  return undefined;
}
