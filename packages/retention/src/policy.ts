/**
 * The retention configuration, in upstream's format: the data of the ConfigMap
 * `tekton-results-config-results-retention-policy` (`runAt`, `defaultRetention`, the deprecated
 * `maxRetention`, `policies`), so upstream's ConfigMap works unchanged. Ours adds, per policy, a
 * `filter` selector (a CEL filter of Records, as ListRecords takes it) and, for the whole
 * configuration, `age`: what a run's age is measured from (`completion`, the default: the run's
 * completion time; `update`: the stored record's update time, as upstream measures it).
 *
 * Everything is checked when read: a misspelt key, a value of the wrong shape, a duration or
 * schedule that does not parse is a {@link PolicyError} naming where it is, so a policy never
 * runs half-understood.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Cron } from "croner";
import { parseDuration } from "@tekton-results/runtime/duration";
import { isMap, isSeq, parseDocument } from "yaml";

/** Upstream's schedule when `runAt` is not set: Sundays at 07:07. */
export const DEFAULT_RUN_AT = "7 7 * * 7";
/** Upstream's retention when `defaultRetention` is not set: 30 days. */
export const DEFAULT_RETENTION = "30d";
/** The ConfigMap upstream reads. */
export const CONFIG_MAP_NAME = "tekton-results-config-results-retention-policy";

const DAY_MS = 86_400_000;

/** What a run's age is measured from. */
export type AgeBasis = "completion" | "update";

/** Which Results a policy applies to: every criterion given must match (AND), any value of one (OR). */
export interface Selector {
  /** The Result's namespace is one of these. */
  matchNamespaces?: string[];
  /** For each label, the run's value is one of these. */
  matchLabels?: Record<string, string[]>;
  /** For each annotation, the run's value is one of these. */
  matchAnnotations?: Record<string, string[]>;
  /** The reason of the run's `Succeeded` condition is one of these (`Succeeded`, `Failed`, ...). */
  matchStatuses?: string[];
  /** Ours: a CEL filter of the run's Record, as ListRecords takes it. */
  filter?: string;
}

/** One policy: Results its selector matches are kept for `retention`. */
export interface Policy {
  name: string;
  selector: Selector;
  /** The retention as written (`7`, `14d`, `36h`). */
  retention: string;
  /** The retention in milliseconds. */
  retentionMs: number;
}

/** A whole retention configuration. */
export interface RetentionConfig {
  /** When the scheduled job runs: a cron schedule (5 or 6 fields, or `@daily` and the like). */
  runAt: string;
  /** The retention of Results no policy matches, as written. */
  defaultRetention: string;
  /** The same in milliseconds. */
  defaultRetentionMs: number;
  /** The policies, in order: the first that matches a Result decides. */
  policies: Policy[];
  /** What a run's age is measured from. */
  age: AgeBasis;
  /** Things the configuration does that still work but should change (`maxRetention`). */
  warnings: string[];
}

/** A retention configuration that cannot be used: what is wrong, and where. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyError";
  }
}

/**
 * A retention period as upstream reads one: a number of days (`30`), days with `d` (`30d`), or a
 * Go duration (`36h`, `90m`). It must be positive. `where` names the setting in errors.
 */
export function parseRetention(text: string, where: string): number {
  const value = text.trim();
  let ms: number;
  if (/^\d+d?$/.test(value)) ms = Number.parseInt(value, 10) * DAY_MS;
  else {
    try {
      ms = parseDuration(value);
    } catch {
      throw new PolicyError(
        `${where}: ${JSON.stringify(text)} is not a retention: give days (30 or 30d) or a duration (36h, 90m)`,
      );
    }
  }
  if (!(ms > 0)) throw new PolicyError(`${where}: the retention must be more than zero`);
  return ms;
}

