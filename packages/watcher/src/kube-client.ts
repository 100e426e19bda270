/**
 * The Kubernetes calls the watcher makes, behind one small interface so that
 * the reconciler and leader election can be tested with an in-memory fake,
 * and one implementation over `@kubernetes/client-node`.
 *
 * @module
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { pipeline, type Writable } from "node:stream";
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Lease,
  type V1Pod,
} from "@kubernetes/client-node";
import { KubernetesError, kubeStatusCode, errorMessage } from "./errors.js";
import { FIELD_MANAGER, type RunKind } from "./run-kinds.js";
import type { TektonRun } from "./run.js";
import type { JsonPatchOp } from "./write-back.js";

/**
 * A list of runs with the collection's resourceVersion (what an informer
 * lists); `metadata.continue` is set when a limited list has more pages.
 */
export interface RunList {
  items: TektonRun[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** Options of {@link KubeClient.listRuns}. */
export interface ListRunsOptions {
  /** Only this namespace (all namespaces when undefined). */
  namespace?: string;
  labelSelector?: string;
  /** At most this many runs per response (a page; `metadata.continue` leads to the next). */
  limit?: number;
  /** The `metadata.continue` of the previous page. */
  continue?: string;
}

/** A Kubernetes Event about a run. */
export interface RunEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** The Kubernetes API as the watcher uses it. Every method throws {@link KubernetesError}. */
export interface KubeClient {
  /** List runs of `kind` in `namespace` (all namespaces when undefined), or one page of them. */
  listRuns(kind: RunKind, options: ListRunsOptions): Promise<RunList>;
  /**
   * Apply a JSON patch to a run (the watcher's only kind of write to a run:
   * unlike an apply, a patch never creates a run that is gone).
   */
  jsonPatchRun(
    kind: RunKind,
    namespace: string,
    name: string,
    ops: JsonPatchOp[],
  ): Promise<TektonRun>;
  /**
   * Delete a run with a uid precondition (background propagation, so its
   * children go with it). Resolves `false` when it no longer exists.
   */
  deleteRun(kind: RunKind, namespace: string, name: string, uid: string): Promise<boolean>;
  /** Pods of `namespace` matching `labelSelector`. */
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  /**
   * Stream the log of `container` of `pod` into `sink` (piped, with
   * backpressure). Resolves once the stream started, with an abort function.
   * A stream that breaks off midway destroys `sink` with the error, so a
   * partial log is never taken for the whole one.
   */
  streamLog(namespace: string, pod: string, container: string, sink: Writable): Promise<() => void>;
  /** Record a Kubernetes Event about a run. */
  createEvent(kind: RunKind, run: TektonRun, event: RunEvent): Promise<void>;
  /** Read a Lease; `undefined` when it does not exist. */
  readLease(namespace: string, name: string): Promise<V1Lease | undefined>;
  /** Create a Lease (409 when it exists). */
  createLease(lease: V1Lease): Promise<V1Lease>;
  /** Replace a Lease (409 when its resourceVersion is stale). */
  replaceLease(lease: V1Lease): Promise<V1Lease>;
}

/** Options of {@link createKubeClient}. */
export interface KubeClientOptions {
  /** Called before each request with its verb (`list`, `patch`, `delete`, ...) and resource. */
  onRequest?: (verb: string, resource: string) => void;
}

/** Wrap a failed call into a {@link KubernetesError}. */
function kubeError(what: string, err: unknown): KubernetesError {
  if (err instanceof KubernetesError) return err;
  const status = kubeStatusCode(err);
  let detail = errorMessage(err);
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) detail = parsed.message;
    } catch {
      // not JSON: keep the error's own message
    }
  } else if (body && typeof body === "object" && "message" in body) {
    detail = String((body as { message: unknown }).message);
  }
  return new KubernetesError(
    `${what}: ${status === undefined ? "" : `HTTP ${status}: `}${detail}`,
    status,
    { cause: err },
  );
}

/**
 * The {@link KubeClient} of a cluster, over `@kubernetes/client-node`'s
 * CustomObjectsApi, CoreV1Api, CoordinationV1Api and Log.
 */
