"""The main window's sync (a mixin of `MainWindow`): Sync now, Sync from a date, cancel, auto-sync (from the
preferences, or paused and started by hand), and the coordinator's status events shown in the sync panel, the
status bar, the tray and the notices; the window's widgets and its loading are `MainWindow`'s."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from bigbooks_desktop.core.views import PreferencesView, SyncSummaryView
from bigbooks_desktop.gui import optional_dialogs
from bigbooks_desktop.gui.notice_bar import NoticeBar
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.optional_dialogs import DialogKind
from bigbooks_desktop.gui.sync_from_date import SyncFromDateDialog
from bigbooks_desktop.gui.sync_panel import SyncPanel
from bigbooks_desktop.gui.sync_text import Notice, NoticeKind, notices_between
from bigbooks_desktop.gui.tray import TrayController
from bigbooks_desktop.gui.window_pages import WindowPages
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from bigbooks_desktop.service import BigBooksService

__all__ = ["WindowSync"]

log = logging.getLogger("bigbooks_desktop.gui.main_window")    # the window's lines keep one name in the log


class WindowSync:
    """The sync's actions and its status events; mixed into `MainWindow`, a QMainWindow."""

    def _window(self) -> QMainWindow:
        assert isinstance(self, QMainWindow)         # mixed into MainWindow
        return self

    if TYPE_CHECKING:
        service: BigBooksService
        presenter: ErrorPresenter
        status: SyncStatusView
        preferences: PreferencesView
        _running_sync: asyncio.Future[SyncSummaryView] | None
        _loading: asyncio.Future[None] | None
        _loaded: bool
        _closed: bool
        _auto_sync_user: bool | None
        sync_action: QAction
        sync_from_action: QAction
        cancel_action: QAction
        auto_sync_action: QAction
        inbox_tab_action: QAction
        settings_action: QAction
        sync_panel: SyncPanel
        notice_bar: NoticeBar
        tray: TrayController
        tabs: WindowPages

        @property
        def connected(self) -> bool: ...

        def refresh(self, *, quiet: bool = False, shown_only: bool = False) -> asyncio.Future[None]: ...

        def statusBar(self) -> QStatusBar: ...

    # -- the sync --------------------------------------------------------------------------------------

    def sync_now(self, *, since: date | None = None) -> asyncio.Future[SyncSummaryView]:
        """Start a sync (or join the running one); `since` backfills orders from that day. Returns its future
        (tests await it)."""
        self.sync_action.setEnabled(False)
        self.sync_from_action.setEnabled(False)
        if not self.status.busy:
            self.sync_panel.show_starting()
        future = run_op(self._window(), self._sync(since), presenter=self.presenter)
        self._running_sync = future
        return future

    def ask_sync_from_date(self) -> SyncFromDateDialog:
        """Sync > Sync from a date...: the dialog (returned for tests); accepting it starts the backfill."""
        dialog = SyncFromDateDialog(self._window(), start=self.preferences.backfill_start)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.sync_now(since=dialog.chosen()))
        dialog.open()
        return dialog

    async def _sync(self, since: date | None = None) -> SyncSummaryView:
        """The sync, then the window brought up to date with what it did (also when it failed)."""
        try:
            return await self.service.sync_now(since=since)
        finally:
            if shiboken6.isValid(self):         # deleted meanwhile: nothing left to show it on
                self._show_status(self.service.sync_status())
                if not self._closed:       # the run's end already asked for the reload (_on_status): join it
                    await (self._loading if self._loading is not None and not self._loading.done()
                           else self.refresh(quiet=True, shown_only=True))

    def running_sync(self) -> asyncio.Future[SyncSummaryView] | None:
        running = self._running_sync
        return running if running is not None and not running.done() else None

    def cancel_sync(self) -> None:
        if self.status.busy:
            self.service.cancel_sync()
            self.cancel_action.setEnabled(False)
            self.sync_panel.show_stopping()

    def auto_sync_interval(self) -> float | None:
        """Seconds between automatic syncs from the preferences; None while auto-sync is off there."""
        preferences = self.preferences
        return float(preferences.poll_interval_seconds) if preferences.background_polling else None

    def _wanted_interval(self) -> float | None:
        if not self.connected or self._auto_sync_user is False:
            return None
        interval = self.auto_sync_interval()
        if interval is None and self._auto_sync_user:
            interval = float(self.preferences.poll_interval_seconds)
        return interval

    def apply_auto_sync(self) -> None:
        """Start, change or stop auto-sync to match the preferences, the sign-ins and a pause by hand (never
        again once the window is closed: closing stopped it)."""
        if self._closed:
            return
        wanted = self._wanted_interval()
        current = self.service.sync_status().auto_sync_seconds
        if wanted is None:
            if current is not None:
                self.service.stop_auto_sync()
        elif current is None or current != max(wanted, self.service.sync_min_interval):
            self.service.start_auto_sync(wanted)
        self._update_auto_sync_action()

    def toggle_auto_sync(self) -> None:
        self._auto_sync_user = self.status.auto_sync_seconds is None
        run_op(self._window(), self._apply_later(), presenter=self.presenter)

    async def _apply_later(self) -> None:
        self.apply_auto_sync()
        self._show_status(self.service.sync_status())

    def _update_auto_sync_action(self) -> None:
        on = self.service.sync_status().auto_sync_seconds is not None
        preference = self.auto_sync_interval() is not None
        text = "&Pause auto-sync" if on else "&Resume auto-sync" if preference else "&Start auto-sync"
        tip = ("Stop syncing automatically until you resume (or restart BigBooks)" if on else
               "Sync automatically again on the interval in Settings" if preference else
               "Sync automatically on the interval in Settings while BigBooks runs (turn it on for good in "
               "Settings)")
        self.auto_sync_action.setText(text)
        keys = self.auto_sync_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.auto_sync_action.setToolTip(f"{tip} ({keys})")
        self.auto_sync_action.setEnabled(self.connected)

    def _on_status(self, status: SyncStatusView) -> None:
        before, self.status = self.status, status
        # The run under way (ours once it has recorded its start, or the other process's we wait for) and,
        # after a run, what it did.
        started = status.state is SyncState.SYNCING and status.progress is not None and (
            before.state is not SyncState.SYNCING or before.progress is None)
        waiting = status.state is SyncState.WAITING and before.state is not SyncState.WAITING
        if started or waiting or status.runs != before.runs:
            self.refresh(quiet=True, shown_only=True)
        for notice in notices_between(before, status):
            self._notify(notice)
        self._show_status(status)

    def _show_status(self, status: SyncStatusView) -> None:
        busy = status.busy
        self.sync_action.setEnabled(not busy)
        self.sync_from_action.setEnabled(not busy)
        self.cancel_action.setEnabled(busy)
        message = self.sync_panel.show_status(status)
        if busy or status.runs:
            self.statusBar().showMessage(message)
        self.tray.update(status)
        self._update_auto_sync_action()
        self._update_placeholders()

    def _update_placeholders(self) -> None:
        self.tabs.set_context(loaded=self._loaded, connected=self.connected, busy=self.status.busy)

    # -- notices ---------------------------------------------------------------------------------------

    def _notify(self, notice: Notice) -> None:
        action = self.inbox_tab_action if notice.kind is NoticeKind.FAILURES else \
            self.settings_action if notice.kind is NoticeKind.SIGN_IN and \
            optional_dialogs.available(DialogKind.SETTINGS) else None
        self.notice_bar.show_notice(notice, action)
        self.tray.notify(notice)
        log.info("notice: %s: %s", notice.title, notice.message)
