#!/usr/bin/env bash
# Runs BigBooks Desktop on the built-in sandbox store: a window when there is a display, headless otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
./build/bootstrap.sh
exec .venv/bin/bigbooks demo "$@"
