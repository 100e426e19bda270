/**
 * One TCP port for HTTP/2 and HTTP/1.1 over TLS: ALPN picks `h2` or
 * `http/1.1` (REST, gRPC-Web and Connect over HTTP/1.1), one
 * `http2.createSecureServer({ allowHTTP1: true })` serves both. The
 * certificate is reloaded when its files change (`tls.ts`); idle HTTP/2
 * connections, silent new connections, the maximum connection age and the
 * drain behave as on the cleartext port (`listener.ts`). With a client CA
 * (mutual TLS) the server asks for a client certificate: `require` refuses a
 * client without one, or with one the CA did not sign, at the handshake;
 * `request` takes a client without one but drops one whose certificate the
 * CA did not sign as soon as the handshake ends.
 *
 * @module
 */
import type * as http from "node:http";
import * as http2 from "node:http2";
import type * as net from "node:net";
import type * as tls from "node:tls";
import { closeHttp1AtAge, countHttp1Requests } from "./connection-age.js";
import {
  addConnection,
  DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS,
  http2WindowSizes,
  listenerOf,
  manageSessions,
  newConnectionBook,
  type Listener,
  type ListenerOptions,
} from "./listener.js";
import {
  DEFAULT_TLS_MIN_VERSION,
  type CertificateReloader,
  type TlsClientAuth,
  type TlsMinVersion,
} from "./tls.js";
import { DEFAULT_MAX_CONCURRENT_STREAMS } from "./request-limits.js";

/** Options of {@link createTlsListener}. */
export interface TlsListenerOptions extends ListenerOptions {
  /** The certificate, loaded, and kept in step with its files. */
  certificate: CertificateReloader;
  /** The oldest TLS version accepted. Default TLS 1.2. */
  minVersion?: TlsMinVersion | undefined;
  /** The CA(s) of client certificates, PEM: mutual TLS. Absent: no client certificate asked for. */
  clientCa?: Buffer | undefined;
  /** What is asked of clients with `clientCa`. Default `require`. */
  clientAuth?: TlsClientAuth | undefined;
}

/** Whether the client presented a certificate. */
function hasPeerCertificate(socket: tls.TLSSocket): boolean {
  return Object.keys(socket.getPeerCertificate()).length > 0;
}

/** An HTTP/2 and HTTP/1.1 listener over TLS on one port for `options.handler`. Nothing listens yet. */
export function createTlsListener(options: TlsListenerOptions): Listener {
  const { handler, logger, handshakeTimeoutMs, isDraining, certificate } = options;
  const windows = http2WindowSizes(options);
  const { cert, key } = certificate.current();
  const { clientCa } = options;
  const clientAuth = clientCa ? (options.clientAuth ?? "require") : undefined;
  // The secure context's settings besides the certificate: kept when it is reloaded.
  const context = {
    minVersion: options.minVersion ?? DEFAULT_TLS_MIN_VERSION,
    ...(clientCa ? { ca: clientCa } : {}),
  };
  const server = http2.createSecureServer(
    {
      allowHTTP1: true,
      cert,
      key,
      ...context,
      ...(clientCa ? { requestCert: true, rejectUnauthorized: clientAuth === "require" } : {}),
      handshakeTimeout: handshakeTimeoutMs,
      settings: {
        initialWindowSize: windows.stream,
        maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      },
    },
    handler,
  );
  // As on the cleartext port: idle HTTP/1.1 keep-alive connections close after 5 s by default.
  (server as unknown as http.Server).keepAliveTimeout =
    options.http1KeepAliveTimeoutMs ?? DEFAULT_HTTP1_KEEP_ALIVE_TIMEOUT_MS;
  const book = newConnectionBook();
  countHttp1Requests(server, book, options.connectionAge, logger);
  manageSessions(server, book, options, windows.connection);
  certificate.attach(server, context);

  // A connection that starts no HTTP/2 session and sends no request in time is dropped.
  const started = new WeakSet<net.Socket>();
  server.on("request", (req: http.IncomingMessage | http2.Http2ServerRequest) => {
    started.add(req.socket as net.Socket);
  });
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    addConnection(book, socket, logger);
    // `request`: no certificate is fine, one the client CA did not sign is not.
    if (clientAuth === "request" && !socket.authorized && hasPeerCertificate(socket)) {
      logger?.debug({ err: String(socket.authorizationError) }, "TLS client certificate refused");
      socket.destroy();
      return;
    }
    if (isDraining()) {
      socket.destroy();
      return;
    }
    // ALPN chose HTTP/2: the session (already started) has its own idle timeout.
    if (socket.alpnProtocol === "h2") {
      book.h2Sockets.add(socket);
      return;
    }
    if (options.connectionAge) closeHttp1AtAge(socket, book, options.connectionAge, logger);
    const timer = setTimeout(() => {
      if (!started.has(socket)) socket.destroy();
    }, handshakeTimeoutMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  });
  server.on("tlsClientError", (err: Error) =>
    logger?.debug({ err: err.message }, "TLS handshake failed"),
  );

  return listenerOf(server, book, options, "https", () => certificate.close());
}
