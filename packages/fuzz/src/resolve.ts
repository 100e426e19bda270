/**
 * Turning a generated request into what is sent: page token choices against
 * the tokens seen so far (or forged for the request's own list), `current`
 * etags read from the store, and the text of the request (for the leak check).
 *
 * @module
 */
import { encodePageToken } from "@tekton-results/server";
import type { ResultsStore } from "@tekton-results/storage";
import type { EtagChoice, FuzzRequest } from "./gen/requests.js";
import type { PageTokenChoice } from "./gen/lists.js";

/** The page tokens servers handed out, newest last (bounded). */
export class TokenPool {
  readonly tokens: string[] = [];
  add(token: string | undefined): void {
    if (!token) return;
    this.tokens.push(token);
    if (this.tokens.length > 200) this.tokens.shift();
  }
}

/** The page token to send for `choice` on the list (`target`, `parent`, `filter`, `orderBy`). */
export function resolveToken(
  choice: PageTokenChoice | undefined,
  pool: TokenPool,
  scope: { target: "results" | "records"; parent: string; filter: string; orderBy: string },
): string {
  if (!choice) return "";
  switch (choice.kind) {
    case "none":
      return "";
    case "literal":
      return choice.value;
    case "seen": {
      const token = pool.tokens[choice.index % Math.max(1, pool.tokens.length)] ?? "";
      switch (choice.mutation) {
        case "truncate":
          return token.slice(0, Math.floor(token.length / 2));
        case "flip": {
          const i = choice.index % Math.max(1, token.length);
          const c = token.charAt(i) === "A" ? "B" : "A";
          return token.slice(0, i) + c + token.slice(i + 1);
        }
        case "append":
          return `${token}AA`;
        default:
          return token;
      }
    }
    case "forged": {
      const orderBy = scope.orderBy.trim() === "" ? "create_time asc" : scope.orderBy.trim();
      const token = encodePageToken(
        { ...scope, orderBy },
        { values: choice.values as (number | null)[], uid: choice.uid as string },
      );
      if (choice.version === 1) return token;
      const body = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Record<
        string,
        unknown
      >;
      body["v"] = choice.version;
      return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
    }
  }
}

/** The etag to send for `choice` on the Result or Record `name`. */
export async function resolveEtag(
  choice: EtagChoice | undefined,
  store: ResultsStore,
  name: string,
): Promise<string> {
  if (!choice) return "";
  if (choice.kind === "literal") return choice.value;
  const parts = name.split("/");
  try {
    if (parts.length === 3 && parts[1] === "results")
      return (await store.getResult(parts[0]!, parts[2]!)).etag;
    if (parts.length === 5 && parts[1] === "results" && parts[3] === "records") {
      return (await store.getRecord(parts[0]!, parts[2]!, parts[4]!)).etag;
    }
  } catch {
    // missing: no etag
  }
  return "";
}

/** True when the request may write (so the data set is compared around it). */
export function isMutation(req: FuzzRequest): boolean {
  switch (req.kind) {
    case "upload":
      return true;
    case "rest":
      return req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS";
    default:
      return /^(Create|Update|Delete)/.test(req.method);
  }
}

/** Everything a request carries, as text: what the server may quote back. */
export function requestText(req: FuzzRequest, sent: Record<string, unknown> = {}): string {
  const parts: string[] = [
    JSON.stringify({ ...req, ...sent }, (_k, v: unknown) => {
      if (typeof v === "bigint") return String(v);
      if (v instanceof Uint8Array) return Buffer.from(v).toString("latin1");
      return v;
    }),
  ];
  if (req.kind === "rest") {
    parts.push(req.path, safeDecode(req.path));
    for (const [k, v] of req.query) parts.push(k, v);
    if (req.body) parts.push(req.body);
  }
  return parts.join("\n");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The keys of the data-set checksum an UpdateLog on `names` may change when it fails. */
export function uploadMayChange(names: string[]): (key: string) => boolean {
  const keys = new Set(
    names.map(
      (n) => `record:${n.replace("/logs/", "/records/").replace(/\/(results|records)\//g, "/")}`,
    ),
  );
  return (key) => keys.has(key);
}
