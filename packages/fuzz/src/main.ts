/**
 * `npm run fuzz -- --requests N --seed S [--backend sqlite|postgres]
 * [--protocol P] [--path I] [--fault-percent F]`: fuzz the real server and
 * print, per protocol, the requests sent and the failures, then each failure
 * with the command that replays it. Exits 1 when any request failed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { PROTOCOLS, type Protocol } from "./gen/requests.js";
import { startPostgres, type FuzzDatabase } from "./postgres.js";
import { formatReport } from "./report.js";
import { runFuzz } from "./run.js";
import { startTarget } from "./target.js";

const USAGE = `usage: npm run fuzz -- [--requests N] [--seed S] [--backend sqlite|postgres]
                     [--protocol ${PROTOCOLS.join("|")}] [--path I] [--fault-percent F]`;

async function run(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "2000" },
      seed: { type: "string" },
      backend: { type: "string", default: "sqlite" },
      protocol: { type: "string", multiple: true },
      path: { type: "string" },
      "fault-percent": { type: "string", default: "2" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const requests = Number(values.requests);
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2_147_483_647;
  const protocols = (values.protocol ?? [...PROTOCOLS]) as Protocol[];
  const bad = protocols.filter((p) => !PROTOCOLS.includes(p));
  if (
    !Number.isSafeInteger(requests) ||
    requests < 1 ||
    !Number.isSafeInteger(seed) ||
    bad.length > 0
  ) {
    console.error(USAGE);
    return 2;
  }
  if (values.backend !== "sqlite" && values.backend !== "postgres") {
    console.error(USAGE);
    return 2;
  }
  let db: FuzzDatabase | undefined;
  if (values.backend === "postgres") db = await startPostgres();
  const target = await startTarget(db ? { kind: "postgres", url: db.url } : { kind: "sqlite" });
  try {
    console.log(`fuzzing ${values.backend}: ${requests} requests per protocol, seed ${seed}`);
    const report = await runFuzz(target, {
      requests,
      seed,
      protocols,
      faultPercent: Number(values["fault-percent"]),
      ...(values.path !== undefined ? { path: values.path } : {}),
    });
    console.log(formatReport(report, { backend: values.backend, problems: target.problems }));
    return report.failures.length > 0 ? 1 : 0;
  } finally {
    await target.close();
    await db?.stop();
  }
}

run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
