/**
 * The filters of the SQL adapters' differential test beyond the shared
 * filter table (`filter-cases.ts`): the typed-column filters, and edge cases
 * of the JSON walk, arithmetic, conversions, comprehensions and functions
 * where a SQL dialect is most likely to part from CEL.
 *
 * @module
 */
import type { FilterTarget } from "@tekton-results/storage";
import { typedFieldFilters } from "./typed-field-cases.js";

/** One extra filter of the differential test: a CEL filter on a target. */
export interface SqlFilterDifferentialCase {
  /** The table the filter ranges over. */
  target: FilterTarget;
  /** The CEL filter. */
  filter: string;
}

/** The extra filters every SQL adapter's differential test runs. */
export const sqlFilterDifferentialCases: readonly SqlFilterDifferentialCase[] = [
  ...typedFieldFilters.map((filter) => ({ target: "records" as const, filter })),
  { target: "records", filter: 'data.metadata.labels["tekton.dev/pipeline"] == "x"' },
  { target: "records", filter: "data.spec.retries % 3 == 1" },
  { target: "records", filter: "data.count % 2 == 1" },
  { target: "records", filter: "data.spec.retries * 1000000000000 * 1000000 > 0" },
  { target: "records", filter: "int(data.count) == 9" },
  { target: "records", filter: "double(data.spec.retries) / 0.0 > 1.0" },
  { target: "records", filter: "data.spec.retries / 0 == 1" },
  { target: "records", filter: 'string(data.count) == "9.5"' },
  { target: "records", filter: 'string(data.spec) == ""' },
  { target: "records", filter: "size(data.metadata) > 1" },
  { target: "records", filter: "size(data.spec.retries) > 1" },
  { target: "records", filter: "has(data.metadata.labels.app)" },
  { target: "records", filter: "data.status.steps.exists_one(s, s.terminated.exitCode == 0)" },
  { target: "records", filter: "data.status.steps.all(s, has(s.terminated))" },
  { target: "records", filter: 'data.metadata.labels.all(k, k != "app")' },
  { target: "records", filter: "[1, 2, 3].exists(x, x == data.spec.retries)" },
  {
    target: "records",
    filter: 'data.spec.params.exists(p, p.value.exists(v, v.startsWith("--")))',
  },
  { target: "records", filter: "data.spec.retries in data.spec.values" },
  { target: "records", filter: "data.metadata.name in data.metadata.labels" },
  { target: "records", filter: "data.spec.retries == data.count" },
  { target: "records", filter: "data.spec.retries < data.metadata.name" },
  { target: "records", filter: "data.metadata == data.metadata" },
  { target: "records", filter: "data.spec.retries + data.count > 3" },
  { target: "records", filter: 'data.metadata.name + data.metadata.namespace == "x"' },
  {
    target: "records",
    filter: "(data.spec.retries > 2 ? data.metadata.name : data.spec.retries) == 3",
  },
  { target: "records", filter: "data.status.startTime.getMinutes() == 0" },
  { target: "records", filter: 'data.status.startTime.getDayOfYear("-12:00") == 30' },
  { target: "records", filter: "int(create_time) % 60 == 0" },
  { target: "records", filter: 'update_time - create_time > duration("59s")' },
  { target: "records", filter: 'data.note.matches("^z.ë")' },
  { target: "records", filter: "!data.status" },
  { target: "results", filter: "summary.status > 1 || has(summary.record)" },
  { target: "results", filter: "summary.record.startsWith(parent)" },
  { target: "results", filter: "summary.start_time < summary.end_time" },
  { target: "results", filter: "annotations.all(k, k.size() > 2)" },
  { target: "results", filter: '"flaky" in summary.annotations' },
  { target: "results", filter: 'summary.annotations.exists(k, k.contains("/"))' },
  { target: "results", filter: "-summary.status < -1" },
  // Where the databases differ most: float formatting, overflow, regular
  // expressions, ASCII case, time zones.
  { target: "records", filter: 'string(data.spec.retries * 0.1) == "0.30000000000000004"' },
  { target: "records", filter: 'string(data.count / 3) == "3.1666666666666665"' },
  { target: "records", filter: "data.spec.retries * 1e308 * 10.0 > 0.0" },
  { target: "records", filter: 'int("99999999999999999999") > 0 || int(data.metadata.name) > 0' },
  { target: "records", filter: 'double(data.metadata.name) > 0.0 || double("1e400") > 0.0' },
  { target: "records", filter: 'data.metadata.name.matches("^.+\\d$")' },
  { target: "records", filter: 'data.note.matches("\\w\\W")' },
  {
    target: "records",
    filter: 'data.note.upperAscii() == data.note || data.note.lowerAscii() < "m"',
  },
  { target: "records", filter: "timestamp(data.metadata.name) < create_time" },
  { target: "results", filter: 'summary.end_time - summary.start_time > duration("1m")' },
  { target: "results", filter: 'summary.start_time.getDayOfWeek("+14:00") == 1' },
];
