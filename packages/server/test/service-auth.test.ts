/**
 * Authorization of every RPC (resource, verb, parent, headers; denial stops
 * the store call) and the mapping of store failures to API errors.
 */
import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { StorageError, type ResultsStore, type StorageErrorCode } from "@tekton-results/storage";
import type { AuthRequest } from "../src/auth.js";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createHarness, errorOf, json, type Harness } from "./service-harness.js";

type Call = (h: Harness) => Promise<unknown>;

const data = { type: "t", value: json({}) };

/** Every RPC with the authorization it must ask for. */
const rpcs: [string, Call, Omit<AuthRequest, "header">][] = [
  [
    "CreateResult",
    (h) => h.client.createResult({ parent: "ns", result: { name: "ns/results/r" } }),
    { resource: "results", verb: "create", parent: "ns" },
  ],
  [
    "GetResult",
    (h) => h.client.getResult({ name: "ns/results/r" }),
    { resource: "results", verb: "get", parent: "ns" },
  ],
  [
    "UpdateResult",
    (h) => h.client.updateResult({ name: "ns/results/r", result: {} }),
    { resource: "results", verb: "update", parent: "ns" },
  ],
  [
    "DeleteResult",
    (h) => h.client.deleteResult({ name: "ns/results/r" }),
    { resource: "results", verb: "delete", parent: "ns" },
  ],
  [
    "ListResults ns",
    (h) => h.client.listResults({ parent: "ns" }),
    { resource: "results", verb: "list", parent: "ns" },
  ],
  [
    "ListResults -",
    (h) => h.client.listResults({ parent: "-" }),
    { resource: "results", verb: "list", parent: "-" },
  ],
  [
    "CreateRecord",
    (h) =>
      h.client.createRecord({
        parent: "ns/results/r",
        record: { name: "ns/results/r/records/x", data },
      }),
    { resource: "records", verb: "create", parent: "ns" },
  ],
  [
    "GetRecord",
    (h) => h.client.getRecord({ name: "ns/results/r/records/x" }),
    { resource: "records", verb: "get", parent: "ns" },
  ],
  [
    "UpdateRecord",
    (h) => h.client.updateRecord({ record: { name: "ns/results/r/records/x" } }),
    { resource: "records", verb: "update", parent: "ns" },
  ],
  [
    "DeleteRecord",
    (h) => h.client.deleteRecord({ name: "ns/results/r/records/x" }),
    { resource: "records", verb: "delete", parent: "ns" },
  ],
  [
    "ListRecords ns/results/r",
    (h) => h.client.listRecords({ parent: "ns/results/r" }),
    { resource: "records", verb: "list", parent: "ns" },
  ],
  [
    "ListRecords ns/results/-",
    (h) => h.client.listRecords({ parent: "ns/results/-" }),
    { resource: "records", verb: "list", parent: "ns" },
  ],
  [
    "ListRecords -/results/r",
    (h) => h.client.listRecords({ parent: "-/results/r" }),
    { resource: "records", verb: "list", parent: "-" },
  ],
  [
    "ListRecords -/results/-",
    (h) => h.client.listRecords({ parent: "-/results/-" }),
    { resource: "records", verb: "list", parent: "-" },
  ],
  [
    "GetRecordListSummary",
    (h) => h.client.getRecordListSummary({ parent: "ns/results/-" }),
    { resource: "records", verb: "get", parent: "ns" },
  ],
  [
    "GetRecordListSummary -",
    (h) => h.client.getRecordListSummary({ parent: "-/results/-" }),
    { resource: "records", verb: "get", parent: "-" },
  ],
];

