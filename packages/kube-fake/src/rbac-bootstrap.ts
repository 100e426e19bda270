/**
 * The default roles a cluster has (kube-apiserver's bootstrap policy), stored when RBAC is on:
 * `cluster-admin` (bound to `system:masters`), the aggregated user-facing `admin`, `edit` and
 * `view` (edit aggregates into admin, view into edit; their own built-in rules on core kinds are
 * not included), `system:discovery` and `system:public-info-viewer` (discovery, OpenAPI, version
 * and health paths), `system:basic-user` (the self reviews) and `system:auth-delegator` (TokenReview
 * and SubjectAccessReview, for servers that delegate authentication and authorization).
 *
 * @module
 */
import { findResource } from "./resources.js";
import type { ObjectStore } from "./store.js";
import type { KubeObject } from "./types.js";

const RBAC = "rbac.authorization.k8s.io";
const AGGREGATE = `${RBAC}/aggregate-to-`;
const LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const ANNOTATIONS = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

function clusterRole(name: string, body: Record<string, unknown>, labels = {}): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRole",
    metadata: { name, labels: { ...LABELS, ...labels }, annotations: ANNOTATIONS },
    ...body,
  };
}

function aggregated(name: string, into?: string): KubeObject {
  const selectors = [{ matchLabels: { [`${AGGREGATE}${name}`]: "true" } }];
  return clusterRole(
    name,
    { aggregationRule: { clusterRoleSelectors: selectors }, rules: [] },
    into ? { [`${AGGREGATE}${into}`]: "true" } : {},
  );
}

function binding(name: string, groups: string[]): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRoleBinding",
    metadata: { name, labels: LABELS, annotations: ANNOTATIONS },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name },
    subjects: groups.map((g) => ({ apiGroup: RBAC, kind: "Group", name: g })),
  };
}

const HEALTH = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

/** The bootstrap ClusterRoles and ClusterRoleBindings (see the module comment). */
export const BOOTSTRAP_POLICY: readonly KubeObject[] = [
  clusterRole("cluster-admin", {
    rules: [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ],
  }),
  aggregated("admin"),
  aggregated("edit", "admin"),
  aggregated("view", "edit"),
  clusterRole("system:discovery", {
    rules: [
      {
        nonResourceURLs: [
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/openapi",
          "/openapi/*",
          ...HEALTH,
        ],
        verbs: ["get"],
      },
    ],
  }),
  clusterRole("system:public-info-viewer", {
    rules: [{ nonResourceURLs: HEALTH, verbs: ["get"] }],
  }),
  clusterRole("system:basic-user", {
    rules: [
      {
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        verbs: ["create"],
      },
      {
        apiGroups: ["authentication.k8s.io"],
        resources: ["selfsubjectreviews"],
        verbs: ["create"],
      },
    ],
  }),
  clusterRole("system:auth-delegator", {
    rules: [
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      {
        apiGroups: ["authorization.k8s.io"],
        resources: ["subjectaccessreviews"],
        verbs: ["create"],
      },
    ],
  }),
  binding("cluster-admin", ["system:masters"]),
  binding("system:discovery", ["system:authenticated"]),
  binding("system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
  binding("system:basic-user", ["system:authenticated"]),
];

/** Stores the bootstrap policy (objects already there are left as they are). */
export function storeBootstrapPolicy(store: ObjectStore): void {
  for (const obj of BOOTSTRAP_POLICY) {
    const info = findResource(
      RBAC,
      "v1",
      obj.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings",
    )!;
    if (!store.get(info, undefined, obj.metadata.name)) store.create(info, structuredClone(obj));
  }
}
