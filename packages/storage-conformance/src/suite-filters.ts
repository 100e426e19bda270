/**
 * Conformance of filters: every case of the shared filter table returns
 * exactly the expected rows, alone and combined with paging, and every invalid
 * filter is rejected at compile time.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FilterError,
  compileFilter,
  type FilterExpr,
  type OrderTerm,
  type RecordOrderField,
  type ResultOrderField,
  type ResultsStore,
} from "@tekton-results/storage";
import { filterCases, invalidFilterCases, type FilterCase } from "./filter-cases.js";
import { filterFixtures } from "./filter-fixtures.js";
import { disposeStore, sorted, walk, type StoreConformanceOptions } from "./suite-support.js";

/** True when the filter calls `matches`, which needs the `regexFilters` capability. */
function usesRegex(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(usesRegex);
  if (node === null || typeof node !== "object") return false;
  const n = node as { kind?: unknown; fn?: unknown; value?: unknown };
  if (n.kind === "const") return false;
  if (n.kind === "call" && n.fn === "matches") return true;
  return Object.values(node).some(usesRegex);
}

const CREATE_ASC = [{ field: "create_time", direction: "asc" }] as const;

/** The names of every row a filter selects, by a full list (no paging). */
async function listNames(
  store: ResultsStore,
  c: FilterCase,
  filter: FilterExpr | undefined,
): Promise<string[]> {
  if (c.target === "results") {
    const page = await store.listResults({
      orderBy: [...CREATE_ASC] as OrderTerm<ResultOrderField>[],
      pageSize: 1000,
      ...(filter === undefined ? {} : { filter }),
    });
    expect(page.next).toBeUndefined();
    return page.items.map((r) => r.name);
  }
  const page = await store.listRecords({
    orderBy: [...CREATE_ASC] as OrderTerm<RecordOrderField>[],
    pageSize: 1000,
    ...(filter === undefined ? {} : { filter }),
  });
  expect(page.next).toBeUndefined();
  return page.items.map((r) => r.name);
}

/**
 * The uids a filter selects walking pages of 2 by `update_time desc`, and the
 * uids of the same list in one page, which the walk must reproduce.
 */
async function pagedUids(
  store: ResultsStore,
  c: FilterCase,
  filter: FilterExpr | undefined,
): Promise<{ walked: string[]; whole: string[]; names: string[] }> {
  const f = filter === undefined ? {} : { filter };
  if (c.target === "results") {
    const orderBy: OrderTerm<ResultOrderField>[] = [{ field: "update_time", direction: "desc" }];
    const w = await walk(
      (after, pageSize) =>
        store.listResults({ orderBy, pageSize, ...f, ...(after === undefined ? {} : { after }) }),
      2,
    );
    const whole = await store.listResults({ orderBy, pageSize: 1000, ...f });
    return {
      walked: w.items.map((r) => r.uid),
      whole: whole.items.map((r) => r.uid),
      names: w.items.map((r) => r.name),
    };
  }
  const orderBy: OrderTerm<RecordOrderField>[] = [{ field: "update_time", direction: "desc" }];
  const w = await walk(
    (after, pageSize) =>
      store.listRecords({ orderBy, pageSize, ...f, ...(after === undefined ? {} : { after }) }),
    2,
  );
  const whole = await store.listRecords({ orderBy, pageSize: 1000, ...f });
  return {
    walked: w.items.map((r) => r.uid),
    whole: whole.items.map((r) => r.uid),
    names: w.items.map((r) => r.name),
  };
}

/**
 * Declare the filter tests. The table cases only read, so they share one store
 * loaded with `filterFixtures()` (created before the first case and disposed
 * after the last) instead of loading the fixtures once per case.
 */
export function runFilterConformance(options: StoreConformanceOptions): void {
  describe("filters", () => {
    let shared: ResultsStore | undefined;
    const store = (): ResultsStore => {
      if (shared === undefined) throw new Error("the filter store is only available inside a test");
      return shared;
    };

    beforeAll(async () => {
      const s = await options.createStore();
      shared = s;
      const { results, records } = filterFixtures();
      for (const r of results) await s.createResult(r);
      for (const r of records) await s.createRecord(r);
    });
    afterAll(async () => {
      const s = shared;
      shared = undefined;
      if (s !== undefined) await disposeStore(options, s);
    });

    describe("the filter table", () => {
      for (const c of filterCases) {
        it(`${c.target}: ${c.name}`, async (ctx) => {
          const filter = compileFilter(c.filter, { target: c.target });
          if (usesRegex(filter) && !store().capabilities.regexFilters)
            ctx.skip("the store does not evaluate matches");
          expect(sorted(await listNames(store(), c, filter)), c.filter).toEqual(c.expected);
        });
      }
    });

    describe("the filter table, in pages of 2", () => {
      for (const c of filterCases.filter((fc) => fc.expected.length >= 2)) {
        it(`${c.target}: ${c.name}`, async (ctx) => {
          const filter = compileFilter(c.filter, { target: c.target });
          if (usesRegex(filter) && !store().capabilities.regexFilters)
            ctx.skip("the store does not evaluate matches");
          const { walked, whole, names } = await pagedUids(store(), c, filter);
          expect(walked, c.filter).toEqual(whole);
          expect(sorted(names), c.filter).toEqual(c.expected);
        });
      }
    });

    describe("invalid filters are rejected when compiled", () => {
      for (const c of invalidFilterCases) {
        it(`${c.target}: ${c.name}`, () => {
          let err: unknown;
          try {
            compileFilter(c.filter, { target: c.target });
          } catch (e) {
            err = e;
          }
          expect(err, `${c.filter} compiled`).toBeInstanceOf(FilterError);
          expect((err as FilterError).message).toContain(c.messageIncludes);
        });
      }
    });
  });
}
