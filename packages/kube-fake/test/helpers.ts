import { ApiException } from "@kubernetes/client-node";
import type { KubeObject } from "../src/index.js";

/** CustomObjectsApi parameters of a tekton.dev collection in namespace `default`. */
export const tekton = (plural: string, version = "v1") => ({
  group: "tekton.dev",
  version,
  namespace: "default",
  plural,
});

/** The ApiException a client-node call fails with (throws if it succeeds). */
export async function apiError(p: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return e as ApiException<string>;
    throw e;
  }
  throw new Error("expected an ApiException");
}

/** A PipelineRun manifest. */
export function pipelineRun(
  name: string,
  extra: Partial<KubeObject["metadata"]> = {},
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    metadata: { name, namespace: "default", ...extra },
    spec: { pipelineRef: { name: "build" }, ...spec },
  };
}

/** A TaskRun (no namespace: the request's) owned by `owner` as Tekton's controller owns it. */
export function ownedTaskRun(name: string, owner: KubeObject): KubeObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "TaskRun",
    metadata: {
      name,
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.metadata.name,
          uid: owner.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {},
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 5000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One watch event as received over HTTP. */
export interface WatchEvent {
  type: string;
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/** A raw HTTP watch: collects the newline-delimited events of a watch request. */
export interface RawWatch {
  status: number;
  headers: Headers;
  events: WatchEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch with fetch and collects its events. */
export async function rawWatch(url: string): Promise<RawWatch> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const events: WatchEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    events,
    ended,
    close: () => controller.abort(),
  };
}
