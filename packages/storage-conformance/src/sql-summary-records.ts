/**
 * The records of the SQL adapters' summary runner ({@link runSqlSummaryConformance}):
 * random run documents, awkward ones included, from a seeded PRNG.
 *
 * @module
 */
import type { StoredRecord } from "@tekton-results/storage";
import { seededRandom } from "./cel-differential.js";

/** The parents the summary records are spread over. */
export const SUMMARY_PARENTS = ["ns-a", "ns-b", "ns-c"];
/** The Result names under every parent. */
export const SUMMARY_RESULTS = ["r1", "r2"];

/** An RFC 3339 text of `ms` in one of several spellings (offsets, fractions, lower case). */
function spell(ms: number, rnd: () => number): string {
  const text = new Date(ms).toISOString();
  const r = rnd();
  if (r < 0.3) return text.replace(".000Z", "Z");
  if (r < 0.4) {
    // The same instant at +05:30.
    const local = new Date(ms + 5.5 * 3_600_000).toISOString().slice(0, -1);
    return `${local}+05:30`;
  }
  if (r < 0.5) {
    const local = new Date(ms - 7 * 3_600_000).toISOString().slice(0, -1);
    return `${local}-07:00`;
  }
  if (r < 0.6) return text.replace("Z", "").replace(/\.(\d{3})$/, ".$1456z");
  if (r < 0.65) return text.replace("T", "t");
  return text;
}

/**
 * `count` random run documents drawn with `seed`, including awkward ones
 * (odd types, malformed times, offsets and fractions, negative durations, not
 * JSON), over {@link SUMMARY_PARENTS} and {@link SUMMARY_RESULTS}.
 */
export function randomSummaryRecords(count: number, seed: number): StoredRecord[] {
  const rnd = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  // Around the turn of a year, and weeks that end on a Sunday.
  const base = Date.UTC(2023, 11, 1);
  const out: StoredRecord[] = [];
  for (let i = 0; i < count; i++) {
    const parent = pick(SUMMARY_PARENTS);
    const resultName = pick(SUMMARY_RESULTS);
    const created = base + Math.floor(rnd() * 70 * 86_400_000);
    const start = created + Math.floor(rnd() * 120_000);
    const completion =
      rnd() < 0.05
        ? start - Math.floor(rnd() * 60_000)
        : start + Math.floor(rnd() * (rnd() < 0.1 ? 3 * 86_400_000 : 3_600_000));
    const metadata: Record<string, unknown> = {
      name: `run-${i}`,
      creationTimestamp: spell(created, rnd),
    };
    const ns = rnd();
    if (ns < 0.8) metadata.namespace = parent;
    else if (ns < 0.85) metadata.namespace = 7;
    else if (ns < 0.9) metadata.namespace = "ünïcode-ns";
    if (rnd() < 0.8) {
      metadata.labels = { "tekton.dev/pipeline": pick(["build", "test", "x", "Ä", ""]) };
    }
    if (rnd() < 0.7) {
      metadata.annotations = {
        "pipelinesascode.tekton.dev/repository": rnd() < 0.9 ? pick(["app", "web"]) : null,
      };
    }
    const status: Record<string, unknown> = {};
    const r = rnd();
    if (r < 0.85) {
      status.conditions = [
        {
          reason:
            r < 0.8
              ? pick(["Succeeded", "Completed", "Failed", "Cancelled", "Running", "Timeout", ""])
              : { nested: true },
        },
      ];
    } else if (r < 0.9) {
      // An object with a key "0" is not an array: the reason is absent.
      status.conditions = { "0": { reason: "Failed" } };
    }
    const s = rnd();
    if (s < 0.9) {
      status.startTime =
        s < 0.02 ? "yesterday" : s < 0.03 ? "2024-02-30T00:00:00Z" : spell(start, rnd);
    }
    const c = rnd();
    if (c < 0.8) status.completionTime = c < 0.03 ? 12 : spell(completion, rnd);
    const data = rnd() < 0.02 ? "not json" : JSON.stringify({ metadata, status });
    out.push({
      parent,
      resultName,
      name: `run-${i}`,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      type: rnd() < 0.7 ? "tekton.dev/v1.PipelineRun" : "tekton.dev/v1.TaskRun",
      data,
      createTime: new Date(created),
      updateTime: new Date(created),
      etag: `e${i}`,
    });
  }
  return out;
}
