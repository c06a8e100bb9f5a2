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


def test_gui_imports_only_the_service_core_qt_and_the_standard_library() -> None:
    """The allow-list behind the "GUI talks to the service facade and core only" contract (import-linter's
    forbidden contract lists what is out; this says what is in, so a new package cannot slip past it)."""
    import grimp

    graph = grimp.build_graph("bigbooks_desktop", include_external_packages=True)
    allowed_external = {"PySide6", "shiboken6", "qasync"} | set(sys.stdlib_module_names)
    allowed_internal = ("bigbooks_desktop.gui", "bigbooks_desktop.service", "bigbooks_desktop.core")
    strays = set()
    for module in (m for m in graph.modules if m == "bigbooks_desktop.gui" or m.startswith("bigbooks_desktop.gui.")):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == "bigbooks_desktop" or imported.split(".")[0] in allowed_external:
                continue       # the package root gives the app's name and version
            if not any(imported == p or imported.startswith(p + ".") for p in allowed_internal):
                strays.add(f"{module} imports {imported}")
    assert not strays, sorted(strays)
