"""The settings window: Accounts, Schedule, Sync policies, Data folder, Diagnostics and About.

The Accounts tab acts at once (sign in, sign out). The preferences on the other tabs are saved together with
Save (Ctrl+S), checked by the service, and announced with `preferences_changed`. Everything runs through
`gui.ops.run_op`.
"""

from __future__ import annotations

import asyncio
import html
import platform
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import QDate, QUrl, Signal, qVersion
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop import APP_NAME, __version__
from bigbooks_desktop.core.preferences import (
    CONCURRENCY_RANGE,
    POLL_INTERVAL_RANGE,
    RETRIES_RANGE,
    InvoiceMode,
    LogLevel,
)
from bigbooks_desktop.core.views import ConnectionsView, DiagnosticsView, PreferencesView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.ops import run_op
from bigbooks_desktop.gui.pages.settings_accounts import AccountsTab
from bigbooks_desktop.gui.wizard.common import (
    InlineErrors,
    MessageLine,
    UrlOpener,
    column,
    heading,
    hint,
    make_button,
    open_in_browser,
    selectable,
)

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["SettingsDialog", "SettingsTab"]


class SettingsTab(IntEnum):
    """The tabs, in order; the slugs name the screenshots (`settings-<slug>.png`)."""

    ACCOUNTS = 0
    SCHEDULE = 1
    POLICIES = 2
    DATA = 3
    DIAGNOSTICS = 4
    ABOUT = 5

    @property
    def slug(self) -> str:
        return {SettingsTab.POLICIES: "sync-policies", SettingsTab.DATA: "data-folder"}.get(self, self.name.lower())


