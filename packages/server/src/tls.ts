/**
 * The server's TLS certificate: loaded and checked at start-up (a missing or
 * unreadable file, or a key that does not match the certificate, is a
 * {@link TlsFileError}), and reloaded while serving when the files change.
 *
 * cert-manager rotates a Secret that the kubelet mounts as files: it writes
 * the new files into a fresh directory and swaps the `..data` symlink, so the
 * directories holding the files are watched, and the files are also checked
 * (by `stat`) periodically and when a connection arrives, at most once a
 * second. A change that does not load (a half-written file, a key that does
 * not match yet) keeps the previous certificate in service and logs a warning.
 *
 * @module
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync, statSync, watch, type FSWatcher } from "node:fs";
import { dirname } from "node:path";
import * as tls from "node:tls";
import type { Logger } from "@tekton-results/runtime";

/** The TLS versions the server can be limited to (`--tls-min-version`). */
export const TLS_MIN_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;

/** A minimum TLS version. */
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];

/** The default minimum TLS version: TLS 1.2. */
export const DEFAULT_TLS_MIN_VERSION: TlsMinVersion = "TLSv1.2";

/**
 * What the server asks of clients' certificates (`--tls-client-auth`):
 * `request` asks for one and refuses a certificate the client CA did not
 * sign, but takes a client without one; `require` refuses a client without
 * one at the handshake too.
 */
export const TLS_CLIENT_AUTH_MODES = ["request", "require"] as const;

/** A {@link TLS_CLIENT_AUTH_MODES} value. */
export type TlsClientAuth = (typeof TLS_CLIENT_AUTH_MODES)[number];

/** The default period of the certificate files' check while serving: 10 s. */
export const DEFAULT_TLS_RELOAD_CHECK_MS = 10_000;

/** The TLS settings of the server: PEM files of its certificate (chain) and private key. */
export interface TlsOptions {
  /** The certificate, PEM (the server's first, then its intermediates). */
  certFile: string;
  /** The private key of the certificate, PEM. */
  keyFile: string;
  /** The oldest TLS version accepted. Default {@link DEFAULT_TLS_MIN_VERSION}. */
  minVersion?: TlsMinVersion | undefined;
  /** PEM file of the CA(s) that sign client certificates (mutual TLS); absent: none asked for. */
  clientCaFile?: string | undefined;
  /** What is asked of clients' certificates with `clientCaFile`. Default `require`. */
  clientAuth?: TlsClientAuth | undefined;
  /** How often the files are checked for a change besides watching them, in ms. Default 10 s. */
  reloadCheckMs?: number | undefined;
}

/** A certificate file or key file that cannot be used; the message names the file and the problem. */
export class TlsFileError extends Error {
  override readonly name = "TlsFileError";
}

/** A certificate and key that load and match. */
export interface LoadedCertificate {
  cert: Buffer;
  key: Buffer;
  /** The certificate's serial number (hex, upper case). */
  serial: string;
  subject: string;
  /** When the certificate expires. */
  notAfter: Date;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EACCES"
          ? "cannot be read (permission denied)"
          : code === "EISDIR"
            ? "is a directory"
            : `cannot be read (${(err as Error).message})`;
    throw new TlsFileError(`TLS ${what} file ${file} ${why}`);
  }
}

/**
 * Read and check the certificate and key: both parse as PEM, and the key is
 * the certificate's. Throws {@link TlsFileError}.
 */
