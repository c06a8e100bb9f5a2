"""The first-run wizard and the settings window, opened by the main window and the tray.

They are built in their own modules (`gui.wizard`, `gui.pages.settings`); this finds them when they are there,
so a build without them still runs and says plainly what is missing instead of pointing to a screen that does
not exist.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QDialog, QWidget

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["DialogKind", "available", "connect_signal", "make_dialog"]


class DialogKind(StrEnum):
    SETUP = "setup"           # FirstRunWizard(service, parent), signal finished_setup
    SETTINGS = "settings"     # SettingsDialog(service, parent), signal preferences_changed


_WHERE = {
    DialogKind.SETUP: ("bigbooks_desktop.gui.wizard", "FirstRunWizard"),
    DialogKind.SETTINGS: ("bigbooks_desktop.gui.pages.settings", "SettingsDialog"),
}


def _dialog_class(kind: DialogKind) -> type[QDialog] | None:
    module_name, class_name = _WHERE[kind]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            return None         # not built into this version
        raise
    found = getattr(module, class_name, None)
    return found if isinstance(found, type) and issubclass(found, QDialog) else None


def available(kind: DialogKind) -> bool:
    return _dialog_class(kind) is not None


def make_dialog(kind: DialogKind, service: BigBooksService, parent: QWidget) -> QDialog | None:
    """The dialog, or None when this build has no such dialog."""
    cls = _dialog_class(kind)
    if cls is None:
        return None
    factory = cast("Callable[[BigBooksService, QWidget], QDialog]", cls)   # the dialogs' agreed signature
    return factory(service, parent)


def connect_signal(dialog: QDialog, name: str, slot: Callable[[object], None]) -> bool:
    """Connect the dialog's signal `name` (one argument, e.g. the saved preferences) when it has one."""
    signal = getattr(dialog, name, None)
    if not isinstance(signal, SignalInstance):
        return False
    signal.connect(slot)
    return True
