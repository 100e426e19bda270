import { describe, expect, it } from "vitest";
import { formatWorkspace, goDuration, goValue } from "./describe-template.js";

describe("goDuration: as Go's Duration.String() prints a Kubernetes duration", () => {
  it.each([
    ["1h", "1h0m0s"],
    ["1h0m0s", "1h0m0s"],
    ["900s", "15m0s"],
    ["1.5h", "1h30m0s"],
    ["500ms", "500ms"],
    ["0", "0s"],
    ["0s", "0s"],
    ["soon", "soon"],
  ])("%s is %s", (text, printed) => {
    expect(goDuration(text)).toBe(printed);
  });
});

describe("goValue: a param or result value as Go's template prints it", () => {
  it.each([
    ["main", "main"],
    [["-v", "--race"], "[-v --race]"],
    [{ tag: "v1", repo: "r" }, "map[repo:r tag:v1]"],
    [undefined, ""],
  ])("%j", (value, printed) => {
    expect(goValue(value)).toBe(printed);
  });
});

describe("formatWorkspace: tkn's workspace bindings", () => {
  it.each([
    [{ volumeClaimTemplate: {} }, "VolumeClaimTemplate"],
    [{ persistentVolumeClaim: { claimName: "pvc" } }, "PersistentVolumeClaim (claimName=pvc)"],
    [{ emptyDir: { medium: "Memory" } }, "EmptyDir (emptyDir=Memory)"],
    [
      { configMap: { name: "c", items: [{ key: "k", path: "p" }] } },
      "ConfigMap (config=c,item=k=p)",
    ],
    [{ secret: { secretName: "s" } }, "Secret (secret=s)"],
    [{ csi: { driver: "d" } }, "CSI (Driver=d)"],
    [{}, ""],
  ])("%j", (ws, printed) => {
    expect(formatWorkspace(ws)).toBe(printed);
  });
});
