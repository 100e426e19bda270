/**
 * The seeded data set the fuzzer works on: under each of two parents, two
 * Results, each with a TaskRun, a PipelineRun and a Log record (its log
 * stored), created through the API. Created again when requests delete them.
 *
 * @module
 */
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { Logs, Results } from "@tekton-results/proto";
import { SEED_PARENTS, SEED_RECORDS, SEED_RESULTS } from "./gen/names.js";

const enc = new TextEncoder();

function runData(kind: string, name: string, reason: string): Uint8Array {
  return enc.encode(
    JSON.stringify({
      kind,
      metadata: {
        name,
        namespace: "ns",
        uid: `uid-${name}`,
        labels: { "tekton.dev/pipeline": "release" },
      },
      spec: { params: [{ name: "revision", value: "v1.2" }] },
      status: {
        conditions: [{ reason }],
        startTime: "2026-01-01T00:00:00Z",
        completionTime: "2026-01-01T00:01:16Z",
      },
    }),
  );
}

function logData(parent: string, run: string): Uint8Array {
  return enc.encode(
    JSON.stringify({
      kind: "Log",
      apiVersion: "results.tekton.dev/v1alpha3",
      metadata: { name: `${run}-log`, namespace: parent, uid: `${run}-log-uid` },
      spec: {
        resource: { kind: "TaskRun", namespace: parent, name: run, uid: `uid-${run}` },
        type: "File",
      },
      status: {},
    }),
  );
}

async function ignoreExisting(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (err) {
    if (ConnectError.from(err).code === Code.AlreadyExists) return false;
    throw err;
  }
}

/** Create whatever of the seeded data set is missing; resolves with how many items it created. */
export async function seedDataSet(transport: Transport): Promise<number> {
  const results = createClient(Results, transport);
  const logs = createClient(Logs, transport);
  let created = 0;
  for (const parent of SEED_PARENTS) {
    for (const r of SEED_RESULTS) {
      const name = `${parent}/results/${r}`;
      if (
        await ignoreExisting(
          results.createResult({ parent, result: { name, annotations: { repo: "demo" } } }),
        )
      )
        created++;
      const [task, pipe, log] = SEED_RECORDS;
      const records: [string, string, Uint8Array][] = [
        [task, "tekton.dev/v1.TaskRun", runData("TaskRun", task, "Failed")],
        [pipe, "tekton.dev/v1.PipelineRun", runData("PipelineRun", pipe, "Succeeded")],
        [log, "results.tekton.dev/v1alpha3.Log", logData(parent, task)],
      ];
      for (const [rec, type, value] of records) {
        const made = await ignoreExisting(
          results.createRecord({
            parent: name,
            record: { name: `${name}/records/${rec}`, data: { type, value } },
          }),
        );
        if (!made) continue;
        created++;
        if (rec === log) {
          async function* chunks() {
            yield { name: `${name}/logs/${log}`, data: enc.encode("step one\nstep two\n") };
          }
          await logs.updateLog(chunks());
        }
      }
    }
  }
  return created;
}
