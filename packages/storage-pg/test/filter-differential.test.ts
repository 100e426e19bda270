/**
 * Differential test of the SQL filter compiler against the reference
 * evaluator of `@tekton-results/storage-conformance`: for every boolean
 * sub-expression of every filter of the shared table (and some extra edge
 * cases), every fixture row must evaluate to the same *three-valued* result —
 * true, false or absent — in PostgreSQL and in the oracle. The conformance table
 * only compares the matching rows; this also pins absent against false.
 *
 * Each sub-expression is compiled as a whole filter twice, as `sub` and as
 * `!sub`: the row is true when `sub` matches, false when `!sub` matches, else
 * absent. (A compiled filter only promises which rows match: at the top level
 * it may read typed columns that are false where the JSON form is absent.)
 * Extra rows (`typedFieldRecords`) cover the typed columns' edge cases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFilter, type FilterExpr, type FilterTarget } from "@tekton-results/storage";
import {
  filterCases,
  filterFixtures,
  matchesFilter,
  recordRow,
  resultRow,
  type FilterRow,
  typedFieldFilters,
  typedFieldRecords,
} from "@tekton-results/storage-conformance";
import { compilePgFilter, type PgStore } from "../src/index.js";
import { createTestStore, destroyTestStore, stopTestPostgres } from "./support/postgres.js";

const EXTRA: { target: FilterTarget; filter: string }[] = [
  ...typedFieldFilters.map((filter) => ({ target: "records" as const, filter })),
  { target: "records", filter: 'data.metadata.labels["tekton.dev/pipeline"] == "x"' },
  { target: "records", filter: "data.spec.retries % 3 == 1" },
  { target: "records", filter: "data.count % 2 == 1" },
  { target: "records", filter: "data.spec.retries * 1000000000000 * 1000000 > 0" },
  { target: "records", filter: "int(data.count) == 9" },
  { target: "records", filter: "double(data.spec.retries) / 0.0 > 1.0" },
  { target: "records", filter: "data.spec.retries / 0 == 1" },
  { target: "records", filter: 'string(data.count) == "9.5"' },
  { target: "records", filter: 'string(data.spec) == ""' },
  { target: "records", filter: "size(data.metadata) > 1" },
  { target: "records", filter: "size(data.spec.retries) > 1" },
  { target: "records", filter: "has(data.metadata.labels.app)" },
  { target: "records", filter: "data.status.steps.exists_one(s, s.terminated.exitCode == 0)" },
  { target: "records", filter: "data.status.steps.all(s, has(s.terminated))" },
  { target: "records", filter: 'data.metadata.labels.all(k, k != "app")' },
  { target: "records", filter: "[1, 2, 3].exists(x, x == data.spec.retries)" },
  {
    target: "records",
    filter: 'data.spec.params.exists(p, p.value.exists(v, v.startsWith("--")))',
  },
  { target: "records", filter: "data.spec.retries in data.spec.values" },
  { target: "records", filter: "data.metadata.name in data.metadata.labels" },
  { target: "records", filter: "data.spec.retries == data.count" },
  { target: "records", filter: "data.spec.retries < data.metadata.name" },
  { target: "records", filter: "data.metadata == data.metadata" },
  { target: "records", filter: "data.spec.retries + data.count > 3" },
  { target: "records", filter: 'data.metadata.name + data.metadata.namespace == "x"' },
  {
    target: "records",
    filter: "(data.spec.retries > 2 ? data.metadata.name : data.spec.retries) == 3",
  },
  { target: "records", filter: "data.status.startTime.getMinutes() == 0" },
  { target: "records", filter: 'data.status.startTime.getDayOfYear("-12:00") == 30' },
  { target: "records", filter: "int(create_time) % 60 == 0" },
  { target: "records", filter: 'update_time - create_time > duration("59s")' },
  { target: "records", filter: 'data.note.matches("^z.ë")' },
  { target: "records", filter: "!data.status" },
  { target: "results", filter: "summary.status > 1 || has(summary.record)" },
  { target: "results", filter: "summary.record.startsWith(parent)" },
  { target: "results", filter: "summary.start_time < summary.end_time" },
  { target: "results", filter: "annotations.all(k, k.size() > 2)" },
  { target: "results", filter: '"flaky" in summary.annotations' },
  { target: "results", filter: 'summary.annotations.exists(k, k.contains("/"))' },
  { target: "results", filter: "-summary.status < -1" },
  // PostgreSQL specifics: float formatting, overflow, regex translation, ASCII case.
  { target: "records", filter: 'string(data.spec.retries * 0.1) == "0.30000000000000004"' },
  { target: "records", filter: 'string(data.count / 3) == "3.1666666666666665"' },
  { target: "records", filter: "data.spec.retries * 1e308 * 10.0 > 0.0" },
  { target: "records", filter: 'int("99999999999999999999") > 0 || int(data.metadata.name) > 0' },
  { target: "records", filter: 'double(data.metadata.name) > 0.0 || double("1e400") > 0.0' },
  { target: "records", filter: 'data.metadata.name.matches("^.+\\d$")' },
  { target: "records", filter: 'data.note.matches("\\w\\W")' },
  {
    target: "records",
    filter: 'data.note.upperAscii() == data.note || data.note.lowerAscii() < "m"',
  },
  { target: "records", filter: "timestamp(data.metadata.name) < create_time" },
  { target: "results", filter: 'summary.end_time - summary.start_time > duration("1m")' },
  { target: "results", filter: 'summary.start_time.getDayOfWeek("+14:00") == 1' },
];

/** Every boolean sub-expression that has no free comprehension variable. */
function booleanSubexpressions(root: FilterExpr): FilterExpr[] {
  const out: FilterExpr[] = [];
  const visit = (node: unknown, bound: boolean): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, bound);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const n = node as FilterExpr & Record<string, unknown>;
    if (typeof n.kind !== "string" || n.kind === "const") return;
    if (!bound && n.type === "bool") out.push(n);
    if (n.kind === "exists" || n.kind === "all" || n.kind === "exists_one") {
      visit(n.range, bound);
      visit(n.predicate, true);
      return;
    }
    for (const [key, value] of Object.entries(n))
      if (key !== "kind" && key !== "type") visit(value, bound);
  };
  visit(root, false);
  return out;
}

