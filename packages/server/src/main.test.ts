import { describe, expect, it } from "vitest";
import { capture } from "./log-capture-fixtures.js";
import { main, serverVersion } from "./main.js";

describe("main", () => {
  it("prints usage for --help and the version for --version", async () => {
    let out = "";
    expect(await main(["--help"], {}, { stdout: (t) => (out += t) })).toBe(0);
    expect(out).toContain("Usage: tekton-results-server");
    out = "";
    expect(await main(["--version"], {}, { stdout: (t) => (out += t) })).toBe(0);
    expect(out).toBe(`${serverVersion()}\n`);
    expect(serverVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 1 when --auth kubernetes cannot read its kubeconfig", async () => {
    const { lines, logger } = capture();
    expect(
      await main(
        [
          "--database",
          "sqlite::memory:",
          "--no-logs",
          "--auth",
          "kubernetes",
          "--kubeconfig",
          "/nonexistent/kubeconfig",
        ],
        {},
        { logger, stop: new Promise(() => {}) },
      ),
    ).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "cannot set up Kubernetes authorization" }),
    );
  });

  it("exits 2 with a message for a bad command line", async () => {
    let err = "";
    expect(await main(["--port", "nope"], {}, { stderr: (t) => (err += t) })).toBe(2);
    expect(err).toContain("port must be an integer");
    err = "";
    expect(await main(["--bogus"], {}, { stderr: (t) => (err += t) })).toBe(2);
    expect(err).toContain("--bogus");
  });

  it("serves until stopped, logs listening, and exits 0", async () => {
    const { lines, logger } = capture();
    let stop!: () => void;
    let url = "";
    const done = main(
      ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:"],
      {},
      {
        logger,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
      },
    );
    while (url === "") await new Promise((r) => setTimeout(r, 10));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const created = await fetch(`${url}/apis/results.tekton.dev/v1alpha2/parents/ns/results`, {
      method: "POST",
      body: JSON.stringify({ name: "ns/results/a" }),
    });
    expect(created.status).toBe(200);
    stop();
    expect(await done).toBe(0);
    expect(lines.find((l) => l.msg === "listening")?.obj).toMatchObject({
      address: url,
      database: "sqlite::memory:",
    });
    expect(lines.at(-1)?.msg).toBe("stopped");
  });

  it("exits 1 when the port is taken", async () => {
    const { logger: l1 } = capture();
    let stop!: () => void;
    let url = "";
    const first = main(
      ["--port", "0", "--host", "127.0.0.1", "--database", "sqlite::memory:"],
      {},
      {
        logger: l1,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
      },
    );
    while (url === "") await new Promise((r) => setTimeout(r, 10));
    const { lines, logger } = capture();
    const port = new URL(url).port;
    expect(
      await main(
        ["--port", port, "--host", "127.0.0.1", "--database", "sqlite::memory:"],
        {},
        { logger, stop: new Promise(() => {}) },
      ),
    ).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ level: "error", msg: "cannot listen" }));
    stop();
    expect(await first).toBe(0);
  });
});
