/**
 * Namespaces: `default` always exists, a missing one is created on first use (unless
 * `autoCreateNamespaces` is false: 404), creating in a terminating one is 403. Deleting a
 * namespace makes it `Terminating`, deletes its contents and removes it once it is empty; the
 * number of objects per namespace tells when.
 *
 * @module
 */
import { nowTimestamp } from "./clock.js";
import type { Commits } from "./commits.js";
import type { DeleteObject } from "./garbage-collector.js";
import { failure, KubeApiError, notFound } from "./errors.js";
import type { ObjectTable } from "./object-table.js";
import { isNamespaceName, shallowCopy } from "./object-rules.js";
import { findResource, type ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

/** Creates an object as the store does (the way namespaces are made, admission included). */
export type CreateObject = (
  info: ResourceInfo,
  obj: KubeObject,
  options: { fieldManager?: string },
) => KubeObject;

/** The Namespace resource. */
const NAMESPACES: ResourceInfo = findResource("", "v1", "namespaces")!;

/** The namespace a store raises as missing. */
function namespaceNotFound(ns: string): KubeApiError {
  return notFound({ group: "", resource: "namespaces" }, ns);
}

/** Namespace existence, termination and the count of objects in each. */
export class Namespaces {
  /** Number of namespaced objects per namespace (for terminating namespaces). */
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly table: ObjectTable,
    private readonly commits: Commits,
    private readonly create: CreateObject,
    private readonly deleteObject: DeleteObject,
    private readonly autoCreate: boolean,
  ) {}

  /** Creates a namespace (ADDED). */
  createNamespace(name: string): KubeObject {
    const obj: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
    return this.create(NAMESPACES, obj, { fieldManager: "kube-fake" });
  }

  /**
   * Makes sure objects may be created in a namespace: 403 when it is terminating; created when
   * missing and `autoCreateNamespaces` (404 otherwise, or for an invalid name).
   */
  ensure(namespace: string): void {
    const ns = this.table.get(NAMESPACES, undefined, namespace);
    if (ns) {
      if (ns.metadata.deletionTimestamp) {
        throw new KubeApiError(
          failure(
            403,
            "Forbidden",
            `unable to create new content in namespace ${namespace} because it is being terminated`,
            {
              causes: [
                {
                  reason: "NamespaceTerminating",
                  message: `namespace ${namespace} is being terminated`,
                  field: "metadata.namespace",
                },
              ],
            },
          ),
        );
      }
      return;
    }
    if (!this.autoCreate) throw namespaceNotFound(namespace);
    if (!isNamespaceName(namespace)) throw namespaceNotFound(namespace);
    this.createNamespace(namespace);
  }

  /** Counts an added object in its namespace. */
  added(obj: KubeObject): void {
    const ns = obj.metadata.namespace;
    if (ns) this.counts.set(ns, (this.counts.get(ns) ?? 0) + 1);
  }

  /** Uncounts a removed object; a terminating namespace that became empty goes. */
  removed(info: ResourceInfo, prev: KubeObject): void {
    const ns = prev.metadata.namespace;
    if (ns) {
      const left = (this.counts.get(ns) ?? 1) - 1;
      if (left > 0) this.counts.set(ns, left);
      else {
        this.counts.delete(ns);
        this.finishIfTerminating(ns);
      }
    }
    if (info.resource === "namespaces") this.counts.delete(prev.metadata.name);
  }

  /**
   * Deletes a namespace: 403 for `default` and `kube-system`; otherwise it turns `Terminating`
   * (MODIFIED), its contents are deleted, and it is removed once empty. Returns it as stored, or
   * as it was when removed.
   */
  terminate(current: KubeObject): KubeObject {
    const name = current.metadata.name;
    if (name === "default" || name === "kube-system") {
      throw new KubeApiError(
        failure(
          403,
          "Forbidden",
          `namespaces "${name}" is forbidden: this namespace may not be deleted`,
          {
            name,
            kind: "namespaces",
          },
        ),
      );
    }
    if (current.metadata.deletionTimestamp) return current;
    const terminating = shallowCopy(current);
    terminating.metadata.deletionTimestamp = nowTimestamp();
    terminating.metadata.deletionGracePeriodSeconds = 0;
    terminating["status"] = { phase: "Terminating" };
    this.commits.modifyNext(NAMESPACES, current, terminating);
    this.deleteContents(name);
    this.finishIfTerminating(name);
    return this.table.get(NAMESPACES, undefined, name) ?? terminating;
  }

  private finishIfTerminating(namespace: string): void {
    const ns = this.table.get(NAMESPACES, undefined, namespace);
    if (ns?.metadata.deletionTimestamp && !this.counts.get(namespace))
      this.commits.remove(NAMESPACES, ns);
  }

  private deleteContents(namespace: string): void {
    for (const coll of this.table.allCollections()) {
      if (!coll.info.namespaced) continue;
      const objs = [...(coll.byNamespace.get(namespace)?.values() ?? [])].map((e) => e.obj);
      for (const obj of objs) {
        if (this.table.get(coll.info, namespace, obj.metadata.name)) {
          this.deleteObject(coll.info, namespace, obj.metadata.name, {
            propagationPolicy: "Background",
          });
        }
      }
    }
  }
}
