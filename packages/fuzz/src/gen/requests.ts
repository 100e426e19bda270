/**
 * Whole requests, per protocol: a call of any RPC with generated fields (over
 * gRPC, gRPC-Web, Connect JSON or Connect binary), an UpdateLog stream
 * (sometimes cut midway), a raw body in the protocol's framing (random or
 * truncated protobuf bytes, JSON with wrong types, oversized), or for REST a
 * route with generated path segments, query and JSON body.
 *
 * @module
 */
import fc from "fast-check";
import { celFilter } from "./cel.js";
import { hostileString, shortHostileString } from "./corpus.js";
import { groupBy, orderBy, pageSize, pageToken, summaryFields, summaryOrderBy, type PageTokenChoice } from "./lists.js";
import { anyString, jsonBody, protobufBytes, record, result } from "./messages.js";
import { logName, parentSegment, recordName, recordSegment, recordsParent, resultName, resultSegment } from "./names.js";

/** The protocols requests are sent over. */
export const PROTOCOLS = ["grpc", "grpc-web", "connect-json", "connect-binary", "rest"] as const;
/** One protocol. */
export type Protocol = (typeof PROTOCOLS)[number];

/** The services of the API, by their full names. */
export const SERVICES = {
  results: "tekton.results.v1alpha2.Results",
  logs: "tekton.results.v1alpha2.Logs",
  logs3: "tekton.results.v1alpha3.Logs",
} as const;

/** An etag choice: a literal, or the current etag of the named resource when sent. */
export type EtagChoice = { kind: "literal"; value: string } | { kind: "current" };

/** A call of one unary or server-streaming RPC with generated fields. */
export interface RpcRequest {
  kind: "rpc";
  service: keyof typeof SERVICES;
  method: string;
  /** The request message's fields (protobuf-es init). */
  fields: Record<string, unknown>;
  /** Resolved into `pageToken` when sent. */
  pageToken?: PageTokenChoice;
  /** Resolved into `etag` when sent. */
  etag?: EtagChoice;
}

/** An UpdateLog client stream, cut after `cutAfter` messages when set. */
export interface UploadRequest {
  kind: "upload";
  names: string[];
  chunks: Uint8Array[];
  cutAfter?: number;
}

/** A raw body posted to an RPC's path in the protocol's framing. */
export interface RawRequest {
  kind: "raw";
  service: keyof typeof SERVICES;
  method: string;
  body: Uint8Array;
  /** gRPC framing: lie about the length, or set the compressed flag. */
  frame: "honest" | "short" | "long" | "compressed" | "none";
}

/** A REST request. */
export interface RestRequest {
  kind: "rest";
  method: string;
  path: string;
  query: [string, string][];
  body?: string;
  pageToken?: PageTokenChoice;
  contentType?: string;
}

/** Any generated request. */
export type FuzzRequest = RpcRequest | UploadRequest | RawRequest | RestRequest;

const listFields = (parent: fc.Arbitrary<string>) =>
  fc.record({ parent, filter: celFilter, pageSize, orderBy });

const etag: fc.Arbitrary<EtagChoice> = fc.oneof(
  fc.constant({ kind: "current" as const }),
  fc.constant({ kind: "literal" as const, value: "" }),
  anyString.map((value) => ({ kind: "literal" as const, value })),
);

const resultsParent = fc.oneof(parentSegment, resultName);

