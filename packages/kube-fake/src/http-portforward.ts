/**
 * `pods/portforward` over WebSocket, as kube-apiserver and kubelet serve it to
 * `@kubernetes/client-node`'s `PortForward`: a GET upgraded to a WebSocket speaking
 * `v4.channel.k8s.io`, one port per connection (`?ports=8080`). Each message starts with its
 * channel: 0 carries the data of the port, 1 its errors; the first message the server sends on
 * each channel is the port number (two bytes, little-endian). A client's message on channel 0 is
 * written to the pod's port.
 *
 * The fake has no containers: the test says where a pod's port is
 * ({@link KubeFakeOptions.portForward}), a real listener, and the fake relays bytes to it. A port
 * nothing listens on gets kubelet's error on channel 1, then the connection closes.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { badRequest, KubeApiError, notFound } from "./errors.js";
import { authorizeOrThrow, recordDenial, requestUser } from "./http-auth.js";
import { countRequest, type HttpContext } from "./http-context.js";
import type { RequestAttributes } from "./rbac.js";
import { findResource } from "./resources.js";
import type { KubeObject } from "./types.js";

/** The subprotocol of kubelet's port-forward over WebSocket that client-node asks for. */
export const PORT_FORWARD_PROTOCOL = "v4.channel.k8s.io";

const PODS = findResource("", "v1", "pods")!;
const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/;

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
};

/** Answer an upgrade request with a Status instead (the handshake fails with that code). */
function refuse(socket: Duplex, err: unknown): void {
  const status =
    err instanceof KubeApiError
      ? err.status
      : { kind: "Status", apiVersion: "v1", status: "Failure", message: String(err), code: 500 };
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${REASONS[status.code] ?? "Internal Server Error"}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** The namespace, pod and port of a port-forward request, checked as the API server checks them. */
function parseRequest(
  ctx: HttpContext,
  req: IncomingMessage,
): { namespace: string; pod: string; port: number } | undefined {
  const url = new URL(req.url ?? "/", "http://kube-fake");
  const m = PATH.exec(url.pathname);
  if (!m) return undefined;
  const namespace = decodeURIComponent(m[1]!);
  const pod = decodeURIComponent(m[2]!);
  if (ctx.auth) {
    let attrs: RequestAttributes | undefined;
    try {
      const user = requestUser(ctx.auth, req);
      attrs = {
        user,
        verb: "create",
        resource: { group: "", resource: "pods", subresource: "portforward", namespace, name: pod },
      };
      authorizeOrThrow(ctx.auth.rbac, attrs);
    } catch (err) {
      if (err instanceof KubeApiError && (err.code === 401 || err.code === 403)) {
        recordDenial(ctx.denials, err, url.pathname, attrs);
      }
      throw err;
    }
  }
  countRequest(
    ctx,
    url,
    { info: PODS, namespace, name: pod, subresource: "portforward" },
    "create",
  );
  const ports = url.searchParams.getAll("ports").flatMap((p) => p.split(","));
  if (ports.length !== 1 || !/^[0-9]+$/.test(ports[0]!)) {
    throw badRequest("exactly one port must be given in the ports parameter");
  }
  const port = Number(ports[0]);
  if (port < 1 || port > 65535) throw badRequest(`invalid port ${ports[0]}`);
  const object: KubeObject | undefined = ctx.store.get(PODS, namespace, pod);
  if (!object) throw notFound({ group: "", resource: "pods" }, pod);
  const phase = (object["status"] as { phase?: string } | undefined)?.phase;
  if (phase === "Succeeded" || phase === "Failed") {
    throw badRequest(`cannot port forward to pod ${pod}: it has ended (phase ${phase})`);
  }
  return { namespace, pod, port };
}

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** Relay one WebSocket to the pod's port (or report that nothing listens there). */
function relay(
  ctx: HttpContext,
  ws: WebSocket,
  target: { namespace: string; pod: string; port: number },
): void {
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16LE(target.port);
  ws.send(frame(0, portBytes));
  ws.send(frame(1, portBytes));
  const where = ctx.options.portForward?.(target);
  const fail = (why: string): void => {
    ws.send(
      frame(
        1,
        Buffer.from(
          `error forwarding port ${target.port} to pod ${target.namespace}/${target.pod}: ${why}`,
        ),
      ),
    );
    ws.close();
  };
  if (!where) {
    fail(`failed to connect to localhost:${target.port} inside the pod: connection refused`);
    return;
  }
  const tcp: Socket = connect(where.port, where.host);
  const pending: Buffer[] = [];
  let connected = false;
  tcp.on("connect", () => {
    connected = true;
    for (const chunk of pending.splice(0)) tcp.write(chunk);
  });
  tcp.on("data", (chunk) => ws.send(frame(0, chunk)));
  tcp.on("end", () => ws.close());
  tcp.on("error", (err) => fail(err.message));
  ws.on("message", (data: RawData) => {
    const buf = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (buf.length === 0 || buf[0] !== 0) return;
    const payload = buf.subarray(1);
    if (connected) tcp.write(payload);
    else pending.push(payload);
  });
  ws.on("close", () => tcp.destroy());
  ws.on("error", () => tcp.destroy());
}

/**
 * The `upgrade` listener of the fake's HTTP server: port-forwards to pods; any other upgrade
 * (exec, attach, a watch over WebSocket) is refused with 400.
 */
export function createUpgradeHandler(
  ctx: HttpContext,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) =>
      protocols.has(PORT_FORWARD_PROTOCOL) ? PORT_FORWARD_PROTOCOL : false,
  });
  return (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    let target: ReturnType<typeof parseRequest>;
    try {
      target = parseRequest(ctx, req);
      if (!target) throw badRequest("kube-fake upgrades only pods/portforward to a WebSocket");
      const protocols = String(req.headers["sec-websocket-protocol"] ?? "").split(/\s*,\s*/);
      if (!protocols.includes(PORT_FORWARD_PROTOCOL)) {
        throw badRequest(`the WebSocket subprotocol must be ${PORT_FORWARD_PROTOCOL}`);
      }
    } catch (err) {
      refuse(socket, err);
      return;
    }
    const t = target;
    wss.handleUpgrade(req, socket, head, (ws) => relay(ctx, ws, t));
  };
}
