#!/usr/bin/env bash
# Installs everything Nexus needs from a fresh clone: uv (with pip, if missing), the Python
# environment from uv.lock, and the web app's packages, then builds the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --frozen --quiet

if [ -f web/package.json ]; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    # `npm install`, not `npm ci`: the registry this project is built against has no builds of
    # optional packages for other platforms (tailwind's oxide for darwin/win32…), so they
    # cannot be in the lock file, and `npm ci` refuses a lock file without them. The versions
    # still come from package-lock.json.
    (cd web && npm install --no-audit --no-fund --loglevel=error)
  fi
  (cd web && npm run --silent build)
fi