/** The RPC calls of the Results and Logs services, each with generated fields. */
const rpcRequest: fc.Arbitrary<RpcRequest> = fc.oneof(
  fc.record({ parent: resultsParent, result }).map((fields) => rpc("results", "CreateResult", fields)),
  fc.record({ name: resultName }).map((fields) => rpc("results", "GetResult", fields)),
  fc.tuple(fc.record({ name: resultName, result }), etag).map(([fields, e]) => ({ ...rpc("results", "UpdateResult", fields), etag: e })),
  fc.record({ name: resultName }).map((fields) => rpc("results", "DeleteResult", fields)),
  fc.tuple(listFields(resultsParent), pageToken).map(([fields, t]) => ({ ...rpc("results", "ListResults", fields), pageToken: t })),
  fc.record({ parent: recordsParent, record }).map((fields) => rpc("results", "CreateRecord", fields)),
  fc.record({ name: recordName }).map((fields) => rpc("results", "GetRecord", fields)),
  fc
    .tuple(
      fc.record(
        { record, updateMask: fc.record({ paths: fc.array(fc.oneof(fc.constantFrom("data", "data.type", "data.value", "name"), anyString), { maxLength: 3 }) }) },
        { requiredKeys: ["record"] },
      ),
      etag,
    )
    .map(([fields, e]) => ({ ...rpc("results", "UpdateRecord", fields), etag: e })),
  fc.record({ name: recordName }).map((fields) => rpc("results", "DeleteRecord", fields)),
  fc.tuple(listFields(recordsParent), pageToken).map(([fields, t]) => ({ ...rpc("results", "ListRecords", fields), pageToken: t })),
  fc
    .record({ parent: recordsParent, summary: summaryFields, filter: celFilter, groupBy, orderBy: summaryOrderBy })
    .map((fields) => rpc("results", "GetRecordListSummary", fields)),
  fc.record({ name: logName }).map((fields) => rpc("logs", "GetLog", fields)),
  fc.tuple(listFields(recordsParent), pageToken).map(([fields, t]) => ({ ...rpc("logs", "ListLogs", fields), pageToken: t })),
  fc.record({ name: logName }).map((fields) => rpc("logs", "DeleteLog", fields)),
  fc.record({ name: logName }).map((fields) => rpc("logs3", "GetLog", fields)),
);

function rpc(service: RpcRequest["service"], method: string, fields: Record<string, unknown>): RpcRequest {
  return { kind: "rpc", service, method, fields };
}

/** UpdateLog streams: names consistent or not, chunks of any size, cut or not. */
const uploadRequest: fc.Arbitrary<UploadRequest> = fc.record(
  {
    kind: fc.constant("upload" as const),
    names: fc.array(fc.oneof(logName, fc.constant("")), { minLength: 1, maxLength: 3 }),
    chunks: fc.array(fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.constant(new Uint8Array(200_000))), { maxLength: 5 }),
    cutAfter: fc.nat(4),
  },
  { requiredKeys: ["kind", "names", "chunks"] },
);

const METHODS: [RpcRequest["service"], string, string[]][] = [
  ["results", "CreateResult", ["parent", "result"]],
  ["results", "GetResult", ["name"]],
  ["results", "UpdateResult", ["name", "result", "etag"]],
  ["results", "DeleteResult", ["name"]],
  ["results", "ListResults", ["parent", "filter", "pageSize", "page_size", "pageToken", "orderBy"]],
  ["results", "CreateRecord", ["parent", "record"]],
  ["results", "GetRecord", ["name"]],
  ["results", "UpdateRecord", ["record", "updateMask", "etag"]],
  ["results", "DeleteRecord", ["name"]],
  ["results", "ListRecords", ["parent", "filter", "pageSize", "pageToken", "orderBy"]],
  ["results", "GetRecordListSummary", ["parent", "summary", "filter", "groupBy", "orderBy"]],
  ["logs", "GetLog", ["name"]],
  ["logs", "ListLogs", ["parent", "filter", "pageSize"]],
  ["logs", "UpdateLog", ["name", "data"]],
  ["logs", "DeleteLog", ["name"]],
  ["logs3", "GetLog", ["name"]],
  ["results", "NoSuchMethod", ["x"]],
];

/** Raw bodies for an RPC path: JSON for the JSON protocol, protobuf bytes (or oversized) for the rest. */
function rawRequest(json: boolean): fc.Arbitrary<RawRequest> {
  return fc.constantFrom(...METHODS).chain(([service, method, fields]) =>
    fc.record({
      kind: fc.constant("raw" as const),
      service: fc.constant(service),
      method: fc.constant(method),
      body: json
        ? fc.oneof(
            { weight: 9, arbitrary: jsonBody(fields).map((s) => new TextEncoder().encode(s)) },
            { weight: 1, arbitrary: protobufBytes },
          )
        : fc.oneof(
            { weight: 40, arbitrary: protobufBytes },
            { weight: 1, arbitrary: fc.constant(new Uint8Array(5 << 20).fill(0x0a)) },
          ),
      frame: fc.constantFrom("honest", "honest", "short", "long", "compressed", "none") as fc.Arbitrary<RawRequest["frame"]>,
    }),
  );
}

const PREFIX = "/apis/results.tekton.dev/v1alpha2/parents";

