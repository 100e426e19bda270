/**
 * Which Result and Record a run is archived under.
 *
 * @module
 */
import { formatRecordName, isValidSegment, parseResultName } from "@tekton-results/client";
import { PermanentError } from "./errors.js";
import { ANNOTATIONS, TRIGGERS_EVENT_ID_LABEL } from "./run-kinds.js";
import { hasNoOwners, pipelineRunOwner, type TektonRun } from "./run.js";

/**
 * The Result name of `run`: `{namespace}/results/{part}` where `{part}` is, by
 * precedence, the annotation `results.tekton.dev/result` (a full name, used as
 * is), the label `triggers.tekton.dev/triggers-eventid`, the uid of an
 * ownerReference of kind PipelineRun, or the run's own uid.
 * Throws a {@link PermanentError} when the chosen name is not a valid Result name.
 */
export function resultNameOf(run: TektonRun): string {
  const namespace = run.metadata?.namespace ?? "";
  const annotated = run.metadata?.annotations?.[ANNOTATIONS.result];
  if (annotated !== undefined && annotated !== "") {
    try {
      parseResultName(annotated);
    } catch (err) {
      throw new PermanentError(
        "InvalidResultName",
        `annotation ${ANNOTATIONS.result} is not a valid Result name: ${JSON.stringify(annotated)}`,
        { cause: err },
      );
    }
    return annotated;
  }
  const part =
    nonEmpty(run.metadata?.labels?.[TRIGGERS_EVENT_ID_LABEL]) ??
    nonEmpty(pipelineRunOwner(run)?.uid) ??
    nonEmpty(run.metadata?.uid);
  if (part === undefined || !isValidSegment(namespace) || !isValidSegment(part)) {
    throw new PermanentError(
      "InvalidResultName",
      `cannot name a Result for ${namespace}/${run.metadata?.name ?? ""}: ` +
        `"${namespace}/results/${part ?? ""}" is not a valid Result name`,
    );
  }
  return `${namespace}/results/${part}`;
}

/**
 * The Record name of `run` under `resultName`: `{result}/records/{run uid}`;
 * a run without owners may instead name it with the annotation
 * `results.tekton.dev/record`. Throws a {@link PermanentError} when invalid.
 */
export function recordNameOf(run: TektonRun, resultName: string): string {
  const annotated = run.metadata?.annotations?.[ANNOTATIONS.record];
  if (annotated !== undefined && annotated !== "" && hasNoOwners(run)) {
    const prefix = `${resultName}/records/`;
    const segment = annotated.startsWith(prefix) ? annotated.slice(prefix.length) : undefined;
    if (segment === undefined || !isValidSegment(segment)) {
      throw new PermanentError(
        "InvalidRecordName",
        `annotation ${ANNOTATIONS.record} is not a Record name under ${resultName}: ${JSON.stringify(annotated)}`,
      );
    }
    return annotated;
  }
  const uid = run.metadata?.uid ?? "";
  if (!isValidSegment(uid)) {
    throw new PermanentError(
      "InvalidRecordName",
      `the run's uid is not a valid record name: ${JSON.stringify(uid)}`,
    );
  }
  const { parent, result } = parseResultName(resultName);
  return formatRecordName(parent, result, uid);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
