import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { Code, ConnectError, type LogsClient, type ResultsClient } from "@tekton-results/client";
import { ApiContext } from "./api.js";
import { LogsClientContext } from "./logs-api.js";
import LogsPage, { formatSize, lineOfHash } from "./logs-page.js";
import { runRecord } from "./test-fixtures.js";

const LOG = [
  "[build : clone] cloning",
  "[build : clone] \u001b[32mdone\u001b[0m",
  "[build : test] error: one",
  "[build : test] Error: two",
].join("\n");

function renderPage(
  opts: { record?: unknown; log?: unknown; hash?: string; logs?: object; pollMs?: number } = {},
): {
  getLogCalls: string[];
} {
  const rec =
    opts.record ?? runRecord("ci", "tr-1", { kind: "TaskRun", end: "2026-12-01T10:01:00Z" });
  const client = {
    getRecord: () => (rec instanceof Error ? Promise.reject(rec) : Promise.resolve(rec)),
    listAllRecords: async function* () {},
  } as unknown as ResultsClient;
  const getLogCalls: string[] = [];
  const log = opts.log === undefined ? LOG : opts.log;
  const logs: Pick<LogsClient, "getLog"> =
    (opts.logs as Pick<LogsClient, "getLog">) ??
    ({
      async *getLog(req: { name: string }) {
        getLogCalls.push(req.name);
        if (typeof log !== "string") throw log;
        const bytes = new TextEncoder().encode(log);
        // Two chunks, cut mid-line: the page shows what has come.
        yield {
          $typeName: "google.api.HttpBody",
          contentType: "text/plain",
          data: bytes.subarray(0, 20),
          extensions: [],
        };
        yield {
          $typeName: "google.api.HttpBody",
          contentType: "text/plain",
          data: bytes.subarray(20),
          extensions: [],
        };
      },
    } as unknown as Pick<LogsClient, "getLog">);
  render(
    <ApiContext.Provider
      value={{ client, config: { apiUrl: "http://results.test" }, setToken: () => undefined }}
    >
      <LogsClientContext.Provider value={logs}>
        <MemoryRouter
          initialEntries={[`/namespaces/ci/results/tr-1/records/tr-1/logs${opts.hash ?? ""}`]}
        >
          <Routes>
            <Route
              path="/namespaces/:namespace/results/:result/records/:record/logs"
              element={<LogsPage pollMs={opts.pollMs} />}
            />
          </Routes>
        </MemoryRouter>
      </LogsClientContext.Provider>
    </ApiContext.Provider>,
  );
  return { getLogCalls };
}

// happy-dom lays nothing out: the log's scroll box gets the size a browser would give it, so
// that the virtualizer has rows to show.
const sizes = ["clientHeight", "clientWidth"] as const;
const saved = sizes.map((k) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, k));
beforeAll(() => {
  for (const k of sizes) {
    Object.defineProperty(HTMLElement.prototype, k, {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains("tr-log") ? (k === "clientHeight" ? 600 : 1000) : 0;
      },
    });
  }
});
afterAll(() => {
  sizes.forEach((k, i) => {
    if (saved[i]) Object.defineProperty(HTMLElement.prototype, k, saved[i]);
    else delete (HTMLElement.prototype as unknown as { [key: string]: unknown })[k];
  });
});

const done = () =>
  waitFor(() => expect(screen.getByTestId("log-status").dataset["state"]).toBe("done"));

