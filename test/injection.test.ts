/**
 * Injection, end to end: every string of a hostile corpus (SQL meta-strings
 * for SQLite and PostgreSQL, unicode tricks — right-to-left overrides,
 * zero-width characters, homoglyphs, lone surrogates —, NUL and control
 * bytes, very long strings) in every literal position of a filter, in an
 * order_by, in names (parent, result, record) and in annotations, sent over
 * gRPC to the real server program on SQLite and on an embedded PostgreSQL.
 *
 * - Reads: no Internal/Unknown/Unavailable, zero rows outside the caller's
 *   parent (`ns-a`), and the data set unchanged (its checksum before and
 *   after each string's reads).
 * - Writes: the value stored and read back identical to what was sent (a lone
 *   surrogate cannot travel as UTF-8: the client sends U+FFFD, and that is
 *   what must come back), or rejected with InvalidArgument leaving the data
 *   set unchanged; a stored item is deleted and the data set is back to its
 *   checksum.
 */
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  celString,
  changedItems,
  HOSTILE_STRINGS,
  seedDataSet,
  startPostgres,
  startTarget,
  type FuzzDatabase,
  type Target,
} from "@tekton-results/fuzz";
import { Results } from "@tekton-results/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Client = ReturnType<typeof createClient<typeof Results>>;
/** A read: resolves with the parents of the rows it returned. */
type Read = (client: Client, s: string) => Promise<string[]>;

const CALLER = "ns-a";
const enc = new TextEncoder();
/** What a string becomes on the wire (UTF-8: lone surrogates as U+FFFD). */
const wire = (s: string): string => Buffer.from(s, "utf8").toString("utf8");

const recordsOf = async (c: Client, filter: string, orderBy = "") =>
  (
    await c.listRecords({ parent: `${CALLER}/results/-`, filter, orderBy, pageSize: 100 })
  ).records.map((r) => r.name.split("/")[0]!);
const resultsOf = async (c: Client, filter: string, orderBy = "") =>
  (await c.listResults({ parent: CALLER, filter, orderBy, pageSize: 100 })).results.map(
    (r) => r.name.split("/")[0]!,
  );

/** Every read position, by name. */
const READS: Record<string, Read> = {
  "filter: data string ==": (c, s) => recordsOf(c, `data.metadata.name == ${celString(s)}`),
  "filter: data string, single quotes": (c, s) =>
    recordsOf(c, `data.metadata.name != ${celString(s, 1)}`),
  "filter: raw string": (c, s) => recordsOf(c, `data.metadata.name == ${celString(s, 2)}`),
  "filter: startsWith": (c, s) => recordsOf(c, `data.metadata.name.startsWith(${celString(s)})`),
  "filter: endsWith": (c, s) => recordsOf(c, `data.metadata.name.endsWith(${celString(s)})`),
  "filter: contains": (c, s) => recordsOf(c, `data.metadata.name.contains(${celString(s)})`),
  "filter: matches pattern": (c, s) => recordsOf(c, `data.metadata.name.matches(${celString(s)})`),
  "filter: JSON key": (c, s) => recordsOf(c, `data.metadata.labels[${celString(s)}] == "release"`),
  "filter: key in map": (c, s) => recordsOf(c, `${celString(s)} in data.metadata.labels`),
  "filter: in list": (c, s) =>
    recordsOf(c, `data.status.conditions[0].reason in [${celString(s)}, "x"]`),
  "filter: name column": (c, s) => recordsOf(c, `name == ${celString(s)}`),
  "filter: parent column": (c, s) =>
    recordsOf(c, `parent == ${celString(s)} || parent != ${celString(s)}`),
  "filter: concatenation": (c, s) => recordsOf(c, `data.metadata.name + ${celString(s)} == "x"`),
  "filter: timestamp()": (c, s) => recordsOf(c, `create_time > timestamp(${celString(s)})`),
  "filter: results annotation key": (c, s) =>
    resultsOf(c, `annotations[${celString(s)}] == "demo"`),
  "filter: results annotation value": (c, s) =>
    resultsOf(c, `annotations["repo"] == ${celString(s)}`),
  "filter: summary.record": (c, s) => resultsOf(c, `summary.record == ${celString(s)}`),
  "filter: summary": async (c, s) => {
    await c.getRecordListSummary({
      parent: `${CALLER}/results/-`,
      filter: `data.metadata.name == ${celString(s)}`,
    });
    return [];
  },
  "order_by: records": (c, s) => recordsOf(c, "", s),
  "order_by: results": (c, s) => resultsOf(c, "", s),
  // The caller's parent is the one it names ("-", every parent, asks for all).
  "name: parent of ListResults": async (c, s) =>
    (await c.listResults({ parent: s })).results.map((r) =>
      s === "-" || r.name.startsWith(`${s}/`) ? CALLER : r.name,
    ),
  "name: parent of ListRecords": async (c, s) =>
    (await c.listRecords({ parent: `${s}/results/-` })).records.map((r) =>
      s === "-" || r.name.startsWith(`${s}/results/`) ? CALLER : r.name,
    ),
  "name: result of GetResult": async (c, s) => [
    (await c.getResult({ name: `${CALLER}/results/${s}` })).name.split("/")[0]!,
  ],
  "name: record of GetRecord": async (c, s) => [
    (await c.getRecord({ name: `${CALLER}/results/r-1/records/${s}` })).name.split("/")[0]!,
  ],
};

