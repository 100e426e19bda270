/**
 * Read and build the JSON payload of a Record (`data`, the API's own `Any`:
 * a `type` string and JSON `value` bytes).
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { AnySchema, type Any, type Record } from "@tekton-results/proto";

/**
 * The JSON document a Record carries, parsed (`JSON.parse` of `data.value`
 * decoded as UTF-8). `undefined` when the Record has no data or empty data.
 * The type parameter is an unchecked assertion of the document's shape.
 * Throws a `SyntaxError` when the bytes are not JSON.
 */
export function recordData<T = unknown>(record: Pick<Record, "data">): T | undefined {
  const value = record.data?.value;
  if (value === undefined || value.byteLength === 0) return undefined;
  return JSON.parse(new TextDecoder().decode(value)) as T;
}

/**
 * The `data` of a Record: `type` (e.g. `"tekton.dev/v1.PipelineRun"`) and the
 * JSON encoding of `value`. Throws a `TypeError` when `value` has no JSON
 * encoding (`undefined`, a function, a symbol) or `JSON.stringify` fails.
 */
export function jsonRecordData(type: string, value: unknown): Any {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) {
    throw new TypeError("record data must be a JSON value");
  }
  return create(AnySchema, { type, value: new TextEncoder().encode(json) });
}
