import { once } from "node:events";
import { createServer, type AddressInfo, type Server } from "node:net";
import { PassThrough } from "node:stream";
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PortForward,
  RbacAuthorizationV1Api,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKubeFake, type KubeFake, type PortForwardTarget } from "../src/index.js";
import { apiError, waitFor } from "./helpers.js";

function config(fake: KubeFake, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfigYaml(token ? { token } : {}));
  return kc;
}

/** A TCP server standing in for a container: it answers each line with `echo:<line>`. */
async function echoServer(): Promise<Server> {
  const server = createServer((socket) => {
    socket.on("data", (d) => socket.write(`echo:${d.toString()}`));
    socket.on("error", () => socket.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

/** Forward to the pod's port with client-node; what came back on the data and error channels. */
async function forward(
  kc: KubeConfig,
  pod: string,
  port: number,
  send: string,
  until: (out: string, err: string) => boolean,
): Promise<{ out: string; err: string }> {
  const output = new PassThrough();
  const errors = new PassThrough();
  const input = new PassThrough();
  let out = "";
  let err = "";
  output.on("data", (d: Buffer) => (out += d.toString()));
  errors.on("data", (d: Buffer) => (err += d.toString()));
  const ws = await new PortForward(kc).portForward("apps", pod, [port], output, errors, input);
  input.write(send);
  await waitFor(() => until(out, err), `the forward's answer to ${JSON.stringify(send)}`);
  if (typeof ws !== "function") ws.close();
  return { out, err };
}

describe("pods/portforward over WebSocket", () => {
  let fake: KubeFake;
  let echo: Server;
  const asked: PortForwardTarget[] = [];

  beforeEach(async () => {
    echo = await echoServer();
    const echoPort = (echo.address() as AddressInfo).port;
    asked.length = 0;
    fake = await createKubeFake({
      rbac: true,
      portForward: (target) => {
        asked.push(target);
        return target.port === 8080 ? { host: "127.0.0.1", port: echoPort } : undefined;
      },
    });
    fake.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "api-0", namespace: "apps" },
      spec: { containers: [{ name: "api" }] },
      status: { phase: "Running" },
    });
  });
  afterEach(async () => {
    await fake.close();
    echo.close();
  });

  it("relays bytes both ways between the client and the pod's port", async () => {
    const { out, err } = await forward(config(fake), "api-0", 8080, "hello\n", (o) =>
      o.includes("echo:hello"),
    );
    expect(out).toBe("echo:hello\n");
    expect(err).toBe("");
    expect(asked).toEqual([{ namespace: "apps", pod: "api-0", port: 8080 }]);
    expect(fake.requestCounts()["create pods/portforward"]).toBe(1);
    expect(fake.requests().at(-1)).toMatchObject({
      verb: "create",
      resource: "pods",
      subresource: "portforward",
      namespace: "apps",
      name: "api-0",
      query: { ports: "8080" },
    });
  });

  it("reports kubelet's connection refused on the error channel for a port nothing listens on", async () => {
    const { out, err } = await forward(config(fake), "api-0", 9090, "x", (_o, e) => e !== "");
    expect(out).toBe("");
    expect(err).toContain("error forwarding port 9090 to pod apps/api-0");
    expect(err).toContain("connection refused");
  });

  it("refuses a missing pod with 404 and a user without create on pods/portforward with 403", async () => {
    await expect(
      new PortForward(config(fake)).portForward(
        "apps",
        "nope",
        [8080],
        new PassThrough(),
        null,
        new PassThrough(),
      ),
    ).rejects.toThrow(/404/);
    const viewer = fake.serviceAccountToken("apps", "viewer");
    await config(fake)
      .makeApiClient(RbacAuthorizationV1Api)
      .createNamespacedRoleBinding({
        namespace: "apps",
        body: {
          metadata: { name: "viewer" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
          subjects: [{ kind: "ServiceAccount", name: "viewer", namespace: "apps" }],
        },
      });
    await expect(
      new PortForward(config(fake, viewer)).portForward(
        "apps",
        "api-0",
        [8080],
        new PassThrough(),
        null,
        new PassThrough(),
      ),
    ).rejects.toThrow(/403/);
    expect(fake.deniedRequests().at(-1)).toMatchObject({
      code: 403,
      verb: "create",
      resource: "pods",
      subresource: "portforward",
      name: "api-0",
    });
    expect(asked).toEqual([]);
  });

  it("lists pods/portforward and serviceaccounts/token in discovery", async () => {
    const res = await fetch(`${fake.url}/api/v1`, {
      headers: { authorization: `Bearer ${fake.kubeconfigYaml().match(/token: (\S+)/)![1]}` },
    });
    const names = ((await res.json()) as { resources: Array<{ name: string }> }).resources.map(
      (r) => r.name,
    );
    expect(names).toEqual(expect.arrayContaining(["pods/portforward", "serviceaccounts/token"]));
  });
});

describe("serviceaccounts/token (TokenRequest)", () => {
  let fake: KubeFake;
  beforeEach(async () => {
    fake = await createKubeFake({ rbac: true });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("mints a token that authenticates as the ServiceAccount, authorized by its bindings", async () => {
    const core = config(fake).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "ci" } } });
    await core.createNamespacedServiceAccount({
      namespace: "ci",
      body: { metadata: { name: "reader" } },
    });
    const answer = await core.createNamespacedServiceAccountToken({
      name: "reader",
      namespace: "ci",
      body: { spec: { audiences: [], expirationSeconds: 1200 } },
    });
    const token = answer.status?.token ?? "";
    expect(token).not.toBe("");
    expect(answer.spec.expirationSeconds).toBe(1200);
    const expires = answer.status!.expirationTimestamp as unknown as Date;
    expect(new Date(expires).getTime() - Date.now()).toBeGreaterThan(1190_000);

    // Nothing bound yet: the token is the account, and the account may not list runs.
    const asReader = config(fake, token).makeApiClient(CustomObjectsApi);
    const runs = { group: "tekton.dev", version: "v1", namespace: "ci", plural: "pipelineruns" };
    const denied = await apiError(asReader.listNamespacedCustomObject(runs));
    expect(denied.code).toBe(403);
    expect(denied.body).toContain('User \\"system:serviceaccount:ci:reader\\" cannot list');
    const rbac = config(fake).makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: "ci",
      body: {
        metadata: { name: "run-reader" },
        rules: [{ apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["list"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: "ci",
      body: {
        metadata: { name: "reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "run-reader" },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "ci" }],
      },
    });
    await expect(asReader.listNamespacedCustomObject(runs)).resolves.toMatchObject({ items: [] });
  });

  it("answers 404 for a missing account and 422 for a lifetime under ten minutes", async () => {
    const core = config(fake).makeApiClient(CoreV1Api);
    const missing = await apiError(
      core.createNamespacedServiceAccountToken({
        name: "ghost",
        namespace: "default",
        body: { spec: { audiences: [] } },
      }),
    );
    expect(missing.code).toBe(404);
    await core.createNamespacedServiceAccount({
      namespace: "default",
      body: { metadata: { name: "short" } },
    });
    const short = await apiError(
      core.createNamespacedServiceAccountToken({
        name: "short",
        namespace: "default",
        body: { spec: { audiences: [], expirationSeconds: 60 } },
      }),
    );
    expect(short.code).toBe(422);
    expect(short.body).toContain("may not specify a duration less than 10 minutes");
  });
});
