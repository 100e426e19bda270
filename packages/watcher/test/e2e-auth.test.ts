/**
 * The watcher against a Results API server that authorizes with Kubernetes
 * (`--auth kubernetes`): its service account token is reviewed by the
 * (fake) cluster, and the permissions it uses are exactly the ones its
 * README tells operators to grant.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { createMemoryLogStore } from "@tekton-results/log-store";
import { createResultsClient } from "@tekton-results/client";
import {
  createResultsRoutes,
  createResultsServer,
  type ResultsServer,
} from "@tekton-results/server";
import { createKubernetesAuthorizer } from "@tekton-results/server/kubernetes-authorizer";
import { createSqliteStore, type SqliteStore } from "@tekton-results/storage-sqlite";
import { createWatcher, type Watcher } from "../src/watcher.js";
import { childTaskRunObject, pipelineRunObject, setStatus, waitFor } from "./stack.js";

const WATCHER_SA = "system:serviceaccount:tekton-pipelines:tekton-results-watcher";

/** The watcher's documented grants on results.tekton.dev (README, "Permissions"). */
const DOCUMENTED: Record<string, string[]> = {
  results: ["get", "create", "update"],
  records: ["get", "create", "update"],
  logs: ["update"],
};

describe("e2e: the watcher against a server with Kubernetes authorization", () => {
  let kube: KubeFake | undefined;
  let server: ResultsServer | undefined;
  let store: SqliteStore | undefined;
  let watcher: Watcher | undefined;
  let dir: string | undefined;
  const sessions: Http2SessionManager[] = [];
  afterEach(async () => {
    await watcher?.stop({ deadlineMs: 2000 });
    for (const s of sessions) s.abort();
    await server?.close({ deadlineMs: 1000 });
    await store?.close();
    await kube?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("stores runs and logs with its service account token, using only the documented permissions", async () => {
    const asked: string[] = [];
    kube = await createKubeFake({
      tokens: {
        "watcher-token": { username: WATCHER_SA, groups: ["system:serviceaccounts"] },
        "reader-token": { username: "reader", groups: [] },
      },
      authorize: (spec) => {
        const a = spec["resourceAttributes"] as Record<string, string>;
        if (a["group"] !== "results.tekton.dev") return false;
        if (spec["user"] === "reader") return a["verb"] === "get" || a["verb"] === "list";
        if (spec["user"] !== WATCHER_SA) return false;
        asked.push(`${a["resource"]} ${a["verb"]}`);
        return DOCUMENTED[a["resource"] ?? ""]?.includes(a["verb"] ?? "") ?? false;
      },
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kube.kubeconfigYaml());
    store = await createSqliteStore({ filename: ":memory:" });
    server = createResultsServer({
      routes: createResultsRoutes({
        store,
        logs: createMemoryLogStore(),
        authorizer: createKubernetesAuthorizer({ kubeConfig }),
      }),
      store,
    });
    const { url } = await server.listen(0, "127.0.0.1");
    dir = mkdtempSync(join(tmpdir(), "watcher-auth-"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "watcher-token\n");

    watcher = createWatcher({
      apiUrl: url,
      apiTokenFile: tokenFile,
      kubeConfig,
      leaderElect: false,
      logs: true,
      workers: 2,
      qps: 0,
    });
    await watcher.start();
    const pr = kube.create(pipelineRunObject("guarded"));
    const tr = kube.create(childTaskRunObject("guarded-build", pr));
    kube.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "guarded-build-pod",
        namespace: "ns",
        labels: {
          "tekton.dev/taskRun": "guarded-build",
          "tekton.dev/pipelineRun": "guarded",
          "tekton.dev/pipelineTask": "build",
        },
      },
      spec: { containers: [{ name: "step-make", image: "busybox" }] },
    });
    kube.setPodLogs("ns", "guarded-build-pod", { "step-make": "built\n" });
    setStatus(kube, tr, "Succeeded");
    setStatus(kube, pr, "Succeeded");
    for (const [kind, name] of [
      ["PipelineRun", "guarded"],
      ["TaskRun", "guarded-build"],
    ] as const) {
      await waitFor(
        () =>
          kube!.get("tekton.dev/v1", kind, "ns", name)?.metadata.annotations?.[
            "results.tekton.dev/stored"
          ] === "true",
        `${kind} ${name} stored`,
      );
    }

    // What it asked for is within the documented grants, and it needed each kind of resource.
    const used = [...new Set(asked)].sort();
    for (const permission of used) {
      const [resource, verb] = permission.split(" ");
      expect(DOCUMENTED[resource!], permission).toContain(verb);
    }
    expect(used.map((p) => p.split(" ")[0])).toEqual(
      expect.arrayContaining(["logs", "records", "results"]),
    );

    // A reader sees what the watcher stored; without a token nothing is served.
    const session = new Http2SessionManager(url);
    sessions.push(session);
    const reader = createResultsClient(
      createGrpcTransport({
        baseUrl: url,
        sessionManager: session,
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", "Bearer reader-token");
            return next(req);
          },
        ],
      }),
    );
    const records = await reader.listRecords({ parent: `ns/results/${pr.metadata.uid}` });
    expect(records.records.map((r) => r.data?.type).sort()).toEqual([
      "results.tekton.dev/v1alpha3.Log",
      "results.tekton.dev/v1alpha3.Log",
      "tekton.dev/v1.PipelineRun",
      "tekton.dev/v1.TaskRun",
    ]);
    const anonymous = await fetch(`${url}/apis/results.tekton.dev/v1alpha2/parents/ns/results`);
    expect(anonymous.status).toBe(401);
  });
});
