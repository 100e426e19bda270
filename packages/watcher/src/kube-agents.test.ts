import { describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import type { Agent } from "node:http";
import { reuseConnections } from "./kube-agents.js";

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server, skipTLSVerify: server.startsWith("http:") }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

/** The agent client-node would use for a request (what its API clients and watches call). */
async function agentOf(kc: KubeConfig): Promise<Agent> {
  const opts: { agent?: Agent } = {};
  await kc.applyToHTTPSOptions(opts as never);
  return opts.agent!;
}

describe("reuseConnections", () => {
  it("without it client-node builds a new agent, without keep-alive, for every request", async () => {
    const kc = kubeConfig("https://k8s.example:6443");
    const a = await agentOf(kc);
    expect(await agentOf(kc)).not.toBe(a);
    expect((a as Agent & { keepAlive?: boolean }).keepAlive).toBe(false);
  });

  it("shares one keep-alive agent among the requests of the same cluster and credentials", async () => {
    const kc = reuseConnections(kubeConfig("https://k8s.example:6443"));
    const a = await agentOf(kc);
    expect(await agentOf(kc)).toBe(a);
    expect((a as Agent & { keepAlive?: boolean }).keepAlive).toBe(true);
    // Idempotent: patching twice changes nothing.
    expect(reuseConnections(kc)).toBe(kc);
    expect(await agentOf(kc)).toBe(a);
    // Plain HTTP clusters too.
    const plain = reuseConnections(kubeConfig("http://127.0.0.1:8001"));
    expect(await agentOf(plain)).toBe(await agentOf(plain));
  });

  it("gives other credentials (e.g. a rotated client certificate) an agent of their own", async () => {
    const kc = reuseConnections(kubeConfig("https://k8s.example:6443"));
    const a = await agentOf(kc);
    kc.users[0] = { ...kc.users[0]!, certData: Buffer.from("cert-1").toString("base64") };
    kc.users[0] = { ...kc.users[0]!, keyData: Buffer.from("key-1").toString("base64") };
    const b = await agentOf(kc);
    expect(b).not.toBe(a);
    expect(await agentOf(kc)).toBe(b);
  });
});