export function createKubeClient(kc: KubeConfig, options: KubeClientOptions = {}): KubeClient {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const count = options.onRequest ?? (() => {});

  async function call<T>(
    verb: string,
    resource: string,
    what: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    count(verb, resource);
    try {
      return await fn();
    } catch (err) {
      throw kubeError(what, err);
    }
  }

  return {
    listRuns(kind, { namespace, labelSelector, limit, continue: continueToken }) {
      const base = { group: kind.group, version: kind.version, plural: kind.plural };
      const selector = {
        ...(labelSelector ? { labelSelector } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(continueToken ? { _continue: continueToken } : {}),
      };
      return call(
        "list",
        kind.plural,
        `list ${kind.plural}`,
        async () =>
          (namespace
            ? await custom.listNamespacedCustomObject({ ...base, namespace, ...selector })
            : await custom.listClusterCustomObject({ ...base, ...selector })) as RunList,
      );
    },
    jsonPatchRun(kind, namespace, name, ops) {
      return call(
        "patch",
        kind.plural,
        `patch ${kind.plural} ${namespace}/${name}`,
        async () =>
          (await custom.patchNamespacedCustomObject(
            {
              group: kind.group,
              version: kind.version,
              plural: kind.plural,
              namespace,
              name,
              body: ops,
              fieldManager: FIELD_MANAGER,
            },
            setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
          )) as TektonRun,
      );
    },
    async deleteRun(kind, namespace, name, uid) {
      count("delete", kind.plural);
      try {
        await custom.deleteNamespacedCustomObject({
          group: kind.group,
          version: kind.version,
          plural: kind.plural,
          namespace,
          name,
          propagationPolicy: "Background",
          body: { preconditions: { uid } },
        });
        return true;
      } catch (err) {
        if (kubeStatusCode(err) === 404) return false;
        throw kubeError(`delete ${kind.plural} ${namespace}/${name}`, err);
      }
    },
    listPods(namespace, labelSelector) {
      return call("list", "pods", `list pods in ${namespace}`, async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector });
        return list.items;
      });
    },
    streamLog(namespace, pod, container, sink) {
      // Not client-node's Log (nor any fetch): they pass the body on with
      // `pipe`, which drops a failure of the body, so a stream cut midway
      // looked like a short log. A plain request piped with `pipeline`
      // destroys the sink with the failure, a premature close included.
      return call("get", "pods/log", `log of ${namespace}/${pod}/${container}`, async () => {
        const cluster = kc.getCurrentCluster();
        if (!cluster) throw new Error("the kubeconfig has no current cluster");
        const url = new URL(
          `${cluster.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
        );
        url.searchParams.set("container", container);
        const options: RequestOptions = { method: "GET" };
        await kc.applyToHTTPSOptions(options);
        const send = url.protocol === "https:" ? httpsRequest : httpRequest;
        const { response, abort } = await new Promise<{
          response: IncomingMessage;
          abort: () => void;
        }>((resolve, reject) => {
          const req = send(url, options, (res) =>
            resolve({ response: res, abort: () => req.destroy() }),
          );
          req.once("error", reject);
          req.end();
        });
        if (response.statusCode !== 200) {
          const chunks: Buffer[] = [];
          for await (const chunk of response) chunks.push(chunk as Buffer);
          const body = Buffer.concat(chunks)
            .subarray(0, 64 * 1024)
            .toString("utf8");
          const status = response.statusCode ?? 500;
          throw new ApiException(status, `HTTP ${status}`, body, {});
        }
        pipeline(response, sink, () => undefined);
        return abort;
      });
    },
    async createEvent(kind, run, event) {
      const namespace = run.metadata?.namespace ?? "default";
      const now = new Date();
      await call("create", "events", `create event in ${namespace}`, () =>
        core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${run.metadata?.name ?? "run"}.`, namespace },
            involvedObject: {
              apiVersion: kind.apiVersion,
              kind: kind.kind,
              name: run.metadata?.name ?? "",
              namespace,
              uid: run.metadata?.uid ?? "",
              ...(run.metadata?.resourceVersion
                ? { resourceVersion: run.metadata.resourceVersion }
                : {}),
            },
            type: event.type,
            reason: event.reason,
            message: event.message,
            source: { component: FIELD_MANAGER },
            reportingComponent: FIELD_MANAGER,
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        }),
      );
    },
    async readLease(namespace, name) {
      count("get", "leases");
      try {
        return await coordination.readNamespacedLease({ namespace, name });
      } catch (err) {
        if (kubeStatusCode(err) === 404) return undefined;
        throw kubeError(`read lease ${namespace}/${name}`, err);
      }
    },
    createLease(lease) {
      const namespace = lease.metadata?.namespace ?? "default";
      return call("create", "leases", `create lease ${namespace}`, () =>
        coordination.createNamespacedLease({ namespace, body: lease }),
      );
    },
    replaceLease(lease) {
      const namespace = lease.metadata?.namespace ?? "default";
      const name = lease.metadata?.name ?? "";
      return call("update", "leases", `update lease ${namespace}/${name}`, () =>
        coordination.replaceNamespacedLease({ namespace, name, body: lease }),
      );
    },
  };
}
