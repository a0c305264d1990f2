#!/usr/bin/env bash
# Install everything the tests need (Python packages into .venv, Debian's Chromium for the
# browser tests, Debian's redis-server for the scale-out test) and run the whole suite: lint,
# unit, integration and browser tests.
# Extra arguments go to pytest, e.g. -m "not browser" or -k import.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh "[test]"
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# The scale-out test of live workshops starts its own redis-server (it is not left running).
if ! command -v redis-server >/dev/null 2>&1; then
  apt_install redis-server
fi
echo "Checking code style (ruff)…"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .
echo "Running the test suite…"
exec .venv/bin/pytest "$@"
