/**
 * Upstream's automatic port-forward (`pkg/cli/dev/portforward`): a local port on 127.0.0.1
 * whose connections are forwarded, through the Kubernetes API (`pods/portforward`, with
 * `@kubernetes/client-node`'s `PortForward`), to port 8080 of the first pod that
 * `service/tekton-results-api-service` in `tekton-pipelines` selects. Upstream's older commands
 * use it when no address is set; ours, the newer ones too (when no host is configured).
 *
 * @module
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { Writable } from "node:stream";
import { CoreV1Api, PortForward, type KubeConfig } from "@kubernetes/client-node";
import { CliError, kubeMessage } from "./errors.js";

/** The namespace and service upstream forwards to. */
export const API_SERVICE = { namespace: "tekton-pipelines", name: "tekton-results-api-service" };
/** The pod's port upstream forwards to. */
export const API_PORT = 8080;

/** A running port-forward. */
export interface PortForwardHandle {
  /** The local port. */
  readonly port: number;
  /** Why forwarding a connection failed (one line), if it did. */
  error(): string | undefined;
  /** Stop listening and close the forwarded connections. */
  close(): void;
}

/**
 * Find the service's pod and listen on a free local port. A missing service, a service without
 * pods, or an API that refuses is a {@link CliError} (with `hint`, where to give the address
 * instead); a refused forward (the API's refusal, or kubelet's error on the forward's error
 * channel) shows on the first call, through {@link PortForwardHandle.error}.
 */
export async function openPortForward(
  kc: KubeConfig,
  hint = "give the API server's address with -a/--addr",
): Promise<PortForwardHandle> {
  const { namespace, name } = API_SERVICE;
  const what = `service/${name} in namespace ${namespace}`;
  const core = kc.makeApiClient(CoreV1Api);
  let pod: string | undefined;
  try {
    const svc = await core.readNamespacedService({ name, namespace });
    const selector = Object.entries(svc.spec?.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const pods = await core.listNamespacedPod({ namespace, labelSelector: selector });
    pod = pods.items[0]?.metadata?.name;
  } catch (err) {
    throw new CliError(`cannot port-forward to ${what}: ${kubeMessage(err)}`, hint);
  }
  if (!pod) {
    throw new CliError(`cannot port-forward to ${what}: it selects no pod`, hint);
  }
  const forward = new PortForward(kc);
  const sockets = new Set<Socket>();
  let failure: string | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    // Kubelet's errors (nothing listening on the pod's port, ...) come on the error channel.
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const text = chunk.toString("utf8").trim();
        if (text) failure ??= `port-forward to pod ${pod} of ${what} failed: ${text}`;
        done();
      },
    });
    forward.portForward(namespace, pod, [API_PORT], socket, errors, socket).then(
      (ws) => {
        if (typeof ws !== "function") {
          ws.on("close", () => socket.end());
          socket.on("close", () => ws.close());
        }
      },
      (err: unknown) => {
        failure ??= `port-forward to pod ${pod} of ${what} refused: ${kubeMessage(err)}`;
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    error: () => failure,
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
