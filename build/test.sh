#!/usr/bin/env bash
# Runs the whole test suite from a fresh clone: installs what it needs, then pytest (Qt offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
./build/bootstrap.sh
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec .venv/bin/python -m pytest -n "${BIGBOOKS_TEST_WORKERS:-2}" "$@"
