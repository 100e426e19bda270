/**
 * An in-memory {@link KubeClient} for unit tests: runs, leases, pods with
 * logs and events, with JSON patch of runs' metadata (RFC 6902, through
 * kube-fake's implementation: a failed `test` is a 422), uid-preconditioned
 * delete and resourceVersion conflicts on leases.
 */
import { PassThrough, type Writable } from "node:stream";
import type { V1Lease, V1Pod } from "@kubernetes/client-node";
import { applyJsonPatch } from "@tekton-results/kube-fake";
import { KubernetesError } from "../src/errors.js";
import type { KubeClient, RunEvent } from "../src/kube-client.js";
import type { RunKind } from "../src/run-kinds.js";
import type { TektonRun } from "../src/run.js";

/** The fake and what it recorded. */
export interface FakeKube extends KubeClient {
  runs: Map<string, TektonRun>;
  leases: Map<string, V1Lease>;
  pods: V1Pod[];
  podLogs: Map<string, string>;
  events: { kind: string; name: string; event: RunEvent }[];
  /** Every call: `patch ns/name`, `delete ns/name`, `lease create`... */
  calls: string[];
  /** Make the next calls of `method` fail with `status`. */
  failNext(method: keyof KubeClient, status: number, times?: number): void;
  put(kind: RunKind, run: TektonRun): TektonRun;
}

const keyOf = (plural: string, ns: string, name: string) => `${plural}/${ns}/${name}`;

/** Create the fake. */
export function createFakeKube(): FakeKube {
  const runs = new Map<string, TektonRun>();
  const leases = new Map<string, V1Lease>();
  const failures = new Map<string, { status: number; times: number }>();
  let version = 100;
  const calls: string[] = [];
  const fail = (method: string) => {
    const f = failures.get(method);
    if (f && f.times > 0) {
      f.times--;
      throw new KubernetesError(`${method}: HTTP ${f.status}`, f.status);
    }
  };
  const bump = (run: TektonRun) => {
    run.metadata!.resourceVersion = String(++version);
    return run;
  };
  const maybeGone = (key: string, run: TektonRun) => {
    if (run.metadata?.deletionTimestamp && (run.metadata.finalizers?.length ?? 0) === 0)
      runs.delete(key);
  };
  const fake: FakeKube = {
    runs,
    leases,
    pods: [],
    podLogs: new Map(),
    events: [],
    calls,
    failNext(method, status, times = 1) {
      failures.set(method, { status, times });
    },
    put(kind, run) {
      const copy = structuredClone(run);
      runs.set(keyOf(kind.plural, run.metadata!.namespace!, run.metadata!.name!), bump(copy));
      return copy;
    },
    async listRuns(kind, { namespace }) {
      fail("listRuns");
      const items = [...runs.entries()]
        .filter(
          ([k, r]) =>
            k.startsWith(`${kind.plural}/`) && (!namespace || r.metadata?.namespace === namespace),
        )
        .map(([, r]) => structuredClone(r));
      return { items, metadata: { resourceVersion: String(version) } };
    },
    async jsonPatchRun(kind, namespace, name, ops) {
      calls.push(`patch ${namespace}/${name}`);
      fail("jsonPatchRun");
      const key = keyOf(kind.plural, namespace, name);
      const run = runs.get(key);
      if (!run) throw new KubernetesError("not found", 404);
      let patched: TektonRun;
      try {
        patched = applyJsonPatch(run, ops) as TektonRun;
      } catch (err) {
        throw new KubernetesError(`patch: ${(err as Error).message}`, 422, { cause: err });
      }
      // Like the fake's runs, the stored object is the same one (tests hold on to it).
      run.metadata = patched.metadata;
      bump(run);
      maybeGone(key, run);
      return structuredClone(run);
    },
    async deleteRun(kind, namespace, name, uid) {
      calls.push(`delete ${namespace}/${name}`);
      fail("deleteRun");
      const key = keyOf(kind.plural, namespace, name);
      const run = runs.get(key);
      if (!run) return false;
      if (run.metadata?.uid !== uid) throw new KubernetesError("uid precondition failed", 409);
      if ((run.metadata?.finalizers?.length ?? 0) > 0) {
        run.metadata!.deletionTimestamp = new Date().toISOString();
        bump(run);
      } else {
        runs.delete(key);
      }
      return true;
    },
    async listPods(namespace, labelSelector) {
      calls.push(`list pods ${labelSelector}`);
      const [k, v] = labelSelector.split("=");
      return fake.pods.filter(
        (p) => p.metadata?.namespace === namespace && p.metadata?.labels?.[k!] === v,
      );
    },
    async streamLog(namespace, pod, container, sink: Writable) {
      const text = fake.podLogs.get(`${namespace}/${pod}/${container}`);
      if (text === undefined) throw new KubernetesError("container not found", 404);
      const source = new PassThrough();
      source.pipe(sink);
      source.end(text);
      return () => source.destroy();
    },
    async createEvent(kind, run, event) {
      calls.push(`event ${run.metadata?.namespace}/${run.metadata?.name}`);
      fake.events.push({ kind: kind.kind, name: run.metadata?.name ?? "", event });
    },
    async readLease(namespace, name) {
      calls.push("lease get");
      fail("readLease");
      const lease = leases.get(`${namespace}/${name}`);
      return lease ? structuredClone(lease) : undefined;
    },
    async createLease(lease) {
      calls.push("lease create");
      fail("createLease");
      const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
      if (leases.has(key)) throw new KubernetesError("exists", 409);
      const stored = {
        ...structuredClone(lease),
        metadata: { ...lease.metadata, resourceVersion: String(++version) },
      };
      leases.set(key, stored);
      return structuredClone(stored);
    },
    async replaceLease(lease) {
      calls.push("lease update");
      fail("replaceLease");
      const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
      const current = leases.get(key);
      if (!current) throw new KubernetesError("not found", 404);
      if (current.metadata?.resourceVersion !== lease.metadata?.resourceVersion) {
        throw new KubernetesError("conflict", 409);
      }
      const stored = {
        ...structuredClone(lease),
        metadata: { ...lease.metadata, resourceVersion: String(++version) },
      };
      leases.set(key, stored);
      return structuredClone(stored);
    },
  };
  return fake;
}
