import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createJsonLogger } from "@tekton-results/runtime";
import { describe, expect, it } from "vitest";
import { main } from "./main.js";
import {
  ADAPTER_PACKAGES,
  isMissingPackage,
  loadAdapter,
  MissingAdapterError,
  openStore,
  type AdapterPackage,
} from "./storage-adapters.js";

/** The error Node's ESM loader throws for a package that is not installed. */
function notFound(pkg: string): Error {
  return Object.assign(
    new Error(
      `Cannot find package '${pkg}' imported from /srv/node_modules/@tekton-results/server/dist/storage-adapters.js`,
    ),
    { code: "ERR_MODULE_NOT_FOUND" },
  );
}

/** An importer under which `missing` is not installed (the others are). */
function without(missing: AdapterPackage) {
  const asked: string[] = [];
  const load = (pkg: AdapterPackage): Promise<unknown> => {
    asked.push(pkg);
    return pkg === missing ? Promise.reject(notFound(pkg)) : import(pkg);
  };
  return { asked, load };
}

describe("loadAdapter", () => {
  it("names the package and the install command when an adapter is not installed", async () => {
    await expect(loadAdapter("postgres", without(ADAPTER_PACKAGES.postgres).load)).rejects.toThrow(
      new MissingAdapterError("postgres", "@tekton-results/storage-pg"),
    );
    const err = await loadAdapter("postgres", without(ADAPTER_PACKAGES.postgres).load).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MissingAdapterError);
    expect((err as Error).message).toBe(
      "--database postgres needs @tekton-results/storage-pg: npm install @tekton-results/storage-pg",
    );
    const sqlite = await loadAdapter("sqlite", without(ADAPTER_PACKAGES.sqlite).load).catch(
      (e: unknown) => e,
    );
    expect((sqlite as Error).message).toBe(
      "--database sqlite needs @tekton-results/storage-sqlite: npm install @tekton-results/storage-sqlite",
    );
  });

  it("imports only the adapter asked for", async () => {
    const { asked, load } = without(ADAPTER_PACKAGES.postgres);
    const store = await openStore({ kind: "sqlite", filename: ":memory:" }, createJsonLogger(), {
      importAdapter: load,
    });
    await store.close();
    expect(asked).toEqual(["@tekton-results/storage-sqlite"]);
  });

  it("reports a module the adapter itself cannot find as it is", async () => {
    const driver = notFound("better-sqlite3");
    await expect(loadAdapter("sqlite", () => Promise.reject(driver))).rejects.toBe(driver);
    const other = new Error("boom");
    await expect(loadAdapter("postgres", () => Promise.reject(other))).rejects.toBe(other);
  });

  it("recognizes the error Node throws for a package that is not installed", async () => {
    const here = fileURLToPath(new URL(".", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "import('@tekton-results/no-such-adapter').catch((e) => console.log(JSON.stringify({ code: e.code, message: e.message })))",
      ],
      { cwd: here },
    );
    const { code, message } = JSON.parse(stdout) as { code: string; message: string };
    const err = Object.assign(new Error(message), { code });
    expect(isMissingPackage(err, "@tekton-results/no-such-adapter")).toBe(true);
    expect(isMissingPackage(err, "@tekton-results/no-such")).toBe(false);
  });
});

describe("main without the adapter of --database", () => {
  it("exits 1 with one JSON line naming the package and the install command, no stack", async () => {
    const lines: string[] = [];
    let out = "";
    let errText = "";
    const code = await main(
      ["--database", "postgres://u@127.0.0.1:1/db", "--no-logs"],
      {},
      {
        logger: createJsonLogger({ write: (l) => lines.push(l) }),
        stdout: (t) => (out += t),
        stderr: (t) => (errText += t),
        stop: new Promise(() => {}),
        importAdapter: without(ADAPTER_PACKAGES.postgres).load,
      },
    );
    expect(code).toBe(1);
    expect(out + errText).toBe("");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: "error",
      time: expect.any(String) as unknown,
      database: "postgres",
      package: "@tekton-results/storage-pg",
      msg: "--database postgres needs @tekton-results/storage-pg: npm install @tekton-results/storage-pg",
    });
    expect(lines[0]).not.toContain("stack");
  });
});
