"""The main window's actions: each with its keyboard shortcut, a tooltip that names it, and its place in the menus.

The window connects them to what they do; the tray menu and the window's buttons show the same actions, so a
shortcut, a tooltip or an enabled state is declared once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QToolButton, QWidget

__all__ = ["WindowActions", "action_button", "make_action"]


def make_action(parent: QWidget, text: str, shortcut: str, tip: str) -> QAction:
    """An action with its shortcut named in its tooltip."""
    action = QAction(text, parent)
    action.setShortcut(QKeySequence(shortcut))
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    return action


def action_button(action: QAction) -> QToolButton:
    """A push-button look for an action (its text, tooltip, shortcut and enabled state)."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setMinimumHeight(32)
    return button


class WindowActions:
    """Every action of the main window, added to `window` so its shortcut works wherever the focus is."""

    def __init__(self, window: QWidget) -> None:
        self.sync = make_action(window, "&Sync now", "Ctrl+R", "Sync new and changed orders to FreshBooks now")
        self.sync_from = make_action(window, "Sync from a &date...", "Ctrl+Shift+R",
                                     "Sync orders from a date you choose, older ones included (a backfill)")
        self.cancel = make_action(window, "&Cancel sync", "Ctrl+.", "Stop the running sync after the orders under "
                                  "way (it records what it did), or stop waiting for another one")
        self.auto_sync = make_action(window, "&Pause auto-sync", "Ctrl+P", "Pause or resume automatic syncing")
        self.reload = make_action(window, "&Reload", "F5", "Reload sign-ins, runs and the inbox from this computer")
        self.settings = make_action(window, "Se&ttings...", "Ctrl+,", "Accounts, auto-sync and sync policies")
        self.setup = make_action(window, "Set &up BigBooks...", "Ctrl+Shift+N",
                                 "Connect BigCommerce and FreshBooks and choose where the first sync starts")
        self.screens = (
            make_action(window, "&Dashboard", "Ctrl+1", "Show today's, this week's and this month's figures"),
            make_action(window, "&Orders and invoices", "Ctrl+2", "Show each order beside its FreshBooks invoice"),
            make_action(window, "Error &inbox", "Ctrl+3", "Show the orders that need attention, with their fixes"),
            make_action(window, "&Runs", "Ctrl+4", "Show the sync runs, undo, dry run and reconciliation"),
            make_action(window, "&Mapping", "Ctrl+5", "Shape how orders become invoices: fields, steps and rules"),
        )
        self.open = make_action(window, "&Open BigBooks", "Ctrl+Shift+O", "Show the BigBooks window")
        self.close = make_action(window, "&Close window", "Ctrl+W",
                                 "Close the window (to the tray when that preference is on)")
        self.quit = make_action(window, "&Quit", "Ctrl+Q",
                                "Quit BigBooks (a running sync stops after the orders under way)")
        self.about = make_action(window, "&About BigBooks", "F1", "Version and where your data lives")
        for action in self.all():
            window.addAction(action)

    def all(self) -> tuple[QAction, ...]:
        return (self.sync, self.sync_from, self.cancel, self.auto_sync, self.reload, self.settings, self.setup,
                *self.screens, self.open, self.close, self.quit, self.about)

    def fill_menus(self, menus: QMenuBar) -> None:
        layout: tuple[tuple[str, tuple[QAction | None, ...]], ...] = (
            ("&BigBooks", (self.setup, self.settings, None, self.close, self.quit)),
            ("&Sync", (self.sync, self.sync_from, self.cancel, None, self.auto_sync)),
            ("&View", (*self.screens, None, self.reload)),
            ("&Help", (self.about,)),
        )
        for title, actions in layout:
            menu = menus.addMenu(title)
            menu.setToolTipsVisible(True)
            for action in actions:
                if action is None:
                    menu.addSeparator()
                else:
                    menu.addAction(action)
