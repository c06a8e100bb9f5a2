"""The main window: who is connected, the sync (Sync now, cancel, auto-sync, live progress, the last run), recent
runs and the error inbox, kept true by the sync coordinator's events and by a cheap check for changes made by
another process (the CLI, cron, a sign-in); the tray and in-window notices."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop import APP_NAME, __version__
from bigbooks_desktop.core.errors import BigBooksError, ConfigurationError
from bigbooks_desktop.core.paths import preferences_path
from bigbooks_desktop.core.views import PreferencesView, RunStatus, ServiceName, SyncSummaryView
from bigbooks_desktop.gui import optional_dialogs
from bigbooks_desktop.gui.app_icon import app_icon
from bigbooks_desktop.gui.connection_card import ConnectionCard
from bigbooks_desktop.gui.models.inbox import InboxColumn, InboxModel
from bigbooks_desktop.gui.models.runs import RunColumn, RunsModel
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.optional_dialogs import DialogKind
from bigbooks_desktop.gui.sync_text import (
    Notice,
    NoticeKind,
    describe_status,
    describe_summary,
    last_sync_line,
    notices_between,
    progress_text,
    short_time,
    status_line,
)
from bigbooks_desktop.gui.table_page import TablePage
from bigbooks_desktop.gui.tray import TrayController
from bigbooks_desktop.service.coordination import ChangeStamp, SyncState, SyncStatusView

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from bigbooks_desktop.service import BigBooksService

__all__ = ["MainWindow", "describe_summary"]

log = logging.getLogger(__name__)

CHANGE_CHECK_MS = 1000        # how often the window looks for changes made by another process


def _action(parent: QWidget, text: str, shortcut: str | QKeySequence.StandardKey, tip: str) -> QAction:
    """An action with its shortcut named in its tooltip."""
    action = QAction(text, parent)
    action.setShortcut(QKeySequence(shortcut))
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    return action


def _button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setMinimumHeight(32)
    return button


class _NoticeBar(QFrame):
    """Notifications inside the window (there may be no tray): an icon, a sentence, what to do, dismiss."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setAutoFillBackground(True)
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self._act)
        self.action: QAction | None = None
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setToolTip("Hide this notice")
        self.dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.dismiss)
        self.notice: Notice | None = None
        self.hide()

    def show_notice(self, notice: Notice, action: QAction | None) -> None:
        self.notice = notice
        which = QStyle.StandardPixmap.SP_MessageBoxInformation if notice.kind is NoticeKind.PROBLEM \
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        self.icon.setPixmap(self.style().standardIcon(which).pixmap(20, 20))
        self.text.setText(f"<b>{notice.title}.</b> {notice.message}")
        self.action = action
        self.action_button.setVisible(action is not None)
        if action is not None:
            self.action_button.setText(action.text().replace("&", "").rstrip("."))
            self.action_button.setToolTip(action.toolTip())
        self.show()

    def _act(self) -> None:
        if self.action is not None:
            self.action.trigger()
        self.hide()