/** Every write position: resolves with what was read back, and cleans up. */
type Write = (
  client: Client,
  s: string,
  n: number,
) => Promise<{ sent: string; got: string; cleanup: () => Promise<unknown> }>;

const WRITES: Record<string, Write> = {
  "annotation value": async (c, s, n) => {
    const name = `${CALLER}/results/inj-${n}`;
    await c.createResult({ parent: CALLER, result: { name, annotations: { k: s } } });
    const got = (await c.getResult({ name })).annotations["k"] ?? "";
    return { sent: wire(s), got, cleanup: () => c.deleteResult({ name }) };
  },
  "annotation key": async (c, s, n) => {
    const name = `${CALLER}/results/inj-${n}`;
    await c.createResult({ parent: CALLER, result: { name, annotations: { [s]: "v" } } });
    const got = Object.keys((await c.getResult({ name })).annotations)[0] ?? "";
    return { sent: wire(s), got, cleanup: () => c.deleteResult({ name }) };
  },
  "summary annotation value": async (c, s, n) => {
    const name = `${CALLER}/results/inj-${n}`;
    await c.createResult({
      parent: CALLER,
      result: { name, summary: { record: `${name}/records/x`, annotations: { k: s } } },
    });
    const got = (await c.getResult({ name })).summary?.annotations["k"] ?? "";
    return { sent: wire(s), got, cleanup: () => c.deleteResult({ name }) };
  },
  "name: result": async (c, s) => {
    const name = `${CALLER}/results/${s}`;
    await c.createResult({ parent: CALLER, result: { name } });
    const got = (await c.getResult({ name })).name;
    return { sent: wire(name), got, cleanup: () => c.deleteResult({ name }) };
  },
  "name: record": async (c, s) => {
    const name = `${CALLER}/results/r-1/records/${s}`;
    const value = enc.encode("{}");
    await c.createRecord({
      parent: `${CALLER}/results/r-1`,
      record: { name, data: { type: "tekton.dev/v1.TaskRun", value } },
    });
    const got = (await c.getRecord({ name })).name;
    return { sent: wire(name), got, cleanup: () => c.deleteRecord({ name }) };
  },
  "record data (JSON string)": async (c, s, n) => {
    const name = `${CALLER}/results/r-1/records/inj-${n}`;
    const text = JSON.stringify({ metadata: { name: s } });
    await c.createRecord({
      parent: `${CALLER}/results/r-1`,
      record: { name, data: { type: "tekton.dev/v1.TaskRun", value: enc.encode(text) } },
    });
    const got = Buffer.from((await c.getRecord({ name })).data?.value ?? new Uint8Array()).toString(
      "utf8",
    );
    return { sent: wire(text), got, cleanup: () => c.deleteRecord({ name }) };
  },
  "record data type": async (c, s, n) => {
    const name = `${CALLER}/results/r-1/records/inj-${n}`;
    await c.createRecord({
      parent: `${CALLER}/results/r-1`,
      record: { name, data: { type: s, value: enc.encode("{}") } },
    });
    const got = (await c.getRecord({ name })).data?.type ?? "";
    return { sent: wire(s), got, cleanup: () => c.deleteRecord({ name }) };
  },
};

