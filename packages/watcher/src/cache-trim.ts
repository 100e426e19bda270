/**
 * What the informers' caches keep of a run: the object the API server sent,
 * less the parts the watcher never reads (`metadata.managedFields` and the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation). Both are
 * dropped from Records and fingerprints anyway (see `record-value.ts`), and
 * they are often the larger half of a run's JSON: trimmed before caching, a
 * cluster of 100,000 runs costs the watcher far less memory.
 *
 * @module
 */
import { ANNOTATIONS } from "./run-kinds.js";

/** The parts of a Kubernetes object {@link trimForCache} touches. */
interface TrimmableObject {
  metadata?: {
    managedFields?: unknown;
    annotations?: Record<string, string> | undefined;
  };
}

/**
 * Remove `metadata.managedFields` and the last-applied-configuration
 * annotation from `obj` in place (an annotations map left empty is removed);
 * returns `obj`. Anything that is not an object is returned as it is.
 */
export function trimForCache<T>(obj: T): T {
  if (obj === null || typeof obj !== "object") return obj;
  const metadata = (obj as TrimmableObject).metadata;
  if (!metadata || typeof metadata !== "object") return obj;
  if ("managedFields" in metadata) delete metadata.managedFields;
  const annotations = metadata.annotations;
  if (annotations && typeof annotations === "object" && ANNOTATIONS.lastApplied in annotations) {
    delete annotations[ANNOTATIONS.lastApplied];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
  }
  return obj;
}
