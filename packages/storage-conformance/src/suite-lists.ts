/**
 * Conformance of the lists: scoping with wildcards, the total order on every
 * allowed field and direction, and keyset pages (exactly-once walks, `next`
 * only when more follows, stability under inserts and deletes).
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type {
  OrderTerm,
  RecordOrderField,
  ResultOrderField,
  ResultsStore,
  StoredRecord,
  StoredResult,
} from "@tekton-results/storage";
import {
  at,
  expectedOrder,
  makeRecord,
  makeResult,
  makeSummary,
  recordValue,
  resultValue,
  uid,
  useFreshStore,
  walk,
  freshUid,
  uidBeside,
  type FetchPage,
  type StoreConformanceOptions,
} from "./suite-support.js";

type ResultRow = [
  parent: string,
  name: string,
  create: number,
  update: number,
  start: number | null | "none",
  end: number | null | "none",
];

/**
 * Twelve results with ties on every field, results without summary (`"none"`),
 * summaries without times (`null`) and millisecond differences.
 */
const RESULT_ROWS: ResultRow[] = [
  ["ns-a", "build", 10, 50, 100, 200],
  ["ns-a", "test", 10, 40, null, null],
  ["ns-a", "deploy", 20, 50, "none", "none"],
  ["ns-a", "lint", 20, 60, 100, null],
  ["ns-a", "docs", 20, 40, 90, 200],
  ["ns-a", "e2e", 30, 70, "none", "none"],
  ["ns-a", "bench", 5, 70, 120, 150],
  ["ns-b", "build", 40, 40.001, 100, 210],
  ["ns-b", "test", 40, 80, null, null],
  ["ns-b", "release", 15, 55, 90, null],
  ["ns-b", "nightly", 30.001, 50, 130, 200],
  ["ns-b", "smoke", 50, 50, "none", "none"],
];

/** The results of {@link RESULT_ROWS}, with uids unrelated to their position. */
function listResultsFixture(): StoredResult[] {
  return RESULT_ROWS.map(([parent, name, create, update, start, end], i) => {
    const summary =
      start === "none"
        ? undefined
        : makeSummary({
            record: `${parent}/results/${name}/records/${name}`,
            ...(start === null ? {} : { startTime: at(start) }),
            ...(end === null || end === "none" ? {} : { endTime: at(end) }),
          });
    return makeResult(parent, name, {
      uid: uid(i),
      createTime: at(create),
      updateTime: at(update),
      ...(summary === undefined ? {} : { summary }),
    });
  });
}

type RecordRow = [parent: string, resultName: string, name: string, create: number, update: number];

/** Twelve records under four results (two of them named alike in two parents), with ties. */
const RECORD_ROWS: RecordRow[] = [
  ["ns-a", "build", "r1", 10, 30],
  ["ns-a", "build", "r2", 10, 20],
  ["ns-a", "build", "r3", 12, 30],
  ["ns-a", "build", "r4", 12.001, 25],
  ["ns-a", "test", "r1", 11, 30],
  ["ns-a", "test", "r2", 10, 30.001],
  ["ns-a", "test", "r3", 15, 15],
  ["ns-b", "build", "r1", 12, 20],
  ["ns-b", "build", "r2", 9, 40],
  ["ns-b", "build", "r3", 10, 30],
  ["ns-b", "release", "r1", 15, 20],
  ["ns-b", "release", "r2", 20, 20],
];

/** The records of {@link RECORD_ROWS}, with uids unrelated to their position. */
function listRecordsFixture(): StoredRecord[] {
  return RECORD_ROWS.map(([parent, resultName, name, create, update], i) =>
    makeRecord(parent, resultName, name, {
      uid: uid(100 + i),
      createTime: at(create),
      updateTime: at(update),
    }),
  );
}

/** Load the list fixtures: all results, then all records. */
async function loadListFixtures(
  store: ResultsStore,
): Promise<{ results: StoredResult[]; records: StoredRecord[] }> {
  const results = listResultsFixture();
  const records = listRecordsFixture();
  for (const r of results) await store.createResult(r);
  for (const r of records) await store.createRecord(r);
  return { results, records };
}

function term<F extends string>(field: F, direction: "asc" | "desc"): OrderTerm<F> {
  return { field, direction };
}

function describeOrder(orderBy: readonly OrderTerm<string>[]): string {
  return orderBy.map((t) => `${t.field} ${t.direction}`).join(", ");
}

