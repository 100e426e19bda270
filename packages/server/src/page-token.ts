/**
 * Opaque page tokens: base64url of a small JSON document holding a format
 * version, a hash that binds the token to the list it came from (target,
 * parent, filter and normalized order), and the keyset cursor. A token used
 * with another list, or one that does not decode, is InvalidArgument
 * "invalid page token". The page size is not bound: it may change between pages.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Cursor, FilterTarget } from "@tekton-results/storage";
import { invalidArgument } from "./errors.js";

/** The current token format. */
const VERSION = 1;
/** Tokens longer than this are rejected before decoding. */
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The list a page token belongs to. */
export interface PageTokenScope {
  /** Which list RPC. */
  target: FilterTarget;
  /** The request's parent, as sent (wildcards included). */
  parent: string;
  /** The filter expression (surrounding spaces do not matter). */
  filter: string;
  /** The normalized order (see `parseOrderBy`). */
  orderBy: string;
}

interface TokenBody {
  v: number;
  s: string;
  c: (number | null)[];
  u: string;
}

function scopeHash(scope: PageTokenScope): string {
  return createHash("sha256")
    .update(JSON.stringify([scope.target, scope.parent, scope.filter.trim(), scope.orderBy]))
    .digest("base64url")
    .slice(0, 22);
}

/** Encode the cursor of the next page of the list `scope`. */
export function encodePageToken(scope: PageTokenScope, cursor: Cursor): string {
  const body: TokenBody = { v: VERSION, s: scopeHash(scope), c: cursor.values, u: cursor.uid };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/**
 * Decode a page token sent with the list `scope` whose order has `terms`
 * fields. Throws InvalidArgument "invalid page token" when it is garbled,
 * from another format version, or from another list.
 */
export function decodePageToken(token: string, scope: PageTokenScope, terms: number): Cursor {
  const invalid = () => invalidArgument("invalid page token");
  if (token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) throw invalid();
  const bytes = Buffer.from(token, "base64url");
  // Only the canonical spelling: trailing bits or characters are not ignored.
  if (bytes.toString("base64url") !== token) throw invalid();
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw invalid();
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid();
  const { v, s, c, u } = body as Partial<TokenBody>;
  if (v !== VERSION || s !== scopeHash(scope)) throw invalid();
  if (typeof u !== "string" || u === "" || u.length > 256) throw invalid();
  if (!Array.isArray(c) || c.length !== terms) throw invalid();
  for (const value of c) {
    if (value !== null && (typeof value !== "number" || !Number.isFinite(value))) throw invalid();
  }
  return { values: c, uid: u };
}
