/**
 * The floor peer: a bare connect-node service of `tekton.results.v1alpha2.Results`
 * on the same HTTP/2 transport as the real server (same receive windows, same
 * clients), whose handlers run the raw-SQL peer's own statements
 * ({@link BenchBackend.listSql}, {@link BenchBackend.walkSql},
 * {@link BenchBackend.getSql}, {@link RawIngest}) and put the stored bytes
 * into the response unchanged. No validation, no authorization, no filter
 * compiler, no page token beyond the keyset position the SQL needs: what
 * remains is what any gRPC service over this database pays.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AnySchema, RecordSchema, Results, type Record as ApiRecord } from "@tekton-results/proto";
import {
  DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES,
  DEFAULT_HTTP2_STREAM_WINDOW_BYTES,
} from "@tekton-results/server";
import { createClients, type ApiHarness } from "./api-harness.js";
import {
  apiQuery,
  etagSuffix,
  keysetOf,
  type BenchBackend,
  type KeysetPosition,
  type QueryCase,
  type RawIngest,
  type RawPage,
  type RawRecordRow,
} from "./backend.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A listening bare server. */
export interface BareServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Start a connect-node handler for the routes `register` adds, on an HTTP/2
 * server with the real server's receive windows (1 MiB per stream, 4 MiB per
 * connection), on 127.0.0.1 and a free port.
 */
export async function startBareServer(
  register: (router: ConnectRouter) => void,
): Promise<BareServer> {
  const handler = connectNodeAdapter({ routes: register });
  const server = http2.createServer(
    { settings: { initialWindowSize: DEFAULT_HTTP2_STREAM_WINDOW_BYTES } },
    handler,
  );
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.setLocalWindowSize(DEFAULT_HTTP2_CONNECTION_WINDOW_BYTES);
    s.on("close", () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A stored row as an API Record: the same fields the real server sets, `data` as stored. */
export function rowToRecord(row: RawRecordRow): ApiRecord {
  const createTime = timestampFromMs(Number(row.create_time));
  const updateTime =
    Number(row.update_time) === Number(row.create_time)
      ? createTime
      : timestampFromMs(Number(row.update_time));
  return create(RecordSchema, {
    name: `${row.parent}/results/${row.result_name}/records/${row.name}`,
    id: row.uid,
    uid: row.uid,
    data: create(AnySchema, { type: row.type, value: encoder.encode(row.data) }),
    etag: row.etag,
    createdTime: createTime,
    createTime,
    updatedTime: updateTime,
    updateTime,
  });
}

/** The ListRecords request of the B4 walk (after the first page, with a page token). */
export const WALK_REQUEST = {
  parent: "-/results/-",
  filter: "",
  orderBy: "create_time asc",
} as const;

/** What the floor service answers from. */
export interface FloorHandlers {
  /** The SQL peers (ListRecords, GetRecord). */
  backend?: Pick<BenchBackend, "listSql" | "walkSql" | "getSql">;
  /** The B3 questions it knows, by their API request (see {@link apiQuery}). */
  queries?: readonly QueryCase[];
  /** The database CreateRecord and UpdateRecord write into (B1). */
  ingest?: RawIngest;
}

function queryKey(parent: string, filter: string, orderBy: string): string {
  return `${parent}\n${filter}\n${orderBy}`;
}

function unimplemented(what: string): never {
  throw new ConnectError(`the floor service has no ${what}`, Code.Unimplemented);
}

/** `ns/results/r/records/n` or `ns/results/r` split, unchecked. */
function split(name: string): { parent: string; resultName: string; name: string } {
  const [parent = "", , resultName = "", , recordName = ""] = name.split("/");
  return { parent, resultName, name: recordName };
}

/** The page token of a page: the keyset position of its last row, when more follow. */
function pageToken(page: RawPage): string {
  if (!page.more) return "";
  const last = keysetOf(page.rows[page.rows.length - 1]!);
  return `${last.createTime}/${last.uid}`;
}

function afterToken(token: string): KeysetPosition | undefined {
  if (token === "") return undefined;
  const slash = token.indexOf("/");
  return { createTime: Number(token.slice(0, slash)), uid: token.slice(slash + 1) };
}

/** Register the floor's handlers of the Results service on `router`. */
export function floorRoutes(handlers: FloorHandlers): (router: ConnectRouter) => void {
  const queries = new Map<string, QueryCase>();
  for (const q of handlers.queries ?? []) {
    const { parent, filter } = apiQuery(q);
    queries.set(queryKey(parent, filter, "create_time desc"), q);
  }
  const walkKey = queryKey(WALK_REQUEST.parent, WALK_REQUEST.filter, WALK_REQUEST.orderBy);
  const { backend, ingest } = handlers;
  return (router) => {
    router.service(Results, {
      async listRecords(req) {
        if (backend === undefined) unimplemented("SQL peer");
        const key = queryKey(req.parent, req.filter, req.orderBy);
        let page: RawPage;
        if (key === walkKey) {
          page = await backend.walkSql(afterToken(req.pageToken), req.pageSize);
        } else {
          const query = queries.get(key);
          if (query === undefined) unimplemented(`question ${JSON.stringify(key)}`);
          page = await backend.listSql(query, req.pageSize);
        }
        return { records: page.rows.map(rowToRecord), nextPageToken: pageToken(page) };
      },
      async getRecord(req) {
        if (backend === undefined) unimplemented("SQL peer");
        const n = split(req.name);
        const row = await backend.getSql(n.parent, n.resultName, n.name);
        if (row === undefined) throw new ConnectError(req.name, Code.NotFound);
        return rowToRecord(row);
      },
      async createRecord(req) {
        if (ingest === undefined) unimplemented("ingest database");
        const record = req.record!;
        const { parent, resultName } = split(req.parent);
        const name = record.name.slice(record.name.lastIndexOf("/") + 1);
        const uid = randomUUID();
        const ms = Date.now();
        const data = record.data!;
        await ingest.insertRecord({
          parent,
          resultName,
          name,
          uid,
          type: data.type,
          data: decoder.decode(data.value),
          createMs: ms,
        });
        const time = timestampFromMs(ms);
        return create(RecordSchema, {
          name: `${req.parent}/records/${name}`,
          id: uid,
          uid,
          data,
          etag: uid + etagSuffix(ms),
          createdTime: time,
          createTime: time,
          updatedTime: time,
          updateTime: time,
        });
      },
      async updateRecord(req) {
        if (ingest === undefined) unimplemented("ingest database");
        const record = req.record!;
        const data = record.data!;
        const ms = Date.now();
        const updated = await ingest.updateRecord({
          ...split(record.name),
          type: data.type,
          data: decoder.decode(data.value),
          updateMs: ms,
        });
        if (updated === undefined) throw new ConnectError(record.name, Code.NotFound);
        const updateTime = timestampFromMs(ms);
        const createTime = timestampFromMs(Number(updated.create_time));
        return create(RecordSchema, {
          name: record.name,
          id: updated.uid,
          uid: updated.uid,
          data,
          etag: updated.etag,
          createdTime: createTime,
          createTime,
          updatedTime: updateTime,
          updateTime,
        });
      },
    });
  };
}

/** Start the floor service over `handlers`, with `clients` clients as the API harness makes them. */
export async function startFloorServer(
  handlers: FloorHandlers,
  clients: number,
): Promise<ApiHarness> {
  const server = await startBareServer(floorRoutes(handlers));
  return { url: server.url, clients: createClients(server.url, clients), close: server.close };
}
