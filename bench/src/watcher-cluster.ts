/**
 * The cluster side of benchmark B2: the seeded Tekton runs of `generate.ts`
 * as objects of the fake Kubernetes API server (a PipelineRun and its 4
 * TaskRuns, owned by it), created in-process, and a tracker that follows the
 * runs over an HTTP watch and notes when each one gets the watcher's
 * `results.tekton.dev/stored` annotation.
 *
 * @module
 */
import * as http from "node:http";
import type { KubeFake, KubeObject } from "@tekton-results/kube-fake";
import type { GeneratedResult } from "./generate.js";

/** The annotation the watcher sets once a run's final state is stored. */
export const STORED_ANNOTATION = "results.tekton.dev/stored";
const STORED_MARK = `"${STORED_ANNOTATION}":"true"`;

/** `Kind/namespace/name` of a run. */
export function runKeyOf(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** The runs of one generated Result as created in the fake cluster. */
export interface ClusterGroup {
  namespace: string;
  /** The PipelineRun's name. */
  name: string;
  /** Keys (`Kind/namespace/name`) of the PipelineRun and its TaskRuns. */
  keys: string[];
}

interface RunDoc extends KubeObject {
  status?: Record<string, unknown>;
}

/**
 * A generated document as a fresh object for the cluster: no uid,
 * resourceVersion, creationTimestamp or managedFields (the server sets them),
 * and none of the watcher's `results.tekton.dev/*` annotations (it has never
 * seen the run).
 */
function freshDoc(json: string, name: string): RunDoc {
  const doc = JSON.parse(json) as RunDoc;
  const meta = doc.metadata;
  const namespace = meta.namespace ?? "default";
  delete meta.uid;
  delete meta.resourceVersion;
  delete meta.creationTimestamp;
  delete meta.managedFields;
  delete meta.generation;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (!k.startsWith("results.tekton.dev/")) annotations[k] = v;
  }
  doc.metadata = { ...meta, name, namespace, annotations };
  return doc;
}

/** The PipelineRun name of group `index` (unique; the generator's random suffix may repeat). */
function pipelineRunName(result: GeneratedResult, index: number): string {
  return `${result.pipeline}-r${index.toString(36)}`;
}

/**
 * Create the PipelineRun of `result` and its TaskRuns in `fake`, finished
 * (`phase: "final"`, the generator's final documents) or still running.
 * Names are made unique from `index`; the TaskRuns' owner reference and
 * labels point at the created PipelineRun's uid.
 */
export function createGroup(
  fake: KubeFake,
  result: GeneratedResult,
  index: number,
  phase: "final" | "running",
): ClusterGroup {
  const [prRecord, ...trRecords] = result.records;
  const prOldName = (JSON.parse(prRecord!.data) as RunDoc).metadata.name!;
  const prName = pipelineRunName(result, index);
  const pr = freshDoc(phase === "final" ? prRecord!.data : prRecord!.runningData, prName);
  const taskNames = trRecords.map((r) => {
    const oldName = (JSON.parse(r.data) as RunDoc).metadata.name!;
    return `${prName}${oldName.slice(prOldName.length)}`;
  });
  const children = (pr.status?.["childReferences"] ?? []) as { name: string }[];
  children.forEach((c, i) => {
    c.name = taskNames[i] ?? c.name;
  });
  const created = fake.create(pr);
  const prUid = created.metadata.uid!;
  const keys = [runKeyOf("PipelineRun", result.parent, prName)];
  trRecords.forEach((r, i) => {
    const tr = freshDoc(phase === "final" ? r.data : r.runningData, taskNames[i]!);
    const labels = tr.metadata.labels ?? {};
    labels["tekton.dev/pipelineRun"] = prName;
    labels["tekton.dev/pipelineRunUID"] = prUid;
    tr.metadata.labels = labels;
    for (const o of tr.metadata.ownerReferences ?? []) {
      o.name = prName;
      o.uid = prUid;
    }
    fake.create(tr);
    keys.push(runKeyOf("TaskRun", result.parent, taskNames[i]!));
  });
  return { namespace: result.parent, name: prName, keys };
}

/** RFC 3339 with whole seconds, as Kubernetes writes times. */
function k8sTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Finish the runs of a group created `running`: patch each one's status to
 * the generator's final status, with `completionTime` (and the condition's
 * transition time) set to now. Returns the completion time (ms, the bench's clock).
 */
export function completeGroup(
  fake: KubeFake,
  result: GeneratedResult,
  group: ClusterGroup,
): number {
  const now = Date.now();
  const time = k8sTime(now);
  result.records.forEach((r, i) => {
    const status = (JSON.parse(r.data) as RunDoc).status ?? {};
    status["completionTime"] = time;
    for (const c of (status["conditions"] ?? []) as { lastTransitionTime?: string }[]) {
      c.lastTransitionTime = time;
    }
    if (i === 0) {
      const children = (status["childReferences"] ?? []) as { name: string }[];
      children.forEach((c, j) => {
        c.name = group.keys[j + 1]!.split("/")[2]!;
      });
    }
    const [kind, namespace, name] = group.keys[i]!.split("/") as [string, string, string];
    fake.patch("tekton.dev/v1", kind, namespace, name, { status }, { subresource: "status" });
  });
  return now;
}

/** Follows runs over HTTP watches and notes when each one is stored. */
export interface StoredTracker {
  /** Keys of runs seen stored, with the time (ms) their stored annotation was first seen. */
  readonly storedAt: ReadonlyMap<string, number>;
  /** Watch events received. */
  events(): number;
  /** End the watches. */
  close(): void;
}

/**
 * Watch PipelineRuns and TaskRuns of the fake cluster at `url` from
 * `resourceVersion` (exclusive) and note, per run key, when the stored
 * annotation first appears. Only events carrying the annotation are parsed.
 */
export function trackStored(url: string, resourceVersion: string): StoredTracker {
  const storedAt = new Map<string, number>();
  const requests: http.ClientRequest[] = [];
  let events = 0;
  let closed = false;
  const watch = (plural: string, kind: string, rv: string): void => {
    if (closed) return;
    const req = http.get(
      `${url}/apis/tekton.dev/v1/${plural}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
      (res) => {
        res.setEncoding("utf8");
        let buffer = "";
        let lastLine = "";
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line === "") continue;
            events++;
            lastLine = line;
            if (!line.includes(STORED_MARK)) continue;
            const ev = JSON.parse(line) as { type: string; object: KubeObject };
            if (ev.type === "DELETED") continue;
            const meta = ev.object.metadata;
            if (meta.annotations?.[STORED_ANNOTATION] !== "true") continue;
            const key = runKeyOf(kind, meta.namespace ?? "", meta.name ?? "");
            if (!storedAt.has(key)) storedAt.set(key, Date.now());
          }
        });
        // A watch that ends (timeout) is resumed from the last version seen.
        res.on("end", () => {
          let next = rv;
          try {
            const ev = JSON.parse(lastLine) as { object?: KubeObject };
            next = ev.object?.metadata?.resourceVersion ?? rv;
          } catch {
            // no event yet: resume from where this watch started
          }
          setTimeout(() => watch(plural, kind, next), 10);
        });
      },
    );
    req.on("error", () => {
      if (!closed) setTimeout(() => watch(plural, kind, rv), 100);
    });
    requests.push(req);
  };
  watch("pipelineruns", "PipelineRun", resourceVersion);
  watch("taskruns", "TaskRun", resourceVersion);
  return {
    storedAt,
    events: () => events,
    close() {
      closed = true;
      for (const r of requests) r.destroy();
    },
  };
}