class MainWindow(QMainWindow):
    """Calls only the service facade; every call runs on the qasync loop through `run_op`."""

    closed = Signal()   # the window closed for good (the app quits; a running sync was asked to stop)

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter | None = None,
                 tray_available: bool | None = None) -> None:
        super().__init__()
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self.status: SyncStatusView = service.sync_status()
        self.preferences: PreferencesView = service.preferences()
        self._running_sync: asyncio.Future[SyncSummaryView] | None = None
        self._loading: asyncio.Future[None] | None = None
        self._reload_again = False
        self._loaded = False
        self._stamp: ChangeStamp | None = None
        self._auto_sync_user: bool | None = None     # None: follow the preference; else paused/started by hand
        self._quitting = False
        self._closed = False
        self._told_about_tray = False
        self.dialogs: dict[DialogKind, QDialog] = {}
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.resize(1100, 700)

        self._make_actions()
        self._make_menus()
        self._make_body()
        has_tray = bool(tray_available)
        probe = QSystemTrayIcon.isSystemTrayAvailable if tray_available is None else (lambda: has_tray)
        self.tray = TrayController(open_action=self.open_action, sync_action=self.sync_action,
                                   auto_sync_action=self.auto_sync_action, quit_action=self.quit_action,
                                   parent=self, available=probe)
        self.tray.open_requested.connect(self.show_and_raise)
        self._unsubscribe = service.subscribe(self._on_status)
        self._changes = QTimer(self)
        self._changes.setInterval(CHANGE_CHECK_MS)
        self._changes.timeout.connect(self._check_for_changes)
        self._changes.start()
        self._show_status(self.status)
        self.statusBar().showMessage("Loading...")

    # -- building ------------------------------------------------------------------------------------

    def _make_actions(self) -> None:
        self.sync_action = _action(self, "&Sync now", "Ctrl+R", "Sync new and changed orders to FreshBooks now")
        self.sync_action.triggered.connect(self.sync_now)
        self.cancel_action = _action(self, "&Cancel sync", "Ctrl+.",
                                     "Stop the running sync after the orders under way (it records what it did)")
        self.cancel_action.triggered.connect(self.cancel_sync)
        self.auto_sync_action = _action(self, "&Pause auto-sync", "Ctrl+P", "Pause or resume automatic syncing")
        self.auto_sync_action.triggered.connect(self.toggle_auto_sync)
        self.reload_action = _action(self, "&Reload", "F5",
                                     "Reload sign-ins, runs and the inbox from this computer")
        self.reload_action.triggered.connect(self.refresh)
        self.settings_action = _action(self, "Se&ttings...", "Ctrl+,", "Accounts, auto-sync and sync policies")
        self.settings_action.triggered.connect(self.open_settings)
        self.setup_action = _action(self, "Set &up BigBooks...", "Ctrl+Shift+N",
                                    "Connect BigCommerce and FreshBooks and choose where the first sync starts")
        self.setup_action.triggered.connect(self.open_setup)
        self.runs_tab_action = _action(self, "Recent &runs", "Ctrl+1", "Show recent sync runs")
        self.runs_tab_action.triggered.connect(lambda: self.tabs.setCurrentIndex(0))
        self.inbox_tab_action = _action(self, "Error &inbox", "Ctrl+2", "Show the orders that need attention")
        self.inbox_tab_action.triggered.connect(lambda: self.tabs.setCurrentIndex(1))
        self.open_action = _action(self, "&Open BigBooks", "Ctrl+Shift+O", "Show the BigBooks window")
        self.open_action.triggered.connect(self.show_and_raise)
        self.close_action = _action(self, "&Close window", "Ctrl+W",
                                    "Close the window (to the tray when that preference is on)")
        self.close_action.triggered.connect(self.close)
        self.quit_action = _action(self, "&Quit", "Ctrl+Q",
                                   "Quit BigBooks (a running sync stops after the orders under way)")
        self.quit_action.triggered.connect(self.quit_app)
        self.about_action = _action(self, "&About BigBooks", "F1",
                                    "Version and where your data lives")
        self.about_action.triggered.connect(self.show_about)
        for action in (self.sync_action, self.cancel_action, self.auto_sync_action, self.reload_action,
                       self.settings_action, self.setup_action, self.runs_tab_action, self.inbox_tab_action,
                       self.open_action, self.close_action, self.quit_action, self.about_action):
            self.addAction(action)        # shortcuts work wherever the focus is

    def _make_menus(self) -> None:
        menus = self.menuBar()
        app_menu = menus.addMenu("&BigBooks")
        for action in (self.setup_action, self.settings_action, None, self.close_action, self.quit_action):
            app_menu.addAction(action) if action is not None else app_menu.addSeparator()
        sync_menu = menus.addMenu("&Sync")
        for action in (self.sync_action, self.cancel_action, None, self.auto_sync_action):
            sync_menu.addAction(action) if action is not None else sync_menu.addSeparator()
        view_menu = menus.addMenu("&View")
        for action in (self.runs_tab_action, self.inbox_tab_action, None, self.reload_action):
            view_menu.addAction(action) if action is not None else view_menu.addSeparator()
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.about_action)
        for menu in (app_menu, sync_menu, view_menu, help_menu):
            menu.setToolTipsVisible(True)

    def _make_body(self) -> None:
        title = QLabel(APP_NAME)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.sync_button = _button(self.sync_action)
        self.cancel_button = _button(self.cancel_action)
        self.settings_button = _button(self.settings_action)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        for button in (self.settings_button, self.cancel_button, self.sync_button):
            header.addWidget(button)

        self.welcome = QFrame()
        self.welcome.setFrameShape(QFrame.Shape.StyledPanel)
        self.welcome_text = QLabel()
        self.welcome_text.setWordWrap(True)
        self.welcome_button = _button(self.setup_action)
        welcome_layout = QHBoxLayout(self.welcome)
        welcome_layout.addWidget(self.welcome_text, 1)
        welcome_layout.addWidget(self.welcome_button)
        self.welcome.hide()

        self.bigcommerce_card = ConnectionCard(ServiceName.BIGCOMMERCE)
        self.freshbooks_card = ConnectionCard(ServiceName.FRESHBOOKS)
        cards = QHBoxLayout()
        cards.addWidget(self.bigcommerce_card, 1)
        cards.addWidget(self.freshbooks_card, 1)

        self.sync_line = QLabel()
        self.sync_line.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Idle")
        self.summary = QLabel("No sync has run yet since BigBooks started.")
        self.summary.setWordWrap(True)
        self.notice_bar = _NoticeBar()

        self.runs_model = RunsModel(self)
        self.inbox_model = InboxModel(self)
        self.runs_page = TablePage(self.runs_model, stretch_column=RunColumn.STARTED, sort_column=RunColumn.RUN)
        self.inbox_page = TablePage(self.inbox_model, stretch_column=InboxColumn.WHAT_TO_DO,
                                    sort_column=InboxColumn.UPDATED)
        self.runs_proxy, self.inbox_proxy = self.runs_page.proxy, self.inbox_page.proxy
        self.tabs = QTabWidget()
        self.tabs.addTab(self.runs_page, "Recent runs")
        self.tabs.addTab(self.inbox_page, "Error inbox")
        self.tabs.setTabToolTip(0, self.runs_tab_action.toolTip())
        self.tabs.setTabToolTip(1, self.inbox_tab_action.toolTip())

        root = QWidget()
        layout = QVBoxLayout(root)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.welcome)
        layout.addLayout(cards)
        layout.addWidget(self.notice_bar)
        layout.addWidget(self.sync_line)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(root)
        self._update_placeholders()

    # -- loading -------------------------------------------------------------------------------------

    def refresh(self, *, quiet: bool = False) -> asyncio.Future[None]:
        """Reload sign-ins, runs and the inbox (a load already under way loads again once it ends); returns
        the future (tests await it). `quiet`: problems go to the status bar instead of a dialog."""
        if self._loading is not None and not self._loading.done():
            self._reload_again = True
            return self._loading
        self._loading = run_op(self, self._load_until_current(quiet), presenter=self.presenter)
        return self._loading

    async def _load_until_current(self, quiet: bool) -> None:
        while True:
            self._reload_again = False
            try:
                await self._load()
            except BigBooksError as exc:
                if not quiet:
                    raise
                self.statusBar().showMessage(f"Could not reload: {exc.title}")
                log.warning("reload failed: %s", exc)
            if not self._reload_again:
                return

    async def _load(self) -> None:
        self._stamp = self.service.change_stamp()
        self.preferences = self.service.preferences()         # another process may have changed them
        status = await self.service.status()
        was_connected = self.connected
        self.bigcommerce_card.show_status(status.bigcommerce)
        self.freshbooks_card.show_status(status.freshbooks)
        self.runs_model.set_rows(await self.service.list_runs())
        inbox = await self.service.list_inbox()
        self.inbox_model.set_rows(inbox)
        self.tabs.setTabText(1, f"Error inbox ({len(inbox)})" if inbox else "Error inbox")
        self._loaded = True
        self._update_welcome()
        if self.connected and not was_connected and self.status.state is SyncState.PAUSED:
            self.service.resume_sync()               # signed in again (here, in the wizard, or from the CLI)
        self.apply_auto_sync()
        self._update_placeholders()
        if not self.status.busy:
            self.statusBar().showMessage(last_sync_line(self.status) if self.status.runs else "Ready")

    def _reload_quietly(self) -> None:
        self.refresh(quiet=True)

    @property
    def connected(self) -> bool:
        return bool(self.bigcommerce_card.connected and self.freshbooks_card.connected)

    def _check_for_changes(self) -> None:
        """The timer's cheap look (a pragma and two file dates) for changes another process made."""
        if self._stamp is None or self.status.state is SyncState.SYNCING:
            return         # not loaded yet, or our own sync is writing: its events drive the window
        try:
            stamp = self.service.change_stamp()
        except BigBooksError:
            return
        if stamp != self._stamp:
            log.info("the profile changed outside this window: reloading")
            self.refresh(quiet=True)

    # -- the sync --------------------------------------------------------------------------------------

    def sync_now(self) -> asyncio.Future[SyncSummaryView]:
        """Start a sync (or join the running one); returns its future (tests await it)."""
        self.sync_action.setEnabled(False)
        if not self.status.busy:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("Starting...")
        future = run_op(self, self._sync(), presenter=self.presenter)
        self._running_sync = future
        return future

    async def _sync(self) -> SyncSummaryView:
        """The sync, then the window brought up to date with what it did (also when it failed)."""
        try:
            return await self.service.sync_now()
        finally:
            self._show_status(self.service.sync_status())
            if not self._closed:
                await self.refresh(quiet=True)

    def running_sync(self) -> asyncio.Future[SyncSummaryView] | None:
        running = self._running_sync
        return running if running is not None and not running.done() else None

    def cancel_sync(self) -> None:
        if self.status.busy:
            self.service.cancel_sync()
            self.cancel_action.setEnabled(False)
            self.progress.setFormat("Stopping after the orders under way...")

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
        """Start, change or stop auto-sync to match the preferences, the sign-ins and a pause by hand."""
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
        run_op(self, self._apply_later(), presenter=self.presenter)

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
            self.refresh(quiet=True)
        for notice in notices_between(before, status):
            self._notify(notice)
        self._show_status(status)

    def _show_status(self, status: SyncStatusView) -> None:
        busy = status.busy
        self.sync_action.setEnabled(not busy)
        self.cancel_action.setEnabled(busy)
        self.sync_line.setText(status_line(status))
        if status.state is SyncState.SYNCING:
            progress = status.progress
            if progress is not None and progress.total:
                self.progress.setRange(0, progress.total)
                self.progress.setValue(progress.done)
            else:
                self.progress.setRange(0, 1)
                self.progress.setValue(0)
            self.progress.setFormat(progress_text(progress))
            self.statusBar().showMessage("Syncing...")
        elif status.state is SyncState.WAITING:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("Waiting for another sync of this profile to finish")
            self.statusBar().showMessage("Waiting...")
        else:
            self._show_outcome(status)
        self.summary.setText(describe_status(status))
        self.tray.update(status)
        self._update_auto_sync_action()
        self._update_placeholders()

    def _show_outcome(self, status: SyncStatusView) -> None:
        """The progress bar and status bar once no sync runs: how the last one ended, never "Starting..."."""
        self.progress.setRange(0, 1)
        summary = status.last_summary
        if status.runs == 0:
            self.progress.setValue(0)
            self.progress.setFormat("Idle")
            return
        finished = status.last_finished_at
        when = f" · {short_time(finished)}" if finished is not None else ""
        if status.state is SyncState.PAUSED or status.sign_in_needed:
            self.progress.setValue(0)
            self.progress.setFormat(f"Paused: sign-in needed{when}")
            self.statusBar().showMessage("Sync paused: sign in again")
        elif status.last_error or summary is None:
            self.progress.setValue(0)
            self.progress.setFormat(f"Could not finish{when}")
            self.statusBar().showMessage("Sync could not finish")
        elif summary.status is RunStatus.INTERRUPTED:
            self.progress.setValue(0)
            self.progress.setFormat("Stopped")
            self.statusBar().showMessage("Sync stopped")
        else:
            self.progress.setValue(1)
            self.progress.setFormat(f"Done{when}")
            self.statusBar().showMessage("Sync finished")

    def _update_placeholders(self) -> None:
        """What an empty tab says: never "nothing needs your attention" before a sync in progress ends."""
        if not self._loaded:
            runs = inbox = "Loading..."
        elif not self.connected:
            runs = inbox = ("Nothing to show yet: connect BigCommerce and FreshBooks first "
                            "(BigBooks > Set up BigBooks).")
        elif self.status.busy:
            runs = "A sync is under way: it shows here as it goes."
            inbox = "A sync is under way: orders that need attention show here when it finishes."
        else:
            runs = "No sync has run yet. Press Sync now to start."
            inbox = "Nothing needs your attention: every order synced or was skipped on purpose."
        self.runs_page.set_placeholder(runs)
        self.inbox_page.set_placeholder(inbox)

    def _update_welcome(self) -> None:
        has_wizard = optional_dialogs.available(DialogKind.SETUP)
        missing = [card.title.text() for card in (self.bigcommerce_card, self.freshbooks_card)
                   if not card.connected]
        if not missing:
            self.welcome.hide()
            return
        what = " and ".join(missing)
        how = ("Set up BigBooks connects them and picks where the first sync starts." if has_wizard else
               "Connect them with `bigbooks connect bigcommerce` and `bigbooks connect freshbooks` in a "
               "terminal; this window notices the sign-ins by itself.")
        self.welcome_text.setText(f"<b>{what} {'is' if len(missing) == 1 else 'are'} not connected yet.</b> {how}")
        self.welcome_button.setVisible(has_wizard)
        self.welcome.show()

    # -- notices ---------------------------------------------------------------------------------------

    def _notify(self, notice: Notice) -> None:
        action = self.inbox_tab_action if notice.kind is NoticeKind.FAILURES else \
            self.settings_action if notice.kind is NoticeKind.SIGN_IN and \
            optional_dialogs.available(DialogKind.SETTINGS) else None
        self.notice_bar.show_notice(notice, action)
        self.tray.notify(notice)
        log.info("notice: %s: %s", notice.title, notice.message)

    # -- dialogs ---------------------------------------------------------------------------------------

    def open_settings(self) -> QDialog | None:
        return self._open(DialogKind.SETTINGS, "Settings are not available in this version. Preferences are "
                          f"kept in {preferences_path()}; sign in with `bigbooks connect`.")

    def open_setup(self) -> QDialog | None:
        return self._open(DialogKind.SETUP, "The set-up assistant is not available in this version. Connect "
                          "with `bigbooks connect bigcommerce` and `bigbooks connect freshbooks`; this window "
                          "notices the sign-ins by itself.")

    def _open(self, kind: DialogKind, missing: str) -> QDialog | None:
        existing = self.dialogs.get(kind)
        if existing is not None and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return existing
        dialog = optional_dialogs.make_dialog(kind, self.service, self)
        if dialog is None:
            title = "Settings not available" if kind is DialogKind.SETTINGS else "Set-up not available"
            self.presenter.show(ConfigurationError(missing, title=title))
            return None
        if kind is DialogKind.SETUP:
            optional_dialogs.connect_signal(dialog, "finished_setup", self._setup_finished)
        else:
            optional_dialogs.connect_signal(dialog, "preferences_changed", self._preferences_changed)
            optional_dialogs.connect_signal(dialog, "accounts_changed", lambda _status: self._reload_quietly())
        dialog.finished.connect(lambda _result: self._reload_quietly())
        self.dialogs[kind] = dialog
        dialog.open()
        return dialog

    def _preferences_changed(self, preferences: object) -> None:
        """Settings saved: auto-sync follows at once (its interval, on or off); the tray option too."""
        if isinstance(preferences, PreferencesView):
            self.preferences = preferences
        run_op(self, self._apply_later(), presenter=self.presenter)

    def _setup_finished(self, preferences: object) -> None:
        """The wizard saved the sign-ins and where the first sync starts: show them, and start the first sync
        (auto-sync, when chosen, starts with it)."""
        if isinstance(preferences, PreferencesView):
            self.preferences = preferences
        self._auto_sync_user = None
        run_op(self, self._first_sync(), presenter=self.presenter)

    async def _first_sync(self) -> None:
        await self.refresh()
        await asyncio.wait([self.sync_now()])        # its errors are shown by sync_now's own routing

    def offer_setup(self) -> QDialog | None:
        """At start-up with nothing connected: open the set-up wizard (when this build has it)."""
        if self._loaded and not self.connected and optional_dialogs.available(DialogKind.SETUP):
            return self.open_setup()
        return None

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setText(f"<b>{APP_NAME}</b> {__version__}")
        box.setInformativeText("Every paid BigCommerce order becomes exactly one correct FreshBooks invoice.\n"
                               f"Preferences: {preferences_path()}")
        box.open()

    # -- the window's life -----------------------------------------------------------------------------

    def show_and_raise(self) -> None:
        """Show the window in front (from the tray, or when another launch on this profile asked)."""
        self.show()
        self.setWindowState((self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
        if QGuiApplication.platformName() != "offscreen":     # which warns "does not support raise()"
            self.raise_()
            self.activateWindow()

    def quit_app(self) -> None:
        self._quitting = True
        self.close()

    def _close_to_tray(self) -> bool:
        return self.preferences.close_to_tray and not self._quitting and self.tray.visible

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close to the tray when that is on; otherwise stop auto-sync and a running sync (between orders, so
        its run records what it did) and say so with `closed`."""
        if self._close_to_tray():
            event.ignore()
            self.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray.notify(Notice(NoticeKind.PROBLEM, f"{APP_NAME} is still running",
                                        "Auto-sync goes on in the background. Quit from the tray icon's menu."))
            return
        self._closed = True
        self._changes.stop()
        self.service.stop_auto_sync()
        if self.status.busy:
            self.service.cancel_sync()
            self.progress.setFormat("Stopping...")
        self._unsubscribe()
        self.tray.hide()
        super().closeEvent(event)
        self.closed.emit()

    def changeEvent(self, event: QEvent) -> None:
        """The system switched between light and dark: redraw what was drawn from the palette."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.setWindowIcon(app_icon())
        super().changeEvent(event)
