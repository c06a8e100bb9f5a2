#!/usr/bin/env bash
# Installs what BigBooks Desktop needs on a fresh Debian/Ubuntu machine: the Debian packages Qt needs
# (when run as root; otherwise it names them), a virtualenv in .venv, and the package with its test extra.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-droid-fallback: CJK glyphs (the sandbox store has "東京 Plant Pot" and a "株式会社テスト"), else boxes on screen
QT_DEBS="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libx11-6 libfreetype6 libfontconfig1 libdbus-1-3 fonts-dejavu-core fonts-droid-fallback"
XVFB_DEBS="xvfb xauth xdotool libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libx11-xcb1"
PY_DEBS="python3-venv"

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in $QT_DEBS $XVFB_DEBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: these Debian packages are missing and need root to install:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    echo "bootstrap: continuing; Qt windows and GUI tests will fail until they are installed." >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "bootstrap: Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    echo "bootstrap: could not create a virtualenv; install it with: sudo apt-get install -y $PY_DEBS" >&2
    exit 1
  fi
fi
stamp=".venv/.bigbooks-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv (first run takes a minute)" >&2
  log=".venv/pip-install.log"
  if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e ".[test]"; } \
      >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "bootstrap: installing the Python packages failed (full log: $log)." >&2
    exit 1
  fi
  touch "$stamp"
fi
