/**
 * Where the built web UI lives, for servers that serve it (the Results server does):
 * `dist/app` of this package, holding `index.html` and the hashed `assets/`. This module is
 * the package's only Node entry; the application itself is the static files.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The directory of the built application (`index.html`, `assets/`), absolute. */
export const webRoot: string = fileURLToPath(new URL("../dist/app/", import.meta.url));

/** Whether the application is built: `index.html` exists under {@link webRoot}. */
export function isWebBuilt(root: string = webRoot): boolean {
  return existsSync(join(root, "index.html"));
}

/** The command that builds the application, for messages that say how. */
export const BUILD_COMMAND = "npm run build -w @tekton-results/web";
