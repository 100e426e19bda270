/**
 * Resource versions and the change history: one global resourceVersion counter, as etcd's
 * revision, and a bounded log of the change events behind it, read by watches (to replay what a
 * client missed) and by lists at an older resourceVersion (continue tokens, `Exact`). Versions
 * older than the kept history are "compacted": asking for them is 410 Expired.
 *
 * @module
 */
import { badRequest, expired } from "./errors.js";
import type { KubeObject } from "./types.js";

/** A stored change: what a watch event is made of. */
export interface ChangeEvent {
  /** The resourceVersion of the change. */
  rv: number;
  /** The resource key of the collection (`resourceKey`). */
  rk: string;
  /** The object's key in its collection. */
  key: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  /** The object after the change (for DELETED, as removed, with the deletion's resourceVersion). */
  obj: KubeObject;
  /** The object before the change. */
  prev: KubeObject | undefined;
  /** `obj` serialized, cached by the first watcher that needs it. */
  json?: string;
}

/** Parses a resourceVersion given by a client (400 when it is not a number). */
export function parseResourceVersion(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw badRequest(`invalid resource version: ${value}`);
  return Number(value);
}

/** The resourceVersion counter and the bounded history of changes. */
export class ChangeLog {
  private rv = 0;
  private history: ChangeEvent[] = [];
  private historyStart = 0;
  private compactedRv = 0;

  /** Keeps at most `limit` events; older resourceVersions become compacted. */
  constructor(private readonly limit: number) {}

  /** The current (latest) resourceVersion. */
  get current(): number {
    return this.rv;
  }

  /** The oldest resourceVersion still served; older ones are compacted. */
  get oldestKept(): number {
    return this.compactedRv;
  }

  /** Allocates the next resourceVersion. */
  next(): string {
    this.rv += 1;
    return String(this.rv);
  }

  /** Throws 410 Expired when `rv` is older than the kept history. */
  requireKept(rv: number): void {
    if (rv < this.compactedRv) {
      throw expired(`too old resource version: ${rv} (${this.compactedRv})`);
    }
  }

  /** Appends a change, dropping the oldest beyond the limit. */
  record(ev: ChangeEvent): void {
    this.history.push(ev);
    while (this.history.length - this.historyStart > this.limit) {
      this.compactedRv = this.history[this.historyStart]!.rv;
      this.historyStart++;
    }
    if (this.historyStart > 1024 && this.historyStart * 2 > this.history.length) {
      this.history = this.history.slice(this.historyStart);
      this.historyStart = 0;
    }
  }

  /** The kept changes of one collection after `rv`, oldest first. */
  *after(rv: number, rk: string): Generator<ChangeEvent> {
    for (let i = this.historyStart; i < this.history.length; i++) {
      const ev = this.history[i]!;
      if (ev.rv > rv && ev.rk === rk) yield ev;
    }
  }

  /**
   * The changes of one collection (optionally one namespace) after `rv`, newest first: what to
   * undo to see the collection as it was at `rv`.
   */
  undoTo(rv: number, rk: string, namespace: string | undefined): ChangeEvent[] {
    const undo: ChangeEvent[] = [];
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const ev = this.history[i]!;
      if (ev.rv <= rv) break;
      if (ev.rk === rk && (!namespace || ev.obj.metadata.namespace === namespace)) undo.push(ev);
    }
    return undo;
  }

  /** Forgets the history: every resourceVersion handed out so far becomes too old. */
  compact(): void {
    // The next one (skipping a number, as real resourceVersions do) is the oldest valid one, so a
    // relist right after works.
    this.rv += 1;
    this.compactedRv = this.rv;
    this.history = [];
    this.historyStart = 0;
  }
}
