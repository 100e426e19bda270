/**
 * The auth matrix: every RPC of the Results and Logs services × every way a
 * caller can be refused (and the two ways impersonation is allowed) × every
 * protocol (gRPC, Connect, gRPC-Web, REST), on a real port, authorized by
 * `createKubernetesAuthorizer` against the fake Kubernetes API server's
 * TokenReview and SubjectAccessReview. Each cell asserts:
 *
 * - the code: Unauthenticated (HTTP 401) for no, a malformed or an unknown
 *   token; PermissionDenied (HTTP 403) for a valid token without the
 *   permission — another namespace, a cluster-wide list, an impersonation the
 *   caller may not make, or an impersonated user without the permission;
 * - that neither the store nor the log store was called for a denied request;
 * - that a denied request gets the same answer, code and message, whether or
 *   not what it names exists;
 * - and that an allowed impersonation reaches the store.
 *
 * The count of cells is asserted at the end (and printed).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import {
  Code,
  ConnectError,
  createClient,
  createRouterTransport,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { createMemoryLogStore, type LogStore } from "@tekton-results/log-store";
import { Logs, Results } from "@tekton-results/proto";
import { Logs as LogsV1alpha3 } from "@tekton-results/proto/v1alpha3";
import type { ResultsStore } from "@tekton-results/storage";
import { createMemoryStore } from "@tekton-results/storage-conformance";
import { createKubernetesAuthorizer } from "../src/kubernetes-authorizer.js";
import { createResultsRoutes } from "../src/routes.js";
import { createResultsServer, type ResultsServer } from "../src/server.js";

const LOG_TYPE = "results.tekton.dev/v1alpha3.Log";
const REST = "/apis/results.tekton.dev/v1alpha2/parents";
const REST_V1ALPHA3 = "/apis/results.tekton.dev/v1alpha3/parents";
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/** Count every call on an object's methods (the store, the log store). */
function counted<T extends object>(target: T, counter: { calls: number }): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        counter.calls += 1;
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

/**
 * The cluster: alice may do anything with results.tekton.dev in team-a (and
 * nothing else); admin may do anything, impersonation included.
 */
function policy(spec: Record<string, unknown>): { allowed: boolean; reason?: string } {
  const a = (spec["resourceAttributes"] ?? {}) as Record<string, string | undefined>;
  if (spec["user"] === "admin") return { allowed: true };
  if (
    spec["user"] === "alice" &&
    a["group"] === "results.tekton.dev" &&
    a["namespace"] === "team-a"
  )
    return { allowed: true };
  return { allowed: false, reason: "no RBAC policy matched" };
}

type Protocol = "gRPC" | "Connect" | "gRPC-Web" | "REST";
const PROTOCOLS: Protocol[] = ["gRPC", "Connect", "gRPC-Web", "REST"];

/** What a call answered: a gRPC code (or "ok") and the message; REST: the HTTP status too. */
interface Answer {
  code: Code | "ok";
  message: string;
  status?: number;
}

/** Where a call goes: the namespace, and whether it names what exists. */
interface Target {
  ns: string;
  /** The name of the result, record or log: `r`/`run`/`log` exist in every namespace. */
  result: string;
  record: string;
  log: string;
}

/** One RPC: how to call it over the Connect-family protocols and over REST (if it has a route). */
interface Rpc {
  name: string;
  /** A list RPC (has a cluster-wide form). */
  list: boolean;
  call(clients: Clients, t: Target): Promise<unknown>;
  rest?: (t: Target) => { method: string; path: string; body?: unknown };
  /** Protocols without this RPC (UpdateLog: client streaming needs HTTP/2). */
  without?: Protocol[];
}

interface Clients {
  results: ReturnType<typeof createClient<typeof Results>>;
  logs: ReturnType<typeof createClient<typeof Logs>>;
  logsV3: ReturnType<typeof createClient<typeof LogsV1alpha3>>;
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // read to the end
  }
}

