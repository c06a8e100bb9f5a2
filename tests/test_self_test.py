"""`bigbooks --self-test` in process (offscreen), and what the frozen build is told: the spec's hidden imports,
exclusions and filters (build/freeze_config.py), and the icon files. The frozen build itself is made by
`python build/build.py` (slow), not here."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import struct
import sys
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_API", "pyside6")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build"))

import freeze_config  # noqa: E402  (build/, not a package)

pytestmark = [pytest.mark.gui, pytest.mark.sockets]


def test_self_test_builds_every_screen_syncs_and_saves_a_picture(qapp: Any, tmp_path: Path,
                                                                  memory_keyring: Any) -> None:
    from bigbooks_desktop.commands.self_test import run_self_test

    home_before = os.environ["BIGBOOKS_HOME"]
    said: list[str] = []
    picture = tmp_path / "window.png"
    run_self_test(orders=8, screenshot=picture, say=said.append)
    text = "\n".join(said)
    assert "keyring backend:" in text and "removed after" in text       # the test keychain is a usable one
    assert "every main screen built and shown before sign-in: Dashboard, Orders & invoices, Error inbox, Runs, " \
           "Mapping" in text
    assert "every main screen built and shown after the sync" in text
    written = re.search(r"(\d+) invoices written \(the sandbox's books hold (\d+)\)", text)
    assert written and int(written.group(1)) > 0
    assert picture.stat().st_size > 10_000 and picture.read_bytes()[:4] == b"\x89PNG"
    assert said[-1].startswith("all checks passed")
    # the test left nothing behind: its tokens are out of the keychain, its folder is gone, the env is back
    assert memory_keyring.entries == {}
    folder = next(line for line in said if line.startswith("temporary data folder ")).split()[-1]
    assert not Path(folder).exists()
    assert os.environ["BIGBOOKS_HOME"] == home_before


def test_a_failing_check_exits_non_zero_with_the_reason(qapp: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A store with no orders syncs nothing: no invoice written is a failed check, said on stderr."""
    from bigbooks_desktop.cli import main

    assert main(["--self-test", "--orders", "0"]) == 1
    out = capsys.readouterr()
    assert "self-test FAILED: the sync reported 0 invoices created" in out.err
    assert "ok: every main screen built and shown before sign-in" in out.out


def test_the_command_line_names_the_self_test(capsys: pytest.CaptureFixture[str]) -> None:
    from bigbooks_desktop.cli import build_parser, main

    assert "--self-test" in build_parser().format_help()
    with pytest.raises(SystemExit) as exited:
        main(["--self-test", "--help"])
    assert exited.value.code == 0
    assert "--screenshot" in capsys.readouterr().out


# -- the spec's lists ---------------------------------------------------------------------------------------------

def test_every_hidden_import_exists_and_every_verb_is_named() -> None:
    from bigbooks_desktop.cli import COMMAND_MODULES

    hidden = freeze_config.hidden_imports()
    missing = [name for name in hidden if importlib.util.find_spec(name) is None]
    assert not missing, f"hidden imports that do not exist: {missing}"
    assert {f"bigbooks_desktop.commands.{verb}" for verb in COMMAND_MODULES} <= set(hidden)


def _named_imports(tree: ast.AST) -> set[str]:
    """Module names given as string literals to importlib.import_module / importlib.util.find_spec."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in {"import_module", "find_spec"}:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    found.add("<f-string>")
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.IfExp):     # optional_dialogs' `module = ...`
            for branch in (node.value.body, node.value.orelse):
                if isinstance(branch, ast.Constant) and isinstance(branch.value, str) \
                        and branch.value.startswith("bigbooks_desktop."):
                    found.add(branch.value)
    return found


def test_every_module_the_app_imports_by_name_is_a_hidden_import() -> None:
    hidden = set(freeze_config.hidden_imports())
    unlisted: dict[str, set[str]] = {}
    for path in (ROOT / "bigbooks_desktop").rglob("*.py"):
        names = _named_imports(ast.parse(path.read_text(encoding="utf-8")))
        names.discard("<f-string>")       # cli.build_parser's f"bigbooks_desktop.commands.{name}": the verbs
        names -= hidden
        if names:
            unlisted[str(path.relative_to(ROOT))] = names
    assert not unlisted, f"imported by name but not in build/freeze_config.py DYNAMIC_IMPORTS: {unlisted}"


def test_no_excluded_qt_module_is_imported_by_the_app() -> None:
    imported: set[str] = set()
    for path in (ROOT / "bigbooks_desktop").rglob("*.py"):
        found = re.findall(r"from PySide6\.(\w+) import|import PySide6\.(\w+)", path.read_text("utf-8"))
        imported.update(a or b for a, b in found)
    assert imported <= set(freeze_config.QT_MODULES_USED), imported - set(freeze_config.QT_MODULES_USED)
    excluded = {name.removeprefix("PySide6.") for name in freeze_config.EXCLUDES if name.startswith("PySide6.")}
    assert not imported & excluded


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
    ("PySide6\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/imageformats/libqico.so", True),
    ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", False),
    ("PySide6/Qt/lib/libQt6Charts.so.6", True),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt6Pdf.dll", False),
    ("libstdc++.so.6", False),
    ("libsqlite3.so.0", True),
    ("rapidfuzz/fuzz_cpp_avx2.cpython-311-x86_64-linux-gnu.so", False),
    ("rapidfuzz/fuzz_cpp.cpython-311-x86_64-linux-gnu.so", True),
])
def test_binary_filter(dest: str, kept: bool) -> None:
    assert freeze_config.keep_binary(dest) is kept


def test_data_filter() -> None:
    assert not freeze_config.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert freeze_config.keep_data("resources/icon-256.png")
    assert freeze_config.keep_data("certifi/cacert.pem")


def test_windows_version_file(tmp_path: Path) -> None:
    text = freeze_config.windows_version_file(tmp_path / "v.txt", name="BigBooks Desktop", version="0.1.0",
                                              description="BigBooks Desktop").read_text()
    assert "filevers=(0, 1, 0, 0)" in text and "StringStruct('ProductVersion', '0.1.0')" in text
    ast.parse(text.split("\n", 1)[1])          # PyInstaller evaluates it as a Python expression


# -- the icon -------------------------------------------------------------------------------------------------------

def test_icon_containers_hold_every_size() -> None:
    ico = (ROOT / "resources" / "bigbooks.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for index in range(count):
        width, _, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * index)
        assert ico[offset:offset + 4] == b"\x89PNG" and offset + length <= len(ico)
        sizes.add(width or 256)
    assert sizes == {16, 24, 32, 48, 64, 128, 256}
    icns = (ROOT / "resources" / "bigbooks.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    kinds, at = set(), 8
    while at < len(icns):
        kinds.add(icns[at:at + 4].decode())
        at += struct.unpack_from(">I", icns, at + 4)[0]
    assert at == len(icns) and {"icp4", "icp5", "ic07", "ic08", "ic09", "ic10"} <= kinds


def test_the_window_icon_comes_from_the_files(qapp: Any) -> None:
    from bigbooks_desktop.gui.app_icon import Badge, app_icon, icon_files

    assert {16, 32, 256, 512} <= set(icon_files())
    icon = app_icon()
    assert {(s.width(), s.height()) for s in icon.availableSizes()} >= {(16, 16), (32, 32), (256, 256)}
    badged = app_icon(Badge.ATTENTION).pixmap(32).toImage()
    plain = icon.pixmap(32).toImage()
    assert badged != plain                              # the tray's badge is drawn over the file's picture
