import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { decodePageToken, encodePageToken, type PageTokenScope } from "./page-token.js";

const scope: PageTokenScope = {
  target: "results",
  parent: "ns",
  filter: 'parent == "ns"',
  orderBy: "create_time asc",
};
const cursor = { values: [1705312800000], uid: "00000000-0000-4000-8000-000000000001" };

function invalid(token: string, s: PageTokenScope = scope, terms = 1): void {
  let err: unknown;
  try {
    decodePageToken(token, s, terms);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConnectError);
  expect((err as ConnectError).code).toBe(Code.InvalidArgument);
  expect((err as ConnectError).rawMessage).toBe("invalid page token");
}

describe("page tokens", () => {
  it("round-trip a cursor, with nulls, and are URL-safe", () => {
    const token = encodePageToken(scope, cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, scope, 1)).toEqual(cursor);
    const two = { values: [null, 5], uid: "u" };
    expect(decodePageToken(encodePageToken(scope, two), scope, 2)).toEqual(two);
  });

  it("ignore spaces around the filter", () => {
    const token = encodePageToken(scope, cursor);
    expect(decodePageToken(token, { ...scope, filter: `  ${scope.filter} ` }, 1)).toEqual(cursor);
  });

  it("are bound to target, parent, filter and order", () => {
    const token = encodePageToken(scope, cursor);
    invalid(token, { ...scope, target: "records" });
    invalid(token, { ...scope, parent: "-" });
    invalid(token, { ...scope, filter: 'parent == "other"' });
    invalid(token, { ...scope, filter: "" });
    invalid(token, { ...scope, orderBy: "create_time desc" });
    invalid(token, scope, 2);
  });

  it("reject garbled tokens", () => {
    const token = encodePageToken(scope, cursor);
    invalid("");
    invalid("%%%");
    invalid("a b");
    invalid(`${token}=`);
    invalid(`${token}A`);
    invalid(token.slice(1));
    invalid("x".repeat(5000));
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const body = JSON.parse(Buffer.from(token, "base64url").toString()) as { [k: string]: unknown };
    invalid(enc(null));
    invalid(enc([]));
    invalid(enc({ ...body, v: 2 }));
    invalid(enc({ ...body, u: "" }));
    invalid(enc({ ...body, u: 7 }));
    invalid(enc({ ...body, c: ["1"] }));
    invalid(enc({ ...body, c: 5 }));
    invalid(
      Buffer.from(JSON.stringify({ ...body, c: [0] }).replace('"c":[0]', '"c":[1e400]')).toString(
        "base64url",
      ),
    );
    expect(decodePageToken(enc(body), scope, 1)).toEqual(cursor);
  });
});
