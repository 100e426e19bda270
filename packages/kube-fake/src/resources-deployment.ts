/**
 * The kinds a deployment is made of: ServiceAccounts, Secrets, ConfigMaps, Services,
 * PersistentVolumeClaims, Deployments, StatefulSets, Jobs, PodDisruptionBudgets and
 * ServiceMonitors (as if the Prometheus operator's CRD were installed), with the strategic merge
 * metadata of the built-in ones. They are stored and served only: no controller runs them.
 *
 * @module
 */
import {
  AGE,
  ALL_VERBS,
  statusField,
  type PatchFields,
  type PrinterColumn,
  type ResourceInfo,
} from "./resource-info.js";
import type { KubeObject } from "./types.js";

/** `k8s.io/api/core/v1.Container`'s merge keys. */
const CONTAINER_PATCH: PatchFields = {
  ports: { mergeKey: "containerPort" },
  env: { mergeKey: "name" },
  volumeMounts: { mergeKey: "mountPath" },
  volumeDevices: { mergeKey: "devicePath" },
};

/** `k8s.io/api/core/v1.PodSpec`'s merge keys. */
export const POD_SPEC_PATCH: PatchFields = {
  containers: { mergeKey: "name", fields: CONTAINER_PATCH },
  initContainers: { mergeKey: "name", fields: CONTAINER_PATCH },
  ephemeralContainers: { mergeKey: "name", fields: CONTAINER_PATCH },
  volumes: { mergeKey: "name" },
  imagePullSecrets: { mergeKey: "name" },
  hostAliases: { mergeKey: "ip" },
  topologySpreadConstraints: { mergeKey: "topologyKey" },
  schedulingGates: { mergeKey: "name" },
  resourceClaims: { mergeKey: "name" },
};

/** `ObjectMeta`'s merge fields (every kind has them). */
export const METADATA_PATCH: PatchFields = {
  finalizers: { set: true },
  ownerReferences: { mergeKey: "uid" },
};

/** A workload's `spec.template` (a PodTemplateSpec). */
const WORKLOAD_PATCH: PatchFields = {
  spec: {
    fields: {
      template: {
        fields: { metadata: { fields: METADATA_PATCH }, spec: { fields: POD_SPEC_PATCH } },
      },
    },
  },
};

/** A CronJob's `spec.jobTemplate.spec.template`: a workload's, one level down. */
const CRONJOB_PATCH: PatchFields = {
  spec: { fields: { jobTemplate: { fields: WORKLOAD_PATCH } } },
};

function count(field: string): (obj: KubeObject) => string {
  return (obj) => {
    const v = obj[field];
    if (Array.isArray(v)) return String(v.length);
    return String(v && typeof v === "object" ? Object.keys(v).length : 0);
  };
}

function spec(obj: KubeObject): Record<string, unknown> {
  return (obj["spec"] ?? {}) as Record<string, unknown>;
}

function status(obj: KubeObject): Record<string, unknown> {
  return (obj["status"] ?? {}) as Record<string, unknown>;
}

function col(name: string, value: (obj: KubeObject) => unknown): PrinterColumn {
  return { name, type: "string", description: "", value };
}

function servicePorts(obj: KubeObject): string {
  const ports = (spec(obj)["ports"] ?? []) as Array<{ port?: number; protocol?: string }>;
  return ports.map((p) => `${p.port ?? ""}/${p.protocol ?? "TCP"}`).join(",") || "<none>";
}

function ready(obj: KubeObject): string {
  return `${Number(status(obj)["readyReplicas"] ?? 0)}/${Number(spec(obj)["replicas"] ?? 1)}`;
}

/** A namespaced kind with every verb. */
function namespaced(
  group: string,
  version: string,
  kind: string,
  resource: string,
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    verbs: ALL_VERBS,
    columns: [AGE],
    ...extra,
  };
}

