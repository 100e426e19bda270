#!/bin/sh
# Install stage of the container image: installs what pack.sh left in
# <tarball-dir> into <prefix> with `npm ci --omit=dev` (the prefix's
# package-lock.json: the repository's versions, production dependencies only;
# better-sqlite3's native addon is built or fetched here, so run it where the
# build tools are), then links the commands into <prefix>/bin. Running it
# again reinstalls from scratch. Nothing under <prefix> is written afterwards:
# the commands run from a read-only root filesystem.
#
# Usage: scripts/image/install.sh <tarball-dir> <prefix>
set -eu

usage='usage: install.sh <tarball-dir> <prefix>'
[ "$#" -eq 2 ] || { echo "$usage" >&2; exit 2; }
src=$(cd "$1" && pwd)
for f in package.json package-lock.json; do
  [ -f "$src/$f" ] || { echo "install.sh: $src/$f is missing: run pack.sh first" >&2; exit 1; }
done
mkdir -p "$2"
prefix=$(cd "$2" && pwd)

rm -rf "${prefix:?}/.tarballs" "${prefix:?}/node_modules" "${prefix:?}/bin"
mkdir "$prefix/.tarballs"
cp "$src"/*.tgz "$prefix/.tarballs/"
cp "$src/package.json" "$src/package-lock.json" "$prefix/"

cd "$prefix"
npm ci --omit=dev --no-audit --no-fund --loglevel=warn
# The tarballs were only the install's source: the installed tree stands alone.
rm -rf "$prefix/.tarballs"
# better-sqlite3 needs only its addon at run time, not the sources and objects of its build.
sqlite="$prefix/node_modules/better-sqlite3"
rm -rf "$sqlite/deps" "$sqlite/src" "$sqlite/build/deps" "$sqlite/build/Release/obj" \
  "$sqlite/build/Release/obj.target" "$sqlite/build/Release/.deps" \
  "$sqlite/build/Release/sqlite3.a" "$sqlite/build/Release/test_extension.node"

mkdir "$prefix/bin"
ln -s ../node_modules/@tekton-results/server/bin/tekton-results-server.js \
  "$prefix/bin/tekton-results-server"
ln -s ../node_modules/@tekton-results/server/bin/tekton-results-retention.js \
  "$prefix/bin/tekton-results-retention"
ln -s ../node_modules/@tekton-results/watcher/bin/tekton-results-watcher.js \
  "$prefix/bin/tekton-results-watcher"
for cmd in tekton-results-server tekton-results-retention tekton-results-watcher; do
  [ -x "$prefix/bin/$cmd" ] || { echo "install.sh: $prefix/bin/$cmd is not executable" >&2; exit 1; }
done
echo "install.sh: installed into $prefix (commands in $prefix/bin)"
