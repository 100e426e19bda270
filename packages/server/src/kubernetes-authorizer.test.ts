import { Code } from "@connectrpc/connect";
import { codeOf } from "../test/support/outcomes.js";
import { describe, expect, it } from "vitest";
import type { AuthRequest } from "./auth.js";
import {
  bearerToken,
  createKubernetesAuthorizer,
  type AccessDecision,
  type KubernetesReviewer,
  type KubernetesUser,
  type ResourceAttributes,
} from "./kubernetes-authorizer.js";

/** A reviewer over fixed tokens and a rule, recording every review it makes. */
function fakeReviewer(
  users: Record<string, KubernetesUser>,
  rule: (user: KubernetesUser, a: ResourceAttributes) => boolean | AccessDecision,
) {
  const calls: string[] = [];
  const reviews: { user: KubernetesUser; attributes: ResourceAttributes }[] = [];
  let failing = false;
  let delayMs = 0;
  const reviewer: KubernetesReviewer = {
    async reviewToken(token, audiences) {
      calls.push(`token ${token}${audiences.length ? ` for ${audiences.join(",")}` : ""}`);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (failing) throw new Error("connect ECONNREFUSED 10.0.0.1:443");
      return users[token];
    },
    async reviewAccess(user, attributes) {
      calls.push(`access ${user.username} ${attributes.verb} ${attributes.resource}`);
      reviews.push({ user, attributes });
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (failing) throw new Error("connect ECONNREFUSED 10.0.0.1:443");
      const d = rule(user, attributes);
      return typeof d === "boolean" ? { allowed: d } : d;
    },
  };
  return {
    reviewer,
    calls,
    reviews,
    fail: (on: boolean) => (failing = on),
    delay: (ms: number) => (delayMs = ms),
  };
}

const alice: KubernetesUser = { username: "alice", uid: "u-1", groups: ["dev"] };
const admin: KubernetesUser = { username: "admin", groups: ["system:masters"] };

function request(
  headers: Record<string, string>,
  over: Partial<Omit<AuthRequest, "header">> = {},
): AuthRequest {
  return {
    resource: "records",
    verb: "list",
    parent: "team-a",
    header: new Headers(headers),
    ...over,
  };
}

/** alice may do anything in team-a; admin anything anywhere, impersonation included. */
const rule = (user: KubernetesUser, a: ResourceAttributes) =>
  user.username === "admin" || (user.username === "alice" && a.namespace === "team-a");

