/**
 * The part of the Tekton v1 API the simulated controller reads: pipeline and
 * task specs, parameter substitution, the task catalog, and how a step "runs"
 * (the demo runs no containers: a step prints the `echo` lines of its script
 * and exits with its `exit` code).
 *
 * @module
 */
import yaml from "js-yaml";

/** A step of a Task (`spec.steps[]`). */
export interface StepSpec {
  name: string;
  image: string;
  script?: string;
}

/** A parameter declaration (`spec.params[]` of a Task or Pipeline). */
export interface ParamSpec {
  name: string;
  type?: string;
  default?: string;
}

/** A parameter value (`params[]` of a PipelineRun or a pipeline task). */
export interface Param {
  name: string;
  value: string;
}

/** A Task's spec. */
export interface TaskSpec {
  params?: ParamSpec[];
  steps: StepSpec[];
}

/** A task of a Pipeline (`spec.pipelineSpec.tasks[]`). */
export interface PipelineTask {
  name: string;
  runAfter?: string[];
  taskRef?: { name: string; kind?: string };
  taskSpec?: TaskSpec;
  params?: Param[];
}

/** A Pipeline's spec. */
export interface PipelineSpec {
  params?: ParamSpec[];
  tasks: PipelineTask[];
}

/** A Task object, as in a manifest. */
export interface TaskObject {
  apiVersion: string;
  kind: "Task";
  metadata: { name: string };
  spec: TaskSpec;
}

/** What running a step does in the simulation. */
export interface StepOutcome {
  /** The lines the step prints. */
  lines: string[];
  /** Its exit code: the first `exit N` of the script, else 0. */
  exitCode: number;
}

/** Tasks by name, as a cluster's installed Tasks. */
export type TaskCatalog = ReadonlyMap<string, TaskSpec>;

/** Parse a multi-document YAML text of Task objects into a catalog (other kinds are ignored). */
export function parseTaskCatalog(text: string): TaskCatalog {
  const catalog = new Map<string, TaskSpec>();
  for (const doc of yaml.loadAll(text)) {
    const task = doc as Partial<TaskObject> | null;
    if (task?.kind === "Task" && task.metadata?.name && task.spec) {
      catalog.set(task.metadata.name, task.spec);
    }
  }
  return catalog;
}

/** Replace every `$(params.NAME)` in `text` with its value; unknown names are left as they are. */
export function substituteParams(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/\$\(params\.([A-Za-z0-9_.-]+)\)/g, (whole, name: string) =>
    values.has(name) ? values.get(name)! : whole,
  );
}

/**
 * The values of declared parameters: `given` (substituted with `outer`)
 * over the declarations' defaults.
 */
export function resolveParams(
  declared: readonly ParamSpec[] | undefined,
  given: readonly Param[] | undefined,
  outer: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const values = new Map<string, string>();
  for (const p of declared ?? []) if (p.default !== undefined) values.set(p.name, p.default);
  for (const p of given ?? []) values.set(p.name, substituteParams(String(p.value), outer));
  return values;
}

/**
 * The spec a pipeline task runs: its `taskSpec`, or the catalog's Task named
 * by its `taskRef`. Throws when the reference cannot be resolved (Tekton's
 * `CouldntGetTask`).
 */
export function resolveTaskSpec(task: PipelineTask, catalog: TaskCatalog): TaskSpec {
  if (task.taskSpec) return task.taskSpec;
  const name = task.taskRef?.name;
  const spec = name === undefined ? undefined : catalog.get(name);
  if (!spec) throw new Error(`pipeline task ${task.name}: Task ${name ?? "(none)"} not found`);
  return spec;
}

/** Strip one level of matching quotes around `text`. */
function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0]) return t.slice(1, -1);
  return t;
}

/**
 * "Run" a step's script: the text of each `echo` line is printed, and the
 * first `exit N` ends the step with code N. Other commands print nothing.
 */
export function runStepScript(script: string | undefined): StepOutcome {
  const lines: string[] = [];
  for (const raw of (script ?? "").split("\n")) {
    const line = raw.trim();
    const exit = /^exit\s+(\d+)$/.exec(line);
    if (exit) return { lines, exitCode: Number(exit[1]) };
    if (line === "echo") lines.push("");
    else if (line.startsWith("echo ")) lines.push(unquote(line.slice("echo ".length)));
  }
  return { lines, exitCode: 0 };
}

/**
 * The pipeline tasks in waves: each wave holds the tasks whose `runAfter`
 * tasks are all in earlier waves. Throws on an unknown `runAfter` name or a cycle.
 */
export function taskWaves(tasks: readonly PipelineTask[]): PipelineTask[][] {
  const names = new Set(tasks.map((t) => t.name));
  for (const t of tasks) {
    for (const dep of t.runAfter ?? []) {
      if (!names.has(dep)) throw new Error(`pipeline task ${t.name}: runAfter ${dep} is unknown`);
    }
  }
  const done = new Set<string>();
  const waves: PipelineTask[][] = [];
  let left = [...tasks];
  while (left.length > 0) {
    const wave = left.filter((t) => (t.runAfter ?? []).every((d) => done.has(d)));
    if (wave.length === 0) {
      throw new Error(`pipeline tasks ${left.map((t) => t.name).join(", ")} form a cycle`);
    }
    for (const t of wave) done.add(t.name);
    left = left.filter((t) => !wave.includes(t));
    waves.push(wave);
  }
  return waves;
}
