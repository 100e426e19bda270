/**
 * Benchmark B2 on its own: `node --conditions=source --import tsx
 * bench/src/watcher-main.ts [--runs N] [--soak S] [--workers N] [--qps N]
 * [--seed N] [--smoke] [--out file.json]`.
 *
 * Prints the B2 rows next to B1's direct ingest in the table of the other
 * workloads, and writes the report as JSON and markdown. Exits non-zero when
 * the benchmark fails; goals that are not met are reported, not failed.
 *
 * @module
 */
import { cpus, totalmem } from "node:os";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderText, writeReport, type BenchReport } from "./report.js";
import { runWatcherBenchmarks } from "./watcher-bench.js";

const DEFAULT_OUT = relative(
  process.cwd(),
  fileURLToPath(new URL("../out/b2.json", import.meta.url)),
);

const USAGE = `Usage: node --conditions=source --import tsx bench/src/watcher-main.ts [options]
  --runs N       runs in the cluster before the watcher starts (default 100000, smoke 400)
  --soak S       soak length in seconds (default 600, smoke 5)
  --workers N    the watcher's workers and the B1 peer's callers (default 4)
  --qps N        the watcher's Results API calls per second, 0 = unlimited (default 0)
  --seed N       seed of the data set (default 42)
  --smoke        tiny sizes (CI, < 60 s)
  --out FILE     JSON report (a .md is written next to it; default bench/out/b2.json)
  --help         this text`;

function int(name: string, value: string | undefined, fallback: number, min: number): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: an integer ≥ ${min}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        runs: { type: "string" },
        soak: { type: "string" },
        workers: { type: "string" },
        qps: { type: "string" },
        seed: { type: "string" },
        smoke: { type: "boolean", default: false },
        out: { type: "string", default: DEFAULT_OUT },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const smoke = values.smoke;
  let options;
  try {
    options = {
      runs: int("runs", values.runs, smoke ? 400 : 100_000, 5),
      soakSeconds: int("soak", values.soak, smoke ? 5 : 600, 1),
      workers: int("workers", values.workers, 4, 1),
      qps: int("qps", values.qps, 0, 0),
      seed: int("seed", values.seed, 42, -(2 ** 31)),
      smoke,
    };
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const log = (text: string) =>
    console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);
  const report: BenchReport = {
    command:
      `node --conditions=source --import tsx bench/src/watcher-main.ts ${argv.join(" ")}`.trim(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    startedAt: new Date().toISOString(),
    options,
    data: {},
    comparisons: [],
    skipped: [],
    notes: [],
  };
  try {
    const b2 = await runWatcherBenchmarks({ ...options, log });
    report.data = {
      runs: b2.sync.runs,
      PipelineRuns: b2.sync.runs / 5,
      TaskRuns: (b2.sync.runs * 4) / 5,
    };
    report.comparisons.push(...b2.comparisons);
    report.notes.push(...b2.notes);
  } catch (err) {
    console.error("B2 failed:", err);
    return 1;
  }
  console.log(renderText(report));
  for (const note of report.notes) console.log(`- ${note}`);
  const written = writeReport(values.out, report);
  log(`wrote ${written.json} and ${written.markdown}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
