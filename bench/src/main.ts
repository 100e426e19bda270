/**
 * The benchmark command: `npm run bench -- [--records N] [--backend sqlite|postgres|all]
 * [--seed N] [--smoke] [--out file.json]`.
 *
 * Generates the seeded data set, loads it into each backend, runs the
 * workloads through the real API server next to their SQL peers, prints the
 * table and writes it as JSON and markdown. Exits non-zero when a workload
 * fails; goals that are not met are reported, not failed.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setAcceptCompression, setDefaultWindows } from "./api-harness.js";
import type { BenchBackend } from "./backend.js";
import { createDataGenerator, measureData } from "./generate.js";
import { openPgBackend, pgUnavailableReason } from "./pg-backend.js";
import { renderText, writeReport, type BenchReport } from "./report.js";
import { runWatcherBenchmarks } from "./watcher-bench.js";
import { runRpcOverhead } from "./rpc-overhead.js";
import { openSqliteBackend } from "./sqlite-backend.js";
import { runRetentionBench } from "./retention-bench.js";
import { runTransfer } from "./transfer.js";
import { runWebFirstScreen } from "./web-bench.js";
import {
  runIngest,
  runQueries,
  runSummaries,
  runWalk,
  type WorkloadSink,
  type WorkloadSizes,
} from "./workloads.js";

/** `bench/out/latest.json`, wherever the command runs from. */
const DEFAULT_OUT = relative(
  process.cwd(),
  fileURLToPath(new URL("../out/latest.json", import.meta.url)),
);

const USAGE = `Usage: npm run bench -- [options]
  --records N        records to load per backend (5 per Result; default 100000, smoke 2000)
  --backend NAME     sqlite | postgres | all (default all)
  --seed N           seed of the data set (default 42)
  --workloads LIST   comma-separated subset of B1,B2,B3,B4,B5,B7,B8,B10,B11 (default all;
                     B10 deletes half the data set, so it runs last; B11 needs /usr/bin/chromium
                     and the built web UI)
  --watcher-runs N   B2: runs in the fake cluster before the watcher starts (default 100000, smoke 400)
  --soak S           B2: seconds of the memory soak (default 600, smoke 5)
  --compression      clients accept gzip/brotli responses (connect-node's default; off by default)
  --default-windows  clients keep HTTP/2's default 64 KiB receive windows (off by default)
  --smoke            tiny sizes, to check that every workload runs (CI)
  --out FILE         JSON report (a .md is written next to it; default bench/out/latest.json)
  --help             this text
PostgreSQL: BENCH_DATABASE_URL, else an embedded PostgreSQL is started.`;

interface Options {
  records: number;
  backend: "sqlite" | "postgres" | "all";
  seed: number;
  smoke: boolean;
  compression: boolean;
  defaultWindows: boolean;
  out: string;
  workloads: ReadonlySet<WorkloadId>;
  watcherRuns: number;
  soakSeconds: number;
}

/** The workloads `--workloads` selects from. */
const WORKLOAD_IDS = ["B1", "B2", "B3", "B4", "B5", "B7", "B8", "B10", "B11"] as const;
type WorkloadId = (typeof WORKLOAD_IDS)[number];