export function loadCertificate(certFile: string, keyFile: string): LoadedCertificate {
  const cert = readPem(certFile, "certificate");
  const key = readPem(keyFile, "key");
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsFileError(`TLS certificate file ${certFile} holds no PEM certificate`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsFileError(`TLS key file ${keyFile} holds no PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsFileError(
      `the TLS key in ${keyFile} does not match the certificate in ${certFile}`,
    );
  }
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    throw new TlsFileError(
      `the TLS certificate ${certFile} and key ${keyFile} cannot be used: ${(err as Error).message}`,
    );
  }
  return {
    cert,
    key,
    serial: x509.serialNumber.toUpperCase(),
    subject: x509.subject.replace(/\n/g, ", "),
    notAfter: new Date(x509.validTo),
  };
}

/**
 * Read the client CA file of mutual TLS: PEM holding at least one
 * certificate. Throws {@link TlsFileError}.
 */
export function loadClientCa(file: string): Buffer {
  const pem = readPem(file, "client CA");
  let first: X509Certificate;
  try {
    first = new X509Certificate(pem);
  } catch {
    throw new TlsFileError(`TLS client CA file ${file} holds no PEM certificate`);
  }
  if (!first.ca) {
    throw new TlsFileError(`TLS client CA file ${file} holds a certificate that is not a CA`);
  }
  return pem;
}

/** What the files look like now: changes when either is replaced or written. */
function fingerprint(certFile: string, keyFile: string): string {
  const one = (file: string): string => {
    try {
      const s = statSync(file);
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return "missing";
    }
  };
  return `${one(certFile)}|${one(keyFile)}`;
}

/** Keeps a TLS server's certificate in step with its files; see the module comment. */
export interface CertificateReloader {
  /** The certificate in service. */
  current(): LoadedCertificate;
  /**
   * Serve the certificate on `server` and reload it there on a change; start
   * watching. `context` holds the server's other secure-context settings
   * (minimum version, client CA), kept when the certificate is swapped.
   */
  attach(server: tls.Server, context?: tls.SecureContextOptions): void;
  /** Check the files now and reload when they changed. Returns whether a new certificate is in service. */
  check(): boolean;
  /** Stop watching. */
  close(): void;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Load the certificate (throws {@link TlsFileError}) and keep it in step with
 * its files once attached to a server.
 */
export function createCertificateReloader(
  options: TlsOptions,
  logger: Logger | undefined,
): CertificateReloader {
  const { certFile, keyFile } = options;
  const checkMs = options.reloadCheckMs ?? DEFAULT_TLS_RELOAD_CHECK_MS;
  let seen = fingerprint(certFile, keyFile);
  let loaded = loadCertificate(certFile, keyFile);
  let server: tls.Server | undefined;
  let context: tls.SecureContextOptions = {};
  let lastCheck = Date.now();
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;

  function check(): boolean {
    lastCheck = Date.now();
    const now = fingerprint(certFile, keyFile);
    if (now === seen) return false;
    // A state that failed is not retried until the files change again.
    seen = now;
    let next: LoadedCertificate;
    try {
      next = loadCertificate(certFile, keyFile);
    } catch (err) {
      logger?.warn(
        { err: describe(err), certFile, serial: loaded.serial },
        "cannot reload the TLS certificate; still serving the previous one",
      );
      return false;
    }
    if (next.cert.equals(loaded.cert) && next.key.equals(loaded.key)) return false;
    server?.setSecureContext({ ...context, cert: next.cert, key: next.key });
    loaded = next;
    logger?.info(
      { certFile, serial: next.serial, notAfter: next.notAfter.toISOString() },
      "TLS certificate reloaded",
    );
    return true;
  }

  const soon = (): void => {
    clearTimeout(debounce);
    debounce = setTimeout(check, 100);
    debounce.unref();
  };

  return {
    current: () => loaded,
    check,
    attach(s, settings = {}) {
      server = s;
      context = settings;
      // Before the server's own listener: a reload applies to this connection already.
      s.prependListener("connection", () => {
        if (Date.now() - lastCheck >= 1000) check();
      });
      for (const dir of new Set([dirname(certFile), dirname(keyFile)])) {
        try {
          const w = watch(dir, { persistent: false }, soon);
          w.on("error", (err) =>
            logger?.debug({ err: describe(err), dir }, "cannot watch the TLS directory"),
          );
          watchers.push(w);
        } catch (err) {
          logger?.debug({ err: describe(err), dir }, "cannot watch the TLS directory");
        }
      }
      if (checkMs > 0) {
        timer = setInterval(check, checkMs);
        timer.unref();
      }
    },
    close() {
      clearInterval(timer);
      clearTimeout(debounce);
      for (const w of watchers) w.close();
      watchers.length = 0;
    },
  };
}
