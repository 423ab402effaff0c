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
# the API types must match the server's OpenAPI schema (when mentor is importable here)
python="${PYTHON:-python3}"
if "$python" -c "import mentor.server.app" 2>/dev/null; then
  "$python" scripts/dump_openapi.py | node scripts/gen_api_types.mjs > "$out/api-types.ts"
  if ! cmp -s "$out/api-types.ts" src/api-types.ts; then
    echo "web/src/api-types.ts is out of date with the server's OpenAPI schema" >&2
    echo "Regenerate: (cd web && python scripts/dump_openapi.py | node scripts/gen_api_types.mjs > src/api-types.ts)" >&2
    exit 1
  fi
  rm "$out/api-types.ts"
else
  echo "note: mentor isn't importable with $python; web/src/api-types.ts not checked against the server" >&2
fi
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
