import { describe, expect, it } from "vitest";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { computeEtag, nextUpdateTime, recordToApi, resultToApi, unixNanos } from "./convert.js";

const t = new Date(Date.UTC(2024, 0, 15, 10, 0, 0, 123));

describe("etags and times", () => {
  it("computes {uid}-{unix nanos}", () => {
    expect(unixNanos(t)).toBe(1705312800123000000n);
    expect(computeEtag("abc", t)).toBe("abc-1705312800123000000");
    expect(computeEtag("u", new Date(0))).toBe("u-0");
    expect(computeEtag("u", new Date(-1))).toBe("u--1000000");
  });

  it("moves the update time past the previous one", () => {
    expect(nextUpdateTime(new Date(2000), new Date(1000)).getTime()).toBe(2000);
    expect(nextUpdateTime(new Date(1000), new Date(1000)).getTime()).toBe(1001);
    expect(nextUpdateTime(new Date(500), new Date(1000)).getTime()).toBe(1001);
  });
});

describe("resultToApi / recordToApi", () => {
  it("fill current and deprecated fields", () => {
    const r = resultToApi({
      parent: "ns",
      name: "r",
      uid: "u1",
      annotations: { a: "b" },
      summary: {
        record: "ns/results/r/records/x",
        type: "t",
        status: 2,
        annotations: {},
        endTime: t,
      },
      createTime: new Date(1000),
      updateTime: t,
      etag: "e",
    });
    expect(r.name).toBe("ns/results/r");
    expect([r.id, r.uid, r.etag]).toEqual(["u1", "u1", "e"]);
    expect(timestampDate(r.createTime!).getTime()).toBe(1000);
    expect(r.createdTime).toEqual(r.createTime);
    expect(timestampDate(r.updatedTime!).getTime()).toBe(t.getTime());
    expect(r.summary?.status).toBe(2);
    expect(r.summary?.startTime).toBeUndefined();
    expect(timestampDate(r.summary!.endTime!).getTime()).toBe(t.getTime());
    expect(
      resultToApi({
        parent: "p",
        name: "n",
        uid: "u",
        annotations: {},
        createTime: t,
        updateTime: t,
        etag: "e",
      }).summary,
    ).toBeUndefined();

    const rec = recordToApi({
      parent: "ns",
      resultName: "r",
      name: "x",
      uid: "u2",
      type: "tekton.dev/v1.TaskRun",
      data: '{"é": 1}',
      createTime: t,
      updateTime: t,
      etag: "e2",
    });
    expect(rec.name).toBe("ns/results/r/records/x");
    expect([rec.id, rec.uid]).toEqual(["u2", "u2"]);
    expect(rec.data?.type).toBe("tekton.dev/v1.TaskRun");
    expect(new TextDecoder().decode(rec.data!.value)).toBe('{"é": 1}');
    expect(rec.createdTime).toEqual(rec.createTime);
    expect(rec.updatedTime).toEqual(rec.updateTime);
  });
});
