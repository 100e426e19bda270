/**
 * TLS to the Results API: the CA of `--api-ca-file` and the name of
 * `--api-server-name` as connect-node's options, and certificate failures
 * turned into errors that name the problem and the flag to check (a wrong CA
 * fails each call at once with `unable to verify the first certificate: is
 * --api-ca-file the CA that signed the server's certificate?`).
 *
 * @module
 */
import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { explainTlsError, trustCa, type NodeTlsOptions } from "@tekton-results/client/node";
import type { WatcherConfig } from "./config.js";

/**
 * The TLS options of the API connection: `undefined` when neither flag is set
 * (Node's default CAs). Throws `CaFileError` when the CA file is missing or
 * holds no certificate.
 */
export function apiTlsOptions(
  config: Pick<WatcherConfig, "apiCaFile" | "apiServerName">,
): NodeTlsOptions | undefined {
  if (config.apiCaFile === undefined && config.apiServerName === undefined) return undefined;
  return trustCa({ caFile: config.apiCaFile, serverName: config.apiServerName }).nodeOptions;
}

/**
 * An interceptor that rethrows a TLS failure of a call (a certificate the CA
 * did not sign, another host's, an expired one; `https://` to a cleartext
 * port) with a message naming it and the flag to check; same code and cause.
 */
export function tlsErrorInterceptor(): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (err) {
      const why = explainTlsError(err, { ca: "--api-ca-file", serverName: "--api-server-name" });
      if (why === undefined) throw err;
      const original = ConnectError.from(err);
      throw new ConnectError(why, original.code, original.metadata, undefined, err);
    }
  };
}
