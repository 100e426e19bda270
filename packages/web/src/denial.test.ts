import { describe, expect, it } from "vitest";
import { denialAdvice, grantCommand, parseDenial, signInReason } from "./denial.js";

describe("parseDenial", () => {
  it("reads the user, verb, resource and namespace of the Kubernetes authorizer's message", () => {
    expect(
      parseDenial('user "bob" cannot list records.results.tekton.dev in namespace "ci"'),
    ).toEqual({
      user: "bob",
      verb: "list",
      resource: "records.results.tekton.dev",
      namespace: "ci",
    });
  });

  it("reads a cluster-scope denial, with RBAC's reason after it", () => {
    expect(
      parseDenial(
        'user "system:serviceaccount:ci:reader" cannot list records.results.tekton.dev at the cluster scope: no RBAC policy matched',
      ),
    ).toEqual({
      user: "system:serviceaccount:ci:reader",
      verb: "list",
      resource: "records.results.tekton.dev",
      namespace: undefined,
    });
  });

  it("leaves other wordings alone", () => {
    expect(parseDenial("impersonation is disabled on this server")).toBeUndefined();
  });
});

describe("grantCommand", () => {
  it("binds the read-only role in the namespace to a user", () => {
    expect(grantCommand({ user: "bob", verb: "list", resource: "records", namespace: "ci" })).toBe(
      "kubectl -n ci create rolebinding results-reader-bob --clusterrole=tekton-results-readonly --user=bob",
    );
  });

  it("binds it cluster-wide to a ServiceAccount denied at the cluster scope", () => {
    expect(
      grantCommand({
        user: "system:serviceaccount:ci:reader",
        verb: "list",
        resource: "records",
        namespace: undefined,
      }),
    ).toBe(
      "kubectl create clusterrolebinding results-reader-reader --clusterrole=tekton-results-readonly --serviceaccount=ci:reader",
    );
  });
});

describe("denialAdvice", () => {
  it("says to pick a namespace when all namespaces were denied", () => {
    expect(
      denialAdvice({ user: "bob", verb: "list", resource: "records", namespace: undefined }),
    ).toContain("Pick a namespace you can read");
  });
});

describe("signInReason", () => {
  it("tells a missing token from a rejected one", () => {
    expect(signInReason("missing bearer token (Authorization: Bearer <token>)")).toBe("missing");
    expect(signInReason("invalid bearer token")).toBe("rejected");
    expect(signInReason("something else")).toBe("other");
  });
});