const BAD = new Set([Code.Internal, Code.Unknown, Code.Unavailable, Code.DataLoss]);

function codeOf(err: unknown): Code {
  return ConnectError.from(err).code;
}

async function injectAll(
  target: Target,
): Promise<{ reads: number; writes: number; problems: string[] }> {
  const transport = createGrpcTransport({ baseUrl: target.url });
  const client = createClient(Results, transport);
  await seedDataSet(transport);
  const problems: string[] = [];
  let reads = 0;
  let writes = 0;
  for (const [i, s] of HOSTILE_STRINGS.entries()) {
    const label = JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…(${s.length})` : s);
    const before = await target.checksum();
    for (const [position, read] of Object.entries(READS)) {
      reads++;
      try {
        const parents = await read(client, s);
        const outside = parents.filter((p) => p !== CALLER);
        if (outside.length > 0)
          problems.push(`${position} ${label}: rows of ${outside.join(", ")}`);
      } catch (err) {
        if (BAD.has(codeOf(err)))
          problems.push(
            `${position} ${label}: ${Code[codeOf(err)]} ${ConnectError.from(err).rawMessage}`,
          );
      }
    }
    const afterReads = await target.checksum();
    const changed = changedItems(before, afterReads);
    if (changed.length > 0) problems.push(`reads of ${label} changed ${changed.join(", ")}`);
    for (const [position, write] of Object.entries(WRITES)) {
      writes++;
      const start = await target.checksum();
      try {
        const { sent, got, cleanup } = await write(client, s, i);
        if (got !== sent)
          problems.push(`${position} ${label}: read back ${JSON.stringify(got.slice(0, 60))}`);
        await cleanup();
      } catch (err) {
        if (codeOf(err) !== Code.InvalidArgument) {
          problems.push(
            `${position} ${label}: ${Code[codeOf(err)]} ${ConnectError.from(err).rawMessage.slice(0, 200)}`,
          );
        }
      }
      const end = await target.checksum();
      const diff = changedItems(start, end);
      if (diff.length > 0)
        problems.push(`${position} ${label}: the data set changed: ${diff.join(", ")}`);
    }
  }
  return { reads, writes, problems };
}

const EXPECTED = HOSTILE_STRINGS.length * (Object.keys(READS).length + Object.keys(WRITES).length);

describe.each([["SQLite"], ["PostgreSQL"]])("injection end to end on %s", (backend) => {
  let db: FuzzDatabase | undefined;
  let target: Target;
  beforeAll(async () => {
    if (backend === "PostgreSQL") db = await startPostgres();
    target = await startTarget(db ? { kind: "postgres", url: db.url } : { kind: "sqlite" });
  }, 120_000);
  afterAll(async () => {
    await target?.close();
    await db?.stop();
  });

  it(`${HOSTILE_STRINGS.length} strings × ${Object.keys(READS).length} read and ${Object.keys(WRITES).length} write positions: no leak across parents, no Internal, data unchanged`, async () => {
    const { reads, writes, problems } = await injectAll(target);
    console.log(
      `${backend}: ${HOSTILE_STRINGS.length} strings × ${Object.keys(READS).length + Object.keys(WRITES).length} positions = ${reads + writes} requests (${reads} reads, ${writes} writes), ${problems.length} problems`,
    );
    expect(reads + writes).toBe(EXPECTED);
    expect(problems).toEqual([]);
    expect(target.problems.filter((p) => p.level === "error")).toEqual([]);
  }, 600_000);
});
