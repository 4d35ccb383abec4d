#!/usr/bin/env bash
# Fails when the committed OpenAPI schema, or the TypeScript client generated from it, no
# longer matches the API: run `make client` (or scripts/export-openapi.sh) and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
uv run python -m nexus.openapi > "$tmp/openapi.json"
if ! diff -q "$tmp/openapi.json" web/openapi.json >/dev/null; then
  echo "web/openapi.json is out of date with the API: run 'make client' and commit." >&2
  exit 1
fi
if [ -d web/node_modules ]; then
  (cd web && NEXUS_CLIENT_OUT="$tmp/client" npx --no-install openapi-ts >/dev/null)
  if ! diff -r -q "$tmp/client" web/src/client >/dev/null; then
    echo "web/src/client is out of date with web/openapi.json: run 'make client' and commit." >&2
    diff -r "$tmp/client" web/src/client | head -20 >&2
    exit 1
  fi
fi