function reference(filter: FilterExpr, row: FilterRow): number | null {
  if (matchesFilter(filter, row)) return 1;
  if (matchesFilter({ kind: "not", type: "bool", arg: filter }, row)) return 0;
  return null;
}

let store: PgStore;
const base = filterFixtures();
const fixtures = { ...base, records: [...base.records, ...typedFieldRecords(base.records[0]!)] };
const rows = {
  results: new Map(fixtures.results.map((r) => [r.uid, resultRow(r)])),
  records: new Map(fixtures.records.map((r) => [r.uid, recordRow(r)])),
};

beforeAll(async () => {
  store = await createTestStore();
  for (const r of fixtures.results) await store.createResult(r);
  for (const r of fixtures.records) await store.createRecord(r);
});

afterAll(async () => {
  await destroyTestStore(store);
  await stopTestPostgres();
});

async function pgValues(
  target: FilterTarget,
  filter: FilterExpr,
): Promise<Map<string, number | null>> {
  const compiled = compilePgFilter(filter, { target });
  const table = target === "results" ? "results" : "records";
  const out = (await store.knex.raw(
    `SELECT ${table}.uid AS uid, (${compiled.sql}) AS v FROM ${table}`,
    compiled.bindings as never,
  )) as { rows: { uid: string; v: boolean | null }[] };
  return new Map(out.rows.map((r) => [r.uid, r.v === null ? null : r.v ? 1 : 0]));
}

const all = [
  ...filterCases.map((c) => ({ name: c.name, target: c.target, filter: c.filter })),
  ...EXTRA.map((c) => ({ name: `extra: ${c.filter}`, ...c })),
];

describe("PostgreSQL filters agree with the reference evaluator, three-valued", () => {
  for (const c of all) {
    it(`${c.target}: ${c.name}`, async () => {
      const ast = compileFilter(c.filter, { target: c.target });
      expect(ast, c.filter).toBeDefined();
      for (const sub of booleanSubexpressions(ast!)) {
        const matches = await pgValues(c.target, sub);
        const negated = await pgValues(c.target, { kind: "not", type: "bool", arg: sub });
        const mismatches: string[] = [];
        for (const [uid, row] of rows[c.target]) {
          const want = reference(sub, row);
          const have = matches.get(uid) === 1 ? 1 : negated.get(uid) === 1 ? 0 : null;
          if (want !== have)
            mismatches.push(`${uid}: postgres ${String(have)}, reference ${String(want)}`);
        }
        expect(mismatches, `${c.filter}\n  sub-expression ${JSON.stringify(sub)}`).toEqual([]);
      }
    });
  }
});