/** The kinds of a deployment (see the module comment). */
export const DEPLOYMENT_RESOURCES: readonly ResourceInfo[] = [
  namespaced("", "v1", "ServiceAccount", "serviceaccounts", {
    shortNames: ["sa"],
    tokenSubresource: true,
    columns: [col("Secrets", count("secrets")), AGE],
  }),
  namespaced("", "v1", "Secret", "secrets", {
    columns: [col("Type", (o) => o["type"] ?? "Opaque"), col("Data", count("data")), AGE],
  }),
  namespaced("", "v1", "ConfigMap", "configmaps", {
    shortNames: ["cm"],
    columns: [
      col("Data", (o) => String(Number(count("data")(o)) + Number(count("binaryData")(o)))),
      AGE,
    ],
  }),
  namespaced("", "v1", "Service", "services", {
    shortNames: ["svc"],
    categories: ["all"],
    statusSubresource: true,
    patchMeta: { spec: { fields: { ports: { mergeKey: "port" } } } },
    columns: [
      col("Type", (o) => spec(o)["type"] ?? "ClusterIP"),
      col("Cluster-IP", (o) => spec(o)["clusterIP"] ?? "<none>"),
      col("External-IP", () => "<none>"),
      col("Port(s)", servicePorts),
      AGE,
    ],
  }),
  namespaced("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", {
    shortNames: ["pvc"],
    statusSubresource: true,
    columns: [
      col("Status", (o) => status(o)["phase"] ?? "Pending"),
      col("Volume", (o) => spec(o)["volumeName"] ?? ""),
      col("StorageClass", (o) => spec(o)["storageClassName"] ?? ""),
      AGE,
    ],
  }),
  namespaced("apps", "v1", "Deployment", "deployments", {
    shortNames: ["deploy"],
    categories: ["all"],
    statusSubresource: true,
    generation: true,
    patchMeta: WORKLOAD_PATCH,
    columns: [
      col("Ready", ready),
      col("Up-to-date", (o) => String(status(o)["updatedReplicas"] ?? 0)),
      col("Available", (o) => String(status(o)["availableReplicas"] ?? 0)),
      AGE,
    ],
  }),
  namespaced("apps", "v1", "StatefulSet", "statefulsets", {
    shortNames: ["sts"],
    categories: ["all"],
    statusSubresource: true,
    generation: true,
    patchMeta: WORKLOAD_PATCH,
    columns: [col("Ready", ready), AGE],
  }),
  namespaced("batch", "v1", "Job", "jobs", {
    categories: ["all"],
    statusSubresource: true,
    generation: true,
    patchMeta: WORKLOAD_PATCH,
    columns: [
      col(
        "Completions",
        (o) => `${Number(status(o)["succeeded"] ?? 0)}/${Number(spec(o)["completions"] ?? 1)}`,
      ),
      AGE,
    ],
  }),
  namespaced("batch", "v1", "CronJob", "cronjobs", {
    shortNames: ["cj"],
    categories: ["all"],
    statusSubresource: true,
    generation: true,
    patchMeta: CRONJOB_PATCH,
    columns: [
      col("Schedule", (o) => spec(o)["schedule"] ?? ""),
      col("Suspend", (o) => String(spec(o)["suspend"] ?? false)),
      col("Last Schedule", (o) => status(o)["lastScheduleTime"] ?? "<none>"),
      AGE,
    ],
  }),
  namespaced("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", {
    shortNames: ["pdb"],
    statusSubresource: true,
    generation: true,
    patchMeta: { spec: { fields: { selector: { replace: true } } } },
    columns: [
      col("Min Available", (o) => spec(o)["minAvailable"] ?? "N/A"),
      col("Max Unavailable", (o) => spec(o)["maxUnavailable"] ?? "N/A"),
      col("Allowed Disruptions", (o) => String(statusField("disruptionsAllowed")(o) ?? 0)),
      AGE,
    ],
  }),
  namespaced("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", {
    categories: ["prometheus-operator"],
    custom: true,
    generation: true,
  }),
];