describe("createKubernetesAuthorizer", () => {
  it("asks for the Results API permission in the request's namespace with the token's user", async () => {
    const fake = fakeReviewer({ t1: alice }, rule);
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
    expect(await codeOf(auth.authorize(request({ authorization: "Bearer t1" })))).toBe("ok");
    expect(fake.reviews).toEqual([
      {
        user: alice,
        attributes: {
          group: "results.tekton.dev",
          resource: "records",
          verb: "list",
          namespace: "team-a",
        },
      },
    ]);
  });

  it("answers Unauthenticated without a bearer token or with a token Kubernetes rejects", async () => {
    const fake = fakeReviewer({ t1: alice }, rule);
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
    expect(await codeOf(auth.authorize(request({})))).toEqual({
      code: Code.Unauthenticated,
      message: "missing bearer token (Authorization: Bearer <token>)",
    });
    expect(await codeOf(auth.authorize(request({ authorization: "Basic YWxpY2U6cHc=" })))).toEqual({
      code: Code.Unauthenticated,
      message: "the Authorization header is not a bearer token",
    });
    expect(await codeOf(auth.authorize(request({ authorization: "Bearer nope" })))).toEqual({
      code: Code.Unauthenticated,
      message: "invalid bearer token",
    });
    expect(fake.calls).toEqual(["token nope"]);
  });

  it("answers PermissionDenied, with the reason, to a valid user without the permission", async () => {
    const fake = fakeReviewer({ t1: alice }, (u, a) =>
      rule(u, a) ? true : { allowed: false, reason: "no RBAC policy matched" },
    );
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
    expect(
      await codeOf(auth.authorize(request({ authorization: "Bearer t1" }, { parent: "team-b" }))),
    ).toEqual({
      code: Code.PermissionDenied,
      message:
        'user "alice" cannot list records.results.tekton.dev in namespace "team-b": no RBAC policy matched',
    });
  });

  it("reviews a list across namespaces (parent -) at the cluster scope", async () => {
    const fake = fakeReviewer({ t1: alice, t2: admin }, rule);
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
    expect(
      await codeOf(auth.authorize(request({ authorization: "Bearer t1" }, { parent: "-" }))),
    ).toEqual({
      code: Code.PermissionDenied,
      message: 'user "alice" cannot list records.results.tekton.dev at the cluster scope',
    });
    expect(fake.reviews[0]!.attributes.namespace).toBeUndefined();
    expect(
      await codeOf(auth.authorize(request({ authorization: "Bearer t2" }, { parent: "-" }))),
    ).toBe("ok");
  });

  it("caches decisions for the TTL: one review per token and permission, then asks again", async () => {
    let clock = 1_000;
    const fake = fakeReviewer({ t1: alice }, rule);
    const auth = createKubernetesAuthorizer({
      reviewer: fake.reviewer,
      cacheTtlMs: 10_000,
      now: () => clock,
    });
    for (let i = 0; i < 5; i++) await auth.authorize(request({ authorization: "Bearer t1" }));
    await auth.authorize(request({ authorization: "Bearer t1" }, { verb: "get" }));
    expect(fake.calls).toEqual([
      "token t1",
      "access alice list records",
      "access alice get records",
    ]);
    // Denials are cached too.
    await codeOf(auth.authorize(request({ authorization: "Bearer t1" }, { parent: "team-b" })));
    await codeOf(auth.authorize(request({ authorization: "Bearer t1" }, { parent: "team-b" })));
    expect(fake.calls).toHaveLength(4);
    clock += 10_001;
    await auth.authorize(request({ authorization: "Bearer t1" }));
    expect(fake.calls.slice(4)).toEqual(["token t1", "access alice list records"]);
  });

  it("shares one review among concurrent identical requests", async () => {
    const fake = fakeReviewer({ t1: alice }, rule);
    fake.delay(20);
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        codeOf(auth.authorize(request({ authorization: "Bearer t1" }))),
      ),
    );
    expect(results.every((r) => r === "ok")).toBe(true);
    expect(fake.calls).toEqual(["token t1", "access alice list records"]);
  });

  it("with caching off, reviews every request", async () => {
    const fake = fakeReviewer({ t1: alice }, rule);
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer, cacheTtlMs: 0 });
    await auth.authorize(request({ authorization: "Bearer t1" }));
    await auth.authorize(request({ authorization: "Bearer t1" }));
    expect(fake.calls).toHaveLength(4);
  });

  it("answers Unavailable when Kubernetes cannot be reached, without the cause, and does not cache it", async () => {
    const fake = fakeReviewer({ t1: alice }, rule);
    const logged: object[] = [];
    const noop = () => undefined;
    const auth = createKubernetesAuthorizer({
      reviewer: fake.reviewer,
      logger: { debug: noop, info: noop, warn: noop, error: (o) => logged.push(o) },
    });
    fake.fail(true);
    expect(await codeOf(auth.authorize(request({ authorization: "Bearer t1" })))).toEqual({
      code: Code.Unavailable,
      message: "authorization is unavailable",
    });
    expect(JSON.stringify(logged)).toContain("ECONNREFUSED");
    fake.fail(false);
    expect(await codeOf(auth.authorize(request({ authorization: "Bearer t1" })))).toBe("ok");
  });

  it("keeps at most maxCacheEntries decisions, dropping the oldest", async () => {
    const users: Record<string, KubernetesUser> = {};
    for (let i = 0; i < 5; i++) users[`t${i}`] = { username: "admin", groups: [] };
    const fake = fakeReviewer(users, rule);
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer, maxCacheEntries: 2 });
    for (let i = 0; i < 5; i++) await auth.authorize(request({ authorization: `Bearer t${i}` }));
    const tokenCalls = () => fake.calls.filter((c) => c.startsWith("token")).length;
    expect(tokenCalls()).toBe(5);
    await auth.authorize(request({ authorization: "Bearer t4" })); // kept
    expect(tokenCalls()).toBe(5);
    await auth.authorize(request({ authorization: "Bearer t0" })); // dropped long ago
    expect(tokenCalls()).toBe(6);
  });

  it("passes the configured audiences to the TokenReview", async () => {
    const fake = fakeReviewer({ t1: alice }, rule);
    const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer, audiences: ["results"] });
    await auth.authorize(request({ authorization: "Bearer t1" }));
    expect(fake.calls[0]).toBe("token t1 for results");
  });

  describe("impersonation", () => {
    it("acts as the impersonated user once each part of the impersonation is allowed", async () => {
      const fake = fakeReviewer({ t2: admin }, (u, a) =>
        u.username === "admin" ? true : u.username === "bob" && a.namespace === "team-a",
      );
      const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
      const headers = {
        authorization: "Bearer t2",
        "impersonate-user": "bob",
        "impersonate-group": "qa, ops",
        "impersonate-uid": "u-9",
        "impersonate-extra-scopes": "view",
      };
      expect(await codeOf(auth.authorize(request(headers)))).toBe("ok");
      expect(fake.reviews.map((r) => [r.user.username, r.attributes])).toEqual([
        ["admin", { group: "", resource: "users", verb: "impersonate", name: "bob" }],
        ["admin", { group: "", resource: "groups", verb: "impersonate", name: "qa" }],
        ["admin", { group: "", resource: "groups", verb: "impersonate", name: "ops" }],
        [
          "admin",
          { group: "authentication.k8s.io", resource: "uids", verb: "impersonate", name: "u-9" },
        ],
        [
          "admin",
          {
            group: "authentication.k8s.io",
            resource: "userextras",
            subresource: "scopes",
            verb: "impersonate",
            name: "view",
          },
        ],
        [
          "bob",
          { group: "results.tekton.dev", resource: "records", verb: "list", namespace: "team-a" },
        ],
      ]);
      expect(fake.reviews.at(-1)!.user).toEqual({
        username: "bob",
        uid: "u-9",
        groups: ["qa", "ops", "system:authenticated"],
        extra: { scopes: ["view"] },
      });
      // The impersonated user's own permission decides.
      expect(await codeOf(auth.authorize(request(headers, { parent: "team-b" })))).toMatchObject({
        code: Code.PermissionDenied,
        message: expect.stringContaining('"bob"'),
      });
    });

    it("impersonating a service account is checked on serviceaccounts in its namespace", async () => {
      const fake = fakeReviewer({ t2: admin }, () => true);
      const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
      await auth.authorize(
        request({
          authorization: "Bearer t2",
          "impersonate-user": "system:serviceaccount:ci:builder",
        }),
      );
      expect(fake.reviews[0]!.attributes).toEqual({
        group: "",
        resource: "serviceaccounts",
        verb: "impersonate",
        namespace: "ci",
        name: "builder",
      });
      expect(fake.reviews[1]!.user.groups).toEqual([
        "system:serviceaccounts",
        "system:serviceaccounts:ci",
        "system:authenticated",
      ]);
    });

    // kube-apiserver's rules (apiserver pkg/endpoints/filters/impersonation.go): a
    // service account gains its two groups only when no Impersonate-Group is sent;
    // system:authenticated is added to anyone but system:anonymous unless the groups
    // hold system:authenticated or system:unauthenticated; system:anonymous gains
    // system:unauthenticated unless it is there.
    it.each<[string, Record<string, string>, string[]]>([
      ["a user without groups", { "impersonate-user": "bob" }, ["system:authenticated"]],
      [
        "a user with groups",
        { "impersonate-user": "bob", "impersonate-group": "qa" },
        ["qa", "system:authenticated"],
      ],
      [
        "a user already in system:authenticated",
        { "impersonate-user": "bob", "impersonate-group": "system:authenticated, qa" },
        ["system:authenticated", "qa"],
      ],
      [
        "a user in system:unauthenticated",
        { "impersonate-user": "bob", "impersonate-group": "system:unauthenticated" },
        ["system:unauthenticated"],
      ],
      [
        "a service account without groups",
        { "impersonate-user": "system:serviceaccount:ci:builder" },
        ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
      ],
      [
        "a service account with groups",
        { "impersonate-user": "system:serviceaccount:ci:builder", "impersonate-group": "qa" },
        ["qa", "system:authenticated"],
      ],
      [
        "a service account with system:unauthenticated",
        {
          "impersonate-user": "system:serviceaccount:ci:builder",
          "impersonate-group": "system:unauthenticated",
        },
        ["system:unauthenticated"],
      ],
      [
        "a malformed service account name (a user)",
        { "impersonate-user": "system:serviceaccount:ci" },
        ["system:authenticated"],
      ],
      ["system:anonymous", { "impersonate-user": "system:anonymous" }, ["system:unauthenticated"]],
      [
        "system:anonymous with groups",
        { "impersonate-user": "system:anonymous", "impersonate-group": "qa" },
        ["qa", "system:unauthenticated"],
      ],
      [
        "system:anonymous already in system:unauthenticated",
        { "impersonate-user": "system:anonymous", "impersonate-group": "system:unauthenticated" },
        ["system:unauthenticated"],
      ],
    ])("impersonating %s gives the groups kube-apiserver gives", async (_, headers, groups) => {
      const fake = fakeReviewer({ t2: admin }, () => true);
      const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
      await auth.authorize(request({ authorization: "Bearer t2", ...headers }));
      expect(fake.reviews.at(-1)!.user.groups).toEqual(groups);
    });

    it("a caller who may not impersonate is denied; groups without a user are refused", async () => {
      const fake = fakeReviewer({ t1: alice }, rule);
      const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer });
      expect(
        await codeOf(
          auth.authorize(request({ authorization: "Bearer t1", "impersonate-user": "admin" })),
        ),
      ).toEqual({
        code: Code.PermissionDenied,
        message: 'user "alice" cannot impersonate users "admin" at the cluster scope',
      });
      expect(
        await codeOf(
          auth.authorize(request({ authorization: "Bearer t1", "impersonate-group": "x" })),
        ),
      ).toMatchObject({ code: Code.InvalidArgument });
    });

    it("can be turned off: impersonation headers are then refused", async () => {
      const fake = fakeReviewer({ t2: admin }, () => true);
      const auth = createKubernetesAuthorizer({ reviewer: fake.reviewer, impersonation: false });
      expect(
        await codeOf(
          auth.authorize(request({ authorization: "Bearer t2", "impersonate-user": "bob" })),
        ),
      ).toEqual({
        code: Code.PermissionDenied,
        message: "impersonation is disabled on this server",
      });
    });
  });

  it("rejects bad options", () => {
    expect(() => createKubernetesAuthorizer({})).toThrow(TypeError);
    const { reviewer } = fakeReviewer({}, () => true);
    expect(() => createKubernetesAuthorizer({ reviewer, cacheTtlMs: -1 })).toThrow(TypeError);
    expect(() => createKubernetesAuthorizer({ reviewer, maxCacheEntries: 0 })).toThrow(TypeError);
  });
});

describe("bearerToken", () => {
  it("reads the token of a Bearer header, in any case, and nothing else", () => {
    expect(bearerToken(new Headers({ authorization: "Bearer abc.def" }))).toBe("abc.def");
    expect(bearerToken(new Headers({ authorization: "bearer abc" }))).toBe("abc");
    expect(bearerToken(new Headers({ authorization: "Bearer" }))).toBeUndefined();
    expect(bearerToken(new Headers({ authorization: "Bearer a b" }))).toBeUndefined();
    expect(bearerToken(new Headers())).toBeUndefined();
  });
});
