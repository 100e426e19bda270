/**
 * Finished PipelineRuns for the retention tests of the server: one Result per run, holding the
 * run's Record and a Log record, with the log's bytes in a log store when one is given.
 */
import { mkdir, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LogStore } from "@tekton-results/log-store";
import { formatLogName, RECORD_TYPES } from "@tekton-results/proto";
import type { ResultsStore } from "@tekton-results/storage";

/** A day, in ms. */
export const DAY = 86_400_000;

let sequence = 0;

/**
 * For each age (in days), a Result `<namespace>-<age>` whose run completed that many days ago
 * (less an hour, so a retention of the same days keeps it).
 */
export async function seedRuns(
  store: ResultsStore,
  logs: LogStore | undefined,
  namespace: string,
  agesInDays: readonly number[],
): Promise<void> {
  for (const age of agesInDays) {
    const name = `${namespace}-${age}`;
    const t = new Date(Date.now() - age * DAY + 3_600_000);
    const uid = () => `00000000-0000-4000-9000-${String(++sequence).padStart(12, "0")}`;
    const common = { parent: namespace, createTime: t, updateTime: t, etag: "e" };
    await store.createResult({ ...common, name, uid: uid(), annotations: {} });
    const run = {
      kind: "PipelineRun",
      metadata: { name, namespace },
      status: { completionTime: t.toISOString() },
    };
    await store.createRecord({
      ...common,
      resultName: name,
      name,
      uid: uid(),
      type: RECORD_TYPES.PIPELINE_RUN,
      data: JSON.stringify(run),
    });
    await store.createRecord({
      ...common,
      resultName: name,
      name: `${name}-log`,
      uid: uid(),
      type: RECORD_TYPES.LOG,
      data: JSON.stringify({ kind: "Log" }),
    });
    await logs?.write(formatLogName(namespace, name, `${name}-log`), [
      new TextEncoder().encode(`log of ${name}\n`),
    ]);
  }
}

/** The names (`<namespace>/<name>`) of the Results in `store`, sorted. */
export async function resultNames(store: ResultsStore): Promise<string[]> {
  const page = await store.listResults({
    orderBy: [{ field: "create_time", direction: "asc" }],
    pageSize: 10_000,
  });
  return page.items.map((r) => `${r.parent}/${r.name}`).sort();
}

/** Write `data` into `dir` as the kubelet mounts a ConfigMap: a dated directory, `..data`, links. */
export async function mountConfigMap(dir: string, data: Record<string, string>): Promise<void> {
  const stamp = `..${Date.now()}_${++sequence}`;
  await mkdir(join(dir, stamp), { recursive: true });
  for (const [key, value] of Object.entries(data)) await writeFile(join(dir, stamp, key), value);
  // Swap ..data atomically, as the kubelet does, then the key links.
  await symlink(stamp, join(dir, "..data_tmp"));
  await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith(".") && !(entry in data)) await rm(join(dir, entry));
  }
  for (const key of Object.keys(data)) {
    await rm(join(dir, key), { force: true });
    await symlink(join("..data", key), join(dir, key));
  }
}
