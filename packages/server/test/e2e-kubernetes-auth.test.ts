/**
 * The server program with `--auth kubernetes` against the fake Kubernetes API
 * server: real TokenReviews and SubjectAccessReviews over HTTP through
 * client-node, real gRPC (h2c) and REST callers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { Results } from "@tekton-results/proto";
import type { Logger } from "@tekton-results/runtime";
import { main } from "../src/main.js";

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * The cluster's policy: alice may do anything with results.tekton.dev in
 * team-a; ci-bot may only create and update, anywhere; admin may do anything,
 * impersonation included.
 */
function policy(spec: Record<string, unknown>): { allowed: boolean; reason?: string } {
  const user = spec["user"];
  const a = (spec["resourceAttributes"] ?? {}) as Record<string, string | undefined>;
  if (user === "admin") return { allowed: true };
  if (a["group"] !== "results.tekton.dev") return { allowed: false, reason: "not granted" };
  if (user === "alice" && a["namespace"] === "team-a") return { allowed: true };
  if (user === "ci-bot" && ["create", "update", "get"].includes(a["verb"] ?? ""))
    return { allowed: true };
  return { allowed: false, reason: "no RBAC policy matched" };
}

describe("the server with --auth kubernetes", () => {
  let kube: KubeFake;
  let dir: string;
  let url = "";
  let stop!: () => void;
  let done: Promise<number>;
  const sessions: Http2SessionManager[] = [];

  function clientAs(token?: string, extra: Record<string, string> = {}): Client<typeof Results> {
    const sessionManager = new Http2SessionManager(url);
    sessions.push(sessionManager);
    return createClient(
      Results,
      createGrpcTransport({
        baseUrl: url,
        sessionManager,
        interceptors: [
          (next) => (req) => {
            if (token) req.header.set("authorization", `Bearer ${token}`);
            for (const [k, v] of Object.entries(extra)) req.header.set(k, v);
            return next(req);
          },
        ],
      }),
    );
  }

  async function codeOf(p: Promise<unknown>): Promise<Code | "ok"> {
    try {
      await p;
      return "ok";
    } catch (err) {
      return ConnectError.from(err).code;
    }
  }

  beforeAll(async () => {
    kube = await createKubeFake({
      tokens: {
        "alice-token": { username: "alice", groups: ["dev"] },
        "bot-token": { username: "ci-bot", groups: ["bots"] },
        "admin-token": { username: "admin", groups: ["system:masters"] },
      },
      authorize: policy,
    });
    dir = mkdtempSync(join(tmpdir(), "results-kube-auth-"));
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, kube.kubeconfigYaml());
    done = main(
      [
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--database",
        "sqlite::memory:",
        "--no-logs",
        "--auth",
        "kubernetes",
        "--kubeconfig",
        kubeconfig,
        "--auth-cache-ttl-ms",
        "60000",
      ],
      {},
      {
        logger: quiet,
        stop: new Promise<void>((r) => (stop = r)),
        onListening: (a) => (url = a.url),
      },
    );
    const deadline = Date.now() + 20_000;
    while (url === "" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(url).not.toBe("");
  }, 60_000);

  afterAll(async () => {
    for (const s of sessions) s.abort();
    stop?.();
    expect(await done).toBe(0);
    await kube?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("allows what the cluster's RBAC allows, in the request's namespace", async () => {
    const alice = clientAs("alice-token");
    expect(
      await codeOf(alice.createResult({ parent: "team-a", result: { name: "team-a/results/r1" } })),
    ).toBe("ok");
    expect(await codeOf(alice.getResult({ name: "team-a/results/r1" }))).toBe("ok");
    expect(await codeOf(alice.listResults({ parent: "team-a" }))).toBe("ok");
    const denied = await alice
      .createResult({ parent: "team-b", result: { name: "team-b/results/r1" } })
      .catch((e: unknown) => ConnectError.from(e));
    expect(denied).toBeInstanceOf(ConnectError);
    expect((denied as ConnectError).code).toBe(Code.PermissionDenied);
    expect((denied as ConnectError).rawMessage).toBe(
      'user "alice" cannot create results.results.tekton.dev in namespace "team-b": no RBAC policy matched',
    );
    // A list across namespaces is a cluster-scoped review.
    expect(await codeOf(alice.listResults({ parent: "-" }))).toBe(Code.PermissionDenied);
    expect(await codeOf(clientAs("admin-token").listResults({ parent: "-" }))).toBe("ok");
  });

  it("answers Unauthenticated without a token or with one the cluster does not know", async () => {
    expect(await codeOf(clientAs().getResult({ name: "team-a/results/r1" }))).toBe(
      Code.Unauthenticated,
    );
    expect(await codeOf(clientAs("stolen").getResult({ name: "team-a/results/r1" }))).toBe(
      Code.Unauthenticated,
    );
  });

  it("guards REST the same way", async () => {
    const path = `${url}/apis/results.tekton.dev/v1alpha2/parents/team-a/results/r1`;
    expect((await fetch(path)).status).toBe(401);
    expect((await fetch(path, { headers: { authorization: "Bearer bot-token" } })).status).toBe(
      200,
    );
    const list = await fetch(`${url}/apis/results.tekton.dev/v1alpha2/parents/team-a/results`, {
      headers: { authorization: "Bearer bot-token" },
    });
    expect(list.status).toBe(403);
  });

  it("honours impersonation by a caller allowed to impersonate, and only then", async () => {
    const asAlice = clientAs("admin-token", { "impersonate-user": "alice" });
    expect(await codeOf(asAlice.getResult({ name: "team-a/results/r1" }))).toBe("ok");
    // Impersonated, admin has alice's permissions only.
    expect(await codeOf(asAlice.listResults({ parent: "team-b" }))).toBe(Code.PermissionDenied);
    const botAsAdmin = clientAs("bot-token", { "impersonate-user": "admin" });
    expect(await codeOf(botAsAdmin.getResult({ name: "team-a/results/r1" }))).toBe(
      Code.PermissionDenied,
    );
  });

  it("caches decisions: repeated calls make no further reviews", async () => {
    const alice = clientAs("alice-token");
    await alice.getResult({ name: "team-a/results/r1" });
    kube.resetRequestCounts();
    for (let i = 0; i < 20; i++) await alice.getResult({ name: "team-a/results/r1" });
    expect(kube.requestCounts()).toEqual({});
    // A permission not asked before is reviewed once; the token is not reviewed again.
    for (let i = 0; i < 5; i++) await alice.listRecords({ parent: "team-a/results/r1" });
    expect(kube.requestCounts()).toEqual({ "create subjectaccessreviews": 1 });
  });

  it("answers Unavailable while Kubernetes is down, and recovers when it is back", async () => {
    const newcomer = clientAs("bot-token");
    await kube.stop();
    try {
      // Not cached yet (a permission never asked for): the review cannot be made.
      expect(
        await codeOf(
          newcomer.updateResult({ name: "team-c/results/x", result: { name: "team-c/results/x" } }),
        ),
      ).toBe(Code.Unavailable);
    } finally {
      await kube.start();
    }
    // Allowed now; the Result does not exist.
    expect(
      await codeOf(
        newcomer.updateResult({ name: "team-c/results/x", result: { name: "team-c/results/x" } }),
      ),
    ).toBe(Code.NotFound);
  });
});
