#!/usr/bin/env bash
# The whole test suite: lint, types, migrations, the tests on SQLite, then again on
# PostgreSQL + Redis when NEXUS_TEST_DATABASE_URL / NEXUS_TEST_REDIS_URL are set.
# With CI=true those default to the local servers and are required.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh

if [ "${CI:-}" = "true" ]; then
  export NEXUS_TEST_DATABASE_URL="${NEXUS_TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres}"
  export NEXUS_TEST_REDIS_URL="${NEXUS_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
fi

# The browser suite drives Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "== installing chromium for the browser tests"
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff"
uv run ruff format --check src tests bench
uv run ruff check src tests bench
echo "== mypy"
uv run mypy
if [ -f web/package.json ]; then
  echo "== web: types, lint, unit tests, first-load size, generated client up to date"
  (cd web && npm run --silent check && npm run --silent size)
  scripts/check-openapi-client.sh
fi

echo "== tests on SQLite"
env -u NEXUS_TEST_DATABASE_URL -u NEXUS_TEST_REDIS_URL uv run pytest

if [ -n "${NEXUS_TEST_DATABASE_URL:-}" ] || [ -n "${NEXUS_TEST_REDIS_URL:-}" ]; then
  echo "== tests on PostgreSQL + Redis"
  uv run pytest -m "not browser"
fi
