/**
 * Upstream's automatic port-forward (`pkg/cli/dev/portforward`): a local port on 127.0.0.1
 * whose connections are forwarded, through the Kubernetes API (`pods/portforward`, with
 * `@kubernetes/client-node`'s `PortForward`), to port 8080 of the first pod that
 * `service/tekton-results-api-service` in `tekton-pipelines` selects.
 *
 * @module
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { CoreV1Api, PortForward, type KubeConfig } from "@kubernetes/client-node";
import { CliError } from "../errors.js";
import { kubeMessage } from "./kube.js";

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
 * pods, or an API that refuses is a {@link CliError}; a refused forward shows on the first call,
 * through {@link PortForwardHandle.error}.
 */
export async function openPortForward(kc: KubeConfig): Promise<PortForwardHandle> {
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
    throw new CliError(
      `cannot port-forward to ${what}: ${kubeMessage(err)}`,
      "give the API server's address with -a/--addr",
    );
  }
  if (!pod) {
    throw new CliError(
      `cannot port-forward to ${what}: it selects no pod`,
      "give the API server's address with -a/--addr",
    );
  }
  const forward = new PortForward(kc);
  const sockets = new Set<Socket>();
  let failure: string | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    forward.portForward(namespace, pod, [API_PORT], socket, null, socket).then(
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
