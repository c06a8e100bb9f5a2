"""The first-run wizard and the settings window, opened by the main window, the tray and the demo's screenshots.

They are built in their own modules (`gui.wizard`, `gui.pages.settings`) and imported here when first opened,
so the window starts without them and a build that lacks one still runs and says plainly what is missing
instead of pointing to a screen that does not exist.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from bigbooks_desktop.gui.pages.settings import SettingsDialog
    from bigbooks_desktop.gui.wizard import FirstRunWizard
    from bigbooks_desktop.service import BigBooksService

__all__ = ["DialogKind", "available", "make_settings", "make_setup"]


class DialogKind(StrEnum):
    SETUP = "setup"           # FirstRunWizard(service, parent), signal finished_setup(PreferencesView)
    SETTINGS = "settings"     # SettingsDialog(service, parent), signals preferences_changed, accounts_changed


def _missing(exc: ModuleNotFoundError, module: str) -> bool:
    return exc.name is not None and module.startswith(exc.name)


def make_setup(service: BigBooksService, parent: QWidget) -> FirstRunWizard | None:
    """The set-up wizard, or None when this build has none."""
    try:
        from bigbooks_desktop.gui.wizard import FirstRunWizard
    except ModuleNotFoundError as exc:
        if _missing(exc, "bigbooks_desktop.gui.wizard"):
            return None
        raise
    return FirstRunWizard(service, parent)


def make_settings(service: BigBooksService, parent: QWidget) -> SettingsDialog | None:
    """The settings window, or None when this build has none."""
    try:
        from bigbooks_desktop.gui.pages.settings import SettingsDialog
    except ModuleNotFoundError as exc:
        if _missing(exc, "bigbooks_desktop.gui.pages.settings"):
            return None
        raise
    return SettingsDialog(service, parent)


def available(kind: DialogKind) -> bool:
    import importlib.util

    module = "bigbooks_desktop.gui.wizard" if kind is DialogKind.SETUP else "bigbooks_desktop.gui.pages.settings"
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:          # the parent package is missing too
        return False
