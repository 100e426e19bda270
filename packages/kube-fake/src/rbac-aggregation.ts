/**
 * The ClusterRole aggregation controller: a ClusterRole with `aggregationRule.clusterRoleSelectors`
 * gets as `rules` the rules of every other ClusterRole matching one of its selectors (each rule
 * once, in ClusterRole name order), and keeps them current as ClusterRoles change. Like
 * kube-controller-manager it runs after the change (here on the next microtask, so before the
 * fake serves another request); the authorizer brings it up to date before each decision.
 *
 * @module
 */
import { jsonEqual } from "./patch.js";
import { findResource } from "./resources.js";
import { labelSelectorOf, matchesLabels, parseFieldSelector } from "./selectors.js";
import type { ObjectStore } from "./store.js";
import type { KubeObject } from "./types.js";

const CLUSTER_ROLES = findResource("rbac.authorization.k8s.io", "v1", "clusterroles")!;
/** The field manager of the controller's writes, as kube-controller-manager's. */
const MANAGER = "clusterrole-aggregation-controller";

type Selector = Parameters<typeof labelSelectorOf>[0];

function selectorsOf(role: KubeObject): Selector[] | undefined {
  const rule = role["aggregationRule"] as { clusterRoleSelectors?: Selector[] } | undefined;
  return rule?.clusterRoleSelectors;
}

/** Keeps aggregated ClusterRoles' rules current. */
export class ClusterRoleAggregation {
  private dirty = true;
  private readonly unwatch: () => void;

  constructor(private readonly store: ObjectStore) {
    this.unwatch = store.watch(CLUSTER_ROLES, "", {
      labels: [],
      fields: parseFieldSelector(undefined, "clusterroles"),
      send: () => {
        if (this.dirty) return;
        this.dirty = true;
        queueMicrotask(() => this.sync());
      },
    });
  }

  /** Stops following changes. */
  dispose(): void {
    this.unwatch();
  }

  /** Brings every aggregated ClusterRole up to date, if anything changed since the last time. */
  sync(): void {
    // A changed aggregate can feed another (view into edit into admin): repeat until stable.
    for (let round = 0; this.dirty && round < 10; round++) {
      this.dirty = false;
      const roles = this.store.list(CLUSTER_ROLES).items.map((i) => i.obj);
      for (const role of roles) {
        const selectors = selectorsOf(role);
        if (!selectors) continue;
        const rules: unknown[] = [];
        for (const sel of selectors) {
          const selector = labelSelectorOf(sel ?? {});
          for (const other of roles) {
            if (other.metadata.name === role.metadata.name) continue;
            if (!matchesLabels(selector, other.metadata.labels)) continue;
            const current = this.store.get(CLUSTER_ROLES, undefined, other.metadata.name) ?? other;
            for (const rule of (current["rules"] ?? []) as unknown[]) {
              if (!rules.some((r) => jsonEqual(r, rule))) rules.push(rule);
            }
          }
        }
        const stored = this.store.get(CLUSTER_ROLES, undefined, role.metadata.name);
        if (!stored || jsonEqual(stored["rules"] ?? [], rules)) continue;
        this.store.patch(
          CLUSTER_ROLES,
          undefined,
          role.metadata.name,
          "merge",
          { rules },
          {
            fieldManager: MANAGER,
          },
        );
      }
    }
  }
}