def _every(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"every {seconds // 3600} hour(s)"
    if seconds % 60 == 0:
        return f"every {seconds // 60} minute(s)"
    return f"every {seconds} seconds"


class _ScheduleTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.auto_sync = QCheckBox("Sync auto&matically while BigBooks Desktop runs")
        self.auto_sync.setToolTip("Look for new and changed orders on the interval below")
        self.interval = QSpinBox()
        self.interval.setRange(*POLL_INTERVAL_RANGE)
        self.interval.setSingleStep(30)
        self.interval.setSuffix(" s")
        self.interval.setMinimumWidth(110)
        self.interval.setToolTip(f"Seconds between syncs, at least {POLL_INTERVAL_RANGE[0]}")
        self.every = QLabel()
        self.interval.valueChanged.connect(lambda value: self.every.setText(f"({_every(value)})"))
        self.close_to_tray = QCheckBox("Keep running in the system &tray when the window is closed")
        self.close_to_tray.setToolTip("Auto-sync goes on with the window closed; quit from the tray icon's menu")
        tray = QSystemTrayIcon.isSystemTrayAvailable()
        interval = QHBoxLayout()
        interval.addWidget(self.interval)
        interval.addWidget(self.every)
        interval.addStretch(1)
        interval_label = QLabel("&Interval:")
        interval_label.setBuddy(self.interval)
        form = QFormLayout()
        form.addRow(self.auto_sync)
        form.addRow(interval_label, interval)
        form.addRow(self.close_to_tray)
        layout = column(self)
        layout.addLayout(form)
        if not tray:
            layout.addWidget(hint("This desktop shows no system tray, so closing the window quits BigBooks."))
        layout.addSpacing(12)
        layout.addWidget(hint(
            "<b>Why every few minutes, not instantly?</b> BigCommerce can announce new orders (webhooks), but only "
            "to a public https address on the internet, which a desktop app behind a home router does not have. "
            "So BigBooks asks BigCommerce for changed orders on this interval; \"real time\" here means within one "
            "interval (down to 30 seconds). Your store's API rate limit is shared with your other apps."))
        layout.addStretch(1)

    def fill(self, preferences: PreferencesView) -> None:
        self.auto_sync.setChecked(preferences.background_polling)
        self.interval.setValue(preferences.poll_interval_seconds)
        self.every.setText(f"({_every(preferences.poll_interval_seconds)})")
        self.close_to_tray.setChecked(preferences.close_to_tray)


class _PoliciesTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.invoice_mode = QComboBox()
        self.invoice_mode.addItem("Marked as sent (counted in FreshBooks' reports)", InvoiceMode.SENT)
        self.invoice_mode.addItem("Left as drafts, for you to review and send", InvoiceMode.DRAFT)
        describe(self.invoice_mode, "New invoices are",
                 "How new invoices are created in FreshBooks (no email goes to customers)", tooltip=True)
        self.backfill = QCheckBox("The &first sync reads orders from:")
        self.backfill.setToolTip("Unticked: the first sync starts from now on; orders before it are not synced")
        self.backfill_start = QDateEdit()
        self.backfill_start.setCalendarPopup(True)
        self.backfill_start.setDisplayFormat("yyyy-MM-dd")
        self.backfill_start.setMaximumDate(QDate.currentDate())
        describe(self.backfill_start, "First sync reads orders from",
                 "Only used by the first sync (later syncs continue where the last stopped)", tooltip=True)
        self.backfill.toggled.connect(self.backfill_start.setEnabled)
        self.concurrency = QSpinBox()
        self.concurrency.setRange(*CONCURRENCY_RANGE)
        self.concurrency.setMinimumWidth(90)
        self.concurrency.setToolTip("Orders worked on at once; lower it if FreshBooks or BigCommerce slow down")
        self.retries = QSpinBox()
        self.retries.setRange(*RETRIES_RANGE)
        self.retries.setMinimumWidth(90)
        self.retries.setToolTip("How often a temporary failure is retried by itself before the order waits in the "
                                "error inbox for you")
        start = QHBoxLayout()
        start.addWidget(self.backfill)
        start.addWidget(self.backfill_start)
        start.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("New &invoices are:", self.invoice_mode)
        form.addRow(start)
        form.addRow("&Orders at once:", self.concurrency)
        form.addRow("Automatic &retries:", self.retries)
        layout = column(self)
        layout.addLayout(form)
        layout.addWidget(hint("The backfill start only matters before the first sync; to sync older orders later, "
                              "use <b>Sync &gt; Sync from a date...</b> in the main window (Ctrl+Shift+R)."))
        layout.addStretch(1)

    def fill(self, preferences: PreferencesView) -> None:
        self.invoice_mode.setCurrentIndex(self.invoice_mode.findData(preferences.invoice_mode))
        start = preferences.backfill_start or date(date.today().year, 1, 1)
        self.backfill_start.setDate(QDate(start.year, start.month, start.day))
        self.backfill.setChecked(preferences.backfill_start is not None)
        self.backfill_start.setEnabled(preferences.backfill_start is not None)
        self.concurrency.setValue(preferences.concurrency)
        self.retries.setValue(preferences.max_automatic_retries)

    def chosen_start(self) -> date | None:
        if not self.backfill.isChecked():
            return None
        picked = self.backfill_start.date()
        return date(picked.year(), picked.month(), picked.day())


class _DataTab(QWidget):
    def __init__(self, folder: Path, open_url: UrlOpener) -> None:
        super().__init__()
        self.folder = folder
        self.path = selectable(f"<code>{html.escape(str(folder))}</code>")
        self.open_button = make_button("&Open the data folder", "Show the folder in your file manager")
        self.open_button.clicked.connect(lambda: open_url(QUrl.fromLocalFile(str(folder)).toString()))
        form = QFormLayout()
        form.addRow("Data folder:", self.path)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = column(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(hint(
            "It holds <code>bigbooks.sqlite3</code> (what was synced: links between orders and invoices, the error "
            "inbox, run history), <code>preferences.json</code> (these settings), <code>connections.json</code> "
            "(which store and business, never a token) and <code>logs/</code>. Another folder is another profile: "
            "start BigBooks with <code>BIGBOOKS_HOME=/another/folder</code>."))
        layout.addStretch(1)


class _DiagnosticsTab(QWidget):
    def __init__(self, service: BigBooksService, open_url: UrlOpener) -> None:
        super().__init__()
        self.service = service
        self.pending: asyncio.Future[DiagnosticsView] | None = None
        self.file_dialog: QFileDialog | None = None
        self.log_level = QComboBox()
        self.log_level.addItem("Normal: what each sync and order did, and failures", LogLevel.INFO)
        self.log_level.addItem("Detailed: every request to BigCommerce and FreshBooks too", LogLevel.DEBUG)
        self.log_level.addItem("Quiet: problems only", LogLevel.WARNING)
        describe(self.log_level, "Log detail", "How much goes into the log file (tokens are always blanked out)",
                 tooltip=True)
        log = service.log_file()
        self.log_path = selectable(f"<code>{html.escape(str(log))}</code>")
        self.open_logs = make_button("Open the &log folder", "Show the log files in your file manager")
        self.open_logs.clicked.connect(lambda: open_url(QUrl.fromLocalFile(str(log.parent)).toString()))
        self.export_button = make_button("&Export diagnostics...", "Save a zip to attach to a bug report: logs, "
                                         "status, settings, recent runs and the inbox summary, without tokens",
                                         shortcut="Ctrl+E")
        self.export_button.clicked.connect(self.choose_file)
        self.message = MessageLine()
        self.errors = InlineErrors(self.message)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Log &detail:", self.log_level)
        form.addRow("Log file:", self.log_path)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_logs)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = column(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(hint("The diagnostics zip holds the log files, who is signed in (names, never a token), "
                              "these settings, the last 20 runs and the error inbox's rows without order data. "
                              "Tokens and secrets are blanked out of every file."))
        layout.addStretch(1)

    def fill(self, preferences: PreferencesView) -> None:
        self.log_level.setCurrentIndex(self.log_level.findData(preferences.log_level))

    def choose_file(self) -> QFileDialog:
        dialog = QFileDialog(self, "Export diagnostics", str(Path.home() / "bigbooks-diagnostics.zip"),
                             "Zip files (*.zip)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("zip")
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def export_to(self, path: Path) -> asyncio.Future[DiagnosticsView]:
        self.message.show_info("Collecting the diagnostics...")

        def done(report: DiagnosticsView) -> None:
            self.message.show_ok(f"Saved <code>{html.escape(str(report.path))}</code> ({report.size:,} bytes, "
                                 f"{len(report.files)} files). Attach it to your bug report.")

        self.pending = run_op(self, self.service.export_diagnostics(path), on_success=done, presenter=self.errors,
                              busy=[self.export_button])
        return self.pending


class _AboutTab(QWidget):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.version = QLabel(f"Version {__version__}")
        layout = column(self)
        layout.addWidget(heading(APP_NAME, scale=1.6))
        layout.addWidget(self.version)
        layout.addSpacing(8)
        layout.addWidget(QLabel("Keeps a BigCommerce store and FreshBooks books in sync: every paid order becomes "
                                "exactly one correct FreshBooks invoice, with its payments, refunds and credits."))
        layout.addSpacing(8)
        layout.addWidget(selectable(
            f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__} · "
            f"{html.escape(platform.system())}<br>Data folder: <code>{html.escape(str(folder))}</code>"))
        layout.addStretch(1)
        for index in range(layout.count()):
            item = layout.itemAt(index)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                widget.setWordWrap(True)


class SettingsDialog(QDialog):
    """`SettingsDialog(service, parent)`; open it with `open()`. `preferences_changed` carries the saved
    preferences; `accounts_changed` the status after a sign-in or sign-out made here."""

    preferences_changed = Signal(object)     # PreferencesView
    accounts_changed = Signal(object)        # ConnectionsView

    def __init__(self, service: BigBooksService, parent: QWidget | None = None, *,
                 open_url: UrlOpener = open_in_browser) -> None:
        super().__init__(parent)
        self.service = service
        self.preferences: PreferencesView | None = None
        self.saving: asyncio.Future[PreferencesView] | None = None
        self.setWindowTitle(f"{APP_NAME} settings")
        folder = service.data_folder()

        self.accounts = AccountsTab(service, open_url=open_url)
        self.accounts.changed.connect(self.accounts_changed.emit)
        self.schedule = _ScheduleTab()
        self.policies = _PoliciesTab()
        self.data = _DataTab(folder, open_url)
        self.diagnostics = _DiagnosticsTab(service, open_url)
        self.about = _AboutTab(folder)
        self.tabs = QTabWidget()
        for tab, text, tip in (
                (self.accounts, "&Accounts", "Who is signed in where; reconnect, sign out"),
                (self.schedule, "Sc&hedule", "Auto-sync and its interval; the tray"),
                (self.policies, "Sync &policies", "Draft or sent invoices, the backfill start, speed, retries"),
                (self.data, "&Data folder", "Where BigBooks keeps its files"),
                (self.diagnostics, "Dia&gnostics", "The log file and the diagnostics export"),
                (self.about, "Abo&ut", "Version")):
            index = self.tabs.addTab(tab, text)
            self.tabs.setTabToolTip(index, tip)
        describe(self.tabs, "Settings sections", "Accounts, schedule, sync policies, data folder, diagnostics, "
                 "about; Ctrl+Tab moves to the next")

        self.message = MessageLine()
        self.errors = InlineErrors(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.setToolTip("Save the schedule, sync policies and log detail (Ctrl+S)")
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close settings (Esc)")
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(860, 600)
        self.loading = run_op(self, self._load(), presenter=self.errors)

    async def _load(self) -> None:
        self._show_preferences(self.service.preferences())
        self.accounts.show_status(await self.service.status())

    def _show_preferences(self, preferences: PreferencesView) -> None:
        self.preferences = preferences
        for tab in (self.schedule, self.policies, self.diagnostics):
            tab.fill(preferences)
        if preferences.problem:
            self.message.show_info(html.escape(preferences.problem))

    def show_tab(self, tab: SettingsTab) -> None:
        self.tabs.setCurrentIndex(tab)

    def chosen(self) -> PreferencesView:
        """The preferences as the tabs show them now."""
        current = self.preferences or self.service.preferences()
        return PreferencesView(
            poll_interval_seconds=self.schedule.interval.value(),
            background_polling=self.schedule.auto_sync.isChecked(),
            close_to_tray=self.schedule.close_to_tray.isChecked(), backfill_start=self.policies.chosen_start(),
            concurrency=self.policies.concurrency.value(), max_automatic_retries=self.policies.retries.value(),
            invoice_mode=InvoiceMode(self.policies.invoice_mode.currentData()),
            plaintext_credentials_opt_in=current.plaintext_credentials_opt_in,
            log_level=LogLevel(self.diagnostics.log_level.currentData()))

    def save(self) -> asyncio.Future[PreferencesView]:
        def saved(preferences: PreferencesView) -> None:
            self._show_preferences(preferences)
            self.message.show_ok("Settings saved.")
            self.preferences_changed.emit(preferences)

        self.saving = run_op(self, self.service.save_preferences(self.chosen()), on_success=saved,
                             presenter=self.errors, busy=[self.save_button])
        return self.saving

    def status(self) -> ConnectionsView | None:
        return self.accounts.status
