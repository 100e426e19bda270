/**
 * Example: store a pipeline run in Tekton Results and query it back.
 *
 * Creates (or reuses) the Result `{namespace}/results/nightly-build`, stores a
 * PipelineRun record and its TaskRun records, points the Result's summary at
 * the PipelineRun, then lists Records with CEL filters, walking every page.
 *
 * Run it against a server: `npm start -w @tekton-results/example-client-usage -- http://localhost:8080`.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  createResultsClient,
  formatRecordName,
  formatResultName,
  isAlreadyExists,
  jsonRecordData,
  RECORD_TYPES,
  recordData,
  RecordSummary_Status,
  timestampFromDate,
  type Transport,
} from "@tekton-results/client";

/** The part of a Tekton run this example reads back. */
interface RunDoc {
  kind: string;
  metadata: { name: string; namespace: string; labels: { [key: string]: string } };
  status: {
    conditions: { type: string; reason: string }[];
    startTime: string;
    completionTime: string;
  };
}

/** Options of {@link runClientUsage}. */
export interface ClientUsageOptions {
  /** The namespace (Result parent) to write to. Default `"default"`. */
  namespace?: string;
  /** Items per page for the list walks (small, to show paging). Default 2. */
  pageSize?: number;
  /** Where progress lines go. Default `console.log`. */
  log?: (line: string) => void;
}

/** What the example found. */
export interface ClientUsageReport {
  /** The Result's name. */
  result: string;
  /** Names of the TaskRun records whose first condition reason is Succeeded. */
  succeededTaskRuns: string[];
  /** Names of the PipelineRun records of the `nightly` pipeline in the namespace. */
  nightlyPipelineRuns: string[];
}

function run(
  kind: string,
  namespace: string,
  name: string,
  reason: string,
  minute: number,
): RunDoc {
  const start = new Date(Date.UTC(2026, 0, 1, 12, minute));
  return {
    kind,
    metadata: { name, namespace, labels: { "tekton.dev/pipeline": "nightly" } },
    status: {
      conditions: [{ type: "Succeeded", reason }],
      startTime: start.toISOString(),
      completionTime: new Date(start.getTime() + 90_000).toISOString(),
    },
  };
}

/** Run the example over `transport`; idempotent (a second run reuses what the first created). */
export async function runClientUsage(
  transport: Transport,
  options: ClientUsageOptions = {},
): Promise<ClientUsageReport> {
  const { namespace = "default", pageSize = 2, log = console.log } = options;
  const client = createResultsClient(transport);
  const result = formatResultName(namespace, "nightly-build");

  // 1. The Result groups a PipelineRun with its TaskRuns.
  try {
    await client.createResult({
      parent: namespace,
      result: { name: result, annotations: { repo: "example/app" } },
    });
    log(`created ${result}`);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    log(`reusing ${result}`);
  }

  // 2. The records: one PipelineRun, five TaskRuns (the third failed).
  const pipelineRunName = formatRecordName(namespace, "nightly-build", "pipelinerun");
  const docs: [string, RunDoc][] = [
    [pipelineRunName, run("PipelineRun", namespace, "nightly-build-run", "Failed", 0)],
    ...[0, 1, 2, 3, 4].map((i): [string, RunDoc] => [
      formatRecordName(namespace, "nightly-build", `taskrun-${i}`),
      run("TaskRun", namespace, `nightly-build-run-task-${i}`, i === 2 ? "Failed" : "Succeeded", i),
    ]),
  ];
  for (const [name, doc] of docs) {
    const type = doc.kind === "PipelineRun" ? RECORD_TYPES.PIPELINE_RUN : RECORD_TYPES.TASK_RUN;
    try {
      await client.createRecord({
        parent: result,
        record: { name, data: jsonRecordData(type, doc) },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  log(`stored ${docs.length} records`);

  // 3. Point the Result's summary at the PipelineRun (with its etag: no lost update).
  const current = await client.getResult({ name: result });
  await client.updateResult({
    name: result,
    etag: current.etag,
    result: {
      name: result,
      annotations: current.annotations,
      summary: {
        record: pipelineRunName,
        type: RECORD_TYPES.PIPELINE_RUN,
        status: RecordSummary_Status.FAILURE,
        startTime: timestampFromDate(new Date(Date.UTC(2026, 0, 1, 12, 0))),
        endTime: timestampFromDate(new Date(Date.UTC(2026, 0, 1, 12, 10))),
      },
    },
  });
  log(`summarised ${result} as FAILURE`);

  // 4. Query with CEL, walking every page.
  const succeededTaskRuns: string[] = [];
  for await (const record of client.listAllRecords(
    {
      parent: result,
      filter: `data_type == TASK_RUN && data.status.conditions[0].reason == "Succeeded"`,
    },
    { pageSize },
  )) {
    succeededTaskRuns.push(record.name);
    log(`succeeded: ${recordData<RunDoc>(record)?.metadata.name ?? record.name}`);
  }
  const nightlyPipelineRuns: string[] = [];
  for await (const record of client.listAllRecords(
    {
      parent: `${namespace}/results/-`,
      filter: `data_type == PIPELINE_RUN && data.metadata.labels["tekton.dev/pipeline"] == "nightly"`,
      orderBy: "create_time desc",
    },
    { pageSize },
  )) {
    nightlyPipelineRuns.push(record.name);
    log(`pipeline run: ${record.name}`);
  }
  return { result, succeededTaskRuns, nightlyPipelineRuns };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const baseUrl = process.argv[2] ?? process.env["RESULTS_URL"] ?? "http://localhost:8080";
  const report = await runClientUsage(createGrpcTransport({ baseUrl }));
  console.log(JSON.stringify(report));
}
