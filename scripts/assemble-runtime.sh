#!/bin/sh
# Assembles a runnable Redline from a finished build (`npm run build`) into an empty folder:
# the compiled server and command line, static files, migrations, default content and the
# production dependencies only. The Dockerfile's runtime stage is exactly this folder, and the
# production-profile test runs this script without Docker.
#   scripts/assemble-runtime.sh <target-folder>
set -eu
target=${1:?usage: scripts/assemble-runtime.sh <target-folder>}
source_dir=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -f "$source_dir/build/server.js" ] || [ ! -f "$source_dir/build/cli.js" ]; then
  echo "no build in $source_dir/build: run npm run build first" >&2
  exit 1
fi
mkdir -p "$target"
if [ -n "$(ls -A "$target")" ]; then
  echo "$target is not empty" >&2
  exit 1
fi

cd "$source_dir"
mkdir -p "$target/public" "$target/db/pg" "$target/bin"
cp package.json package-lock.json "$target/"
cp -R build "$target/build"
cp -R public/. "$target/public/"
cp -R db/migrations "$target/db/migrations"
cp -R db/pg/migrations "$target/db/pg/migrations"
cp -R content "$target/content"
cp bin/start.js bin/redline.js bin/build-state.js "$target/bin/"
# Source maps are for debugging the build, not for running it.
find "$target/build" -name '*.map' -delete

cd "$target"
npm ci --omit=dev --no-audit --no-fund --ignore-scripts=false --loglevel=error
mkdir -p data
