/**
 * The Namespaces of the cluster, as the namespace clean-up sees them: a
 * paged list (one consistent snapshot) and an informer source over
 * client-node's ListWatch, scoped to one namespace with `--namespace`.
 *
 * @module
 */
import {
  CoreV1Api,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Namespace,
  type V1NamespaceList,
} from "@kubernetes/client-node";
import { KubernetesError, kubeStatusCode, errorMessage } from "./errors.js";
import { LIST_PAGE_SIZE, type InformedKind, type InformerSource } from "./run-informer.js";

/** The kind the namespace informer follows (its name in log lines). */
export const NAMESPACE_KIND: InformedKind = { kind: "Namespace" };

/** A namespace as the clean-up needs it. */
export interface NamespaceInfo {
  name: string;
  /** When this namespace (this incarnation of the name) was created. */
  creationTimestamp?: Date;
}

/** Lists the cluster's namespaces (the one of the scope only, when scoped). */
export type NamespaceLister = () => Promise<NamespaceInfo[]>;

/** One page of namespaces, from a `limit`/`continue` list. */
export type NamespacePager = (options: {
  limit: number;
  continue?: string;
  fieldSelector?: string;
}) => Promise<V1NamespaceList>;

/**
 * The `NamespaceInfo` of a Namespace object: as listed (times as `Date`s) or
 * as a watch event's object (times as RFC 3339 strings).
 */
export function namespaceInfo(obj: {
  metadata?: { name?: string; creationTimestamp?: Date | string };
}): NamespaceInfo {
  const created = obj.metadata?.creationTimestamp;
  const time = created === undefined ? undefined : new Date(created);
  return {
    name: obj.metadata?.name ?? "",
    ...(time !== undefined && !Number.isNaN(time.getTime()) ? { creationTimestamp: time } : {}),
  };
}

/** The field selector of a scope (`--namespace`): that namespace only. */
function scopeSelector(scope: string | undefined): string | undefined {
  return scope === undefined ? undefined : `metadata.name=${scope}`;
}

/**
 * Every namespace, page by page ({@link LIST_PAGE_SIZE} per request); when a
 * continue token has expired (410), the list is taken again in one request.
 */
export async function listAllNamespaces(
  page: NamespacePager,
  options: { scope?: string; pageSize?: number } = {},
): Promise<V1NamespaceList> {
  const fieldSelector = scopeSelector(options.scope);
  const base = fieldSelector === undefined ? {} : { fieldSelector };
  const limit = options.pageSize ?? LIST_PAGE_SIZE;
  const items: V1Namespace[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  do {
    let list: V1NamespaceList;
    try {
      list = await page({ ...base, limit, ...(continueToken ? { continue: continueToken } : {}) });
    } catch (err) {
      const status = err instanceof KubernetesError ? err.status : kubeStatusCode(err);
      if (continueToken === undefined || status !== 410) throw err;
      return await page({ ...base, limit: 0 });
    }
    items.push(...list.items);
    resourceVersion = list.metadata?.resourceVersion ?? resourceVersion;
    continueToken = list.metadata?._continue || undefined;
  } while (continueToken);
  return { items, metadata: resourceVersion === undefined ? {} : { resourceVersion } };
}

/** The Kubernetes side of the namespace clean-up over a kubeconfig. */
export interface ClusterNamespaces {
  /** A fresh list of the namespaces (never the informer's cache). */
  list: NamespaceLister;
  /** The informer source of namespace events. */
  informerSource(): InformerSource;
}

/**
 * The namespaces of the cluster of `kc` (of `scope` only, when given), each
 * request reported to `onRequest` with its verb.
 */
export function clusterNamespaces(
  kc: KubeConfig,
  options: { scope?: string; onRequest?: (verb: string, resource: string) => void } = {},
): ClusterNamespaces {
  const core = kc.makeApiClient(CoreV1Api);
  const count = options.onRequest ?? (() => {});
  const scope = options.scope;
  const page: NamespacePager = async ({ limit, continue: token, fieldSelector }) => {
    count("list", "namespaces");
    try {
      return await core.listNamespace({
        ...(limit > 0 ? { limit } : {}),
        ...(token ? { _continue: token } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
      });
    } catch (err) {
      throw new KubernetesError(`list namespaces: ${errorMessage(err)}`, kubeStatusCode(err), {
        cause: err,
      });
    }
  };
  const listed = () => listAllNamespaces(page, scope === undefined ? {} : { scope });
  return {
    list: async () => (await listed()).items.map(namespaceInfo),
    informerSource: () =>
      new ListWatch<KubernetesObject>(
        "/api/v1/namespaces",
        new Watch(kc),
        async () => (await listed()) as unknown as KubernetesListObject<KubernetesObject>,
        false,
        undefined,
        scopeSelector(scope),
      ),
  };
}
