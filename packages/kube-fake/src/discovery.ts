/**
 * The discovery documents kubectl and client-node read: `/version`, `/api`, `/api/v1`, `/apis`,
 * `/apis/{group}` and `/apis/{group}/{version}` (verbs, short names, categories, subresources),
 * built from the served resources.
 *
 * @module
 */
import { apiGroups, groupVersion, RESOURCES, type ResourceInfo } from "./resources.js";

/** The `/version` document (a Kubernetes 1.32 server). */
export function versionInfo(): Record<string, string> {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.0-kube-fake",
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.23.4",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

/** `/api`: the legacy core group versions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** `/apis`: every named group. */
export function apiGroupList(): Record<string, unknown> {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: apiGroups().map((g) => groupEntry(g.name, g.versions)),
  };
}

/** `/apis/{group}`, or undefined for an unknown group. */
export function apiGroup(name: string): Record<string, unknown> | undefined {
  const g = apiGroups().find((x) => x.name === name);
  if (!g) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(g.name, g.versions) };
}

function resourceEntries(r: ResourceInfo): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  };
  if (r.shortNames) main["shortNames"] = r.shortNames;
  if (r.categories) main["categories"] = r.categories;
  const sub = (name: string, verbs: string[], extra: Record<string, unknown> = {}) => ({
    name: `${r.resource}/${name}`,
    singularName: "",
    namespaced: r.namespaced,
    kind: r.kind,
    verbs,
    ...extra,
  });
  const out = [main];
  if (r.statusSubresource) out.push(sub("status", ["get", "patch", "update"]));
  if (r.logSubresource) out.push(sub("log", ["get"]));
  if (r.portforwardSubresource) {
    out.push(sub("portforward", ["create", "get"], { kind: "PodPortForwardOptions" }));
  }
  if (r.tokenSubresource) {
    const tokenRequest = { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" };
    out.push(sub("token", ["create"], tokenRequest));
  }
  return out;
}

/** `/api/v1` or `/apis/{group}/{version}`, or undefined for an unknown group version. */
export function apiResourceList(
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: groupVersion({ group, version }),
    resources: resources.flatMap(resourceEntries),
  };
}
