/**
 * The checksum of a data set: every Result and Record the store holds, read
 * through the storage port (all parents, every page), and every file of the
 * log directory. Kept per item, so that a comparison can name what changed
 * and leave out the items a request was allowed to change.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Cursor, ResultsStore } from "@tekton-results/storage";

/** A data set's content: the hash of each item, by a key naming it. */
export interface DataSetChecksum {
  /** One hash over every item. */
  readonly digest: string;
  /** `result:{parent}/{name}`, `record:{parent}/{result}/{name}`, `log:{path}` to the item's hash. */
  readonly items: ReadonlyMap<string, string>;
}

const PAGE = 1000;

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

async function addResults(store: ResultsStore, items: Map<string, string>): Promise<void> {
  let after: Cursor | undefined;
  do {
    const page = await store.listResults({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: PAGE,
      ...(after ? { after } : {}),
    });
    for (const r of page.items) items.set(`result:${r.parent}/${r.name}`, hash(r));
    after = page.next;
  } while (after);
}

async function addRecords(store: ResultsStore, items: Map<string, string>): Promise<void> {
  let after: Cursor | undefined;
  do {
    const page = await store.listRecords({
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: PAGE,
      ...(after ? { after } : {}),
    });
    for (const r of page.items) {
      items.set(`record:${r.parent}/${r.resultName}/${r.name}`, hash(r));
    }
    after = page.next;
  } while (after);
}

function addLogFiles(root: string, dir: string, items: Map<string, string>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) addLogFiles(root, path, items);
    else {
      const bytes = readFileSync(path);
      items.set(`log:${relative(root, path)}`, createHash("sha256").update(bytes).digest("hex"));
    }
  }
}

/** The checksum of everything in `store` and under `logsDir`. */
export async function dataSetChecksum(
  store: ResultsStore,
  logsDir: string,
): Promise<DataSetChecksum> {
  const items = new Map<string, string>();
  await addResults(store, items);
  await addRecords(store, items);
  addLogFiles(logsDir, logsDir, items);
  const keys = [...items.keys()].sort();
  return { digest: hash(keys.map((k) => [k, items.get(k)])), items };
}

/**
 * The keys whose items differ between `before` and `after` (added, removed or
 * changed), less those `allowed` says a request may change.
 */
export function changedItems(
  before: DataSetChecksum,
  after: DataSetChecksum,
  allowed: (key: string) => boolean = () => false,
): string[] {
  if (before.digest === after.digest) return [];
  const keys = new Set([...before.items.keys(), ...after.items.keys()]);
  return [...keys]
    .filter((k) => before.items.get(k) !== after.items.get(k))
    .filter((k) => !allowed(k))
    .sort();
}
