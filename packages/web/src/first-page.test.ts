import { describe, expect, it } from "vitest";
import type { ResultsClient } from "@tekton-results/client";
import { prefetchFirstPage, runsQueryOf, takeFirstPage } from "./first-page.js";

function countingClient() {
  const requests: { parent: string; filter: string; pageToken: string; pageSize: number }[] = [];
  const client = {
    listRecords(req: (typeof requests)[number]) {
      requests.push(req);
      return Promise.resolve({ records: [], nextPageToken: "" });
    },
  } as unknown as ResultsClient;
  return { client, requests };
}

describe("the Runs page's first page, asked early", () => {
  it("asks the page the Runs page will ask, and hands it over once", async () => {
    const { client, requests } = countingClient();
    prefetchFirstPage(client, "/", "?ns=ci&status=failed");
    const { parent, filter } = runsQueryOf("?ns=ci&status=failed");
    expect(requests).toEqual([
      { parent, filter, orderBy: "create_time desc", pageSize: 50, pageToken: "" },
    ]);
    expect(parent).toBe("ci/results/-");
    await expect(takeFirstPage(parent, filter)).resolves.toEqual({
      records: [],
      nextPageToken: "",
    });
    expect(takeFirstPage(parent, filter)).toBeUndefined();
  });

  it("is not used for another query", () => {
    const { client } = countingClient();
    prefetchFirstPage(client, "/runs", "");
    expect(takeFirstPage("other/results/-", runsQueryOf("").filter)).toBeUndefined();
    // ...and is dropped then: a later query of the same page asks again.
    expect(takeFirstPage(runsQueryOf("").parent, runsQueryOf("").filter)).toBeUndefined();
  });

  it("asks nothing on other pages", () => {
    const { client, requests } = countingClient();
    prefetchFirstPage(client, "/namespaces/ci/results/a/records/b", "");
    expect(requests).toEqual([]);
  });
});
