/**
 * The Kubernetes protobuf encoding of the review requests kubectl's typed clients send
 * (`kubectl auth can-i`, `auth can-i --list`, `auth whoami` post SelfSubjectAccessReview,
 * SelfSubjectRulesReview and SelfSubjectReview as `application/vnd.kubernetes.protobuf`):
 * the `k8s\0` envelope (`runtime.Unknown`) and the fields of the review specs, decoded to the
 * JSON form. Answers are sent as JSON, which clients accept.
 *
 * @module
 */
import { badRequest } from "./errors.js";
import type { KubeObject } from "./types.js";

/** The media type of Kubernetes protobuf. */
export const PROTOBUF_TYPE = "application/vnd.kubernetes.protobuf";

type Fields = Map<number, Array<Buffer | number>>;

/** The fields of one protobuf message (varints as numbers, length-delimited as buffers). */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw badRequest("truncated protobuf");
      const b = buf[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: Buffer | number;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const n = varint();
      value = buf.subarray(i, i + n);
      i += n;
    } else if (wire === 1) {
      value = buf.subarray(i, i + 8);
      i += 8;
    } else if (wire === 5) {
      value = buf.subarray(i, i + 4);
      i += 4;
    } else throw badRequest(`unsupported protobuf wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

function message(f: Fields, n: number): Fields {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : new Map();
}

/** The string fields of a message, by name (absent ones left out). */
function strings(f: Fields, names: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, name] of Object.entries(names)) {
    const v = f.get(Number(n))?.[0];
    if (Buffer.isBuffer(v)) out[name] = v.toString("utf8");
  }
  return out;
}

/** Decodes a protobuf review request to its JSON form. */
export function decodeReviewProtobuf(body: Buffer, kind: string): KubeObject {
  if (body.subarray(0, 4).toString("latin1") !== "k8s\0") {
    throw badRequest("the protobuf body lacks the k8s envelope");
  }
  const unknown = fields(body.subarray(4));
  const typeMeta = strings(message(unknown, 1), { 1: "apiVersion", 2: "kind" });
  const raw = message(unknown, 2);
  const spec = message(raw, 2);
  const out: KubeObject = {
    apiVersion: typeMeta["apiVersion"] ?? "",
    kind: typeMeta["kind"] ?? kind,
    metadata: { name: "" },
    spec: {},
  };
  if (kind === "SelfSubjectAccessReview") {
    const specOut: Record<string, unknown> = {};
    if (spec.has(1)) {
      specOut["resourceAttributes"] = strings(message(spec, 1), {
        1: "namespace",
        2: "verb",
        3: "group",
        4: "version",
        5: "resource",
        6: "subresource",
        7: "name",
      });
    }
    if (spec.has(2))
      specOut["nonResourceAttributes"] = strings(message(spec, 2), { 1: "path", 2: "verb" });
    out["spec"] = specOut;
  } else if (kind === "SelfSubjectRulesReview") {
    out["spec"] = strings(spec, { 1: "namespace" });
  }
  return out;
}
