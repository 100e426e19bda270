import { Code, type ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { AuthRequest } from "@tekton-results/server";
import { createTokenAuthorizer } from "./token-authorizer.js";

const auth = createTokenAuthorizer({ a: ["team-a"], root: ["*"] });

function request(parent: string, authorization?: string): AuthRequest {
  const header = new Headers();
  if (authorization !== undefined) header.set("authorization", authorization);
  return { resource: "results", verb: "get", parent, header };
}

async function codeOf(p: Promise<void>): Promise<Code | "ok"> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return (err as ConnectError).code;
  }
}

describe("createTokenAuthorizer", () => {
  it("allows a token in its namespaces, case-insensitive scheme", async () => {
    expect(await codeOf(auth.authorize(request("team-a", "Bearer a")))).toBe("ok");
    expect(await codeOf(auth.authorize(request("team-a", "bearer a")))).toBe("ok");
  });

  it("is Unauthenticated for a missing, malformed or unknown token", async () => {
    expect(await codeOf(auth.authorize(request("team-a")))).toBe(Code.Unauthenticated);
    expect(await codeOf(auth.authorize(request("team-a", "Basic a")))).toBe(Code.Unauthenticated);
    expect(await codeOf(auth.authorize(request("team-a", "Bearer nope")))).toBe(
      Code.Unauthenticated,
    );
  });

  it("is PermissionDenied outside the token's namespaces and for '-' without '*'", async () => {
    expect(await codeOf(auth.authorize(request("team-b", "Bearer a")))).toBe(Code.PermissionDenied);
    expect(await codeOf(auth.authorize(request("-", "Bearer a")))).toBe(Code.PermissionDenied);
  });

  it("lets '*' act everywhere, including cluster-wide lists", async () => {
    expect(await codeOf(auth.authorize(request("team-b", "Bearer root")))).toBe("ok");
    expect(await codeOf(auth.authorize(request("-", "Bearer root")))).toBe("ok");
  });
});
