/**
 * Conformance of `deleteResults`: many Results, of one parent or several, deleted with their
 * Records in one call; missing ones skipped; lists longer than a backend's statement chunk.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { ResultRef, ResultsStore } from "@tekton-results/storage";
import {
  expectRejectsWith,
  makeRecord,
  makeResult,
  sorted,
  useFreshStore,
  type StoreConformanceOptions,
} from "./suite-support.js";

const ORDER = [{ field: "create_time" as const, direction: "asc" as const }];

/** Create the Result `parent/name` with `records` Records. */
async function seed(store: ResultsStore, parent: string, name: string, records = 2) {
  await store.createResult(makeResult(parent, name));
  for (let i = 0; i < records; i++) await store.createRecord(makeRecord(parent, name, `rec-${i}`));
}

/** The `parent/name` of every Result in the store, sorted. */
async function resultNames(store: ResultsStore): Promise<string[]> {
  const page = await store.listResults({ orderBy: ORDER, pageSize: 1000 });
  return sorted(page.items.map((r) => `${r.parent}/${r.name}`));
}

/** The `parent/result/name` of every Record in the store, sorted. */
async function recordNames(store: ResultsStore): Promise<string[]> {
  const page = await store.listRecords({ orderBy: ORDER, pageSize: 1000 });
  return sorted(page.items.map((r) => `${r.parent}/${r.resultName}/${r.name}`));
}

/** Declare the `deleteResults` conformance tests. */
export function runDeleteManyConformance(options: StoreConformanceOptions): void {
  describe("results: deleteResults", () => {
    const store = useFreshStore(options);

    it("deletes the Results named, of several parents, with all their Records, and no other", async () => {
      await seed(store(), "ns-a", "r1");
      await seed(store(), "ns-a", "r2");
      await seed(store(), "ns-b", "r1");
      await seed(store(), "ns-b", "r3");
      const out = await store().deleteResults([
        { parent: "ns-a", name: "r1" },
        { parent: "ns-b", name: "r3" },
      ]);
      expect(out).toEqual({ deleted: 2 });
      expect(await resultNames(store())).toEqual(["ns-a/r2", "ns-b/r1"]);
      expect(await recordNames(store())).toEqual([
        "ns-a/r2/rec-0",
        "ns-a/r2/rec-1",
        "ns-b/r1/rec-0",
        "ns-b/r1/rec-1",
      ]);
      await expectRejectsWith(store().getRecord("ns-a", "r1", "rec-0"), "not_found");
    });

    it("skips Results that do not exist, counts a Result named twice once, and takes an empty list", async () => {
      await seed(store(), "ns-a", "r1");
      await seed(store(), "ns-a", "kept");
      expect(await store().deleteResults([])).toEqual({ deleted: 0 });
      const out = await store().deleteResults([
        { parent: "ns-a", name: "missing" },
        { parent: "ns-a", name: "r1" },
        { parent: "ns-b", name: "r1" },
        { parent: "ns-a", name: "r1" },
      ]);
      expect(out).toEqual({ deleted: 1 });
      expect(await resultNames(store())).toEqual(["ns-a/kept"]);
      expect(await store().deleteResults([{ parent: "ns-a", name: "r1" }])).toEqual({
        deleted: 0,
      });
    });

    it("deletes a list longer than a statement's chunk (137 Results of 3 parents), and the names can be used again", async () => {
      const refs: ResultRef[] = [];
      for (let i = 0; i < 140; i++) {
        const ref = { parent: `ns-${i % 3}`, name: `r-${i}` };
        await seed(store(), ref.parent, ref.name, 1);
        if (i !== 7 && i !== 70 && i !== 139) refs.push(ref);
      }
      expect(await store().deleteResults(refs)).toEqual({ deleted: 137 });
      expect(await resultNames(store())).toEqual(["ns-1/r-139", "ns-1/r-7", "ns-1/r-70"]);
      expect(await recordNames(store())).toEqual([
        "ns-1/r-139/rec-0",
        "ns-1/r-7/rec-0",
        "ns-1/r-70/rec-0",
      ]);
      await seed(store(), "ns-0", "r-0", 1);
      expect((await store().getRecord("ns-0", "r-0", "rec-0")).name).toBe("rec-0");
    });
  });
}
