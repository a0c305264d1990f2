#!/usr/bin/env bash
# Install the toolkit into .venv and start it with the demo city Riverton (SQLite in ./var).
# Extra arguments go to `opencities demo`, e.g. --port 8080 --no-browser.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh ""
exec .venv/bin/opencities demo "$@"
