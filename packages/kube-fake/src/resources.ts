/**
 * The served resources, one entry each: group, version, kind, plural, scope, short names,
 * categories, subresources and `kubectl get` printer columns. Adding a kind is one entry here.
 *
 * @module
 */
import {
  AGE,
  ALL_VERBS,
  condition,
  statusField,
  type PrinterColumn,
  type ResourceInfo,
} from "./resource-info.js";
import { DEPLOYMENT_RESOURCES, POD_SPEC_PATCH } from "./resources-deployment.js";
import { RBAC_RESOURCES } from "./resources-rbac.js";
import type { KubeObject } from "./types.js";

export type { PrinterColumn, ResourceInfo } from "./resource-info.js";

const RUN_COLUMNS: PrinterColumn[] = [
  {
    name: "Succeeded",
    type: "string",
    description: "",
    value: (obj) => condition(obj, "Succeeded")?.["status"],
  },
  {
    name: "Reason",
    type: "string",
    description: "",
    value: (obj) => condition(obj, "Succeeded")?.["reason"],
  },
  { name: "StartTime", type: "date", description: "", value: statusField("startTime") },
  { name: "CompletionTime", type: "date", description: "", value: statusField("completionTime") },
];

function podReady(obj: KubeObject): string {
  const spec = obj["spec"] as { containers?: unknown[] } | undefined;
  const statuses =
    (obj["status"] as { containerStatuses?: Array<{ ready?: boolean }> } | undefined)
      ?.containerStatuses ?? [];
  return `${statuses.filter((s) => s.ready).length}/${spec?.containers?.length ?? 0}`;
}

function podRestarts(obj: KubeObject): number {
  const statuses =
    (obj["status"] as { containerStatuses?: Array<{ restartCount?: number }> } | undefined)
      ?.containerStatuses ?? [];
  return statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

/** The catalogue of kinds served by the fake. */
export const RESOURCES: readonly ResourceInfo[] = [
  {
    group: "",
    version: "v1",
    resource: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    listKind: "NamespaceList",
    namespaced: false,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    shortNames: ["ns"],
    statusSubresource: true,
    columns: [
      {
        name: "Status",
        type: "string",
        description: "The status of the namespace",
        value: statusField("phase"),
      },
      AGE,
    ],
  },
  {
    group: "",
    version: "v1",
    resource: "pods",
    singular: "pod",
    kind: "Pod",
    listKind: "PodList",
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ["po"],
    categories: ["all"],
    statusSubresource: true,
    logSubresource: true,
    portforwardSubresource: true,
    patchMeta: { spec: { fields: POD_SPEC_PATCH } },
    columns: [
      {
        name: "Ready",
        type: "string",
        description: "The aggregate readiness state of this pod for accepting traffic.",
        value: podReady,
      },
      {
        name: "Status",
        type: "string",
        description: "The aggregate status of the containers in this pod.",
        value: (o) => statusField("phase")(o) ?? "Pending",
      },
      {
        name: "Restarts",
        type: "string",
        description: "The number of times the containers in this pod have been restarted.",
        value: (o) => String(podRestarts(o)),
      },
      AGE,
    ],
  },
  {
    group: "",
    version: "v1",
    resource: "events",
    singular: "event",
    kind: "Event",
    listKind: "EventList",
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ["ev"],
    columns: [
      {
        name: "Type",
        type: "string",
        description: "Type of this event (Normal, Warning).",
        value: (o) => o["type"],
      },
      {
        name: "Reason",
        type: "string",
        description:
          "Short, machine understandable string that gives the reason for the transition into the object's current status.",
        value: (o) => o["reason"],
      },
      {
        name: "Object",
        type: "string",
        description: "The object that this event is about.",
        value: (o) => {
          const io = o["involvedObject"] as { kind?: string; name?: string } | undefined;
          return io ? `${(io.kind ?? "").toLowerCase()}/${io.name ?? ""}` : "";
        },
      },
      {
        name: "Message",
        type: "string",
        description: "A human-readable description of the status of this operation.",
        value: (o) => o["message"],
      },
    ],
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    singular: "lease",
    kind: "Lease",
    listKind: "LeaseList",
    namespaced: true,
    verbs: ALL_VERBS,
    columns: [
      {
        name: "Holder",
        type: "string",
        description: "The holder of the lease.",
        value: (o) => (o["spec"] as { holderIdentity?: string } | undefined)?.holderIdentity ?? "",
      },
      AGE,
    ],
  },
  {
    group: "authentication.k8s.io",
    version: "v1",
    resource: "tokenreviews",
    singular: "tokenreview",
    kind: "TokenReview",
    listKind: "TokenReviewList",
    namespaced: false,
    verbs: ["create"],
    virtual: true,
    columns: [],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    resource: "subjectaccessreviews",
    singular: "subjectaccessreview",
    kind: "SubjectAccessReview",
    listKind: "SubjectAccessReviewList",
    namespaced: false,
    verbs: ["create"],
    virtual: true,
    columns: [],
  },
  {
    group: "tekton.dev",
    version: "v1",
    resource: "pipelineruns",
    singular: "pipelinerun",
    kind: "PipelineRun",
    listKind: "PipelineRunList",
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ["pr", "prs"],
    categories: ["tekton", "tekton-pipelines"],
    statusSubresource: true,
    custom: true,
    generation: true,
    columns: RUN_COLUMNS,
  },
  {
    group: "tekton.dev",
    version: "v1",
    resource: "taskruns",
    singular: "taskrun",
    kind: "TaskRun",
    listKind: "TaskRunList",
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ["tr", "trs"],
    categories: ["tekton", "tekton-pipelines"],
    statusSubresource: true,
    custom: true,
    generation: true,
    columns: RUN_COLUMNS,
  },
  {
    group: "tekton.dev",
    version: "v1beta1",
    resource: "customruns",
    singular: "customrun",
    kind: "CustomRun",
    listKind: "CustomRunList",
    namespaced: true,
    verbs: ALL_VERBS,
    categories: ["tekton", "tekton-pipelines"],
    statusSubresource: true,
    custom: true,
    generation: true,
    columns: RUN_COLUMNS,
  },
  ...DEPLOYMENT_RESOURCES,
  ...RBAC_RESOURCES,
];

/** `group/version` as in `apiVersion` ("v1" for the core group). */
export function groupVersion(info: Pick<ResourceInfo, "group" | "version">): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The key of a resource in maps: `group/version/resource`. */
export function resourceKey(info: Pick<ResourceInfo, "group" | "version" | "resource">): string {
  return `${info.group}/${info.version}/${info.resource}`;
}

const byKey = new Map<string, ResourceInfo>();
const byKind = new Map<string, ResourceInfo>();
for (const r of RESOURCES) {
  byKey.set(resourceKey(r), r);
  byKind.set(`${groupVersion(r)}|${r.kind}`, r);
}

/** The resource served at `group/version/resource`, if any. */
export function findResource(
  group: string,
  version: string,
  resource: string,
): ResourceInfo | undefined {
  return byKey.get(`${group}/${version}/${resource}`);
}

/** The resource of an `apiVersion` + `kind`, if any. */
export function findResourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}|${kind}`);
}

/** The API groups served, with their versions in preference order. */
export function apiGroups(): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, string[]>();
  for (const r of RESOURCES) {
    if (!r.group) continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}
