/**
 * Regenerates the command reference in docs/cli/ from the program's command definitions:
 * `npm run docs:cli -w @tekton-results/cli`.
 */
import { resolve } from "node:path";
import { writeCliDocs } from "../src/docs-gen.js";

const dir = resolve(import.meta.dirname, "../../../docs/cli");
const files = writeCliDocs(dir);
console.log(`wrote ${files.length} pages to ${dir}`);
