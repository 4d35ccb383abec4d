#!/usr/bin/env bash
# Embedded mode: no other server (a SQLite file under ./data), the demo company loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
uv run nexus demo
exec uv run nexus serve --host "${NEXUS_HOST:-127.0.0.1}" --port "${NEXUS_PORT:-8000}"