/** Percent-encode every byte of the UTF-8 of `s` but the unreserved ones (lone surrogates as U+FFFD). */
export function percentEncode(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const seg = (a: fc.Arbitrary<string>) =>
  fc.tuple(a, fc.nat(9)).map(([s, how]) => (how === 0 ? percentEncode(s).replaceAll("%2F", "/") : percentEncode(s)));

/** Query parameters of the list and summary routes, some unknown, some repeated. */
const listQuery = fc
  .record(
    {
      filter: celFilter,
      page_size: fc.oneof(pageSize.map(String), anyString),
      order_by: orderBy,
      summary: summaryFields,
      group_by: groupBy,
      etag: anyString,
      name: anyString,
      "update_mask.paths": anyString,
      unknown: anyString,
    },
    { requiredKeys: [] },
  )
  .map((q) => Object.entries(q));

/** REST requests on every route, with generated segments, queries and bodies. */
const restRequest: fc.Arbitrary<RestRequest> = fc
  .tuple(
    seg(parentSegment),
    seg(resultSegment),
    seg(recordSegment),
    listQuery,
    pageToken,
    fc.nat(13),
    fc.oneof(jsonBody(["name", "annotations", "summary", "data", "etag", "uid", "record", "result"]), result.map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v)))),
    fc.constantFrom("application/json", "application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16"),
  )
  .map(([p, r, c, query, token, route, body, contentType]): RestRequest => {
    const results = `${PREFIX}/${p}/results`;
    const one = `${results}/${r}`;
    const records = `${one}/records`;
    const routes: [string, string, boolean][] = [
      ["POST", results, true],
      ["GET", one, false],
      ["PATCH", one, true],
      ["DELETE", one, false],
      ["GET", results, false],
      ["POST", records, true],
      ["GET", `${records}/${c}`, false],
      ["PATCH", `${records}/${c}`, true],
      ["DELETE", `${records}/${c}`, false],
      ["GET", records, false],
      ["GET", `${records}/summary`, false],
      ["GET", `${one}/logs/${c}`, false],
      ["GET", `${one}/logs`, false],
      ["DELETE", `${one}/logs/${c}`, false],
    ];
    const [method, path, withBody] = routes[route]!;
    const v3 = route === 11 && c.length % 2 === 0;
    return {
      kind: "rest",
      method,
      path: v3 ? path.replace("/v1alpha2/", "/v1alpha3/") : path,
      query,
      ...(withBody ? { body, contentType } : {}),
      pageToken: token,
    };
  });

/** Raw REST requests: hostile paths and methods, random bodies. */
const rawRest: fc.Arbitrary<RestRequest> = fc
  .tuple(
    fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"),
    fc.oneof(
      shortHostileString.map((s) => `${PREFIX}/${percentEncode(s)}`),
      fc.string({ maxLength: 40 }).map((s) => `${PREFIX}/${percentEncode(s)}/results`),
      fc.constantFrom(`${PREFIX}`, `${PREFIX}/`, `${PREFIX}//results`, `${PREFIX}/a/results/b/records/c/d`, `${PREFIX}/%2e%2e/results`, "/apis/results.tekton.dev/v1alpha2/", "/apis/", `${PREFIX}/a%00/results`),
    ),
    fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom("{".repeat(10_000), JSON.stringify({ x: "y".repeat(1 << 20) }))),
  )
  .map(([method, path, body]) => ({ kind: "rest", method, path, query: [], ...(method === "GET" || method === "HEAD" ? {} : { body, contentType: "application/json" }) }));

/** The requests of one protocol. */
export function requestFor(protocol: Protocol): fc.Arbitrary<FuzzRequest> {
  if (protocol === "rest") {
    return fc.oneof({ weight: 9, arbitrary: restRequest }, { weight: 1, arbitrary: rawRest });
  }
  const raw = rawRequest(protocol === "connect-json");
  const upload = protocol === "grpc-web" ? [] : [{ weight: 1, arbitrary: uploadRequest as fc.Arbitrary<FuzzRequest> }];
  return fc.oneof(
    { weight: 16, arbitrary: rpcRequest as fc.Arbitrary<FuzzRequest> },
    ...upload,
    { weight: 3, arbitrary: raw as fc.Arbitrary<FuzzRequest> },
  );
}