const RESULT_FIELDS: ResultOrderField[] = [
  "create_time",
  "update_time",
  "summary.start_time",
  "summary.end_time",
];
const RECORD_FIELDS: RecordOrderField[] = ["create_time", "update_time"];

/** Every single-term order plus multi-term orders mixing directions. */
const RESULT_ORDERS: OrderTerm<ResultOrderField>[][] = [
  ...RESULT_FIELDS.flatMap((f) => [[term(f, "asc")], [term(f, "desc")]]),
  [term("update_time", "desc"), term("create_time", "asc")],
  [term("update_time", "asc"), term("create_time", "desc")],
  [term("summary.start_time", "asc"), term("summary.end_time", "desc")],
  [
    term("summary.end_time", "desc"),
    term("summary.start_time", "asc"),
    term("create_time", "desc"),
  ],
  [term("create_time", "asc"), term("update_time", "asc"), term("summary.start_time", "desc")],
];

const RECORD_ORDERS: OrderTerm<RecordOrderField>[][] = [
  ...RECORD_FIELDS.flatMap((f) => [[term(f, "asc")], [term(f, "desc")]]),
  [term("update_time", "desc"), term("create_time", "asc")],
  [term("create_time", "asc"), term("update_time", "desc")],
  [term("create_time", "desc"), term("update_time", "desc")],
];

const PAGE_SIZES = [1, 2, 3, 7];

const uids = (items: readonly { uid: string }[]): string[] => items.map((i) => i.uid);

