"""Start-up problems the window must explain before it opens: a damaged preferences file (kept aside, defaults
used, said once) and a sync database that cannot be opened (damaged, or written by a newer version).

`start_service(BigBooksService)` replaces a bare `BigBooksService()` in `gui.app.run_gui`: it returns the
service, or None after a message box saying what happened, which file, and what to do (the app then exits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from bigbooks_desktop.core.errors import BigBooksError, ConfigurationError
from bigbooks_desktop.core.preferences import set_damaged_preferences_aside

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["EXIT_CONFIG", "start_service", "startup_message"]

EXIT_CONFIG = 5            # as the CLI's (commands.service_runner): keychain, database or settings unusable
S = TypeVar("S", bound="BigBooksService")


def startup_message(error: BigBooksError, *, critical: bool, parent: QWidget | None = None) -> QMessageBox:
    """The message box for a start-up problem: its title, and its message (what happened, which file, what to
    do). Not shown yet: `start_service` shows it modally (no event loop runs yet)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical if critical else QMessageBox.Icon.Information)
    box.setWindowTitle(error.title)
    box.setText(error.title)
    box.setInformativeText(error.message)
    box.setAccessibleName(error.title)
    box.setAccessibleDescription(error.message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def start_service(factory: Callable[[], S], *, parent: QWidget | None = None,
                  show: Callable[[QMessageBox], object] = QMessageBox.exec) -> S | None:
    """Set a damaged preferences file aside (and say so, once), then build the service with `factory`. A
    database that cannot be opened (ConfigurationError from `store.db.open_database`) is explained in a
    message box and None returned: the caller exits (EXIT_CONFIG) instead of showing a traceback."""
    try:
        reset = set_damaged_preferences_aside()
    except OSError:
        reset = None           # the data folder cannot be written: opening the database says so below
    if reset is not None:
        show(startup_message(reset, critical=False, parent=parent))
    try:
        return factory()
    except ConfigurationError as exc:
        show(startup_message(exc, critical=True, parent=parent))
        return None
