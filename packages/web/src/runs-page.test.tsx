import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Code, ConnectError } from "@tekton-results/client";
import RunsPage from "./runs-page.js";
import { fakeClient, renderWithApi, runRecord } from "./test-fixtures.js";

const names = (): string[] => screen.queryAllByTestId("run-name").map((a) => a.textContent ?? "");

describe("RunsPage", () => {
  it("shows the runs of the first page, newest first as the server orders them", async () => {
    const { client, calls } = fakeClient([
      [
        runRecord("ci", "build-2", { status: "False", reason: "Failed" }),
        runRecord("ci", "build-1", { status: "True", reason: "Succeeded" }),
      ],
    ]);
    renderWithApi(<RunsPage />, client);
    await waitFor(() => expect(names()).toEqual(["build-2", "build-1"]));
    expect(calls[0]).toMatchObject({ parent: "-/results/-", orderBy: "create_time desc" });
    expect(screen.getByText("Failed")).toBeTruthy();
    expect(screen.getByText("build-2").getAttribute("href")).toBe(
      "/namespaces/ci/results/build-2/records/build-2",
    );
  });

  it("reads namespace, status and filter from the URL into the request", async () => {
    const { client, calls } = fakeClient([[]]);
    renderWithApi(<RunsPage />, client, "/?ns=ci&status=failed&filter=true");
    await waitFor(() => expect(calls.length).toBeGreaterThan(0));
    expect(calls[0]!.parent).toBe("ci/results/-");
    expect(calls[0]!.filter).toContain('data.status.conditions[0].status == "False"');
    expect(calls[0]!.filter.startsWith("(\ntrue\n)")).toBe(true);
    await screen.findByText("No runs match these filters");
  });

  it("applies the pipeline and label quick filters on Enter, and refuses a label that is not key=value", async () => {
    const { client, calls } = fakeClient([[], [], [], []]);
    renderWithApi(<RunsPage />, client);
    await waitFor(() => expect(calls.length).toBe(1));
    await userEvent.type(screen.getByLabelText("Pipeline"), "build{Enter}");
    await waitFor(() => expect(calls.length).toBe(2));
    expect(calls[1]!.filter).toContain('data.metadata.labels["tekton.dev/pipeline"] == "build"');
    const labels = screen.getByLabelText("Labels");
    await userEvent.type(labels, "app{Enter}");
    expect(
      await screen.findByText('"app" is not key=value: write key=value, separated by commas'),
    ).toBeTruthy();
    expect(calls.length).toBe(2);
    await userEvent.type(labels, "=shop{Enter}");
    await waitFor(() => expect(calls.length).toBe(3));
    expect(calls[2]!.filter).toContain('data.metadata.labels["app"] == "shop"');
    expect(calls[2]!.filter).toContain('data.metadata.labels["tekton.dev/pipeline"] == "build"');
  });

  it("reads the time range from the URL into the request", async () => {
    const { client, calls } = fakeClient([[]]);
    renderWithApi(<RunsPage />, client, "/?since=1h");
    await waitFor(() => expect(calls.length).toBeGreaterThan(0));
    const m = /create_time > timestamp\("([^"]+)"\)/.exec(calls[0]!.filter);
    expect(m).not.toBeNull();
    const back = Date.now() - Date.parse(m![1]!);
    expect(back).toBeGreaterThanOrEqual(3_600_000);
    expect(back).toBeLessThan(3_600_000 + 120_000);
    await screen.findByText("No runs match these filters");
  });

  it("says nothing is stored yet, and how to store runs, when there are none", async () => {
    renderWithApi(<RunsPage />, fakeClient([[]]).client);
    await screen.findByText("Nothing stored yet");
    expect(screen.getByTestId("empty").textContent).toContain("tekton-results-watcher");
  });

  it("loads the next page with its token", async () => {
    const { client, calls } = fakeClient([[runRecord("ci", "run-b")], [runRecord("ci", "run-a")]]);
    renderWithApi(<RunsPage />, client);
    await waitFor(() => expect(names()).toEqual(["run-b"]));
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(names()).toEqual(["run-b", "run-a"]));
    expect(calls.map((c) => c.pageToken)).toEqual(["", "1"]);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("shows the server's error of a bad filter under the box, at the box's position", async () => {
    const error = new ConnectError(
      'syntax error at 2:6: missing operand after "=="',
      Code.InvalidArgument,
    );
    renderWithApi(<RunsPage />, fakeClient([], error).client, "/?filter=a%20%3D%3D");
    const shown = await screen.findByTestId("cel-error");
    expect(shown.textContent).toContain('syntax error at 1:6: missing operand after "=="');
    expect(shown.textContent).toContain("a ==\n     ^");
  });

  it("shows who is denied what, with the server's message", async () => {
    const error = new ConnectError(
      'user "alice" cannot list records in namespace "ci"',
      Code.PermissionDenied,
    );
    renderWithApi(<RunsPage />, fakeClient([], error).client, "/?ns=ci");
    await screen.findByText("Permission denied");
    expect(screen.getByTestId("error").textContent).toContain(
      'user "alice" cannot list records in namespace "ci"',
    );
    expect(screen.getByLabelText("Bearer token")).toBeTruthy();
  });

  it("says the server is down, and how to start it, when it cannot be reached", async () => {
    const error = new ConnectError("Failed to fetch", Code.Unavailable);
    renderWithApi(<RunsPage />, fakeClient([], error).client);
    await screen.findByText("Cannot reach the Results API");
    expect(screen.getByTestId("error").textContent).toContain("npm start");
  });
});
