/**
 * The data set of the older commands' tests (`result`, `records`, `logs`): a Results API over
 * SQLite with a log store, a fixed clock and fixed ids, so that times and uids in the output
 * are known. It holds the Results, Records and logs that upstream's `docs/cli` examples name
 * (PipelineRun 0dfc883d-..., its TaskRuns db6a5d59-... and 9514f318-..., Result e6b4b2e3-...
 * and the Result of uid 949eebd9-...), so the examples run unchanged.
 */
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  createLogsClient,
  createResultsClient,
  jsonRecordData,
  RecordSummary_Status,
  RECORD_TYPES,
  timestampFromDate,
} from "@tekton-results/client";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { createResultsRoutes, createResultsServer } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";

/** The time every Result and Record is created at. */
export const CREATED = new Date("2025-03-01T10:00:00Z");
/** The time of the last update (the clock moves on by 90 s after the first writes). */
export const UPDATED = new Date("2025-03-01T10:01:30Z");

export const PR_UID = "0dfc883d-722a-4489-9ab8-3cccc74ca4f6";
export const TR1_UID = "db6a5d59-2170-3367-9eb5-83f3d264ec62";
export const TR2_UID = "9514f318-9329-485b-871c-77a4a6904891";
export const DESCRIBED = "e6b4b2e3-d876-4bbe-a927-95c691b6fdc7";
export const DESCRIBED_UID = "949eebd9-1cf7-478f-a547-9ee313035f10";

/** A Tekton run as the watcher stores it. */
function run(kind: string, name: string, uid: string, labels: Record<string, string>): object {
  return {
    apiVersion: "tekton.dev/v1",
    kind,
    metadata: { name, namespace: "default", uid, labels },
    spec: {},
    status: { conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }] },
  };
}

/** A running server with the data set. */
export interface LegacyServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Start the server on 127.0.0.1 and seed it. The docs name the same paths for a TaskRun's
 * Record (`records get`) and its log (`logs get`), which one server cannot both hold (a log is
 * the log of a Log record of the same name): with `logs`, the TaskRuns' uids name Log records
 * with their logs; without, the TaskRuns' Records.
 */
export async function startLegacyServer(logs = false): Promise<LegacyServer> {
  const store = await createSqliteStore({ filename: ":memory:" });
  let now = CREATED.getTime();
  let nextId = 0;
  const fixedIds = [DESCRIBED_UID];
  const clock = {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
  };
  const server = createResultsServer({
    routes: createResultsRoutes({
      store,
      logs: createMemoryLogStore(),
      clock,
      ids: {
        uid: () =>
          fixedIds.shift() ?? `00000000-0000-4000-8000-${String(++nextId).padStart(12, "0")}`,
      },
    }),
    store,
  });
  const { url } = await server.listen(0, "127.0.0.1");
  const transport = createGrpcTransport({ baseUrl: url });
  const client = createResultsClient(transport);
  const logsClient = createLogsClient(transport);

  // The Result the describe examples name: annotations and a summary.
  await client.createResult({
    parent: "default",
    result: {
      name: `default/results/${DESCRIBED}`,
      annotations: { repo: "app", team: "ci" },
      summary: {
        record: `default/results/${DESCRIBED}/records/${DESCRIBED}`,
        type: RECORD_TYPES.PIPELINE_RUN,
        startTime: timestampFromDate(new Date("2025-03-01T09:58:00Z")),
        endTime: timestampFromDate(new Date("2025-03-01T09:59:05Z")),
        status: RecordSummary_Status.SUCCESS,
        annotations: { branch: "main" },
      },
    },
  });
  const parent = `default/results/${PR_UID}`;
  await client.createResult({ parent: "default", result: { name: parent } });
  await client.createResult({ parent: "team-a", result: { name: "team-a/results/deploy-1" } });
  const put = (id: string, type: string, data: object) =>
    client.createRecord({
      parent,
      record: { name: `${parent}/records/${id}`, data: jsonRecordData(type, data) },
    });
  await put(PR_UID, RECORD_TYPES.PIPELINE_RUN, run("PipelineRun", "build-1", PR_UID, {}));
  const trLabels = { "tekton.dev/pipelineRun": "build-1" };
  const taskRuns = [
    [TR1_UID, "build-1-fetch", RECORD_TYPES.TASK_RUN, "cloning...\ndone\n"],
    [
      TR2_UID,
      "build-1-test",
      "tekton.dev/v1beta1.TaskRun",
      'ok 1 - adds\nok 2 - "quotes" and ünïcode\n',
    ],
  ] as const;
  for (const [uid, name, type, text] of taskRuns) {
    if (!logs) {
      await put(uid, type, run("TaskRun", name, uid, trLabels));
      continue;
    }
    // A Log record as the watcher stores one, then its text by UpdateLog.
    await put(uid, RECORD_TYPES.LOG, {
      kind: "Log",
      apiVersion: "results.tekton.dev/v1alpha3",
      metadata: { name: `${name}-log`, namespace: "default", uid },
      spec: { resource: { kind: "TaskRun", namespace: "default", name, uid }, type: "File" },
    });
    await logsClient.uploadLog(`${parent}/logs/${uid}`, [text]);
  }
  now = UPDATED.getTime();
  await client.createRecord({
    parent: "team-a/results/deploy-1",
    record: {
      name: "team-a/results/deploy-1/records/d1",
      data: jsonRecordData(RECORD_TYPES.PIPELINE_RUN, run("PipelineRun", "deploy-1", "d1", {})),
    },
  });
  return {
    url,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}
