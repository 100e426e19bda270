/**
 * Fixtures of the component tests: records of runs, a fake client answering from a list, and a
 * render inside the app's providers.
 *
 * @module
 */
import type { ReactElement } from "react";
import { render, type RenderResult } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import {
  create,
  jsonRecordData,
  RecordSchema,
  timestampFromDate,
  type Record,
  type ResultsClient,
} from "@tekton-results/client";
import { ApiContext } from "./api.js";

/** A record holding a PipelineRun (or TaskRun) with the Succeeded condition given. */
export function runRecord(
  ns: string,
  name: string,
  options: {
    kind?: "PipelineRun" | "TaskRun";
    status?: string;
    reason?: string;
    start?: string;
    end?: string;
    labels?: { [key: string]: string };
  } = {},
): Record {
  const kind = options.kind ?? "PipelineRun";
  return create(RecordSchema, {
    name: `${ns}/results/${name}/records/${name}`,
    createTime: timestampFromDate(new Date(options.start ?? "2026-12-01T10:00:00Z")),
    data: jsonRecordData(`tekton.dev/v1.${kind}`, {
      kind,
      metadata: { name, namespace: ns, labels: options.labels ?? {} },
      status: {
        startTime: options.start ?? "2026-12-01T10:00:00Z",
        ...(options.end ? { completionTime: options.end } : {}),
        conditions: options.status
          ? [{ type: "Succeeded", status: options.status, reason: options.reason ?? "" }]
          : [],
      },
    }),
  });
}

/** The calls a fake client saw, and the client. */
export interface FakeClient {
  client: ResultsClient;
  calls: { parent: string; filter: string; pageToken: string; orderBy: string }[];
}

/**
 * A client whose listRecords answers `pages` one after the other (each page's token is its
 * index), or rejects with `error`.
 */
export function fakeClient(pages: Record[][], error?: unknown): FakeClient {
  const calls: FakeClient["calls"] = [];
  const client = {
    listRecords(req: { parent: string; filter: string; pageToken: string; orderBy: string }) {
      calls.push({
        parent: req.parent,
        filter: req.filter,
        pageToken: req.pageToken,
        orderBy: req.orderBy,
      });
      if (error !== undefined) return Promise.reject(error);
      const index = req.pageToken === "" ? 0 : Number(req.pageToken);
      const next = index + 1 < pages.length ? String(index + 1) : "";
      return Promise.resolve({ records: pages[index] ?? [], nextPageToken: next });
    },
    getRecordListSummary() {
      return Promise.resolve({ summary: [{ group_value: "ci" }, { group_value: "team-b" }] });
    },
  };
  return { client: client as unknown as ResultsClient, calls };
}

/** Render `ui` at `path` with the API of `client`. */
export function renderWithApi(ui: ReactElement, client: ResultsClient, path = "/"): RenderResult {
  return render(
    <ApiContext.Provider
      value={{ client, config: { apiUrl: "http://results.test" }, setToken: () => undefined }}
    >
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </ApiContext.Provider>,
  );
}