describe("the Logs page", () => {
  it("streams the run's log: step sections, lines, ANSI colours", async () => {
    const { getLogCalls } = renderPage();
    await done();
    expect(getLogCalls).toEqual(["ci/results/tr-1/logs/tr-1"]);
    expect(screen.getByTestId("log-status").textContent).toContain("4 lines");
    expect(screen.getAllByTestId("log-section").map((s) => s.textContent)).toEqual([
      "[build : clone] 2 lines",
      "[build : test] 2 lines",
    ]);
    const line2 = document.querySelector('[data-line="2"]')!;
    expect(line2.textContent).toContain("done");
    expect(line2.querySelector(".ansi-green-fg")?.textContent).toBe("done");
  });

  it("shows the chunks as they arrive, before the log has ended", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    renderPage({
      logs: {
        async *getLog() {
          yield { data: new TextEncoder().encode("[a : s] first\n[a : s] sec") };
          await held;
          yield { data: new TextEncoder().encode("ond\n") };
        },
      },
    });
    await waitFor(() =>
      expect(document.querySelector('[data-line="1"]')?.textContent).toContain("first"),
    );
    expect(screen.getByTestId("log-status").dataset["state"]).toBe("streaming");
    expect(document.querySelector('[data-line="2"]')).toBeNull();
    release();
    await done();
    expect(document.querySelector('[data-line="2"]')?.textContent).toContain("second");
  });

  it("searches with a count and next, and folds a section", async () => {
    renderPage();
    await done();
    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "error" } });
    await waitFor(() => expect(screen.getByTestId("log-match-count").textContent).toBe("1 of 2"));
    expect(document.querySelector(".tr-log-current")?.textContent).toBe("error");
    fireEvent.keyDown(document.body, { key: "n" });
    await waitFor(() => expect(screen.getByTestId("log-match-count").textContent).toBe("2 of 2"));
    expect(document.querySelector(".tr-log-current")?.textContent).toBe("Error");
    fireEvent.click(screen.getAllByTestId("log-section")[0]!);
    await waitFor(() => expect(document.querySelector('[data-line="1"]')).toBeNull());
  });

  it("focuses the search box with /", async () => {
    renderPage();
    await done();
    fireEvent.keyDown(document.body, { key: "/" });
    expect(document.activeElement).toBe(screen.getByRole("searchbox"));
  });

  it("focuses the search box with Ctrl+F instead of the browser's search", async () => {
    renderPage();
    await done();
    const event = new KeyboardEvent("keydown", {
      key: "f",
      ctrlKey: true,
      bubbles: true,
      cancelable: true,
    });
    document.body.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole("searchbox"));
  });

  it("shows stored timestamps in a column a switch hides", async () => {
    renderPage({ log: "[a : s] 2026-12-01T10:00:01.5Z started\n" });
    await done();
    const time = document.querySelector('[data-line="1"] time');
    expect(time?.textContent).toBe("10:00:01.500");
    expect(document.querySelector('[data-line="1"] .tr-log-body')?.textContent).toBe("started");
    fireEvent.click(screen.getByLabelText("Timestamps"));
    await waitFor(() => expect(document.querySelector('[data-line="1"] time')).toBeNull());
  });

  it("highlights the line of a #L link", async () => {
    renderPage({ hash: "#L3" });
    await done();
    await waitFor(() =>
      expect(document.querySelector(".tr-log-selected")?.getAttribute("data-line")).toBe("3"),
    );
  });

  it("says why there is no log: finished, or still running", async () => {
    renderPage({ log: new ConnectError("log not found", Code.NotFound) });
    await waitFor(() => screen.getByText("No log stored"));
    expect(screen.getByTestId("log-notice").textContent).toContain("--logs");
  });

  it("says the run has not finished yet when it has no log", async () => {
    renderPage({
      record: runRecord("ci", "tr-1", { kind: "TaskRun" }),
      log: new ConnectError("log not found", Code.NotFound),
    });
    await waitFor(() => screen.getByText("No log yet"));
  });

  it("reads a running run's log again until it is stored", async () => {
    let calls = 0;
    renderPage({
      record: runRecord("ci", "tr-1", { kind: "TaskRun" }),
      pollMs: 250,
      logs: {
        async *getLog() {
          if (++calls < 3) throw new ConnectError("log not found", Code.NotFound);
          yield { data: new TextEncoder().encode("[a : s] stored at last\n") };
        },
      },
    });
    await waitFor(() => screen.getByText("No log yet"));
    // While it reads again, the page keeps saying so (no blank, no spinner).
    await waitFor(() => expect(calls).toBe(2));
    expect(screen.getByText("No log yet")).toBeTruthy();
    await waitFor(
      () =>
        expect(document.querySelector('[data-line="1"]')?.textContent).toContain("stored at last"),
      { timeout: 3000 },
    );
    expect(calls).toBe(3);
    expect(screen.queryByText("No log yet")).toBeNull();
  });

  it("says the run is not stored (deleted by retention, or a wrong link)", async () => {
    renderPage({ record: new ConnectError("not found", Code.NotFound) });
    await waitFor(() => screen.getByText("Run not found"));
    expect(screen.getByTestId("log-notice").textContent).toContain("retention");
  });

  it("says the server is down, with a retry", async () => {
    renderPage({ log: new ConnectError("fetch failed", Code.Unavailable) });
    await waitFor(() => screen.getByText("Cannot reach the Results API"));
    expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
  });

  it("parses #L hashes and sizes", () => {
    expect(lineOfHash("#L12")).toBe(11);
    expect(lineOfHash("#x")).toBeUndefined();
    expect(formatSize(2048)).toBe("2.0 KB");
  });
});
