/**
 * Store a finished run's logs through the Logs API: create its Log record,
 * then stream every step container's log of its pods to `UpdateLog`, each
 * line prefixed `[task : step]`, in bounded chunks (the pod log is piped with
 * backpressure, never buffered whole).
 *
 * @module
 */
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import type { V1Pod } from "@kubernetes/client-node";
import {
  isAlreadyExists,
  isNotFound,
  jsonRecordData,
  logNameOfRecord,
  parseResultName,
  formatRecordName,
  RECORD_TYPES,
  type LogsClient,
  type ResultsClient,
} from "@tekton-results/client";
import { errorMessage, KubernetesError } from "./errors.js";
import type { KubeClient } from "./kube-client.js";
import type { RunKind } from "./run-kinds.js";
import type { TektonRun } from "./run.js";

/** Default size of an UpdateLog message, in bytes. */
export const DEFAULT_LOG_CHUNK_BYTES = 32 * 1024;

/** Buffer of each pod log stream, in bytes (the backpressure window). */
const STREAM_HIGH_WATER_MARK = 64 * 1024;

/** Uploads run logs; see {@link createLogUploader}. */
export interface LogUploader {
  /**
   * Store the logs of `run` under `resultName`; resolves to the Log name
   * (`{parent}/results/{result}/logs/{id}`). Rejects with a
   * {@link KubernetesError} when a container's log stream breaks off midway:
   * the upload is then abandoned (the server keeps no partial log) and is to
   * be retried.
   */
  upload(run: TektonRun, kind: RunKind, resultName: string): Promise<string>;
}

/** Options of {@link createLogUploader}. */
export interface LogUploaderOptions {
  kube: Pick<KubeClient, "listPods" | "streamLog">;
  results: Pick<ResultsClient, "getRecord" | "createRecord">;
  logs: Pick<LogsClient, "updateLog">;
  /** Bytes per UpdateLog message. Default 32 KiB. */
  chunkBytes?: number;
}

/** The Log record name of a run: `{result}/records/{run uid}-log`. */
export function logRecordNameOf(run: TektonRun, resultName: string): string {
  const { parent, result } = parseResultName(resultName);
  return formatRecordName(parent, result, `${run.metadata?.uid ?? ""}-log`);
}

/** The data of a run's Log record (see the API contract, "Logs"). */
export function logRecordValue(run: TektonRun, kind: RunKind): Record<string, unknown> {
  const namespace = run.metadata?.namespace ?? "";
  const name = run.metadata?.name ?? "";
  const uid = run.metadata?.uid ?? "";
  return {
    kind: "Log",
    apiVersion: "results.tekton.dev/v1alpha3",
    metadata: { name: `${name}-log`, namespace, uid: `${uid}-log` },
    spec: { resource: { kind: kind.kind, namespace, name, uid }, type: "File" },
    status: { path: "", size: 0, isStored: false, errorOnStoreMsg: "", isRetryableErr: false },
  };
}

/** The step containers of a pod, in order: `{container, step}`. */
export function stepContainers(pod: V1Pod): { container: string; step: string }[] {
  return (pod.spec?.containers ?? [])
    .map((c) => c.name)
    .filter((n) => n.startsWith("step-"))
    .map((container) => ({ container, step: container.slice("step-".length) }));
}

/** The task name a pod's lines are prefixed with. */
export function taskOfPod(pod: V1Pod): string {
  const labels = pod.metadata?.labels ?? {};
  return (
    labels["tekton.dev/pipelineTask"] ??
    labels["tekton.dev/task"] ??
    labels["tekton.dev/taskRun"] ??
    pod.metadata?.name ??
    ""
  );
}

function podOrder(a: V1Pod, b: V1Pod): number {
  const ta = new Date(a.metadata?.creationTimestamp ?? 0).getTime();
  const tb = new Date(b.metadata?.creationTimestamp ?? 0).getTime();
  return ta - tb || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");
}

/**
 * Prefix every line read from `lines` with `prefix` and regroup them into
 * chunks of about `chunkBytes` (a longer single line is split).
 */
