"""The layering is enforced, not hoped for: import-linter contracts, and a Qt-free core checked in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT,  # noqa: S603 - the venv's own lint-imports
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_service_and_headless_verbs_load_no_qt() -> None:
    code = (
        "import sys\n"
        "import bigbooks_desktop.service, bigbooks_desktop.accounts, bigbooks_desktop.sync.engine\n"
        "from bigbooks_desktop.cli import build_parser\n"
        "build_parser()\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync', 'shiboken6'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,  # noqa: S603 - our interpreter, fixed code
                            capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == "", f"Qt loaded by the core: {result.stdout}"
