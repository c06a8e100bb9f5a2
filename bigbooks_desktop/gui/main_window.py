"""The main window: who is connected, the sync (Sync now, cancel, auto-sync, live progress, the last run), recent
runs and the error inbox, kept true by the sync coordinator's events and by a cheap check for changes made by
another process (the CLI, cron, a sign-in); the tray and in-window notices. The sync's actions and status
events are `WindowSync`'s (gui/window_sync.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop import APP_NAME, __version__
from bigbooks_desktop.core.errors import BigBooksError, ConfigurationError
from bigbooks_desktop.core.paths import preferences_path
from bigbooks_desktop.core.views import PreferencesView, ServiceName, SyncSummaryView
from bigbooks_desktop.gui import optional_dialogs
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.app_icon import app_icon
from bigbooks_desktop.gui.connection_card import ConnectionCard
from bigbooks_desktop.gui.models.run_history import RunHistoryModel
from bigbooks_desktop.gui.notice_bar import NoticeBar
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.optional_dialogs import DialogKind
from bigbooks_desktop.gui.sync_panel import SyncPanel
from bigbooks_desktop.gui.sync_text import Notice, NoticeKind, describe_summary, last_sync_line
from bigbooks_desktop.gui.tray import TrayController
from bigbooks_desktop.gui.window_actions import WindowActions, action_button
from bigbooks_desktop.gui.window_pages import Screen, WindowPages
from bigbooks_desktop.gui.window_sync import WindowSync
from bigbooks_desktop.service.coordination import ChangeStamp, SyncState, SyncStatusView

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from bigbooks_desktop.service import BigBooksService

__all__ = ["MainWindow", "describe_summary"]

log = logging.getLogger(__name__)

CHANGE_CHECK_MS = 1000        # how often the window looks for changes made by another process


class MainWindow(WindowSync, QMainWindow):
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
        self._full_reload = False            # a reload of every screen asked for (see `refresh`)
        self._told_about_tray = False
        self.dialogs: dict[DialogKind, QDialog] = {}
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.resize(1100, 700)

        self._make_actions()
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
        actions = WindowActions(self)
        actions.fill_menus(self.menuBar())
        self.sync_action, self.cancel_action, self.auto_sync_action = actions.sync, actions.cancel, actions.auto_sync
        self.sync_from_action = actions.sync_from
        self.reload_action, self.settings_action, self.setup_action = actions.reload, actions.settings, actions.setup
        self.screen_actions = actions.screens
        self.inbox_tab_action = actions.screens[Screen.INBOX]
        self.open_action, self.close_action, self.quit_action = actions.open, actions.close, actions.quit
        self.about_action = actions.about
        self.sync_action.triggered.connect(self.sync_now)
        self.sync_from_action.triggered.connect(self.ask_sync_from_date)
        self.cancel_action.triggered.connect(self.cancel_sync)
        self.auto_sync_action.triggered.connect(self.toggle_auto_sync)
        self.reload_action.triggered.connect(self._reload_quietly)
        self.settings_action.triggered.connect(self.open_settings)
        self.setup_action.triggered.connect(self.open_setup)
        for screen, action in zip(Screen, self.screen_actions, strict=True):
            action.triggered.connect(lambda _checked=False, screen=screen: self.tabs.focus_screen(screen))
        self.open_action.triggered.connect(self.show_and_raise)
        self.close_action.triggered.connect(self.close)
        self.quit_action.triggered.connect(self.quit_app)
        self.about_action.triggered.connect(self.show_about)

    def _make_body(self) -> None:
        title = QLabel(APP_NAME)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.sync_button = action_button(self.sync_action)
        self.cancel_button = action_button(self.cancel_action)
        self.settings_button = action_button(self.settings_action)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        for button in (self.settings_button, self.cancel_button, self.sync_button):
            header.addWidget(button)

        self.welcome = QFrame()
        self.welcome.setFrameShape(QFrame.Shape.StyledPanel)
        self.welcome_text = QLabel()
        self.welcome_text.setWordWrap(True)
        self.welcome_button = action_button(self.setup_action)
        welcome_layout = QHBoxLayout(self.welcome)
        welcome_layout.addWidget(self.welcome_text, 1)
        welcome_layout.addWidget(self.welcome_button)
        self.welcome.hide()

        self.bigcommerce_card = ConnectionCard(ServiceName.BIGCOMMERCE)
        self.freshbooks_card = ConnectionCard(ServiceName.FRESHBOOKS)
        cards = QHBoxLayout()
        cards.addWidget(self.bigcommerce_card, 1)
        cards.addWidget(self.freshbooks_card, 1)

        self.sync_panel = SyncPanel()
        self.sync_line, self.progress, self.summary = self.sync_panel.line, self.sync_panel.progress, \
            self.sync_panel.summary
        self.notice_bar = NoticeBar()

        self.tabs = WindowPages(self.service, presenter=self.presenter)
        dashboard = self.tabs.widget(Screen.DASHBOARD)
        assert dashboard is not None
        describe(dashboard, "Dashboard", "Figures for today, this week and this month, "
                 "syncs per day and recent activity; scrolls with the arrow keys")    # the scroll area around it

        root = QWidget()
        layout = QVBoxLayout(root)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.welcome)
        layout.addLayout(cards)
        layout.addWidget(self.notice_bar)
        layout.addWidget(self.sync_panel)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(root)
        self._update_placeholders()

    # -- loading -------------------------------------------------------------------------------------

    def refresh(self, *, quiet: bool = False, shown_only: bool = False) -> asyncio.Future[None]:
        """Reload sign-ins and the screens (a load already under way loads again once it ends); returns the
        future (tests await it). `quiet`: problems go to the status bar instead of a dialog. `shown_only`: only
        the screen shown and the inbox (its count is in the tab) reload now, the others when next shown (a
        run's end: less work on the GUI thread in the moment it redraws what the run did)."""
        self._full_reload = self._full_reload or not shown_only
        if self._loading is not None and not self._loading.done():
            self._reload_again = True
            return self._loading
        self._loading = run_op(self, self._load_until_current(quiet), presenter=self.presenter)
        return self._loading

    async def _load_until_current(self, quiet: bool) -> None:
        while True:
            self._reload_again = False
            shown_only, self._full_reload = not self._full_reload, False
            try:
                await self._load(shown_only=shown_only)
            except BigBooksError as exc:
                if not quiet:
                    raise
                self.statusBar().showMessage(f"Could not reload: {exc.title}")
                log.warning("reload failed: %s", exc)
            if not self._reload_again or not shiboken6.isValid(self):
                return

    async def _load(self, *, shown_only: bool = False) -> None:
        self._stamp = self.service.change_stamp()
        self.preferences = self.service.preferences()         # another process may have changed them
        status = await self.service.status()
        if not shiboken6.isValid(self):
            return                 # deleted meanwhile (closed for good): nothing left to show it on
        was_connected = self.connected
        self.bigcommerce_card.show_status(status.bigcommerce)
        self.freshbooks_card.show_status(status.freshbooks)
        self._update_welcome()                       # with the cards, not after the slower history read
        await self.tabs.refresh(shown_only=shown_only)
        if not shiboken6.isValid(self):
            return
        self._loaded = True
        if self.connected and not was_connected and self.status.state is SyncState.PAUSED:
            self.service.resume_sync()               # signed in again (here, in the wizard, or from the CLI)
        self.apply_auto_sync()
        self._update_placeholders()
        if not self.status.busy:
            self.statusBar().showMessage(last_sync_line(self.status) if self.status.runs else "Ready")

    def _reload_quietly(self) -> None:
        self.refresh(quiet=True)

    @property
    def runs_model(self) -> RunHistoryModel:
        """The runs screen's table (what each run did)."""
        return self.tabs.runs.model

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

    # -- dialogs ---------------------------------------------------------------------------------------

    def open_settings(self) -> QDialog | None:
        """Settings (one window at a time): saved preferences and sign-ins made there take effect here."""
        if self._raise_open(DialogKind.SETTINGS):
            return self.dialogs[DialogKind.SETTINGS]
        dialog = optional_dialogs.make_settings(self.service, self)
        if dialog is None:
            self._not_available("Settings not available", "Settings are not available in this version. "
                                       f"Preferences are kept in {preferences_path()}; sign in with "
                                       "`bigbooks connect`.")
            return None
        dialog.preferences_changed.connect(self._preferences_changed)
        dialog.accounts_changed.connect(lambda _status: self._reload_quietly())
        return self._show_dialog(DialogKind.SETTINGS, dialog)

    def open_setup(self) -> QDialog | None:
        """The set-up wizard; when it finishes, the first sync starts here."""
        if self._raise_open(DialogKind.SETUP):
            return self.dialogs[DialogKind.SETUP]
        dialog = optional_dialogs.make_setup(self.service, self)
        if dialog is None:
            self._not_available("Set-up not available", "The set-up assistant is not available in this "
                                       "version. Connect with `bigbooks connect bigcommerce` and `bigbooks "
                                       "connect freshbooks`; this window notices the sign-ins by itself.")
            return None
        dialog.finished_setup.connect(self._setup_finished)
        return self._show_dialog(DialogKind.SETUP, dialog)

    def _raise_open(self, kind: DialogKind) -> bool:
        existing = self.dialogs.get(kind)
        if existing is None or not existing.isVisible():
            return False
        existing.raise_()
        existing.activateWindow()
        return True

    def _not_available(self, title: str, message: str) -> None:
        self.presenter.show(ConfigurationError(message, title=title))

    def _show_dialog(self, kind: DialogKind, dialog: QDialog) -> QDialog:
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
        sync = self.sync_now()       # the first sync, from the start chosen in the wizard...
        await asyncio.sleep(0)       # ...under way before auto-sync's schedule starts (its first run joins it)
        await self.refresh()
        await asyncio.wait([sync])   # its errors are shown by sync_now's own routing

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
        if not self.tabs.mapping.confirm_leave():       # unsaved mapping edits: the user chose to stay
            event.ignore()
            return
        self._closed = True
        self._changes.stop()
        self.service.stop_auto_sync()
        if self.status.busy:
            self.service.cancel_sync()
            self.sync_panel.show_stopping()
        self._unsubscribe()
        self.tray.hide()
        super().closeEvent(event)
        self.closed.emit()

    def changeEvent(self, event: QEvent) -> None:
        """The system switched between light and dark: redraw what was drawn from the palette."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.setWindowIcon(app_icon())
        super().changeEvent(event)