export async function* prefixedChunks(
  sources: AsyncIterable<{ prefix: string; lines: AsyncIterable<string> }>,
  chunkBytes: number,
): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  function take(): Uint8Array {
    const out = new Uint8Array(size);
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.byteLength;
    }
    parts = [];
    size = 0;
    return out;
  }
  for await (const { prefix, lines } of sources) {
    for await (const line of lines) {
      let bytes = encoder.encode(`${prefix} ${line}\n`);
      while (bytes.byteLength > 0) {
        const room = chunkBytes - size;
        const piece = bytes.subarray(0, room);
        parts.push(piece);
        size += piece.byteLength;
        bytes = bytes.subarray(piece.byteLength);
        if (size >= chunkBytes) yield take();
      }
    }
  }
  if (size > 0) yield take();
}

/** Create a log uploader. */
export function createLogUploader(options: LogUploaderOptions): LogUploader {
  const chunkBytes = options.chunkBytes ?? DEFAULT_LOG_CHUNK_BYTES;
  const { kube, results, logs } = options;

  async function ensureLogRecord(
    run: TektonRun,
    kind: RunKind,
    resultName: string,
  ): Promise<string> {
    const name = logRecordNameOf(run, resultName);
    try {
      await results.getRecord({ name });
      return name;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await results.createRecord({
        parent: resultName,
        record: { name, data: jsonRecordData(RECORD_TYPES.LOG, logRecordValue(run, kind)) },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return name;
  }

  async function podsOf(run: TektonRun, kind: RunKind): Promise<V1Pod[]> {
    if (kind.podLabel === undefined) return [];
    const namespace = run.metadata?.namespace ?? "";
    const pods = await kube.listPods(namespace, `${kind.podLabel}=${run.metadata?.name ?? ""}`);
    return [...pods].sort(podOrder);
  }

  /**
   * The lines of one container's log, streamed with backpressure. A log that
   * cannot be opened is one line saying so; one that breaks off midway
   * throws a {@link KubernetesError} (a partial log is not a log).
   */
  async function* containerLines(
    namespace: string,
    pod: string,
    container: string,
  ): AsyncGenerator<string> {
    const sink = new PassThrough({ highWaterMark: STREAM_HIGH_WATER_MARK });
    let abort: (() => void) | undefined;
    try {
      abort = await kube.streamLog(namespace, pod, container, sink);
    } catch (err) {
      sink.destroy();
      yield `(log unavailable: ${errorMessage(err)})`;
      return;
    }
    const reader = createInterface({ input: sink, crlfDelay: Infinity });
    try {
      try {
        for await (const line of reader) yield line;
      } catch (err) {
        throw new KubernetesError(
          `the log of ${namespace}/${pod}/${container} broke off: ${errorMessage(err)}`,
          undefined,
          { cause: err },
        );
      }
    } finally {
      reader.close();
      abort();
      sink.destroy();
    }
  }

  async function* sources(run: TektonRun, pods: V1Pod[]) {
    const namespace = run.metadata?.namespace ?? "";
    for (const pod of pods) {
      const task = taskOfPod(pod);
      for (const { container, step } of stepContainers(pod)) {
        yield {
          prefix: `[${task} : ${step}]`,
          lines: containerLines(namespace, pod.metadata?.name ?? "", container),
        };
      }
    }
  }

  return {
    async upload(run, kind, resultName) {
      const recordName = await ensureLogRecord(run, kind, resultName);
      const logName = logNameOfRecord(recordName);
      const pods = await podsOf(run, kind);
      let broken: KubernetesError | undefined;
      async function* messages() {
        let first = true;
        try {
          for await (const data of prefixedChunks(sources(run, pods), chunkBytes)) {
            yield { name: logName, data };
            first = false;
          }
        } catch (err) {
          if (err instanceof KubernetesError) broken = err;
          throw err;
        }
        // UpdateLog needs at least one message naming the log, even for an empty log.
        if (first) yield { name: logName, data: new Uint8Array() };
      }
      try {
        await logs.updateLog(messages());
      } catch (err) {
        // The RPC reports a failed request stream in its own words: name the cause.
        throw broken ?? err;
      }
      return logName;
    },
  };
}