function parseWorkloads(text: string | undefined): ReadonlySet<WorkloadId> {
  if (text === undefined || text === "") return new Set(WORKLOAD_IDS);
  const ids = text.split(",").map((s) => s.trim().toUpperCase());
  for (const id of ids) {
    if (!(WORKLOAD_IDS as readonly string[]).includes(id)) {
      throw new Error(`--workloads: a comma-separated subset of ${WORKLOAD_IDS.join(",")}`);
    }
  }
  return new Set(ids as WorkloadId[]);
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: "string" },
      backend: { type: "string", default: "all" },
      seed: { type: "string", default: "42" },
      smoke: { type: "boolean", default: false },
      compression: { type: "boolean", default: false },
      "default-windows": { type: "boolean", default: false },
      out: { type: "string", default: DEFAULT_OUT },
      workloads: { type: "string" },
      "watcher-runs": { type: "string" },
      soak: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const smoke = values.smoke;
  const records = Number(values.records ?? (smoke ? 2000 : 100000));
  if (!Number.isInteger(records) || records < 50) throw new Error("--records: an integer ≥ 50");
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error("--seed: an integer");
  const backend = values.backend;
  if (backend !== "sqlite" && backend !== "postgres" && backend !== "all") {
    throw new Error("--backend: sqlite, postgres or all");
  }
  const watcherRuns = Number(values["watcher-runs"] ?? (smoke ? 400 : 100000));
  if (!Number.isInteger(watcherRuns) || watcherRuns < 5) {
    throw new Error("--watcher-runs: an integer ≥ 5");
  }
  const soakSeconds = Number(values.soak ?? (smoke ? 5 : 600));
  if (!Number.isFinite(soakSeconds) || soakSeconds < 0) throw new Error("--soak: seconds ≥ 0");
  return {
    watcherRuns,
    soakSeconds,
    records,
    backend,
    seed,
    smoke,
    compression: values.compression,
    defaultWindows: values["default-windows"],
    out: values.out,
    workloads: parseWorkloads(values.workloads),
  };
}

function sizesFor(options: Options): WorkloadSizes {
  return options.smoke
    ? {
        ingestRecords: 100,
        ingestClients: [1, 4, 16],
        queryRepeats: 5,
        queryMaxMs: 5000,
        walkPageSize: 100,
        probeRepeats: 5,
      }
    : {
        ingestRecords: Math.min(options.records, 3000),
        ingestClients: [1, 4, 16],
        queryRepeats: 50,
        queryMaxMs: 15_000,
        walkPageSize: 100,
        probeRepeats: 20,
      };
}

async function runBackend(
  backend: BenchBackend,
  options: Options,
  sizes: WorkloadSizes,
  sink: WorkloadSink,
  report: BenchReport,
  dir: string,
): Promise<void> {
  const gen = createDataGenerator({ seed: options.seed, results: Math.floor(options.records / 5) });
  const run = options.workloads;
  if (run.has("B1")) await runIngest(backend, gen, sizes, sink);
  if (run.has("B3")) await runQueries(backend, gen, sizes, sink);
  if (run.has("B4")) await runWalk(backend, sizes, sink);
  if (run.has("B5") && !(await runSummaries(backend, sizes, sink))) {
    report.skipped.push({
      id: "B5",
      backend: backend.name,
      workload: "summaries",
      reason: "the store has no summarizeRecords",
    });
  }
  if (run.has("B7")) {
    await runRpcOverhead(
      backend,
      gen,
      { ops: options.smoke ? 200 : 5000, clients: [1, 16], loadedResults: gen.results },
      sink,
    );
  }
  if (run.has("B8")) await runTransfer(backend, gen, dir, sink);
  if (run.has("B11")) {
    const reason = await runWebFirstScreen(
      backend,
      gen,
      gen.results * 5,
      options.seed,
      options.smoke,
      sink,
    );
    if (reason !== undefined) {
      report.skipped.push({ id: "B11", backend: backend.name, workload: "web UI", reason });
    }
  }
  // Last: it deletes half of the data set.
  if (run.has("B10")) await runRetentionBench(backend, gen, dir, options.smoke, sink);
}

