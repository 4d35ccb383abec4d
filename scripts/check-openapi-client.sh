#!/usr/bin/env bash
# Fails when the committed OpenAPI schema (and the client generated from it) no longer
# matches the API: run `make client` and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
uv run python -m nexus.openapi > "$tmp"
if ! diff -q "$tmp" web/openapi.json >/dev/null; then
  echo "web/openapi.json is out of date with the API: run 'make client' and commit." >&2
  exit 1
fi
