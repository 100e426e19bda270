/**
 * Watches: the subscribers of each collection, the replay of missed changes when a watch starts,
 * and the fan-out of each new change. Selectors are applied like kube-apiserver's watch cache: an
 * object that stops matching is sent as DELETED (its previous content with the new
 * resourceVersion), one that starts matching as ADDED.
 *
 * @module
 */
import { parseResourceVersion, type ChangeEvent, type ChangeLog } from "./change-log.js";
import type { Collection } from "./object-table.js";
import { resourceKey } from "./resources.js";
import { matchesLabels, type CompiledFieldSelector, type LabelSelector } from "./selectors.js";
import type { KubeObject } from "./types.js";

/** The type of a watch event. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** A receiver of watch events for one collection. */
export interface WatchSubscriber {
  namespace?: string;
  labels: LabelSelector;
  fields: CompiledFieldSelector;
  /** Receives one event; `json` is the object already serialized, when available. */
  send(type: WatchEventType, obj: KubeObject, json: string): void;
}

function matches(sub: WatchSubscriber, obj: KubeObject): boolean {
  if (sub.namespace && obj.metadata.namespace !== sub.namespace) return false;
  if (sub.labels.length > 0 && !matchesLabels(sub.labels, obj.metadata.labels)) return false;
  return sub.fields.requirements.length === 0 || sub.fields.matches(obj);
}

function deliver(sub: WatchSubscriber, ev: ChangeEvent): void {
  const now = matches(sub, ev.obj);
  if (ev.type === "MODIFIED") {
    const before = ev.prev !== undefined && matches(sub, ev.prev);
    if (now) {
      ev.json ??= JSON.stringify(ev.obj);
      sub.send(before ? "MODIFIED" : "ADDED", ev.obj, ev.json);
    } else if (before) {
      const gone = {
        ...ev.prev!,
        metadata: { ...ev.prev!.metadata, resourceVersion: String(ev.rv) },
      };
      sub.send("DELETED", gone, JSON.stringify(gone));
    }
    return;
  }
  if (!now) return;
  ev.json ??= JSON.stringify(ev.obj);
  sub.send(ev.type, ev.obj, ev.json);
}

/** The open watches, by collection. */
export class Watchers {
  /** resource key -> subscribers. */
  private readonly subscribers = new Map<string, Set<WatchSubscriber>>();

  constructor(private readonly log: ChangeLog) {}

  /**
   * Starts a watch: replays the events after `resourceVersion` (or synthetic ADDED events for the
   * current state when it is empty or "0"), then delivers live events until unsubscribed.
   * Throws 410 Expired when `resourceVersion` is older than the kept history.
   */
  watch(coll: Collection, resourceVersion: string | undefined, sub: WatchSubscriber): () => void {
    const rk = resourceKey(coll.info);
    if (!resourceVersion || resourceVersion === "0") {
      for (const key of coll.sortedKeys(sub.namespace)) {
        const entry = coll.items.get(key)!;
        if (!matches(sub, entry.obj)) continue;
        entry.json ??= JSON.stringify(entry.obj);
        sub.send("ADDED", entry.obj, entry.json);
      }
    } else {
      const from = parseResourceVersion(resourceVersion);
      this.log.requireKept(from);
      for (const ev of this.log.after(from, rk)) deliver(sub, ev);
    }
    let subs = this.subscribers.get(rk);
    if (!subs) {
      subs = new Set();
      this.subscribers.set(rk, subs);
    }
    subs.add(sub);
    return () => subs.delete(sub);
  }

  /** Delivers a new change to the watchers of its collection. */
  publish(ev: ChangeEvent): void {
    const subs = this.subscribers.get(ev.rk);
    if (subs) for (const sub of subs) deliver(sub, ev);
  }
}
