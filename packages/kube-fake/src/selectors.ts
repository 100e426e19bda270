/**
 * Label selectors (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`) and field selectors
 * (`metadata.name`, `metadata.namespace` and the fields the real server indexes per resource),
 * parsed and matched like the API server.
 *
 * @module
 */
import { badRequest } from "./errors.js";
import type { KubeObject } from "./types.js";

/** One requirement of a label selector. */
export interface LabelRequirement {
  key: string;
  operator: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

/** A parsed label selector: all requirements must hold (an empty selector matches everything). */
export type LabelSelector = LabelRequirement[];

const KEY =
  /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?)?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key) || key.length > 317) {
    throw badRequest(
      `unable to parse requirement: invalid label key "${key}" in selector "${selector}"`,
    );
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw badRequest(
      `unable to parse requirement: invalid label value "${value}" in selector "${selector}"`,
    );
  }
  return value;
}

/**
 * Parses a label selector (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * comma-separated). Throws a 400 {@link KubeApiError} on a malformed selector.
 */
export function parseLabelSelector(selector: string | undefined): LabelSelector {
  if (!selector || !selector.trim()) return [];
  const reqs: LabelSelector = [];
  for (const part of splitTopLevel(selector)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = m[3]!
        .split(",")
        .map((v) => v.trim())
        .map((v) => checkValue(v, selector));
      reqs.push({ key: checkKey(m[1]!, selector), operator: m[2] as "in" | "notin", values });
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) {
      const op = m[2] === "!=" ? "!=" : "=";
      reqs.push({
        key: checkKey(m[1]!, selector),
        operator: op,
        values: [checkValue(m[3]!, selector)],
      });
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      reqs.push({ key: checkKey(m[1]!, selector), operator: "!", values: [] });
    } else if (/^\S+$/.test(part)) {
      reqs.push({ key: checkKey(part, selector), operator: "exists", values: [] });
    } else {
      throw badRequest(
        `unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`,
      );
    }
  }
  return reqs;
}

/** Whether a label map satisfies every requirement of a selector. */
export function matchesLabels(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  for (const req of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
    const value = has ? labels[req.key] : undefined;
    switch (req.operator) {
      case "=":
        if (!has || value !== req.values[0]) return false;
        break;
      case "!=":
        if (has && value === req.values[0]) return false;
        break;
      case "in":
        if (!has || !req.values.includes(value!)) return false;
        break;
      case "notin":
        if (has && req.values.includes(value!)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** One requirement of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** A parsed field selector. */
export type FieldSelector = FieldRequirement[];

type FieldGetter = (obj: KubeObject) => unknown;

function path(...keys: string[]): FieldGetter {
  return (obj) => {
    let cur: unknown = obj;
    for (const k of keys) {
      if (cur === null || typeof cur !== "object") return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
  };
}

const COMMON_FIELDS: Record<string, FieldGetter> = {
  "metadata.name": path("metadata", "name"),
  "metadata.namespace": path("metadata", "namespace"),
};

const EXTRA_FIELDS: Record<string, Record<string, FieldGetter>> = {
  pods: {
    "spec.nodeName": path("spec", "nodeName"),
    "spec.restartPolicy": path("spec", "restartPolicy"),
    "spec.schedulerName": path("spec", "schedulerName"),
    "spec.serviceAccountName": path("spec", "serviceAccountName"),
    "status.phase": path("status", "phase"),
    "status.podIP": path("status", "podIP"),
    "status.nominatedNodeName": path("status", "nominatedNodeName"),
  },
  events: {
    "involvedObject.kind": path("involvedObject", "kind"),
    "involvedObject.namespace": path("involvedObject", "namespace"),
    "involvedObject.name": path("involvedObject", "name"),
    "involvedObject.uid": path("involvedObject", "uid"),
    "involvedObject.apiVersion": path("involvedObject", "apiVersion"),
    "involvedObject.resourceVersion": path("involvedObject", "resourceVersion"),
    "involvedObject.fieldPath": path("involvedObject", "fieldPath"),
    reason: path("reason"),
    reportingComponent: path("reportingComponent"),
    source: path("source", "component"),
    type: path("type"),
  },
  namespaces: { "status.phase": path("status", "phase") },
};

/** A compiled field selector for one resource. */
export interface CompiledFieldSelector {
  requirements: FieldSelector;
  matches(obj: KubeObject): boolean;
}

/**
 * Parses a field selector (`f=v`, `f==v`, `f!=v`, comma-separated) for `resource`; fields the real
 * API server does not index for that resource are refused with 400 BadRequest.
 */
export function parseFieldSelector(
  selector: string | undefined,
  resource: string,
  custom = false,
): CompiledFieldSelector {
  const reqs: FieldSelector = [];
  const getters: FieldGetter[] = [];
  if (selector && selector.trim()) {
    const fields = { ...COMMON_FIELDS, ...(EXTRA_FIELDS[resource] ?? {}) };
    for (const part of selector
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
      const field = m[1]!.trim();
      const getter = fields[field];
      if (!getter) {
        throw badRequest(
          custom
            ? `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
            : `field label not supported: ${field}`,
        );
      }
      reqs.push({ field, operator: m[2] === "!=" ? "!=" : "=", value: m[3]!.trim() });
      getters.push(getter);
    }
  }
  return {
    requirements: reqs,
    matches(obj) {
      for (let i = 0; i < reqs.length; i++) {
        const raw = getters[i]!(obj);
        const actual = raw === undefined || raw === null ? "" : String(raw);
        const req = reqs[i]!;
        if ((actual === req.value) !== (req.operator === "=")) return false;
      }
      return true;
    },
  };
}

/**
 * A `metav1.LabelSelector` object (`matchLabels`, `matchExpressions` with `In`, `NotIn`,
 * `Exists`, `DoesNotExist`) as a {@link LabelSelector}; an empty object matches everything.
 */
export function labelSelectorOf(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): LabelSelector {
  const reqs: LabelSelector = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: "=",
    values: [value],
  }));
  const operators: Record<string, LabelRequirement["operator"]> = {
    In: "in",
    NotIn: "notin",
    Exists: "exists",
    DoesNotExist: "!",
  };
  for (const e of selector.matchExpressions ?? []) {
    const operator = operators[e.operator];
    if (!operator) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return reqs;
}
