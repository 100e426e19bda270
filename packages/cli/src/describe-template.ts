/**
 * The human text of `pipelinerun describe` and `taskrun describe`: upstream's describe templates
 * (pkg/cli/cmd/{pipelinerun,taskrun}/describe.go), line for line, with `tkn`'s formatting of ages,
 * durations, statuses and workspaces; bold and underlined headings only when colour is on.
 *
 * @module
 */
import { styleText } from "node:util";
import { parseGoDuration } from "./connection.js";
import { formatAge, formatCondition, formatDuration, type Condition } from "./format.js";

/** A Tekton run as describe reads it (v1, with v1beta1's field names as fallbacks). */
export interface DescribedRun {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    pipelineRef?: { name?: string };
    taskRunTemplate?: { serviceAccountName?: string };
    serviceAccountName?: string;
    timeouts?: { pipeline?: string; tasks?: string; finally?: string };
    params?: { name?: string; value?: unknown }[];
    workspaces?: WorkspaceBinding[];
  };
  status?: {
    startTime?: string;
    completionTime?: string;
    conditions?: Condition[];
    results?: { name?: string; value?: unknown }[];
    pipelineResults?: { name?: string; value?: unknown }[];
    taskResults?: { name?: string; value?: unknown }[];
    childReferences?: { name?: string; pipelineTaskName?: string }[];
    taskRuns?: Record<string, { pipelineTaskName?: string }>;
    skippedTasks?: { name?: string }[];
    steps?: StepState[];
  };
}

/** A workspace binding of a run's spec. */
export interface WorkspaceBinding {
  name?: string;
  subPath?: string;
  volumeClaimTemplate?: unknown;
  persistentVolumeClaim?: { claimName?: string };
  emptyDir?: { medium?: string };
  configMap?: { name?: string; items?: { key?: string; path?: string }[] };
  secret?: { secretName?: string; items?: { key?: string; path?: string }[] };
  csi?: { driver?: string };
}

/** A step's state in a TaskRun's status. */
export interface StepState {
  name?: string;
  waiting?: { reason?: string };
  running?: object;
  terminated?: { reason?: string };
}

/** What the text depends on besides the run. */
export interface DescribeOptions {
  /** "Now", for the STARTED column. */
  now: Date;
  /** Whether to colour (bold headings, the status word). */
  colour: boolean;
}

/** Pad to `width` characters (Go's `%-Ns`, counting code points). */
function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - [...text].length));
}

/** A parameter or result value as Go's template prints it: `a`, `[a b]`, `map[k:v]`. */
export function goValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `map[${entries.map(([k, v]) => `${k}:${goValue(v)}`).join(" ")}]`;
  }
  return value === undefined || value === null ? "" : String(value);
}

/**
 * A Kubernetes duration (`1h`, `1h0m0s`, `900s`) as Go's `Duration.String()` prints it
 * (`1h0m0s`, `15m0s`); zero is `0s`; a value that is not a duration is printed as it is.
 */
export function goDuration(text: string): string {
  try {
    return formatDuration(new Date(0), new Date(parseGoDuration(text)));
  } catch {
    // Not a positive duration: zero ("0", "0s"), or not one at all.
    return /^0(\.0*)?(ns|us|µs|ms|s|m|h)?$/.test(text) ? "0s" : text;
  }
}

/** `tkn`'s `formatted.Workspace`: how a workspace is bound. */
export function formatWorkspace(ws: WorkspaceBinding): string {
  const items = (list: { key?: string; path?: string }[] | undefined): string =>
    (list ?? []).map((i) => `,item=${i.key ?? ""}=${i.path ?? ""}`).join("");
  if (ws.volumeClaimTemplate) return "VolumeClaimTemplate";
  if (ws.persistentVolumeClaim) {
    return `PersistentVolumeClaim (claimName=${ws.persistentVolumeClaim.claimName ?? ""})`;
  }
  if (ws.emptyDir) {
    const medium = ws.emptyDir.medium;
    return `EmptyDir (emptyDir=${medium === "Memory" || medium === "HugePages" ? medium : ""})`;
  }
  if (ws.configMap) {
    return `ConfigMap (config=${ws.configMap.name ?? ""}${items(ws.configMap.items)})`;
  }
  if (ws.secret) return `Secret (secret=${ws.secret.secretName ?? ""}${items(ws.secret.items)})`;
  if (ws.csi) return `CSI (Driver=${ws.csi.driver ?? ""})`;
  return "";
}

