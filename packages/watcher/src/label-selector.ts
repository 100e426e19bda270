/**
 * Kubernetes label selectors (`app=x,tier!=db,env in (a,b),!legacy`),
 * parsed once and matched against a run's labels, for the settings that
 * select runs by label without a server doing it (the deletion selector).
 *
 * @module
 */

/** One requirement of a selector. */
interface Requirement {
  key: string;
  op: "in" | "notin" | "exists" | "!exists";
  values: string[];
}

/** A parsed label selector; see {@link parseLabelSelector}. */
export interface LabelSelector {
  /** The selector as given. */
  readonly text: string;
  /** True when `labels` satisfy every requirement (an empty selector matches everything). */
  matches(labels: Record<string, string> | undefined): boolean;
}

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Split on commas outside parentheses. */
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
  return parts.map((p) => p.trim());
}

function checkKey(key: string, text: string): string {
  if (!KEY.test(key)) throw new Error(`invalid label key ${JSON.stringify(key)} in "${text}"`);
  return key;
}

function checkValue(value: string, text: string): string {
  if (!VALUE.test(value) || value.length > 63) {
    throw new Error(`invalid label value ${JSON.stringify(value)} in "${text}"`);
  }
  return value;
}

function parseRequirement(part: string, text: string): Requirement {
  let m = /^!\s*(\S+)$/.exec(part);
  if (m) return { key: checkKey(m[1]!, text), op: "!exists", values: [] };
  m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (m) {
    const values = m[3]!.split(",").map((v) => checkValue(v.trim(), text));
    return { key: checkKey(m[1]!, text), op: m[2] as "in" | "notin", values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (m) {
    return {
      key: checkKey(m[1]!, text),
      op: m[2] === "!=" ? "notin" : "in",
      values: [checkValue(m[3]!, text)],
    };
  }
  if (/^\S+$/.test(part)) return { key: checkKey(part, text), op: "exists", values: [] };
  throw new Error(`cannot parse ${JSON.stringify(part)} in label selector "${text}"`);
}

/**
 * Parse a label selector in Kubernetes' syntax: `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas. Throws an
 * `Error` naming the part it cannot parse.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements =
    text.trim() === "" ? [] : splitTopLevel(text).map((part) => parseRequirement(part, text));
  return {
    text,
    matches(labels) {
      const l = labels ?? {};
      return requirements.every((r) => {
        const has = Object.prototype.hasOwnProperty.call(l, r.key);
        switch (r.op) {
          case "exists":
            return has;
          case "!exists":
            return !has;
          case "in":
            return has && r.values.includes(l[r.key]!);
          case "notin":
            return !has || !r.values.includes(l[r.key]!);
        }
      });
    },
  };
}
