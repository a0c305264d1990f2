#!/usr/bin/env bash
# Install everything the tests need (Python packages into .venv, Debian's Chromium for the
# browser tests) and run the whole suite: lint, unit, integration and browser tests.
# Extra arguments go to pytest, e.g. -m "not browser" or -k import.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh "[test]"
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
echo "Checking code style (ruff)…"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet .
echo "Running the test suite…"
exec .venv/bin/pytest "$@"
