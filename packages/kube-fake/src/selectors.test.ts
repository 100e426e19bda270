import { describe, expect, it } from "vitest";
import { KubeApiError } from "./errors.js";
import { matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import type { KubeObject } from "./types.js";

const labels = { app: "web", tier: "front", "tekton.dev/pipeline": "build" };

function sel(s: string): boolean {
  return matchesLabels(parseLabelSelector(s), labels);
}

describe("label selectors", () => {
  it("matches equality operators =, == and !=", () => {
    expect(sel("app=web")).toBe(true);
    expect(sel("app==web")).toBe(true);
    expect(sel("app=db")).toBe(false);
    expect(sel("app!=db")).toBe(true);
    expect(sel("app!=web")).toBe(false);
    expect(sel("missing!=x")).toBe(true);
  });

  it("matches set-based in and notin", () => {
    expect(sel("app in (web, db)")).toBe(true);
    expect(sel("app in (db)")).toBe(false);
    expect(sel("app notin (db,cache)")).toBe(true);
    expect(sel("app notin (web)")).toBe(false);
    expect(sel("missing notin (web)")).toBe(true);
    expect(sel("missing in (web)")).toBe(false);
  });

  it("matches existence (key) and non-existence (!key)", () => {
    expect(sel("tier")).toBe(true);
    expect(sel("!tier")).toBe(false);
    expect(sel("!missing")).toBe(true);
    expect(sel("missing")).toBe(false);
  });

  it("requires every comma-separated requirement (with prefixed keys)", () => {
    expect(sel("app=web,tier in (front,back),tekton.dev/pipeline=build")).toBe(true);
    expect(sel("app=web,tier=back")).toBe(false);
  });

  it("matches everything with an empty selector and nothing labelled on an unlabelled object", () => {
    expect(sel("")).toBe(true);
    expect(matchesLabels(parseLabelSelector("app"), undefined)).toBe(false);
    expect(matchesLabels(parseLabelSelector("!app"), undefined)).toBe(true);
  });

  it("rejects malformed selectors with 400", () => {
    expect(() => parseLabelSelector("app in web")).toThrow(KubeApiError);
    try {
      parseLabelSelector("a b c");
    } catch (e) {
      expect((e as KubeApiError).code).toBe(400);
    }
    expect(() => parseLabelSelector("bad key!=x=y")).toThrow(KubeApiError);
  });
});

describe("field selectors", () => {
  const obj: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p1", namespace: "ns1" },
    status: { phase: "Running" },
  };

  it("matches metadata.name and metadata.namespace with = and !=", () => {
    expect(parseFieldSelector("metadata.name=p1", "pipelineruns").matches(obj)).toBe(true);
    expect(parseFieldSelector("metadata.name==p2", "pipelineruns").matches(obj)).toBe(false);
    expect(
      parseFieldSelector("metadata.namespace!=ns2,metadata.name=p1", "pods").matches(obj),
    ).toBe(true);
  });

  it("knows the extra pod fields the real server indexes", () => {
    expect(parseFieldSelector("status.phase=Running", "pods").matches(obj)).toBe(true);
    expect(parseFieldSelector("status.phase=Failed", "pods").matches(obj)).toBe(false);
  });

  it("refuses unsupported fields with 400 and the real messages", () => {
    let err: unknown;
    try {
      parseFieldSelector("spec.foo=x", "pipelineruns", true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe(400);
    expect((err as KubeApiError).message).toContain('"spec.foo" is not a known field selector');
    expect(() => parseFieldSelector("status.phase=x", "leases")).toThrow(
      /field label not supported: status.phase/,
    );
  });
});
