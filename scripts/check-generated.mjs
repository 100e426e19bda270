// Regenerates the protobuf code with buf and fails when it differs from what
// is committed, so the generated code never drifts from the .proto files.
import { execFileSync } from "node:child_process";

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: "inherit", ...opts });
run("npm", ["run", "--silent", "generate"]);
try {
  run("git", ["diff", "--exit-code", "--stat", "--", "packages/proto/src/gen"]);
  const untracked = execFileSync(
    "git",
    ["ls-files", "--others", "--exclude-standard", "packages/proto/src/gen"],
    { encoding: "utf8" },
  );
  if (untracked.trim()) throw new Error(`untracked generated files:\n${untracked}`);
} catch (err) {
  console.error("generated code is out of date: run `npm run generate` and commit the result");
  if (err instanceof Error && err.message) console.error(err.message);
  process.exit(1);
}
console.log("generated code is up to date");