const RPCS: Rpc[] = [
  {
    name: "CreateResult",
    list: false,
    call: (c, t) =>
      c.results.createResult({ parent: t.ns, result: { name: `${t.ns}/results/${t.result}` } }),
    rest: (t) => ({
      method: "POST",
      path: `${REST}/${t.ns}/results`,
      body: { name: `${t.ns}/results/${t.result}` },
    }),
  },
  {
    name: "GetResult",
    list: false,
    call: (c, t) => c.results.getResult({ name: `${t.ns}/results/${t.result}` }),
    rest: (t) => ({ method: "GET", path: `${REST}/${t.ns}/results/${t.result}` }),
  },
  {
    name: "UpdateResult",
    list: false,
    call: (c, t) =>
      c.results.updateResult({
        name: `${t.ns}/results/${t.result}`,
        result: { name: `${t.ns}/results/${t.result}`, annotations: { x: "y" } },
      }),
    rest: (t) => ({
      method: "PATCH",
      path: `${REST}/${t.ns}/results/${t.result}`,
      body: { name: `${t.ns}/results/${t.result}`, annotations: { x: "y" } },
    }),
  },
  {
    name: "DeleteResult",
    list: false,
    call: (c, t) => c.results.deleteResult({ name: `${t.ns}/results/${t.result}` }),
    rest: (t) => ({ method: "DELETE", path: `${REST}/${t.ns}/results/${t.result}` }),
  },
  {
    name: "ListResults",
    list: true,
    call: (c, t) => c.results.listResults({ parent: t.ns }),
    rest: (t) => ({ method: "GET", path: `${REST}/${t.ns}/results` }),
  },
  {
    name: "CreateRecord",
    list: false,
    call: (c, t) =>
      c.results.createRecord({
        parent: `${t.ns}/results/${t.result}`,
        record: {
          name: `${t.ns}/results/${t.result}/records/${t.record}`,
          data: { type: "t", value: json({ a: 1 }) },
        },
      }),
    rest: (t) => ({
      method: "POST",
      path: `${REST}/${t.ns}/results/${t.result}/records`,
      body: {
        name: `${t.ns}/results/${t.result}/records/${t.record}`,
        data: { type: "t", value: Buffer.from('{"a":1}').toString("base64") },
      },
    }),
  },
  {
    name: "GetRecord",
    list: false,
    call: (c, t) =>
      c.results.getRecord({ name: `${t.ns}/results/${t.result}/records/${t.record}` }),
    rest: (t) => ({
      method: "GET",
      path: `${REST}/${t.ns}/results/${t.result}/records/${t.record}`,
    }),
  },
  {
    name: "UpdateRecord",
    list: false,
    call: (c, t) =>
      c.results.updateRecord({
        record: {
          name: `${t.ns}/results/${t.result}/records/${t.record}`,
          data: { type: "t", value: json({ a: 2 }) },
        },
      }),
    rest: (t) => ({
      method: "PATCH",
      path: `${REST}/${t.ns}/results/${t.result}/records/${t.record}`,
      body: {
        name: `${t.ns}/results/${t.result}/records/${t.record}`,
        data: { type: "t", value: Buffer.from('{"a":2}').toString("base64") },
      },
    }),
  },
  {
    name: "DeleteRecord",
    list: false,
    call: (c, t) =>
      c.results.deleteRecord({ name: `${t.ns}/results/${t.result}/records/${t.record}` }),
    rest: (t) => ({
      method: "DELETE",
      path: `${REST}/${t.ns}/results/${t.result}/records/${t.record}`,
    }),
  },
  {
    name: "ListRecords",
    list: true,
    call: (c, t) => c.results.listRecords({ parent: `${t.ns}/results/-` }),
    rest: (t) => ({ method: "GET", path: `${REST}/${t.ns}/results/-/records` }),
  },
  {
    name: "GetRecordListSummary",
    list: true,
    call: (c, t) =>
      c.results.getRecordListSummary({ parent: `${t.ns}/results/-`, summary: "total" }),
    rest: (t) => ({
      method: "GET",
      path: `${REST}/${t.ns}/results/-/records/summary?summary=total`,
    }),
  },
  {
    name: "GetLog",
    list: false,
    call: (c, t) => drain(c.logs.getLog({ name: `${t.ns}/results/${t.result}/logs/${t.log}` })),
    rest: (t) => ({ method: "GET", path: `${REST}/${t.ns}/results/${t.result}/logs/${t.log}` }),
  },
  {
    name: "ListLogs",
    list: true,
    call: (c, t) => c.logs.listLogs({ parent: `${t.ns}/results/-` }),
    rest: (t) => ({ method: "GET", path: `${REST}/${t.ns}/results/-/logs` }),
  },
  {
    name: "UpdateLog",
    list: false,
    call: (c, t) =>
      c.logs.updateLog(
        (async function* () {
          yield { name: `${t.ns}/results/${t.result}/logs/${t.log}`, data: json("text") };
        })(),
      ),
    without: ["gRPC-Web", "REST"],
  },
  {
    name: "DeleteLog",
    list: false,
    call: (c, t) => c.logs.deleteLog({ name: `${t.ns}/results/${t.result}/logs/${t.log}` }),
    rest: (t) => ({ method: "DELETE", path: `${REST}/${t.ns}/results/${t.result}/logs/${t.log}` }),
  },
  {
    name: "GetLog (v1alpha3)",
    list: false,
    call: (c, t) => drain(c.logsV3.getLog({ name: `${t.ns}/results/${t.result}/logs/${t.log}` })),
    rest: (t) => ({
      method: "GET",
      path: `${REST_V1ALPHA3}/${t.ns}/results/${t.result}/logs/${t.log}`,
    }),
  },
];

