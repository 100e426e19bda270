/**
 * A profiling driver (not part of the report): loads a SQLite or PostgreSQL
 * data set, then runs one workload's API side in a loop so that
 * `node --cpu-prof` sees mostly that workload. Usage:
 * `node --conditions=source --import tsx bench/src/profile-main.ts list|walk|create|get [sqlite|postgres] [records] [out.cpuprofile]`
 * (the profile covers the timed loop only). `BENCH_DEFAULT_WINDOWS=1` keeps HTTP/2's default windows.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { AnySchema, RecordSchema } from "@tekton-results/proto";
import { setDefaultWindows, startApiServer } from "./api-harness.js";
import type { BenchBackend } from "./backend.js";
import { createDataGenerator } from "./generate.js";
import { createResults } from "./ingest.js";
import { openPgBackend } from "./pg-backend.js";
import { openSqliteBackend } from "./sqlite-backend.js";

async function main(): Promise<void> {
  const [what = "list", backendName = "sqlite", recordsText = "5000", out] = process.argv.slice(2);
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  const startProfile = () => (out ? session.post("Profiler.start") : Promise.resolve());
  const stopProfile = async () => {
    if (!out) return;
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(out, JSON.stringify(profile));
  };
  const records = Number(recordsText);
  setDefaultWindows(process.env["BENCH_DEFAULT_WINDOWS"] === "1");
  const gen = createDataGenerator({ seed: 42, results: Math.floor(records / 5) });
  const dir = mkdtempSync(join(tmpdir(), "tekton-results-prof-"));
  const log = (t: string) => console.error(t);
  const backend: BenchBackend =
    backendName === "postgres"
      ? await openPgBackend({ dir, gen, records, log })
      : await openSqliteBackend({ dir, gen, records, log });
  const server = await startApiServer(backend.store, 1);
  const client = server.clients[0]!;
  const ns = gen.result(Math.floor(gen.results / 2)).parent;
  if (what !== "create") await startProfile();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let ops = 0;
  try {
    if (what === "list") {
      for (; ops < 400; ops++) {
        await client.listRecords({
          parent: `${ns}/results/-`,
          pageSize: 50,
          orderBy: "create_time desc",
        });
      }
    } else if (what === "walk") {
      for (let round = 0; round < 3; round++) {
        let token = "";
        do {
          const page = await client.listRecords({
            parent: "-/results/-",
            pageSize: 100,
            orderBy: "create_time asc",
            pageToken: token,
          });
          token = page.nextPageToken;
          ops++;
        } while (token);
      }
    } else if (what === "get") {
      const r = gen.result(0).records[1]!;
      const name = `${r.parent}/results/${r.resultName}/records/${r.name}`;
      for (; ops < 3000; ops++) await client.getRecord({ name });
    } else {
      const fresh = await backend.freshStore();
      const s2 = await startApiServer(fresh.store, 1);
      const results = Array.from({ length: 400 }, (_, i) => gen.result(i));
      await createResults(fresh.store, results);
      await startProfile();
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      for (const r of results) {
        for (const rec of r.records) {
          await s2.clients[0]!.createRecord({
            parent: `${rec.parent}/results/${rec.resultName}`,
            record: create(RecordSchema, {
              name: `${rec.parent}/results/${rec.resultName}/records/${rec.name}`,
              data: create(AnySchema, {
                type: rec.type,
                value: new TextEncoder().encode(rec.runningData),
              }),
            }),
          });
          ops++;
        }
      }
      const c = process.cpuUsage(c1);
      await stopProfile();
      console.error(
        `create: ${ops} ops, ${((performance.now() - t1) / ops).toFixed(3)} ms/op, CPU ${((c.user + c.system) / ops).toFixed(0)} µs/op`,
      );
      await s2.close();
      await fresh.close();
      return;
    }
    const c = process.cpuUsage(cpu0);
    await stopProfile();
    console.error(
      `${what}: ${ops} ops, ${((performance.now() - t0) / ops).toFixed(3)} ms/op, CPU ${((c.user + c.system) / ops).toFixed(0)} µs/op`,
    );
  } finally {
    await server.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
