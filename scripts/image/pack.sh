#!/bin/sh
# Build stage of the container image: packs the workspace packages the two
# commands need at run time (tekton-results-server, tekton-results-watcher,
# both storage adapters and their workspace dependencies) into <out-dir>, with
# the package.json and package-lock.json of the install prefix (prefix-lock.mjs:
# every other package pinned as the repository's package-lock.json has it).
# install.sh installs the result. Run after `npm ci` and the build (dist/).
#
# Usage: scripts/image/pack.sh <out-dir>
set -eu

usage='usage: pack.sh <out-dir>'
[ "$#" -eq 1 ] || { echo "$usage" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# The commands and the storage adapters they load by name (optional peers).
COMMANDS='@tekton-results/server @tekton-results/watcher'
ADAPTERS='@tekton-results/storage-sqlite @tekton-results/storage-pg'

mkdir -p "$1"
out=$(cd "$1" && pwd)
rm -f "$out"/*.tgz "$out/package.json" "$out/package-lock.json"

# shellcheck disable=SC2086 # word splitting of the name lists is meant
names=$(node "$here/prefix-lock.mjs" "$root" "$out" $COMMANDS $ADAPTERS)

set --
for name in $names; do
  dir=$(node -e 'const p=require(process.argv[1]+"/package-lock.json").packages["node_modules/"+process.argv[2]];process.stdout.write(p.resolved)' "$root" "$name")
  if [ ! -d "$root/$dir/dist" ]; then
    echo "pack.sh: $dir/dist is missing: build first (npm run build)" >&2
    exit 1
  fi
  set -- "$@" --workspace "$name"
done

cd "$root"
npm pack --ignore-scripts --silent --pack-destination "$out" "$@" >/dev/null
for name in $names; do
  tgz=$(printf '%s' "$name" | sed -e 's/^@//' -e 's,/,-,')
  ls "$out/$tgz"-*.tgz >/dev/null 2>&1 || { echo "pack.sh: no tarball for $name" >&2; exit 1; }
done
echo "pack.sh: $(find "$out" -maxdepth 1 -name '*.tgz' | wc -l) tarballs and the prefix's package.json and package-lock.json in $out"