/** Check a cron schedule as the scheduler will read it. */
export function checkSchedule(runAt: string): void {
  try {
    new Cron(runAt, { paused: true }).stop();
  } catch (err) {
    throw new PolicyError(
      `runAt: ${JSON.stringify(runAt)} is not a cron schedule (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new PolicyError(`${where}: a list of strings, e.g. ["a", "b"]`);
  }
  if (value.length === 0)
    throw new PolicyError(`${where}: the list is empty: it would match nothing`);
  return value as string[];
}

function valueLists(value: unknown, where: string): Record<string, string[]> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PolicyError(`${where}: a map from each key to a list of values, e.g. {team: ["ci"]}`);
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, stringList(v, `${where}.${k}`)] as const),
  );
}

const SELECTOR_KEYS = [
  "matchNamespaces",
  "matchLabels",
  "matchAnnotations",
  "matchStatuses",
  "filter",
] as const;

function parseSelector(value: unknown, where: string): Selector {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new PolicyError(`${where}: a map of ${SELECTOR_KEYS.join(", ")}`);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(SELECTOR_KEYS as readonly string[]).includes(key)) {
      throw new PolicyError(`${where}.${key}: not a selector; use ${SELECTOR_KEYS.join(", ")}`);
    }
  }
  const selector: Selector = {};
  if (raw["matchNamespaces"] !== undefined) {
    selector.matchNamespaces = stringList(raw["matchNamespaces"], `${where}.matchNamespaces`);
  }
  if (raw["matchLabels"] !== undefined) {
    selector.matchLabels = valueLists(raw["matchLabels"], `${where}.matchLabels`);
  }
  if (raw["matchAnnotations"] !== undefined) {
    selector.matchAnnotations = valueLists(raw["matchAnnotations"], `${where}.matchAnnotations`);
  }
  if (raw["matchStatuses"] !== undefined) {
    selector.matchStatuses = stringList(raw["matchStatuses"], `${where}.matchStatuses`);
  }
  if (raw["filter"] !== undefined) {
    if (typeof raw["filter"] !== "string" || raw["filter"].trim() === "") {
      throw new PolicyError(`${where}.filter: a CEL filter of Records, as a string`);
    }
    selector.filter = raw["filter"];
  }
  return selector;
}

function parsePolicies(text: string): Policy[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new PolicyError(`policies: not YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  }
  if (doc.contents === null) return [];
  if (!isSeq(doc.contents)) throw new PolicyError("policies: a list of policies");
  const names = new Set<string>();
  return (doc.toJS() as unknown[]).map((item, i) => {
    const where = `policies[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new PolicyError(`${where}: a map with name, selector and retention`);
    }
    const raw = item as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
      if (!["name", "selector", "retention"].includes(key)) {
        throw new PolicyError(
          `${where}.${key}: not a field of a policy; use name, selector, retention`,
        );
      }
    }
    const name = raw["name"];
    if (typeof name !== "string" || name.trim() === "") {
      throw new PolicyError(`${where}.name: every policy needs a name`);
    }
    if (names.has(name))
      throw new PolicyError(`${where}.name: ${JSON.stringify(name)} is used twice`);
    names.add(name);
    const retention = raw["retention"];
    if (typeof retention !== "string" && typeof retention !== "number") {
      throw new PolicyError(`${where}.retention: policy ${JSON.stringify(name)} needs a retention`);
    }
    return {
      name,
      selector: parseSelector(raw["selector"], `${where}.selector`),
      retention: String(retention),
      retentionMs: parseRetention(String(retention), `${where}.retention`),
    };
  });
}

const DATA_KEYS = ["runAt", "defaultRetention", "maxRetention", "policies", "age"];

/**
 * Read the data of the ConfigMap (every value a string, as in a ConfigMap). Unknown keys are an
 * error; `maxRetention`, deprecated upstream, still wins over `defaultRetention` as upstream's
 * does, with a warning.
 */
export function parseRetentionConfig(data: Record<string, string>): RetentionConfig {
  for (const key of Object.keys(data)) {
    if (!DATA_KEYS.includes(key)) {
      throw new PolicyError(`${key}: not a retention setting; use ${DATA_KEYS.join(", ")}`);
    }
  }
  const warnings: string[] = [];
  const runAt = (data["runAt"] ?? DEFAULT_RUN_AT).trim();
  checkSchedule(runAt);
  let defaultRetention = data["defaultRetention"] ?? DEFAULT_RETENTION;
  let key = "defaultRetention";
  if (data["maxRetention"] !== undefined) {
    warnings.push(
      "maxRetention is deprecated (and wins over defaultRetention, as upstream's does): rename it to defaultRetention",
    );
    defaultRetention = data["maxRetention"];
    key = "maxRetention";
  }
  const age = (data["age"] ?? "completion").trim();
  if (age !== "completion" && age !== "update") {
    throw new PolicyError(
      `age: ${JSON.stringify(age)}: completion (the run's completion time) or update (the record's update time)`,
    );
  }
  return {
    runAt,
    defaultRetention,
    defaultRetentionMs: parseRetention(defaultRetention, key),
    policies: data["policies"] === undefined ? [] : parsePolicies(data["policies"]),
    age,
    warnings,
  };
}

/**
 * Read a retention configuration from YAML: a ConfigMap manifest (its `data`), or the data map
 * alone (`runAt: ...`, `policies: |...`). Numbers are taken as the strings a ConfigMap holds.
 */
export function loadRetentionConfig(yamlText: string): RetentionConfig {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) {
    throw new PolicyError(`not YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new PolicyError("a ConfigMap, or the map of its data");
  }
  const value = (doc.toJS() ?? {}) as Record<string, unknown>;
  // A ConfigMap (or anything with a `data` map, such as a manifest missing its kind).
  const isManifest =
    value["kind"] === "ConfigMap" ||
    (typeof value["data"] === "object" && value["data"] !== null && !Array.isArray(value["data"]));
  const data = isManifest ? (value["data"] ?? {}) : value;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new PolicyError("data: a map of settings");
  }
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === "object" && v !== null) {
      // A policies list written as YAML rather than a string holding YAML: read it the same.
      if (k === "policies" && Array.isArray(v)) {
        strings[k] = JSON.stringify(v);
        continue;
      }
      throw new PolicyError(`${k}: a string, as ConfigMap data is`);
    }
    strings[k] = String(v);
  }
  return parseRetentionConfig(strings);
}