/** A caller: its headers, the namespace it calls, and what it must get. */
interface Case {
  name: string;
  headers: Record<string, string>;
  ns: string;
  /** Only list RPCs have this case (a cluster-wide list). */
  listsOnly?: boolean;
  expected: Code.Unauthenticated | Code.PermissionDenied | "allowed";
}

const CASES: Case[] = [
  { name: "no token", headers: {}, ns: "team-a", expected: Code.Unauthenticated },
  {
    name: "malformed token",
    headers: { authorization: "Bearer not a token" },
    ns: "team-a",
    expected: Code.Unauthenticated,
  },
  {
    name: "not a bearer token",
    headers: { authorization: "Basic YWxpY2U6c2VjcmV0" },
    ns: "team-a",
    expected: Code.Unauthenticated,
  },
  {
    name: "expired or unknown token",
    headers: { authorization: "Bearer expired-token" },
    ns: "team-a",
    expected: Code.Unauthenticated,
  },
  {
    name: "valid token of another namespace",
    headers: { authorization: "Bearer alice-token" },
    ns: "team-b",
    expected: Code.PermissionDenied,
  },
  {
    name: "cluster-wide list without cluster permission",
    headers: { authorization: "Bearer alice-token" },
    ns: "-",
    listsOnly: true,
    expected: Code.PermissionDenied,
  },
  {
    name: "impersonation denied",
    headers: { authorization: "Bearer alice-token", "impersonate-user": "admin" },
    ns: "team-a",
    expected: Code.PermissionDenied,
  },
  {
    name: "impersonation allowed, the impersonated user lacks the permission",
    headers: { authorization: "Bearer admin-token", "impersonate-user": "alice" },
    ns: "team-b",
    expected: Code.PermissionDenied,
  },
  {
    name: "impersonation allowed",
    headers: { authorization: "Bearer admin-token", "impersonate-user": "alice" },
    ns: "team-a",
    expected: "allowed",
  },
];

const EXISTING = { result: "r", record: "run", log: "log" };
const MISSING = { result: "nope", record: "nope", log: "nope" };

