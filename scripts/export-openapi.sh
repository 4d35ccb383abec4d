#!/usr/bin/env bash
# Writes the API's OpenAPI schema to web/openapi.json and regenerates the web app's typed
# client (web/src/client) from it. Run after changing any route or schema, and commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
uv run python -m nexus.openapi > web/openapi.json
(cd web && npx --no-install openapi-ts >/dev/null)
echo "web/openapi.json and web/src/client regenerated"
