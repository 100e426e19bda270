/**
 * Which Results a configuration lets go, asked of the store with the same CEL filters (and the
 * same compiler) ListRecords uses, so every backend chooses the same rows and a selector value
 * is always a bound parameter, never SQL text.
 *
 * A Result is judged by its top-level run, as upstream judges it: a PipelineRun record, or a
 * TaskRun or CustomRun record in a Result that holds no PipelineRun. Policies are tried in
 * order and the first whose selector matches decides; no match, the default retention. The
 * run's age is its completion time (a run that never completed: its record's update time), or
 * with `age: update` the record's update time.
 *
 * For policy `i` the store is asked, in keyset pages, for runs that match `i` and are older
 * than its retention (one filter, true exactly when both are: a plain conjunction, which the
 * typed columns serve). Each page is then cut down by asking, for its uids only, which runs an
 * earlier policy matches (those are that policy's) and which TaskRuns share their Result with a
 * PipelineRun (those are not top-level). Only true-exactly-when filters are used: no negation,
 * whose meaning over a missing label or field would be a trap.
 *
 * @module
 */
import { RECORD_TYPES } from "@tekton-results/proto";
import {
  compileFilter,
  FilterError,
  type FilterExpr,
  type ResultsStore,
  type StoredRecord,
} from "@tekton-results/storage";
import { PolicyError, type AgeBasis, type RetentionConfig, type Selector } from "./policy.js";

/** The record types of PipelineRuns (v1 and the v1beta1 of older watchers). */
export const PIPELINE_RUN_TYPES = [RECORD_TYPES.PIPELINE_RUN, "tekton.dev/v1beta1.PipelineRun"];
/** The record types of runs that are top-level only in a Result without a PipelineRun. */
export const CHILD_RUN_TYPES = [
  RECORD_TYPES.TASK_RUN,
  "tekton.dev/v1beta1.TaskRun",
  RECORD_TYPES.CUSTOM_RUN,
  "tekton.dev/v1.CustomRun",
];

/** A CEL string literal of `s` (JSON's escapes are CEL's). */
export function celString(s: string): string {
  return JSON.stringify(s);
}

function celList(values: readonly string[]): string {
  return `[${values.map(celString).join(", ")}]`;
}

/** The CEL filter of Records a selector stands for (`true` when it has no criterion). */
export function selectorFilter(selector: Selector): string {
  const terms: string[] = [];
  if (selector.matchNamespaces) terms.push(`parent in ${celList(selector.matchNamespaces)}`);
  for (const [key, values] of Object.entries(selector.matchLabels ?? {})) {
    terms.push(`data.metadata.labels[${celString(key)}] in ${celList(values)}`);
  }
  for (const [key, values] of Object.entries(selector.matchAnnotations ?? {})) {
    terms.push(`data.metadata.annotations[${celString(key)}] in ${celList(values)}`);
  }
  if (selector.matchStatuses) {
    terms.push(`data.status.conditions[0].reason in ${celList(selector.matchStatuses)}`);
  }
  if (selector.filter) terms.push(`(${selector.filter})`);
  return terms.length === 0 ? "true" : terms.join(" && ");
}

/** The CEL filter of runs older than `cutoff` by `age`. */
export function ageFilter(age: AgeBasis, cutoff: Date): string {
  const t = `timestamp(${celString(cutoff.toISOString())})`;
  if (age === "update") return `update_time < ${t}`;
  return `(timestamp(data.status.completionTime) < ${t} || (!has(data.status.completionTime) && update_time < ${t}))`;
}

/** The time a run's age counts from (for reports): completion, else the record's update. */
export function ageOf(record: StoredRecord, age: AgeBasis): Date {
  if (age === "completion") {
    try {
      const done = (JSON.parse(record.data) as { status?: { completionTime?: unknown } })?.status
        ?.completionTime;
      if (typeof done === "string" && !Number.isNaN(Date.parse(done))) return new Date(done);
    } catch {
      // Not JSON: its update time.
    }
  }
  return record.updateTime;
}

function compile(text: string, where: string): FilterExpr {
  try {
    return (
      compileFilter(text, { target: "records" }) ?? { kind: "const", type: "bool", value: true }
    );
  } catch (err) {
    if (err instanceof FilterError) throw new PolicyError(`${where}: ${err.message}`);
    throw err;
  }
}

