#!/usr/bin/env bash
# Rebuild the web app from web/ and fail if the result differs from the bundle
# shipped in mentor/server/static/ (CI runs this). The build is deterministic:
# pinned esbuild and TypeScript from package-lock.json, one output file with a
# fixed name, no timestamps. Needs Node >= 18 and the npm registry (for npm ci).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shipped="$root/mentor/server/static"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cd "$root/web"
# --ignore-scripts: esbuild's postinstall only re-checks its binary, which the
# platform package (@esbuild/<os>-<arch>) already provides
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
npx --no-install tsc --noEmit
node build.mjs --outdir "$out" >/dev/null

status=0
for name in $( (ls "$out"; ls "$shipped") | sort -u); do
  if ! cmp -s "$out/$name" "$shipped/$name"; then
    echo "mentor/server/static/$name differs from a fresh build of web/" >&2
    status=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "Rebuild and commit the bundle: (cd web && npm ci --ignore-scripts && npm run build)" >&2
  exit 1
fi
echo "web bundle is up to date ($(wc -c < "$shipped/index.html") bytes)"