describe("authorization", () => {
  it.each(rpcs)(
    "%s asks for the right resource, verb and parent, with the request headers",
    async (_name, call, expected) => {
      const h = createHarness();
      await call(h).catch(() => undefined);
      expect(h.authRequests).toHaveLength(1);
      const req = h.authRequests[0]!;
      expect({ resource: req.resource, verb: req.verb, parent: req.parent }).toEqual(expected);
      expect(req.header).toBeInstanceOf(Headers);
    },
  );

  it("hands the request headers to the authorizer", async () => {
    const h = createHarness();
    await h.client.listResults(
      { parent: "ns" },
      { headers: { authorization: "Bearer tok", "impersonate-user": "bob" } },
    );
    expect(h.authRequests[0]!.header.get("authorization")).toBe("Bearer tok");
    expect(h.authRequests[0]!.header.get("impersonate-user")).toBe("bob");
  });

  it.each(rpcs)(
    "%s: a denial reaches the client unchanged and the store is never called",
    async (_name, call) => {
      for (const code of [Code.PermissionDenied, Code.Unauthenticated]) {
        const h = createHarness({
          authorizer: {
            authorize: () => Promise.reject(new ConnectError("no way", code)),
          },
        });
        const err = await errorOf(call(h));
        expect(err).toBeInstanceOf(ConnectError);
        expect((err as ConnectError).code).toBe(code);
        expect((err as ConnectError).rawMessage).toBe("no way");
        expect(h.calls).toEqual([]);
      }
    },
  );

  it("authorizes every RPC before the store is touched", async () => {
    const order: string[] = [];
    const h = createHarness({
      authorizer: {
        authorize: async (r) => {
          order.push(`auth:${r.resource}/${r.verb}`);
        },
      },
    });
    await h.client.createResult({ parent: "ns", result: { name: "ns/results/r" } });
    await h.client.createRecord({
      parent: "ns/results/r",
      record: { name: "ns/results/r/records/x", data },
    });
    expect(order).toEqual(["auth:results/create", "auth:records/create"]);
    expect(h.calls.map((c) => c.method)).toEqual(["createResult", "createRecord"]);
  });
});

function failingStore(error: unknown): ResultsStore {
  const inner = createMemoryStore();
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "capabilities" || prop === "close") return Reflect.get(target, prop, receiver);
      return () => Promise.reject(error);
    },
  });
}

describe("errors", () => {
  it('turns an unexpected store error into Internal "internal error" and logs the cause', async () => {
    const cause = new Error(
      "SQLITE_ERROR: no such table: secret_table (SELECT * FROM secret_table)",
    );
    const h = createHarness({ store: failingStore(cause) });
    for (const call of rpcs.map(([, c]) => c)) {
      const err = await errorOf(call(h));
      expect(err).toBeInstanceOf(ConnectError);
      const ce = err as ConnectError;
      expect(ce.code).toBe(Code.Internal);
      expect(ce.rawMessage).toBe("internal error");
      expect(ce.message).not.toMatch(/secret|SELECT|SQLITE/);
      expect(JSON.stringify(ce.details)).not.toMatch(/secret/);
      expect(ce.metadata.get("grpc-message") ?? "").not.toMatch(/secret/);
    }
    const logged = h.logger.entries.filter((e) => e.level === "error");
    expect(logged).toHaveLength(rpcs.length);
    expect(logged[0]!.obj).toEqual({ err: cause });
  });

  it("maps non-Error throws to Internal too", async () => {
    const h = createHarness({ store: failingStore("a string with secret") });
    const err = (await errorOf(h.client.getResult({ name: "ns/results/r" }))) as ConnectError;
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe("internal error");
  });

  it.each<[StorageErrorCode, Code]>([
    ["not_found", Code.NotFound],
    ["already_exists", Code.AlreadyExists],
    ["failed_precondition", Code.FailedPrecondition],
    ["invalid_argument", Code.InvalidArgument],
    ["unavailable", Code.Unavailable],
    ["deadline_exceeded", Code.DeadlineExceeded],
  ])("maps StorageError %s to %s with its message", async (storageCode, code) => {
    const h = createHarness({
      store: failingStore(new StorageError(storageCode, `safe message ${storageCode}`)),
    });
    const err = (await errorOf(h.client.listResults({ parent: "ns" }))) as ConnectError;
    expect(err).toBeInstanceOf(ConnectError);
    expect(Code[err.code]).toBe(Code[code]);
    expect(err.rawMessage).toBe(`safe message ${storageCode}`);
  });

  it("passes a ConnectError thrown by the store through unchanged", async () => {
    const h = createHarness({
      store: failingStore(new ConnectError("slow down", Code.ResourceExhausted)),
    });
    const err = (await errorOf(h.client.getResult({ name: "ns/results/r" }))) as ConnectError;
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe("slow down");
  });

  it("maps an authorizer's unexpected failure to Internal", async () => {
    const h = createHarness({
      authorizer: {
        authorize: () => Promise.reject(new Error("TokenReview: connection refused 10.0.0.1")),
      },
    });
    const err = (await errorOf(h.client.getResult({ name: "ns/results/r" }))) as ConnectError;
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe("internal error");
    expect(h.calls).toEqual([]);
  });
});
