#!/usr/bin/env node
/**
 * Writes the package.json and package-lock.json of the image's install prefix
 * (used by pack.sh): the commands' workspace packages as packed tarballs, and
 * every other package at exactly the version, integrity and place the
 * repository's package-lock.json has for it. The prefix tree is the part of
 * the workspace tree the commands reach at run time (dependencies, optional
 * dependencies and required peers; no devDependencies), with each workspace
 * package moved from packages/<dir> to node_modules/<name>, so `npm ci` in the
 * prefix installs what the repository's lockfile says, nothing newer.
 *
 * Usage: node prefix-lock.mjs <repo-root> <out-dir> <workspace-name>...
 * Prints the names of the workspace packages to pack, one a line.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [root, out, ...wanted] = process.argv.slice(2);
if (!root || !out || wanted.length === 0) {
  process.stderr.write("usage: prefix-lock.mjs <repo-root> <out-dir> <workspace-name>...\n");
  process.exit(2);
}
const rootPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const entries = lock.packages;

/** Workspace name -> its folder in the lockfile ("packages/server"). */
const workspaces = new Map();
for (const [path, entry] of Object.entries(entries)) {
  if (path.startsWith("node_modules/") && entry.link && entry.resolved) {
    workspaces.set(path.slice("node_modules/".length), entry.resolved);
  }
}

/** The tarball `npm pack` makes of a workspace package. */
const tarball = (name) =>
  `${name.replace(/^@/, "").replace("/", "-")}-${entries[workspaces.get(name)].version}.tgz`;

/** Where node would find `name` when required from the package at `from`. */
function resolve(from, name) {
  for (let dir = from; ;) {
    const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (entries[candidate]) {
      const e = entries[candidate];
      return e.link ? e.resolved : candidate;
    }
    if (dir === "") return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut < 0 ? "" : dir.slice(0, cut);
  }
}

// Walk the tree from the wanted workspaces, as node resolution would.
const reached = new Set();
const queue = [];
for (const name of wanted) {
  const path = workspaces.get(name);
  if (!path) throw new Error(`${name} is not a workspace package`);
  queue.push(path);
}
while (queue.length > 0) {
  const path = queue.pop();
  if (reached.has(path)) continue;
  reached.add(path);
  const e = entries[path];
  const optionalPeers = e.peerDependenciesMeta ?? {};
  const deps = [
    ...Object.keys(e.dependencies ?? {}),
    ...Object.keys(e.optionalDependencies ?? {}),
    ...Object.keys(e.peerDependencies ?? {}).filter((n) => !optionalPeers[n]?.optional),
  ];
  for (const dep of deps) {
    const found = resolve(path, dep);
    if (found) queue.push(found);
    else if (!(e.optionalDependencies ?? {})[dep]) {
      throw new Error(`${path} needs ${dep}, which the lockfile does not have`);
    }
  }
}

/** packages/server -> node_modules/@tekton-results/server, nested paths alike. */
const folderToName = new Map([...workspaces].map(([name, dir]) => [dir, name]));
function moved(path) {
  for (const [dir, name] of folderToName) {
    if (path === dir) return `node_modules/${name}`;
    if (path.startsWith(`${dir}/`)) return `node_modules/${name}${path.slice(dir.length)}`;
  }
  return path;
}

const packed = [...reached].filter((p) => folderToName.has(p)).map((p) => folderToName.get(p));
packed.sort();
const dependencies = Object.fromEntries(packed.map((n) => [n, `file:.tarballs/${tarball(n)}`]));
const manifest = {
  name: "tekton-results-image",
  version: entries[workspaces.get(wanted[0])].version,
  private: true,
  description: "The install prefix of the Tekton Results container image (scripts/image).",
  license: rootPkg.license,
  dependencies,
};
// The root's approval of install scripts (npm's allowScripts), for the packages installed here.
const installed = new Set([...reached].map((p) => p.slice(p.lastIndexOf("node_modules/") + 13)));
const allowScripts = Object.fromEntries(
  Object.entries(rootPkg.allowScripts ?? {}).filter(([name]) => installed.has(name)),
);
if (Object.keys(allowScripts).length > 0) manifest.allowScripts = allowScripts;

const packages = { "": { ...manifest } };
delete packages[""].private;
delete packages[""].description;
for (const path of [...reached].sort()) {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { dev, devOptional, devDependencies, ...entry } = entries[path];
  if (folderToName.has(path)) {
    const name = folderToName.get(path);
    delete entry.name;
    entry.resolved = dependencies[name];
  }
  if (devOptional) entry.optional = true;
  packages[moved(path)] = entry;
}
const ordered = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);

writeFileSync(join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  join(out, "package-lock.json"),
  `${JSON.stringify({ name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: ordered }, null, 2)}\n`,
);
process.stdout.write(`${packed.join("\n")}\n`);
