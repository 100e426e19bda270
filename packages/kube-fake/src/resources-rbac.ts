/**
 * The RBAC kinds (`rbac.authorization.k8s.io/v1` Roles, ClusterRoles and their bindings) and the
 * self reviews kubectl's `auth` commands send (SelfSubjectAccessReview, SelfSubjectRulesReview,
 * SelfSubjectReview).
 *
 * @module
 */
import { AGE, ALL_VERBS, type PrinterColumn, type ResourceInfo } from "./resource-info.js";

const CREATED_AT: PrinterColumn = {
  name: "Created At",
  type: "string",
  format: "date-time",
  description: "",
  value: (obj) => obj.metadata.creationTimestamp,
};

const ROLE_REF: PrinterColumn = {
  name: "Role",
  type: "string",
  description: "",
  value: (obj) => {
    const ref = (obj["roleRef"] ?? {}) as { kind?: string; name?: string };
    return `${ref.kind ?? ""}/${ref.name ?? ""}`;
  },
};

function rbac(kind: string, resource: string, namespaced: boolean): ResourceInfo {
  return {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    verbs: ALL_VERBS,
    pathSegmentNames: true,
    columns: kind.endsWith("Binding") ? [ROLE_REF, AGE] : [CREATED_AT],
  };
}

function review(group: string, kind: string): ResourceInfo {
  return {
    group,
    version: "v1",
    resource: `${kind.toLowerCase()}s`,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: false,
    verbs: ["create"],
    virtual: true,
    columns: [],
  };
}

/** The RBAC kinds and the self reviews. */
export const RBAC_RESOURCES: readonly ResourceInfo[] = [
  rbac("Role", "roles", true),
  rbac("ClusterRole", "clusterroles", false),
  rbac("RoleBinding", "rolebindings", true),
  rbac("ClusterRoleBinding", "clusterrolebindings", false),
  review("authorization.k8s.io", "SelfSubjectAccessReview"),
  review("authorization.k8s.io", "SelfSubjectRulesReview"),
  review("authentication.k8s.io", "SelfSubjectReview"),
];
