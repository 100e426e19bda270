/**
 * Connection reuse for `@kubernetes/client-node`.
 *
 * client-node 1.4 builds a new HTTP(S) agent, without keep-alive, for every
 * request it makes (`KubeConfig#createAgent`, called by
 * `applySecurityAuthentication` and `applyToHTTPSOptions`): every patch, get
 * or list opened a new TCP connection — and, against a real API server, paid a
 * new TLS handshake on both sides. {@link reuseConnections} makes a KubeConfig
 * hand out one keep-alive agent per distinct set of agent options instead (a
 * rotated client certificate gets an agent of its own).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Agent } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";

/** Agents kept per KubeConfig (distinct credentials); the oldest is closed beyond it. */
const MAX_AGENTS = 8;

const PATCHED = Symbol.for("@tekton-results/watcher/reuseConnections");

type AgentFactory = (
  cluster: { server?: string; proxyUrl?: string } | null,
  options: object,
) => Agent;

/** A stable key of agent options (certificates as their hash, not their bytes). */
function optionsKey(
  cluster: { server?: string; proxyUrl?: string } | null,
  options: object,
): string {
  const text = JSON.stringify([cluster?.server ?? "", cluster?.proxyUrl ?? "", options], (_k, v) =>
    v && typeof v === "object" && (v as { type?: unknown }).type === "Buffer"
      ? Buffer.from((v as { data: number[] }).data).toString("base64")
      : v,
  );
  return createHash("sha256").update(text).digest("base64url");
}

/**
 * Make `kc` reuse connections: its agents get keep-alive and are shared by
 * all requests with the same cluster and credentials. Mutates and returns
 * `kc`; calling it again is a no-op. A client-node without the expected
 * internal method is left as it is (requests then work as before, without
 * reuse).
 */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createAgent?: AgentFactory; [PATCHED]?: true };
  if (typeof target.createAgent !== "function" || target[PATCHED]) return kc;
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const key = optionsKey(cluster, options);
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
      while (agents.size > MAX_AGENTS) {
        const [oldestKey, oldest] = agents.entries().next().value as [string, Agent];
        agents.delete(oldestKey);
        oldest.destroy();
      }
    }
    return agent;
  };
  target[PATCHED] = true;
  return kc;
}
