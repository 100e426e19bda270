/** An owner reference, as in `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One `metadata.managedFields` entry (server-side apply field ownership). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Kubernetes object metadata (the fields the fake understands; others are kept as given). */
export interface ObjectMeta {
  /** The name; may be "" on create when `generateName` is set. */
  name: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any Kubernetes object: `apiVersion`, `kind`, `metadata` and the rest of its fields. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A `meta/v1` Status cause. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A `meta/v1` Status object, as the API server sends for errors. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Success" | "Failure";
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** What a bearer token authenticates as, for TokenReview. */
export interface TokenUser {
  username: string;
  uid?: string;
  groups?: string[];
}

/** The answer of an {@link KubeFakeOptions.authorize} callback. */
export type AuthorizeDecision = boolean | { allowed: boolean; reason?: string };

/** Options of {@link createKubeFake}. */
export interface KubeFakeOptions {
  /** Host to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 (default) picks a free port. */
  port?: number;
  /** Interval of `BOOKMARK` events on watches with `allowWatchBookmarks=true`. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /** How many change events are kept for watches and continue tokens. Default 10,000. */
  historyLimit?: number;
  /**
   * Create a missing namespace when an object is created in it (default true). When false,
   * creating an object in a missing namespace fails with 404 NotFound like a real API server.
   */
  autoCreateNamespaces?: boolean;
  /** Tokens known to TokenReview; an unknown token answers `authenticated: false`. */
  tokens?: Record<string, TokenUser>;
  /** Decides SubjectAccessReviews (receives the review's `spec`). Default: allow everything. */
  authorize?: (spec: Record<string, unknown>) => AuthorizeDecision;
}
