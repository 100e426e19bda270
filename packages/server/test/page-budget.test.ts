/**
 * The byte budget of list pages (`maxPageBytes`): a page of large items stops
 * early with a token that continues right after its last item, a walk still
 * sees every item exactly once, and an item larger than the budget is still
 * sent (alone), so a walk always makes progress.
 */
import { describe, expect, it } from "vitest";
import { createHarness, json, type Harness } from "./service-harness.js";

const KIB = 1024;

async function seedRecords(h: Harness, sizes: number[]): Promise<void> {
  await h.client.createResult({ parent: "ns", result: { name: "ns/results/r" } });
  for (const [i, size] of sizes.entries()) {
    h.clock.tick(1_000);
    await h.client.createRecord({
      parent: "ns/results/r",
      record: {
        name: `ns/results/r/records/x${i}`,
        data: { type: "t", value: json({ i, pad: "p".repeat(size) }) },
      },
    });
  }
}

async function walkRecords(h: Harness): Promise<string[][]> {
  const pages: string[][] = [];
  let pageToken = "";
  do {
    const res = await h.client.listRecords({ parent: "ns/results/r", pageSize: 100, pageToken });
    pages.push(res.records.map((r) => r.name.split("/").pop()!));
    pageToken = res.nextPageToken;
  } while (pageToken !== "" && pages.length < 50);
  return pages;
}

describe("list pages stop at the byte budget", () => {
  it("ListRecords: records of 10 KiB under a 25 KiB budget come two a page, each exactly once", async () => {
    const h = createHarness({ maxPageBytes: 25 * KIB });
    await seedRecords(h, Array(7).fill(10 * KIB));
    const pages = await walkRecords(h);
    expect(pages).toEqual([["x0", "x1"], ["x2", "x3"], ["x4", "x5"], ["x6"]]);
  });

  it("sends a record larger than the budget alone, and goes on after it", async () => {
    const h = createHarness({ maxPageBytes: 25 * KIB });
    await seedRecords(h, [1 * KIB, 60 * KIB, 1 * KIB, 1 * KIB]);
    expect(await walkRecords(h)).toEqual([["x0"], ["x1"], ["x2", "x3"]]);
  });

  it("0 means no budget: page_size alone decides", async () => {
    const h = createHarness({ maxPageBytes: 0 });
    await seedRecords(h, Array(7).fill(10 * KIB));
    expect(await walkRecords(h)).toEqual([["x0", "x1", "x2", "x3", "x4", "x5", "x6"]]);
  });

  it("ListResults: results with large annotations stop the page too", async () => {
    const h = createHarness({ maxPageBytes: 25 * KIB });
    for (let i = 0; i < 5; i++) {
      h.clock.tick(1_000);
      await h.client.createResult({
        parent: "ns",
        result: { name: `ns/results/r${i}`, annotations: { big: "a".repeat(10 * KIB) } },
      });
    }
    const pages: string[][] = [];
    let pageToken = "";
    do {
      const res = await h.client.listResults({ parent: "ns", pageSize: 100, pageToken });
      pages.push(res.results.map((r) => r.name.split("/").pop()!));
      pageToken = res.nextPageToken;
    } while (pageToken !== "" && pages.length < 50);
    expect(pages).toEqual([["r0", "r1"], ["r2", "r3"], ["r4"]]);
  });

  it("refuses a negative budget when the routes are made", () => {
    expect(() => createHarness({ maxPageBytes: -1 })).toThrow(RangeError);
  });
});
