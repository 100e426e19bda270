/**
 * Request bodies: Results and Records as typed message fields (valid ones,
 * hostile strings in every string field, out-of-range enums and times,
 * record data that is JSON, not JSON or huge), JSON bodies with wrong types
 * and unknown fields, and random or truncated protobuf bytes.
 *
 * @module
 */
import fc from "fast-check";
import { hostileString, shortHostileString } from "./corpus.js";
import { recordName, resultName } from "./names.js";

const hostile = hostileString;
const shortHostile = shortHostileString;

/** A string field's value: ordinary, hostile or random. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  hostile,
  fc.string({ unit: "binary", maxLength: 30 }),
);

/** Annotation maps: keys and values ordinary or hostile, sometimes many. */
export const annotations: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), shortHostile), anyString, { maxKeys: 5 }),
  fc.constant({ repo: "demo" }),
  fc.integer({ min: 100, max: 2000 }).map((n) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v".repeat(i % 50)])),
  ),
);

/** A protobuf Timestamp init: ordinary, negative, far, or with bad nanos. */
export const timestamp = fc.record({
  seconds: fc.oneof(
    fc.bigInt({ min: 0n, max: 4_000_000_000n }),
    fc.constantFrom(-62_135_596_801n, 253_402_300_800n, -(2n ** 63n), 2n ** 63n - 1n),
  ),
  nanos: fc.oneof(fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom(-1, 1_000_000_000)),
});

/** A RecordSummary init. */
export const summary = fc.record(
  {
    record: fc.oneof(recordName, anyString),
    type: fc.oneof(fc.constantFrom("tekton.dev/v1.PipelineRun", "tekton.dev/v1.TaskRun"), anyString),
    status: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(5, -1, 2_147_483_647)),
    startTime: timestamp,
    endTime: timestamp,
    annotations,
  },
  { requiredKeys: [] },
);

/** A Result init. */
export const result = fc.record(
  {
    name: resultName,
    annotations,
    summary,
    uid: anyString,
    etag: anyString,
    id: anyString,
  },
  { requiredKeys: [] },
);

const runDoc = fc
  .record({
    name: anyString,
    reason: fc.oneof(fc.constantFrom("Succeeded", "Failed", "Running", "Cancelled"), anyString),
    n: fc.oneof(fc.double(), fc.integer(), fc.constant(null)),
  })
  .map(({ name, reason, n }) =>
    JSON.stringify({
      metadata: { name, labels: { "tekton.dev/pipeline": name } },
      status: {
        conditions: [{ reason }],
        startTime: "2026-01-01T00:00:00Z",
        completionTime: "2026-01-01T00:01:00Z",
      },
      n,
    }),
  );

const dataValueSmall: fc.Arbitrary<Uint8Array> = fc.oneof(
  runDoc.map((s) => new TextEncoder().encode(s)),
  fc.json().map((s) => new TextEncoder().encode(s)),
  fc.string().map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom(
    new TextEncoder().encode('{"a": 1, "a": 2}'),
    new TextEncoder().encode('{"deep": ' + "[".repeat(5000) + "]".repeat(5000) + "}"),
    new TextEncoder().encode('"\\u0000\\ud800"'),
    new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    new Uint8Array(0),
  ),
);

/** A record's `data.value`: JSON documents, JSON of other kinds, not JSON, random bytes, huge. */
export const dataValue: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(new TextEncoder().encode(JSON.stringify({ big: "x".repeat(3 << 20) }))) },
  { weight: 40, arbitrary: dataValueSmall },
);

/** A record's `data.type`: the run and log types, hostile, or past 768 characters. */
export const dataType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "tekton.dev/v1.TaskRun",
    "tekton.dev/v1.PipelineRun",
    "results.tekton.dev/v1alpha3.Log",
    "",
    "x".repeat(769),
  ),
  anyString,
);

/** A Record init. */
export const record = fc.record(
  {
    name: recordName,
    data: fc.record({ type: dataType, value: dataValue }, { requiredKeys: [] }),
    etag: anyString,
    uid: anyString,
  },
  { requiredKeys: [] },
);

/** JSON values of the wrong type for any field. */
const wrongJson = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1.5, 1e308, "", [], {}, [1, "a"], { a: { b: [] } }),
  fc.string({ maxLength: 10 }),
  fc.integer(),
);

/**
 * A JSON body for a request message named by its fields: each field with a
 * value of the right kind, of a wrong one, or missing, plus unknown fields.
 */
export function jsonBody(fields: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(
        fc.array(fc.tuple(fc.constantFrom(...fields), fc.oneof(wrongJson, anyString, fc.json().map((j) => JSON.parse(j) as unknown)))),
        fc.dictionary(fc.string({ maxLength: 12 }), wrongJson, { maxKeys: 3 }),
      )
      .map(([pairs, extra]) => JSON.stringify({ ...extra, ...Object.fromEntries(pairs) })),
    fc.json(),
    fc.string({ maxLength: 60 }),
    fc.constantFrom("{", '{"parent":', "[", "null", '{"__proto__": {"polluted": 1}}', "\u0000"),
  );
}

/** Random protobuf-ish bytes: random, valid tags with lies in lengths, huge varints. */
export const protobufBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.constantFrom(
    new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    new Uint8Array([0x0a, 0x05, 0x61]),
    new Uint8Array([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    new Uint8Array([0x0b]),
    new Uint8Array([0x0c]),
    new Uint8Array([0x12, 0x02, 0x0a]),
    new Uint8Array([0x7a, 0x00]),
  ),
  fc.array(
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 12 })),
    { maxLength: 6 },
  ).map((fields) => {
    const out: number[] = [];
    for (const [num, wire, bytes] of fields) {
      out.push((num << 3) | wire);
      if (wire === 2) out.push(bytes.length);
      out.push(...bytes);
    }
    return new Uint8Array(out);
  }),
);