/** One rule of a configuration, ready to ask the store: a policy, or the default at the end. */
export interface Rule {
  /** The policy's name, or `default`. */
  name: string;
  retention: string;
  retentionMs: number;
  /** The selector alone. */
  match: FilterExpr;
  /** Runs of this rule's selector that are older than `cutoff` (built per run). */
  candidates(cutoff: Date): FilterExpr;
}

/**
 * The rules of a configuration: each policy, then the default. Compiling them checks every
 * `filter` selector: a bad one is a {@link PolicyError} naming its policy.
 */
export function compileRules(config: RetentionConfig): Rule[] {
  const runTypes = celList([...PIPELINE_RUN_TYPES, ...CHILD_RUN_TYPES]);
  const rules = [
    ...config.policies.map((p, i) => ({
      name: p.name,
      retention: p.retention,
      retentionMs: p.retentionMs,
      selector: selectorFilter(p.selector),
      where: `policies[${i}] (${p.name})`,
    })),
    {
      name: "default",
      retention: config.defaultRetention,
      retentionMs: config.defaultRetentionMs,
      selector: "true",
      where: "defaultRetention",
    },
  ];
  return rules.map((r) => {
    const match = compile(r.selector, `${r.where}.selector`);
    return {
      name: r.name,
      retention: r.retention,
      retentionMs: r.retentionMs,
      match,
      candidates: (cutoff: Date) =>
        compile(
          `data_type in ${runTypes} && (${r.selector}) && ${ageFilter(config.age, cutoff)}`,
          `${r.where}.selector`,
        ),
    };
  });
}

const and = (...args: FilterExpr[]): FilterExpr => ({ kind: "and", type: "bool", args });
const eq = (column: "parent" | "result_name" | "uid", value: string): FilterExpr => ({
  kind: "compare",
  type: "bool",
  op: "==",
  left: { kind: "column", type: "string", column },
  right: { kind: "const", type: "string", value },
});
const oneOf = (column: "uid" | "data_type", values: readonly string[]): FilterExpr => ({
  kind: "in",
  type: "bool",
  value: { kind: "column", type: "string", column },
  collection: {
    kind: "list",
    type: "list",
    items: values.map((value) => ({ kind: "const", type: "string", value })),
  },
});

/** Every record a filter selects (all pages). */
async function* all(store: ResultsStore, filter: FilterExpr): AsyncGenerator<StoredRecord> {
  let after;
  do {
    const page = await store.listRecords({
      filter,
      orderBy: [{ field: "create_time", direction: "asc" }],
      pageSize: 500,
      ...(after ? { after } : {}),
    });
    yield* page.items;
    after = page.next;
  } while (after);
}

/** `parent/results/result` of a record. */
export const resultKey = (r: { parent: string; resultName: string }): string =>
  `${r.parent}/results/${r.resultName}`;

/**
 * Of a page of rule `index`'s candidates, the top-level runs no earlier rule matches: the
 * runs this rule decides.
 */
export async function decidedBy(
  store: ResultsStore,
  rules: readonly Rule[],
  index: number,
  page: readonly StoredRecord[],
): Promise<StoredRecord[]> {
  if (page.length === 0) return [];
  const uids = page.map((r) => r.uid);
  const taken = new Set<string>();
  for (const earlier of rules.slice(0, index)) {
    for await (const r of all(store, and(earlier.match, oneOf("uid", uids)))) taken.add(r.uid);
  }
  const children = page.filter((r) => CHILD_RUN_TYPES.includes(r.type) && !taken.has(r.uid));
  const withPipelineRun = new Set<string>();
  if (children.length > 0) {
    const results = [...new Map(children.map((r) => [resultKey(r), r])).values()];
    const each = results.map((r) => and(eq("parent", r.parent), eq("result_name", r.resultName)));
    const inTheirResults: FilterExpr =
      each.length === 1 ? each[0]! : { kind: "or", type: "bool", args: each };
    const pipelineRuns = and(oneOf("data_type", PIPELINE_RUN_TYPES), inTheirResults);
    for await (const r of all(store, pipelineRuns)) withPipelineRun.add(resultKey(r));
  }
  return page.filter(
    (r) =>
      !taken.has(r.uid) && !(CHILD_RUN_TYPES.includes(r.type) && withPipelineRun.has(resultKey(r))),
  );
}