describe("the auth matrix", () => {
  let kube: KubeFake;
  let server: ResultsServer;
  let url = "";
  const storeCalls = { calls: 0 };
  const logCalls = { calls: 0 };
  const cells: string[] = [];

  beforeAll(async () => {
    kube = await createKubeFake({
      tokens: {
        "alice-token": { username: "alice", groups: ["dev"] },
        "admin-token": { username: "admin", groups: ["system:masters"] },
      },
      authorize: policy,
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kube.kubeconfigYaml());
    const store: ResultsStore = createMemoryStore();
    const logs: LogStore = createMemoryLogStore();
    await seed(store, logs);
    server = createResultsServer({
      routes: createResultsRoutes({
        store: counted(store, storeCalls),
        logs: counted(logs, logCalls),
        authorizer: createKubernetesAuthorizer({ kubeConfig, cacheTtlMs: 0 }),
      }),
    });
    url = (await server.listen(0, "127.0.0.1")).url;
  }, 60_000);

  afterAll(async () => {
    await server?.close({ deadlineMs: 0 });
    await kube?.close();
    console.log(`auth matrix: ${cells.length} cells`);
  });

  /** Each namespace holds result r, its run record, and a stored log record. */
  async function seed(store: ResultsStore, logs: LogStore): Promise<void> {
    const transport = createRouterTransport(createResultsRoutes({ store, logs }));
    const c = clientsOf(transport);
    for (const ns of ["team-a", "team-b"]) {
      await c.results.createResult({ parent: ns, result: { name: `${ns}/results/r` } });
      await c.results.createRecord({
        parent: `${ns}/results/r`,
        record: { name: `${ns}/results/r/records/run`, data: { type: "t", value: json({}) } },
      });
      const logData = {
        kind: "Log",
        apiVersion: "results.tekton.dev/v1alpha3",
        metadata: { name: "log", namespace: ns },
        spec: { resource: { kind: "TaskRun", namespace: ns, name: "run", uid: "u" }, type: "File" },
      };
      await c.results.createRecord({
        parent: `${ns}/results/r`,
        record: {
          name: `${ns}/results/r/records/log`,
          data: { type: LOG_TYPE, value: json(logData) },
        },
      });
      await c.logs.updateLog(
        (async function* () {
          yield { name: `${ns}/results/r/logs/log`, data: json("a log line") };
        })(),
      );
    }
  }

  function clientsOf(transport: Transport): Clients {
    return {
      results: createClient(Results, transport),
      logs: createClient(Logs, transport),
      logsV3: createClient(LogsV1alpha3, transport),
    };
  }

  function transportOf(protocol: Exclude<Protocol, "REST">, headers: Record<string, string>) {
    const withHeaders: Interceptor = (next) => (req) => {
      for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
      return next(req);
    };
    const interceptors = [withHeaders];
    if (protocol === "gRPC") return createGrpcTransport({ baseUrl: url, interceptors });
    if (protocol === "Connect")
      return createConnectTransport({ baseUrl: url, httpVersion: "2", interceptors });
    return createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1", interceptors });
  }

  async function answer(
    protocol: Protocol,
    rpc: Rpc,
    headers: Record<string, string>,
    t: Target,
  ): Promise<Answer> {
    if (protocol === "REST") {
      const r = rpc.rest!(t);
      const res = await fetch(url + r.path, {
        method: r.method,
        headers: { ...headers, ...(r.body ? { "content-type": "application/json" } : {}) },
        ...(r.body ? { body: JSON.stringify(r.body) } : {}),
      });
      const text = await res.text();
      if (res.ok) return { code: "ok", message: "", status: res.status };
      const body = JSON.parse(text) as { code: number; message: string };
      return { code: body.code as Code, message: body.message, status: res.status };
    }
    const transport = transportOf(protocol, headers);
    try {
      await rpc.call(clientsOf(transport), t);
      return { code: "ok", message: "" };
    } catch (err) {
      const e = ConnectError.from(err);
      return { code: e.code, message: e.rawMessage };
    }
  }

  const HTTP_STATUS: Record<number, number> = {
    [Code.Unauthenticated]: 401,
    [Code.PermissionDenied]: 403,
  };

  for (const c of CASES) {
    describe(c.name, () => {
      for (const rpc of RPCS) {
        if (c.listsOnly && !rpc.list) continue;
        for (const protocol of PROTOCOLS) {
          if (rpc.without?.includes(protocol)) continue;
          it(`${rpc.name} over ${protocol}`, async () => {
            cells.push(`${c.name} | ${rpc.name} | ${protocol}`);
            const before = storeCalls.calls + logCalls.calls;
            if (c.expected === "allowed") {
              // Deletes name what is missing, so the data set stays for the other cells.
              const names = rpc.name.startsWith("Delete") ? MISSING : EXISTING;
              const got = await answer(protocol, rpc, c.headers, { ns: c.ns, ...names });
              expect(got.code).not.toBe(Code.Unauthenticated);
              expect(got.code).not.toBe(Code.PermissionDenied);
              expect(storeCalls.calls + logCalls.calls).toBeGreaterThan(before);
              return;
            }
            const existing = await answer(protocol, rpc, c.headers, { ns: c.ns, ...EXISTING });
            const missing = await answer(protocol, rpc, c.headers, { ns: c.ns, ...MISSING });
            expect(existing.code).toBe(c.expected);
            if (protocol === "REST") expect(existing.status).toBe(HTTP_STATUS[c.expected]);
            // No difference tells a denied caller whether the resource exists.
            expect(missing).toEqual(existing);
            // The store and the log store were never asked.
            expect(storeCalls.calls + logCalls.calls).toBe(before);
          });
        }
      }
    });
  }

  it("covers every cell", () => {
    const rpcProtocols = RPCS.reduce((n, r) => n + PROTOCOLS.length - (r.without?.length ?? 0), 0);
    const listProtocols = RPCS.filter((r) => r.list).reduce(
      (n, r) => n + PROTOCOLS.length - (r.without?.length ?? 0),
      0,
    );
    expect(rpcProtocols).toBe(62);
    expect(listProtocols).toBe(16);
    const expected = (CASES.length - 1) * rpcProtocols + listProtocols;
    expect(cells).toHaveLength(expected);
    expect(new Set(cells).size).toBe(expected);
  });
});
