"""gui.startup_errors: a damaged preferences file or database at start-up is explained in a message box."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from bigbooks_desktop.gui.startup_errors import start_service
from bigbooks_desktop.service import BigBooksService


def test_a_damaged_database_is_explained_and_no_service_is_made(qtbot: QtBot, bigbooks_home: Path) -> None:
    database = bigbooks_home / "bigbooks.sqlite3"
    database.write_bytes(os.urandom(4096))
    shown: list[QMessageBox] = []
    assert start_service(BigBooksService, show=shown.append) is None
    (box,) = shown
    assert box.icon() is QMessageBox.Icon.Critical and box.windowTitle() == "Database unusable"
    assert str(database) in box.informativeText() and "move it away" in box.informativeText()


def test_damaged_preferences_are_set_aside_said_once_and_the_service_starts(qtbot: QtBot,
                                                                            bigbooks_home: Path) -> None:
    (bigbooks_home / "preferences.json").write_text('{"concurrency": 999}', encoding="utf-8")
    shown: list[QMessageBox] = []
    service = start_service(BigBooksService, show=shown.append)
    assert isinstance(service, BigBooksService)
    (box,) = shown
    assert box.icon() is QMessageBox.Icon.Information and "concurrency" in box.informativeText()
    assert "default settings" in box.informativeText() and ".damaged-" in box.informativeText()
    assert list(bigbooks_home.glob("preferences.json.damaged-*"))
    again: list[QMessageBox] = []
    assert start_service(BigBooksService, show=again.append) is not None and again == []
