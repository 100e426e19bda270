/**
 * The CEL differential of the conformance suite: generated filters over
 * generated records, through the store and through `@bufbuild/cel` (see
 * `cel-differential.ts`). Fixed seeds, so a failure reproduces.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FilterError,
  compileFilter,
  type FilterExpr,
  type ResultsStore,
  type StoredRecord,
} from "@tekton-results/storage";
import {
  allowedDifference,
  celDifferentialRecords,
  celSelects,
  generateCelCases,
  generateCelRecords,
  type CelAllowedDifference,
  type CelDifferentialCase,
} from "./cel-differential.js";
import { disposeStore, makeResult, type StoreConformanceOptions } from "./suite-support.js";

/** The seed of the generated records and filters. */
export const CEL_DIFFERENTIAL_SEED = 20261204;
/** How many filters the differential runs per backend. */
export const CEL_DIFFERENTIAL_FILTERS = 800;
/** How many records it stores. */
export const CEL_DIFFERENTIAL_RECORDS = 60;

/** One row on which the store and CEL disagree without an allowed reason. */
export interface CelDisagreement {
  filter: string;
  record: string;
  data: string;
  store: boolean;
  cel: boolean;
}

async function selectedNames(store: ResultsStore, filter: FilterExpr): Promise<Set<string>> {
  const page = await store.listRecords({
    parent: "diff",
    resultName: "res",
    orderBy: [{ field: "create_time", direction: "asc" }],
    pageSize: 1000,
    filter,
  });
  expect(page.next).toBeUndefined();
  return new Set(page.items.map((r) => r.name));
}

/**
 * Run every case against `store` holding `records`: the disagreements no
 * allowed difference explains, and how many each allowed difference excused.
 */
export async function runCelCases(
  store: ResultsStore,
  records: readonly StoredRecord[],
  cases: readonly CelDifferentialCase[],
): Promise<{
  disagreements: CelDisagreement[];
  allowed: Partial<Record<CelAllowedDifference, number>>;
  rejected: string[];
}> {
  const disagreements: CelDisagreement[] = [];
  const allowed: Partial<Record<CelAllowedDifference, number>> = {};
  const rejected: string[] = [];
  for (const c of cases) {
    let selected: Set<string>;
    try {
      const filter = compileFilter(c.filter, { target: "records" });
      if (filter === undefined) throw new Error(`empty filter ${c.filter}`);
      selected = await selectedNames(store, filter);
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      // Refused at compile time: only right when CEL selects no record either.
      rejected.push(c.filter);
      selected = new Set();
    }
    for (const record of records) {
      const byStore = selected.has(record.name);
      const byCel = celSelects(c, record);
      if (byStore === byCel) continue;
      const why = allowedDifference(c, record);
      if (why !== undefined) allowed[why] = (allowed[why] ?? 0) + 1;
      else
        disagreements.push({
          filter: c.filter,
          record: record.name,
          data: record.data,
          store: byStore,
          cel: byCel,
        });
    }
  }
  return { disagreements, allowed, rejected };
}

/** Declare the CEL differential for one backend. */
export function runCelDifferential(options: StoreConformanceOptions): void {
  describe("filters against the CEL evaluator", () => {
    let store: ResultsStore | undefined;
    const records = celDifferentialRecords(
      generateCelRecords(CEL_DIFFERENTIAL_SEED, CEL_DIFFERENTIAL_RECORDS),
    );
    beforeAll(async () => {
      const s = await options.createStore();
      store = s;
      await s.createResult(makeResult("diff", "res"));
      for (const r of records) await s.createRecord(r);
    });
    afterAll(async () => {
      const s = store;
      store = undefined;
      if (s !== undefined) await disposeStore(options, s);
    });

    it(`${CEL_DIFFERENTIAL_FILTERS} generated filters select the rows CEL selects`, async () => {
      if (store === undefined) throw new Error("no store");
      const cases = generateCelCases(CEL_DIFFERENTIAL_SEED, CEL_DIFFERENTIAL_FILTERS);
      const { disagreements, rejected } = await runCelCases(store, records, cases);
      // The generator writes no static type errors: every filter must compile.
      expect(rejected).toEqual([]);
      const shown = disagreements
        .slice(0, 25)
        .map(
          (d) =>
            `${d.filter}  on ${d.data}: store ${d.store ? "selects" : "does not select"}, CEL ${d.cel ? "selects" : "does not"}`,
        );
      expect(shown, `${disagreements.length} disagreements`).toEqual([]);
    }, 120_000);
  });
}