async function main(argv: string[]): Promise<number> {
  let options: Options | undefined;
  try {
    options = parseOptions(argv);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }
  const sizes = sizesFor(options);
  setAcceptCompression(options.compression);
  setDefaultWindows(options.defaultWindows);
  const gen = createDataGenerator({ seed: options.seed, results: Math.floor(options.records / 5) });
  const data = measureData(gen);
  const report: BenchReport = {
    command: `npm run bench -- ${argv.join(" ")}`.trim(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    startedAt: new Date().toISOString(),
    options: { ...options, workloads: [...options.workloads], ...sizes },
    data: {
      records: gen.results * 5,
      results: gen.results,
      namespaces: gen.namespaces.length,
      pipelines: gen.pipelines.length,
      "TaskRun bytes": data.taskRunBytes,
      "PipelineRun bytes": data.pipelineRunBytes,
      outcomes: data.outcomes,
    },
    comparisons: [],
    skipped: [],
    notes: [
      options.compression
        ? "Clients accept gzip/brotli, so the server compresses every response of 1 KiB or more."
        : "Clients ask for uncompressed responses (as Go gRPC clients do); connect-node's default client would make the server gzip every response of 1 KiB or more.",
      options.defaultWindows
        ? "Clients keep HTTP/2's default 64 KiB stream and connection receive windows."
        : "Clients open 1 MiB stream / 4 MiB connection HTTP/2 receive windows (HTTP/2's default is 64 KiB; see packages/client/README.md).",
      "Server and load generator share one process (and the machine's cores): CPU µs/op is the process's user+system CPU per operation, client and server together; for SQL peers it is the driver and database work.",
    ],
  };
  const log = (text: string) =>
    console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);
  const sink: WorkloadSink = {
    add: (c) => {
      report.comparisons.push(c);
    },
    note: (text) => report.notes.push(text),
    log,
  };
  log(
    `data: ${report.data["records"]} records, TaskRun ${data.taskRunBytes} B, PipelineRun ${data.pipelineRunBytes} B, ` +
      `outcomes ${JSON.stringify(data.outcomes)}`,
  );
  const dir = mkdtempSync(join(tmpdir(), "tekton-results-bench-"));
  let failed = false;
  try {
    // B2 alone needs no loaded data set.
    const storageWork = [...options.workloads].some((id) => id !== "B2");
    if (storageWork && options.backend !== "postgres") {
      log(`sqlite: loading ${gen.results * 5} records`);
      const backend = await openSqliteBackend({
        dir: join(dir),
        gen,
        records: options.records,
        log,
      });
      sink.note(
        `sqlite: bulk load of ${gen.results * 5} records took ${Math.round(backend.loadMs)} ms.`,
      );
      try {
        await runBackend(backend, options, sizes, sink, report, dir);
      } catch (err) {
        failed = true;
        console.error("sqlite workloads failed:", err);
      } finally {
        await backend.close();
      }
    }
    if (storageWork && options.backend !== "sqlite") {
      const reason = await pgUnavailableReason();
      if (reason !== undefined) {
        log(`postgres: skipped: ${reason}`);
        for (const id of ["B1", "B3", "B4", "B5", "B7", "B8", "B10", "B11"]) {
          report.skipped.push({ id, backend: "postgres", workload: "all", reason });
        }
      } else {
        log(`postgres: loading ${gen.results * 5} records`);
        const backend = await openPgBackend({ dir, gen, records: options.records, log });
        sink.note(
          `postgres: ${backend.description}; bulk load of ${gen.results * 5} records took ${Math.round(backend.loadMs)} ms.`,
        );
        try {
          await runBackend(backend, options, sizes, sink, report, dir);
        } catch (err) {
          failed = true;
          console.error("postgres workloads failed:", err);
        } finally {
          await backend.close();
        }
      }
    }
    if (options.workloads.has("B2")) {
      // B2 measures the watcher against its own server processes and fake
      // cluster: it does not use the data sets loaded above.
      try {
        const b2 = await runWatcherBenchmarks({
          runs: options.watcherRuns,
          soakSeconds: options.soakSeconds,
          smoke: options.smoke,
          seed: options.seed,
          log,
        });
        report.comparisons.push(...b2.comparisons);
        report.notes.push(...b2.notes);
      } catch (err) {
        failed = true;
        console.error("B2 (watcher) failed:", err);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(renderText(report));
  const written = writeReport(options.out, report);
  log(`wrote ${written.json} and ${written.markdown}`);
  if (options.smoke) {
    const empty = report.comparisons.filter(
      (c) => c.ours.ops === 0 || c.baseline.ops === 0 || c.floor?.ops === 0,
    );
    if (empty.length > 0) {
      console.error(
        `workloads without measurements: ${empty.map((c) => `${c.id} ${c.workload}`).join(", ")}`,
      );
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
