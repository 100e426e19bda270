/**
 * Pod logs, kept apart from the pod objects as the kubelet keeps them: full texts per container,
 * followers woken with what was added, and planned cuts of a read.
 *
 * @module
 */
/** A reader following one container's log (`follow=true`). */
export interface LogFollower {
  /** Receives text appended after what it has seen. */
  write(text: string): void;
  /** Called when the pod is gone. */
  end(): void;
}

/**
 * Container logs of pods, kept apart from the pod objects (like the kubelet keeps them).
 * Setting a longer text than before wakes followers with the new part.
 */
export class PodLogs {
  private readonly logs = new Map<string, Map<string, string>>();
  private readonly followers = new Map<
    string,
    Set<{ container: string; offset: number; f: LogFollower }>
  >();
  /** `${namespace}/${pod}/${container}` -> a connection cut planned for its next reads. */
  private readonly cuts = new Map<string, { afterBytes: number; times: number }>();

  private static key(namespace: string, pod: string): string {
    return `${namespace}/${pod}`;
  }

  /** Sets the full log text of the given containers (others keep theirs). */
  set(namespace: string, pod: string, logs: Record<string, string>): void {
    const key = PodLogs.key(namespace, pod);
    let byContainer = this.logs.get(key);
    if (!byContainer) {
      byContainer = new Map();
      this.logs.set(key, byContainer);
    }
    for (const [container, text] of Object.entries(logs)) byContainer.set(container, text);
    this.wake(key);
  }

  /** Appends text to the logs of the given containers. */
  append(namespace: string, pod: string, logs: Record<string, string>): void {
    const key = PodLogs.key(namespace, pod);
    const current = this.logs.get(key);
    const next: Record<string, string> = {};
    for (const [container, text] of Object.entries(logs))
      next[container] = (current?.get(container) ?? "") + text;
    this.set(namespace, pod, next);
  }

  /** The log text of one container ("" when none was set). */
  get(namespace: string, pod: string, container: string): string {
    return this.logs.get(PodLogs.key(namespace, pod))?.get(container) ?? "";
  }

  /** The containers that have logs. */
  containers(namespace: string, pod: string): string[] {
    return [...(this.logs.get(PodLogs.key(namespace, pod))?.keys() ?? [])];
  }

  /** Follows a container log from `offset` (characters already sent); returns the unsubscribe. */
  follow(
    namespace: string,
    pod: string,
    container: string,
    offset: number,
    f: LogFollower,
  ): () => void {
    const key = PodLogs.key(namespace, pod);
    let set = this.followers.get(key);
    if (!set) {
      set = new Set();
      this.followers.set(key, set);
    }
    const entry = { container, offset, f };
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0) this.followers.delete(key);
    };
  }

  /**
   * Plans a failure: the next `times` reads of the container's log break off
   * after `afterBytes` bytes (the connection is cut, as when a kubelet dies
   * mid-stream).
   */
  cut(namespace: string, pod: string, container: string, afterBytes: number, times: number): void {
    this.cuts.set(`${PodLogs.key(namespace, pod)}/${container}`, { afterBytes, times });
  }

  /** The byte count after which this read of the container's log breaks off, if one is planned. */
  takeCut(namespace: string, pod: string, container: string): number | undefined {
    const key = `${PodLogs.key(namespace, pod)}/${container}`;
    const cut = this.cuts.get(key);
    if (!cut) return undefined;
    if (--cut.times <= 0) this.cuts.delete(key);
    return cut.afterBytes;
  }

  /** Forgets a pod's logs and ends its followers (the pod was deleted). */
  remove(namespace: string, pod: string): void {
    const key = PodLogs.key(namespace, pod);
    this.logs.delete(key);
    const set = this.followers.get(key);
    this.followers.delete(key);
    for (const entry of set ?? []) entry.f.end();
  }

  private wake(key: string): void {
    const byContainer = this.logs.get(key);
    for (const entry of this.followers.get(key) ?? []) {
      const text = byContainer?.get(entry.container) ?? "";
      if (text.length > entry.offset) {
        entry.f.write(text.slice(entry.offset));
        entry.offset = text.length;
      } else if (text.length < entry.offset) {
        entry.offset = text.length;
      }
    }
  }
}