/** `tkn`'s step status: the terminated reason, `Running`, the waiting reason, else `---`. */
function stepStatus(step: StepState): string {
  if (step.waiting) return step.waiting.reason ?? "";
  if (step.running) return "Running";
  if (step.terminated) return step.terminated.reason ?? "";
  return "---";
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const VALUE_HEAD = "  NAME                          VALUE";
const WORKSPACE_HEAD = "  NAME                SUB PATH            WORKSPACE BINDING";
const TASKRUN_HEAD = `  NAME${" ".repeat(73)}TASK NAME`;
const STEP_HEAD = "  NAME                          STATUS";

/** The parts both templates share, bound to one run and its options. */
function sections(run: DescribedRun, o: DescribeOptions) {
  const bold = (s: string): string =>
    o.colour ? styleText("bold", s, { validateStream: false }) : s;
  const heading = (s: string): string =>
    o.colour ? styleText(["underline", "bold"], s, { validateStream: false }) : s;
  const pairs = (title: string, map: Record<string, string> | undefined): string => {
    const keys = Object.keys(map ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return keys.length === 0
      ? ""
      : `\n${bold(title)}:${keys.map((k) => `\n ${k}=${map![k]}`).join("")}`;
  };
  const values = (list: { name?: string; value?: unknown }[]): string =>
    list.map((p) => `\n  • ${pad(p.name ?? "", 28)}${goValue(p.value)}`).join("");
  const start = date(run.status?.startTime);
  return {
    bold,
    heading,
    head: (serviceAccount: string | undefined, ref?: string): string =>
      `${bold("Name")}: ${run.metadata?.name ?? ""}\n${bold("Namespace")}: ${run.metadata?.namespace ?? ""}` +
      (ref ? `\n${bold("Pipeline Ref")}: ${ref}` : "") +
      (serviceAccount ? `\n${bold("Service Account")}: ${serviceAccount}` : "") +
      pairs("Labels", run.metadata?.labels) +
      pairs("Annotations", run.metadata?.annotations),
    status: (): string =>
      `\n\n📌 ${heading("Status")}\nSTARTED          DURATION         STATUS\n` +
      `${pad(formatAge(start, o.now), 16)} ${pad(formatDuration(start, date(run.status?.completionTime)), 16)} ` +
      formatCondition(run.status?.conditions, o.colour),
    params: (): string => {
      const params = run.spec?.params ?? [];
      return (
        `\n\n⚓ ${heading("Params")}` + (params.length ? `\n${VALUE_HEAD}${values(params)}` : "")
      );
    },
    results: (list: { name?: string; value?: unknown }[], gap: string): string =>
      list.length ? `${gap}📝 ${heading("Results")}\n${VALUE_HEAD}${values(list)}` : "",
    workspaces: (): string => {
      const ws = run.spec?.workspaces ?? [];
      return ws.length
        ? `\n\n🗂  ${heading("Workspaces")}\n${WORKSPACE_HEAD}` +
            ws
              .map(
                (w) =>
                  `\n  • ${pad(w.name ?? "", 19)}${pad(w.subPath || "---", 19)}${formatWorkspace(w)}`,
              )
              .join("")
        : "";
    },
  };
}

/** The text of `pipelinerun describe` (upstream's template). */
export function describePipelineRun(run: DescribedRun, o: DescribeOptions): string {
  const s = sections(run, o);
  const timeouts = run.spec?.timeouts;
  const children =
    run.status?.childReferences ??
    Object.entries(run.status?.taskRuns ?? {}).map(([name, t]) => ({
      name,
      pipelineTaskName: t.pipelineTaskName,
    }));
  const skipped = run.status?.skippedTasks ?? [];
  return (
    s.head(
      run.spec?.taskRunTemplate?.serviceAccountName ?? run.spec?.serviceAccountName,
      run.spec?.pipelineRef?.name,
    ) +
    s.status() +
    `\n\n⏱ ${s.heading("Timeouts")}` +
    (timeouts?.pipeline !== undefined ? `\nPipeline:   ${goDuration(timeouts.pipeline)}` : "") +
    (timeouts?.tasks !== undefined ? `\nTasks:      ${goDuration(timeouts.tasks)}` : "") +
    (timeouts?.finally !== undefined ? `\nFinally:    ${goDuration(timeouts.finally)}` : "") +
    s.params() +
    s.results(run.status?.results ?? run.status?.pipelineResults ?? [], "\n") +
    s.workspaces() +
    (children.length
      ? `\n\n📦 ${s.heading("Taskruns")}\n${TASKRUN_HEAD}` +
        children.map((c) => `\n  • ${pad(c.name ?? "", 75)}${c.pipelineTaskName ?? ""}`).join("")
      : "") +
    (skipped.length
      ? `\n⏭️  ${s.heading("Skipped Tasks")}\nNAME` +
        skipped.map((t) => `\n• ${t.name ?? ""}`).join("")
      : "") +
    "\n"
  );
}

/**
 * The text of `taskrun describe` (upstream's template), with a Steps section after it as `tkn
 * taskrun describe` has one (upstream's has none).
 */
export function describeTaskRun(run: DescribedRun, o: DescribeOptions): string {
  const s = sections(run, o);
  const steps = run.status?.steps ?? [];
  return (
    s.head(run.spec?.serviceAccountName) +
    s.status() +
    s.params() +
    s.results(run.status?.results ?? run.status?.taskResults ?? [], "\n\n") +
    s.workspaces() +
    (steps.length
      ? `\n\n🦶 ${s.heading("Steps")}\n${STEP_HEAD}` +
        steps.map((t) => `\n  • ${pad(t.name ?? "", 28)}${stepStatus(t)}`).join("")
      : "") +
    "\n"
  );
}