/** Declare the scoping, ordering and paging tests. */
export function runListConformance(options: StoreConformanceOptions): void {
  describe("lists: scope", () => {
    const store = useFreshStore(options);
    const byCreate = [term("create_time", "asc")] as OrderTerm<"create_time">[];

    it("an empty store lists nothing and has no next", async () => {
      const results = await store().listResults({ orderBy: byCreate, pageSize: 5 });
      expect(results.items).toEqual([]);
      expect(results.next).toBeUndefined();
      const records = await store().listRecords({ orderBy: byCreate, pageSize: 5 });
      expect(records.items).toEqual([]);
      expect(records.next).toBeUndefined();
    });

    it("results: one parent, or every parent when parent is undefined", async () => {
      const { results } = await loadListFixtures(store());
      const expected = (parent?: string) =>
        uids(
          expectedOrder(
            results.filter((r) => parent === undefined || r.parent === parent),
            byCreate,
            resultValue,
          ),
        );
      const list = async (parent?: string) =>
        uids(
          (
            await store().listResults({
              ...(parent === undefined ? {} : { parent }),
              orderBy: byCreate,
              pageSize: 100,
            })
          ).items,
        );
      expect(await list("ns-a")).toEqual(expected("ns-a"));
      expect(await list("ns-a")).toHaveLength(7);
      expect(await list("ns-b")).toEqual(expected("ns-b"));
      expect(await list(undefined)).toEqual(expected(undefined));
      expect(await list(undefined)).toHaveLength(12);
      expect(await list("ns-c")).toEqual([]);
    });

    it("results are returned whole from a list", async () => {
      const { results } = await loadListFixtures(store());
      const page = await store().listResults({ orderBy: byCreate, pageSize: 100 });
      expect(page.items).toEqual(expectedOrder(results, byCreate, resultValue));
    });

    it("records: parent and result each given or undefined", async () => {
      const { records } = await loadListFixtures(store());
      const cases: [parent: string | undefined, resultName: string | undefined, count: number][] = [
        ["ns-a", "build", 4],
        ["ns-a", undefined, 7],
        [undefined, "build", 7],
        [undefined, undefined, 12],
        ["ns-b", "release", 2],
        ["ns-b", "test", 0],
        ["ns-c", undefined, 0],
        [undefined, "nope", 0],
      ];
      for (const [parent, resultName, count] of cases) {
        const page = await store().listRecords({
          ...(parent === undefined ? {} : { parent }),
          ...(resultName === undefined ? {} : { resultName }),
          orderBy: byCreate,
          pageSize: 100,
        });
        const want = expectedOrder(
          records.filter(
            (r) =>
              (parent === undefined || r.parent === parent) &&
              (resultName === undefined || r.resultName === resultName),
          ),
          byCreate,
          recordValue,
        );
        expect(
          want,
          `fixture count for ${parent ?? "-"}/results/${resultName ?? "-"}`,
        ).toHaveLength(count);
        expect(page.items, `${parent ?? "-"}/results/${resultName ?? "-"}`).toEqual(want);
        expect(page.next).toBeUndefined();
      }
    });
  });

  describe("lists: order", () => {
    const store = useFreshStore(options);

    for (const orderBy of RESULT_ORDERS) {
      it(`results by ${describeOrder(orderBy)}`, async () => {
        const { results } = await loadListFixtures(store());
        const page = await store().listResults({ orderBy, pageSize: 1000 });
        expect(uids(page.items)).toEqual(uids(expectedOrder(results, orderBy, resultValue)));
        expect(page.next).toBeUndefined();
      });
    }

    for (const orderBy of RECORD_ORDERS) {
      it(`records by ${describeOrder(orderBy)}`, async () => {
        const { records } = await loadListFixtures(store());
        const page = await store().listRecords({ orderBy, pageSize: 1000 });
        expect(uids(page.items)).toEqual(uids(expectedOrder(records, orderBy, recordValue)));
        expect(page.next).toBeUndefined();
      });
    }

    it("missing summary times sort first ascending and last descending", async () => {
      const { results } = await loadListFixtures(store());
      const missing = new Set(
        results.filter((r) => r.summary?.startTime === undefined).map((r) => r.uid),
      );
      expect(missing.size).toBe(5);
      const asc = await store().listResults({
        orderBy: [term("summary.start_time", "asc")],
        pageSize: 100,
      });
      expect(asc.items.slice(0, missing.size).every((r) => missing.has(r.uid))).toBe(true);
      const desc = await store().listResults({
        orderBy: [term("summary.start_time", "desc")],
        pageSize: 100,
      });
      expect(desc.items.slice(-missing.size).every((r) => missing.has(r.uid))).toBe(true);
    });

    it("ties are broken by uid in the direction of the last term", async () => {
      const same = at(7);
      const items = [3, 1, 4, 0, 2].map((n) =>
        makeResult("ns-t", `tie-${n}`, { uid: uid(500 + n), createTime: same, updateTime: same }),
      );
      for (const r of items) await store().createResult(r);
      const byUid = [...items].map((r) => r.uid).sort();
      const asc = await store().listResults({
        orderBy: [term("update_time", "desc"), term("create_time", "asc")],
        pageSize: 10,
      });
      expect(uids(asc.items)).toEqual(byUid);
      const desc = await store().listResults({
        orderBy: [term("update_time", "asc"), term("create_time", "desc")],
        pageSize: 10,
      });
      expect(uids(desc.items)).toEqual([...byUid].reverse());
    });
  });

  describe("lists: keyset pages", () => {
    const store = useFreshStore(options);

    const fetchResults =
      (orderBy: OrderTerm<ResultOrderField>[], parent?: string): FetchPage<StoredResult> =>
      (after, pageSize) =>
        store().listResults({
          ...(parent === undefined ? {} : { parent }),
          orderBy,
          pageSize,
          ...(after === undefined ? {} : { after }),
        });
    const fetchRecords =
      (orderBy: OrderTerm<RecordOrderField>[]): FetchPage<StoredRecord> =>
      (after, pageSize) =>
        store().listRecords({ orderBy, pageSize, ...(after === undefined ? {} : { after }) });

    for (const orderBy of RESULT_ORDERS) {
      it(`results by ${describeOrder(orderBy)}: page sizes ${PAGE_SIZES.join(", ")} see every item once, in order`, async () => {
        const { results } = await loadListFixtures(store());
        const want = uids(expectedOrder(results, orderBy, resultValue));
        for (const size of PAGE_SIZES) {
          const w = await walk(fetchResults(orderBy), size);
          expect(uids(w.items), `page size ${size}`).toEqual(want);
          expect(w.pages, `page size ${size}`).toHaveLength(Math.ceil(want.length / size));
        }
      });
    }

    for (const orderBy of RECORD_ORDERS) {
      it(`records by ${describeOrder(orderBy)}: page sizes ${PAGE_SIZES.join(", ")} see every item once, in order`, async () => {
        const { records } = await loadListFixtures(store());
        const want = uids(expectedOrder(records, orderBy, recordValue));
        for (const size of PAGE_SIZES) {
          const w = await walk(fetchRecords(orderBy), size);
          expect(uids(w.items), `page size ${size}`).toEqual(want);
          expect(w.pages, `page size ${size}`).toHaveLength(Math.ceil(want.length / size));
        }
      });
    }

    it("next is absent on an exactly full last page and present on every other page", async () => {
      for (let i = 0; i < 6; i++)
        await store().createResult(makeResult("ns-a", `r${i}`, { createTime: at(i) }));
      const orderBy = [term("create_time", "asc")] as OrderTerm<ResultOrderField>[];
      const exact = await store().listResults({ orderBy, pageSize: 6 });
      expect(exact.items).toHaveLength(6);
      expect(exact.next).toBeUndefined();
      const short = await store().listResults({ orderBy, pageSize: 5 });
      expect(short.items).toHaveLength(5);
      expect(short.next).toBeDefined();
      const last = await store().listResults({
        orderBy,
        pageSize: 1,
        ...(short.next === undefined ? {} : { after: short.next }),
      });
      expect(last.items.map((r) => r.name)).toEqual(["r5"]);
      expect(last.next).toBeUndefined();
      const w = await walk(fetchResults(orderBy), 3);
      expect(w.pages.map((p) => p.items.length)).toEqual([3, 3]);
      expect(w.pages.map((p) => p.next === undefined)).toEqual([false, true]);
    });

    it("a cursor after the last item gives an empty page without next", async () => {
      for (let i = 0; i < 3; i++)
        await store().createResult(makeResult("ns-a", `r${i}`, { createTime: at(i) }));
      const orderBy = [term("create_time", "desc")] as OrderTerm<ResultOrderField>[];
      const first = await store().listResults({ orderBy, pageSize: 3 });
      expect(first.next).toBeUndefined();
      const lastItem = first.items[2]!;
      const after = { values: [lastItem.createTime.getTime()], uid: lastItem.uid };
      const beyond = await store().listResults({ orderBy, pageSize: 3, after });
      expect(beyond.items).toEqual([]);
      expect(beyond.next).toBeUndefined();
    });

    it("the page size may change between pages", async () => {
      const { results, records } = await loadListFixtures(store());
      const orderBy = [
        term("update_time", "desc"),
        term("create_time", "asc"),
      ] as OrderTerm<ResultOrderField>[];
      const w = await walk(fetchResults(orderBy), [1, 4, 2, 3, 7]);
      expect(uids(w.items)).toEqual(uids(expectedOrder(results, orderBy, resultValue)));
      expect(w.pages.map((p) => p.items.length)).toEqual([1, 4, 2, 3, 2]);
      const recOrder = [term("create_time", "desc")] as OrderTerm<RecordOrderField>[];
      const rw = await walk(fetchRecords(recOrder), [5, 1, 10]);
      expect(uids(rw.items)).toEqual(uids(expectedOrder(records, recOrder, recordValue)));
      expect(rw.pages.map((p) => p.items.length)).toEqual([5, 1, 6]);
    });

    it("a walk within one parent pages inside that parent", async () => {
      const { results } = await loadListFixtures(store());
      const orderBy = [term("summary.end_time", "asc")] as OrderTerm<ResultOrderField>[];
      const w = await walk(fetchResults(orderBy, "ns-a"), 2);
      expect(uids(w.items)).toEqual(
        uids(
          expectedOrder(
            results.filter((r) => r.parent === "ns-a"),
            orderBy,
            resultValue,
          ),
        ),
      );
    });

    for (const direction of ["asc", "desc"] as const) {
      it(`results inserted between pages (create_time ${direction}) cause no repeat and no skip`, async () => {
        const { results } = await loadListFixtures(store());
        const orderBy = [term("create_time", direction)] as OrderTerm<ResultOrderField>[];
        const want = expectedOrder(results, orderBy, resultValue);
        const inserted: { before: StoredResult[]; after: StoredResult[] } = {
          before: [],
          after: [],
        };
        let n = 0;
        const w = await walk(fetchResults(orderBy), 3, async (_i, page) => {
          const cursorItem = page.items[page.items.length - 1]!;
          const t = cursorItem.createTime.getTime();
          // One clearly before and one clearly after the cursor, and two with the
          // cursor's own time whose uids fall on either side of its uid.
          const sign = direction === "asc" ? 1 : -1;
          const make = (time: number, u: string) =>
            makeResult("ns-new", `new-${n++}`, {
              uid: u,
              createTime: new Date(time),
              updateTime: new Date(time),
            });
          const early = make(t - sign * 3_600_000, freshUid());
          const late = make(t + sign * 3_600_000, freshUid());
          const tieBefore = make(t, uidBeside(cursorItem.uid, -sign, n));
          const tieAfter = make(t, uidBeside(cursorItem.uid, sign, n));
          for (const r of [early, late, tieBefore, tieAfter]) await store().createResult(r);
          inserted.before.push(early, tieBefore);
          inserted.after.push(late, tieAfter);
        });
        const seen = uids(w.items);
        expect(new Set(seen).size, "an item was returned twice").toBe(seen.length);
        for (const r of want)
          expect(seen, `original ${r.parent}/${r.name} skipped`).toContain(r.uid);
        for (const r of inserted.before)
          expect(seen, `${r.name} sorts before the cursor it was inserted at`).not.toContain(r.uid);
        for (const r of inserted.after)
          expect(seen, `${r.name} sorts after the cursor it was inserted at`).toContain(r.uid);
        const everything = [...results, ...inserted.before, ...inserted.after];
        const inOrder = uids(
          expectedOrder(
            everything.filter((r) => seen.includes(r.uid)),
            orderBy,
            resultValue,
          ),
        );
        expect(seen).toEqual(inOrder);
      });
    }

    it("records inserted between pages cause no repeat and no skip", async () => {
      const { records } = await loadListFixtures(store());
      const orderBy = [
        term("update_time", "desc"),
        term("create_time", "asc"),
      ] as OrderTerm<RecordOrderField>[];
      const before: StoredRecord[] = [];
      const after: StoredRecord[] = [];
      let n = 0;
      const w = await walk(fetchRecords(orderBy), 2, async (i, page) => {
        // Each round adds two items ahead of the cursor: stop after a few so the walk ends.
        if (i >= 4) return;
        const c = page.items[page.items.length - 1]!;
        // Later update time sorts before the cursor (update_time desc), earlier after it.
        for (const [delta, into] of [
          [1000, before],
          [-1000, after],
        ] as const) {
          const r = makeRecord("ns-a", "build", `new-${n++}`, {
            createTime: c.createTime,
            updateTime: new Date(c.updateTime.getTime() + delta),
          });
          await store().createRecord(r);
          into.push(r);
        }
        // The same update time and a later create time sorts after the cursor too.
        const tie = makeRecord("ns-b", "build", `new-${n++}`, {
          createTime: new Date(c.createTime.getTime() + 1),
          updateTime: c.updateTime,
        });
        await store().createRecord(tie);
        after.push(tie);
      });
      const seen = uids(w.items);
      expect(new Set(seen).size, "an item was returned twice").toBe(seen.length);
      for (const r of records)
        expect(seen, `original ${r.resultName}/${r.name} skipped`).toContain(r.uid);
      for (const r of before)
        expect(seen, `${r.name} sorts before the cursor it was inserted at`).not.toContain(r.uid);
      for (const r of after)
        expect(seen, `${r.name} sorts after the cursor it was inserted at`).toContain(r.uid);
      const everything = [...records, ...before, ...after];
      expect(seen).toEqual(
        uids(
          expectedOrder(
            everything.filter((r) => seen.includes(r.uid)),
            orderBy,
            recordValue,
          ),
        ),
      );
    });

    it("deleting the cursor item between pages does not break the walk", async () => {
      const { results } = await loadListFixtures(store());
      const orderBy = [
        term("summary.start_time", "desc"),
        term("create_time", "asc"),
      ] as OrderTerm<ResultOrderField>[];
      const want = expectedOrder(results, orderBy, resultValue);
      const deleted = new Set<string>();
      const w = await walk(fetchResults(orderBy), 2, async (_i, page) => {
        const c = page.items[page.items.length - 1]!;
        await store().deleteResult(c.parent, c.name);
        deleted.add(c.uid);
      });
      expect(uids(w.items)).toEqual(uids(want));
      expect(deleted.size).toBe(5);
    });

    it("deleting a record ahead of the cursor removes only that record from the walk", async () => {
      const { records } = await loadListFixtures(store());
      const orderBy = [term("create_time", "asc")] as OrderTerm<RecordOrderField>[];
      const want = expectedOrder(records, orderBy, recordValue);
      const victim = want[8]!;
      const w = await walk(fetchRecords(orderBy), 3, async (i, page) => {
        if (i === 0) {
          const c = page.items[page.items.length - 1]!;
          await store().deleteRecord(c.parent, c.resultName, c.name);
          await store().deleteRecord(victim.parent, victim.resultName, victim.name);
        }
      });
      expect(uids(w.items)).toEqual(uids(want.filter((r) => r.uid !== victim.uid)));
    });
  });
}
