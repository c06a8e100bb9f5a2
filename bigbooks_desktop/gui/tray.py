"""The system tray: an icon whose menu opens the window, syncs now, pauses or resumes auto-sync, shows the last
and next sync, and quits; and a notification when new orders fail or a sign-in needs attention.

Where there is no tray (offscreen, a bare X server, some Wayland desktops) `available` is False: the menu still
exists (the window uses the same actions, tests and the demo's screenshot read it), nothing is shown in a tray,
and notifications are only recorded for the window's own notice bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from bigbooks_desktop import APP_NAME
from bigbooks_desktop.gui.app_icon import Badge, app_icon
from bigbooks_desktop.gui.sync_text import Notice, NoticeKind, last_sync_line, next_sync_line, progress_text
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

__all__ = ["TrayController"]


class TrayController(QObject):
    """Built by the window with its actions; `update(status)` on every coordinator event."""

    open_requested = Signal()      # the icon was clicked (or "Open BigBooks" chosen)

    def __init__(self, *, open_action: QAction, sync_action: QAction, auto_sync_action: QAction,
                 quit_action: QAction, parent: QWidget | None = None,
                 available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable) -> None:
        super().__init__(parent)
        self.available = available()
        self.menu = QMenu(parent)
        self.menu.setToolTipsVisible(True)
        self.menu.addAction(open_action)
        self.menu.addSeparator()
        self.status_line = self._line("Idle")
        self.last_line = self._line("Last sync: none since BigBooks started")
        self.next_line = self._line("Auto-sync is off")
        self.menu.addSeparator()
        self.menu.addAction(sync_action)
        self.menu.addAction(auto_sync_action)
        self.menu.addSeparator()
        self.menu.addAction(quit_action)
        self.notifications: list[Notice] = []        # every notification raised (shown or not)
        self.badge = Badge.NONE
        self.icon: QSystemTrayIcon | None = None
        if self.available:
            self.icon = QSystemTrayIcon(app_icon(), self)
            self.icon.setToolTip(APP_NAME)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._activated)
            self.icon.show()

    def _line(self, text: str) -> QAction:
        """A line of information in the menu (disabled: reading it does nothing)."""
        action = self.menu.addAction(text)
        action.setEnabled(False)
        return action

    @property
    def visible(self) -> bool:
        return self.icon is not None and self.icon.isVisible()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    def update(self, status: SyncStatusView) -> None:
        """Say what the sync does now, when it last ran and when it runs next; badge the icon."""
        if status.state is SyncState.SYNCING:
            self.status_line.setText(f"Syncing: {progress_text(status.progress)}")
        elif status.state is SyncState.WAITING:
            self.status_line.setText("Waiting for another BigBooks process")
            self.status_line.setToolTip(status.reason)
        elif status.state is SyncState.PAUSED:
            self.status_line.setText("Paused: sign-in needed")
            self.status_line.setToolTip(status.reason)
        else:
            self.status_line.setText("Idle")
            self.status_line.setToolTip("")
        self.last_line.setText(last_sync_line(status))
        self.next_line.setText(next_sync_line(status))
        badge = Badge.ATTENTION if status.sign_in_needed else Badge.SYNCING if status.busy else Badge.NONE
        if badge is not self.badge:
            self.badge = badge
            if self.icon is not None:
                self.icon.setIcon(app_icon(badge))
        if self.icon is not None:
            self.icon.setToolTip(f"{APP_NAME}\n{self.status_line.text()}\n{self.last_line.text()}\n"
                                 f"{self.next_line.text()}")

    def notify(self, notice: Notice) -> bool:
        """Record the notice and show it as a tray notification; True when the tray showed it."""
        self.notifications.append(notice)
        if self.icon is None or not self.icon.isVisible():
            return False
        kind = QSystemTrayIcon.MessageIcon.Warning if notice.kind is not NoticeKind.PROBLEM \
            else QSystemTrayIcon.MessageIcon.Information
        self.icon.showMessage(notice.title, notice.message, kind, 15_000)
        return True

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()
