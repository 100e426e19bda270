/**
 * Run the example server: `PORT` (default 8080), `DB` (the SQLite file,
 * default `results.db`) and `TOKENS` (JSON: token -> namespaces) from the
 * environment. Stops on SIGINT or SIGTERM.
 *
 * @module
 */
import { startServer } from "./server.js";
import type { TokenGrants } from "./token-authorizer.js";

const { PORT = "8080", DB = "results.db", TOKENS = '{"dev-token":["default"]}' } = process.env;
const server = await startServer({
  port: Number(PORT),
  host: process.env["HOST"] ?? "127.0.0.1",
  filename: DB,
  tokens: JSON.parse(TOKENS) as TokenGrants,
});
console.log(`Tekton Results listening on ${server.url}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void server.close());
}