/** A running schedule of retention runs. */
export interface RetentionSchedule {
  /** When the next run starts. */
  nextRun(): Date | undefined;
  /** Stop scheduling (a run in progress goes on; await it with its own promise). */
  stop(): void;
}

/**
 * Call `run` at each time of the cron schedule `runAt` (croner; never two runs at once: a run
 * still going when the next time comes makes that time pass).
 */
export function scheduleRetention(runAt: string, run: () => Promise<void>): RetentionSchedule {
  checkSchedule(runAt);
  const cron = new Cron(runAt, { protect: true }, async () => {
    await run();
  });
  return {
    nextRun: () => cron.nextRun() ?? undefined,
    stop: () => cron.stop(),
  };
}

/**
 * Read a retention configuration from `path`: a YAML file ({@link loadRetentionConfig}), or a
 * directory holding one file per key, as Kubernetes mounts a ConfigMap (`runAt`,
 * `defaultRetention`, `policies`, ...; dotfiles such as `..data` are skipped, files reached
 * through symbolic links are read). A directory without any key is refused rather than read as
 * upstream's defaults: an empty or missing ConfigMap is a mistake, not a 30-day policy. Meant
 * to be called again before each scheduled run, so an edited ConfigMap applies from the next
 * run. Throws {@link PolicyError} when it cannot be read or used.
 */
export function readRetentionConfig(path: string): RetentionConfig {
  let entries: string[] | undefined;
  try {
    if (statSync(path).isDirectory()) entries = readdirSync(path);
    else return loadRetentionConfig(readFileSync(path, "utf8"));
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    throw new PolicyError(
      `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const data: Record<string, string> = {};
  for (const name of entries.sort()) {
    if (name.startsWith(".")) continue;
    const file = join(path, name);
    try {
      // statSync follows the links a ConfigMap volume is made of (key -> ..data/key).
      if (!statSync(file).isFile()) continue;
      data[name] = readFileSync(file, "utf8");
    } catch (err) {
      throw new PolicyError(
        `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (Object.keys(data).length === 0) {
    throw new PolicyError(`${path}: no settings (an empty directory: is the ConfigMap mounted?)`);
  }
  return parseRetentionConfig(data);
}
