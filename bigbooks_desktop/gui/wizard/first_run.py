"""The first-run set-up: welcome (the demo store, or your own), the keychain choice when there is none,
BigCommerce, FreshBooks, where the first sync starts (with its preview), and start.

The main window opens it when nothing is connected; `finished_setup` says the sign-ins and the first sync's
start are saved (the window then starts the first sync). Every step runs through `gui.ops.run_op`; nothing here
waits on the GUI thread.
"""

from __future__ import annotations

import asyncio
import html
from enum import IntEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCommandLinkButton,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
    QWizard,
    QWizardPage,
)

from bigbooks_desktop import APP_NAME
from bigbooks_desktop.core.views import ConnectionsView, PreferencesView, SyncSummaryView
from bigbooks_desktop.gui.ops import run_op
from bigbooks_desktop.gui.wizard.backfill import BackfillChooser
from bigbooks_desktop.gui.wizard.bigcommerce import BigCommerceSignIn, describe_store
from bigbooks_desktop.gui.wizard.common import (
    InlineErrors,
    MessageLine,
    UrlOpener,
    column,
    hint,
    make_button,
    open_in_browser,
)
from bigbooks_desktop.gui.wizard.freshbooks import FreshBooksSignIn, describe_business

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["FirstRunWizard", "WizardPage"]


class WizardPage(IntEnum):
    """The pages, in order; the names are the screenshots' (`first-run-<name>.png`)."""

    WELCOME = 0
    KEYCHAIN = 1
    BIGCOMMERCE = 2
    FRESHBOOKS = 3
    BACKFILL = 4
    START = 5

    @property
    def slug(self) -> str:
        return self.name.lower()


class _WelcomePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(f"Welcome to {APP_NAME}")
        self.setSubTitle("Every paid BigCommerce order becomes one correct FreshBooks invoice, with its payment, "
                         "refunds and credits. Set-up takes a few minutes.")
        self.demo_button = QCommandLinkButton("&Try the demo store",
                                              "A sample store and sample books on this computer: nothing real "
                                              "is touched.")
        self.connect_button = QCommandLinkButton(
            "&Connect my store", "Sign in to your BigCommerce store (read only) and your FreshBooks business. You "
            "need a store-level API account from the BigCommerce control panel (the next page says how), and "
            "your FreshBooks login with your FreshBooks app's client ID and secret.")
        self.connect_button.setToolTip("Connect BigCommerce, then FreshBooks, then choose where the first sync "
                                       "starts")
        self.demo_button.clicked.connect(lambda: wizard.choose(demo=True))
        self.connect_button.clicked.connect(lambda: wizard.choose(demo=False))
        self.message = MessageLine()
        layout = column(self)
        layout.addWidget(self.connect_button)
        layout.addSpacing(8)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.message)
        layout.addSpacing(24)
        layout.addWidget(hint("Your sign-in tokens are kept in your system's keychain. BigBooks only reads your "
                              "store; in FreshBooks it creates clients, items, taxes, invoices, payments and "
                              "credit notes, and never deletes anything you made."))
        layout.addStretch(1)

    def initializePage(self) -> None:
        offered = self.wizard_.service.demo_store_offered()
        self.demo_button.setEnabled(offered)
        self.demo_button.setDescription(
            "A sample store and sample books on this computer: nothing real is touched." if offered else
            "Not here: `bigbooks demo` opens BigBooks on a sample store, in a profile of its own.")
        self.demo_button.setToolTip(
            "Sign in to the built-in demo store and its sample FreshBooks books" if offered else
            "The demo store runs with `bigbooks demo`, in a profile of its own, apart from your books")

    def isComplete(self) -> bool:
        return False          # one of the two choices moves on


class _KeychainPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("No keychain on this computer")
        self.setSubTitle("BigBooks keeps your sign-in tokens in the system's keychain, and this computer has none "
                         "it can use.")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.use_file = make_button("&Keep the tokens in a private file", "Keep the sign-in tokens in a file "
                                    "readable only by your user account (not encrypted)")
        self.use_file.clicked.connect(self.opt_in)
        self.message = MessageLine()
        self.errors = InlineErrors(self.message)
        button = QHBoxLayout()
        button.addWidget(self.use_file)
        button.addStretch(1)
        layout = column(self)
        layout.addWidget(self.explain)
        layout.addLayout(button)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def initializePage(self) -> None:
        path = html.escape(str(self.wizard_.service.file_store_path()))
        self.explain.setText(
            "<p>You can either:</p><ul>"
            "<li><b>Use a keychain</b>: quit, start a desktop session with one (GNOME Keyring, KWallet, macOS "
            "Keychain, Windows Credential Manager) and open BigBooks again; or</li>"
            "<li><b>keep the tokens in a private file</b>: a plain file that only your user account can read "
            f"(<code>{path}</code>). Anyone who can read your files as you, or your backups, can then use "
            "your BigCommerce and FreshBooks access. Signing out deletes it.</li></ul>")

    def opt_in(self) -> asyncio.Future[ConnectionsView]:
        return run_op(self, self.wizard_.service.use_file_store(), on_success=self._opted_in,
                      presenter=self.errors, busy=[self.use_file])

    def _opted_in(self, status: ConnectionsView) -> None:
        self.wizard_.status = status
        self.message.show_ok("Tokens will be kept in the private file. You can continue.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        status = self.wizard_.status
        return status is not None and status.insecure_file_store


class _BigCommercePage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard, open_url: UrlOpener) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Connect BigCommerce")
        self.setSubTitle("BigBooks reads your store's orders, payments and refunds; it never changes the store.")
        self.panel = BigCommerceSignIn(wizard.service, open_url=open_url)
        self.panel.connected.connect(self._connected)
        column(self).addWidget(self.panel)

    def _connected(self, status: ConnectionsView) -> None:
        self.wizard_.status = status
        self.completeChanged.emit()

    def initializePage(self) -> None:
        status = self.wizard_.status
        if status is not None and status.bigcommerce.connected:
            self.panel.message.show_ok(describe_store(status) + " Continue, or connect another store.")

    def cleanupPage(self) -> None:
        self.panel.cancel()

    def isComplete(self) -> bool:
        status = self.wizard_.status
        return status is not None and status.bigcommerce.connected


class _FreshBooksPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard, open_url: UrlOpener) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Sign in to FreshBooks")
        self.setSubTitle("Invoices, clients and payments are written to the FreshBooks business you choose.")
        self.panel = FreshBooksSignIn(wizard.service, open_url=open_url)
        self.panel.connected.connect(self._connected)
        column(self).addWidget(self.panel)

    def _connected(self, status: ConnectionsView) -> None:
        self.wizard_.status = status
        self.completeChanged.emit()

    def initializePage(self) -> None:
        self.panel.load_app()
        status = self.wizard_.status
        if status is not None and status.freshbooks.connected:
            self.panel.message.show_ok(describe_business(status) + " Continue, or sign in again.")

    def cleanupPage(self) -> None:
        self.panel.cancel()

    def isComplete(self) -> bool:
        status = self.wizard_.status
        return status is not None and status.freshbooks.connected


class _BackfillPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Where the first sync starts")
        self.setSubTitle("Choose how far back the first sync copies orders. The preview reads your store and "
                         "counts what would be created; nothing is written yet.")
        self.connecting = MessageLine()
        self.errors = InlineErrors(self.connecting)
        self.chooser = BackfillChooser(wizard.service)
        layout = column(self)
        layout.addWidget(self.connecting)
        layout.addWidget(self.chooser)
        self.pending: asyncio.Future[ConnectionsView] | None = None

    def initializePage(self) -> None:
        preferences = self.wizard_.preferences
        self.chooser.set_start(preferences.backfill_start if preferences else None)
        status = self.wizard_.status
        if self.wizard_.demo and not (status and status.bigcommerce.connected and status.freshbooks.connected):
            self.connecting.show_info("Signing in to the demo store...")
            self.pending = run_op(self, self.wizard_.service.connect_demo_store(), on_success=self._demo_connected,
                                  presenter=self.errors, busy=[self.chooser])
        elif self.chooser.chosen_start() is not None:
            self.chooser.preview()

    def _demo_connected(self, status: ConnectionsView) -> None:
        self.wizard_.status = status
        self.connecting.show_ok(f"{describe_store(status)} {describe_business(status)}")
        self.completeChanged.emit()
        if self.chooser.chosen_start() is not None:
            self.chooser.preview()

    def cleanupPage(self) -> None:
        self.chooser.cancel()

    def validatePage(self) -> bool:
        self.chooser.cancel()
        return True

    def isComplete(self) -> bool:
        status = self.wizard_.status
        return status is not None and status.bigcommerce.connected and status.freshbooks.connected


class _StartPage(QWizardPage):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Ready to start")
        self.setSubTitle("BigBooks now runs the first sync. Orders that cannot be synced wait in the error inbox "
                         "with the reason and what to do; nothing is lost or written twice.")
        self.store = QLabel()
        self.business = QLabel()
        self.first_sync = QLabel()
        for label in (self.store, self.business, self.first_sync):
            label.setWordWrap(True)
        self.auto_sync = QCheckBox("Sync &automatically while BigBooks Desktop runs")
        self.auto_sync.setChecked(True)
        self.message = MessageLine()
        summary = QFormLayout()
        summary.setVerticalSpacing(10)
        summary.addRow("<b>BigCommerce</b>", self.store)
        summary.addRow("<b>FreshBooks</b>", self.business)
        summary.addRow("<b>First sync</b>", self.first_sync)
        layout = column(self)
        layout.addLayout(summary)
        layout.addSpacing(16)
        layout.addWidget(self.auto_sync)
        layout.addWidget(self.message)
        layout.addSpacing(16)
        layout.addWidget(hint("Everything here can be changed later in Settings: the accounts, the schedule, "
                              "draft or sent invoices, and more."))
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self.wizard_
        status, preferences = wizard.status, wizard.preferences
        minutes = (preferences.poll_interval_seconds if preferences else 300) / 60
        self.auto_sync.setToolTip(f"Look for new and changed orders every {minutes:g} minutes (Settings > "
                                  "Schedule changes the interval)")
        self.auto_sync.setText(f"Sync &automatically every {minutes:g} minutes while BigBooks Desktop runs")
        start = wizard.backfill.chooser.chosen_start()
        if status is not None:
            self.store.setText(describe_store(status))
            self.business.setText(describe_business(status))
        preview = wizard.backfill.chooser.summary
        first = (f"Orders from <b>{start.isoformat()}</b>" if start else "Orders from now on only")
        if start and preview is not None:
            first += f": {preview.planned_totals.invoices_to_create} invoices to create"
        self.first_sync.setText(f"{first}.")

    def summary_text(self) -> str:
        return " ".join(label.text() for label in (self.store, self.business, self.first_sync))


class FirstRunWizard(QWizard):
    """`FirstRunWizard(service, parent)`; open it with `open()`. `finished_setup` fires once the sign-ins and
    the first sync's start are saved (with the saved preferences)."""

    finished_setup = Signal(object)      # PreferencesView

    def __init__(self, service: BigBooksService, parent: QWidget | None = None, *,
                 open_url: UrlOpener = open_in_browser) -> None:
        super().__init__(parent)
        self.service = service
        self.status: ConnectionsView | None = None
        self.preferences: PreferencesView | None = None
        self.demo = False
        self.saving: asyncio.Future[PreferencesView] | None = None
        self.setWindowTitle(f"Set up {APP_NAME}")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Start syncing")
        self.button(QWizard.WizardButton.FinishButton).setToolTip("Save and start the first sync")
        self.button(QWizard.WizardButton.NextButton).setToolTip("Go to the next step (Alt+N)")
        self.button(QWizard.WizardButton.BackButton).setToolTip("Go back a step (Alt+B)")
        self.button(QWizard.WizardButton.CancelButton).setToolTip("Close set-up; it opens again while nothing "
                                                                  "is connected (Esc)")

        self.welcome = _WelcomePage(self)
        self.keychain = _KeychainPage(self)
        self.bigcommerce = _BigCommercePage(self, open_url)
        self.freshbooks = _FreshBooksPage(self, open_url)
        self.backfill = _BackfillPage(self)
        self.start_page = _StartPage(self)
        for page_id, page in ((WizardPage.WELCOME, self.welcome), (WizardPage.KEYCHAIN, self.keychain),
                              (WizardPage.BIGCOMMERCE, self.bigcommerce), (WizardPage.FRESHBOOKS, self.freshbooks),
                              (WizardPage.BACKFILL, self.backfill), (WizardPage.START, self.start_page)):
            self.setPage(page_id, page)
        self.setStartId(WizardPage.WELCOME)
        self.resize(QSize(820, 640))
        self._chosen_early: bool | None = None
        self.loading = run_op(self, self._load(), presenter=InlineErrors(self.welcome.message))

    async def _load(self) -> None:
        self.preferences = self.service.preferences()
        self.status = await self.service.status()
        if self._chosen_early is not None:        # clicked before the sign-ins were read: go on now
            self.choose(demo=self._chosen_early)

    # -- the path through the pages --------------------------------------------------------------------

    def needs_keychain_choice(self) -> bool:
        status = self.status
        return status is not None and not status.keychain_available and not status.insecure_file_store

    def choose(self, *, demo: bool) -> None:
        """The welcome page's two ways: the demo store, or the merchant's own accounts."""
        if self.status is None:
            self._chosen_early = demo  # still loading: the choice is made once the sign-ins are known
            return
        self._chosen_early = None
        self.demo = demo
        self.next()

    def nextId(self) -> int:
        current = self.currentId()
        if current == WizardPage.WELCOME:
            if self.needs_keychain_choice():
                return WizardPage.KEYCHAIN
            return WizardPage.BACKFILL if self.demo else WizardPage.BIGCOMMERCE
        if current == WizardPage.KEYCHAIN:
            return WizardPage.BACKFILL if self.demo else WizardPage.BIGCOMMERCE
        if current == WizardPage.START:
            return -1
        return current + 1

    def go_to(self, page: WizardPage, *, demo: bool = False) -> None:
        """Show `page` (screenshots, tests): from the start, along the path, without the pages' checks."""
        self.demo = demo
        self.restart()
        while self.currentId() != page and self.nextId() != -1:
            self.next()

    # -- finishing -------------------------------------------------------------------------------------

    def accept(self) -> None:
        """Save where the first sync starts and whether auto-sync is on, then close with `finished_setup`."""
        if self.saving is not None and not self.saving.done():
            return
        current = self.service.preferences()
        wanted = PreferencesView(
            poll_interval_seconds=current.poll_interval_seconds,
            background_polling=self.start_page.auto_sync.isChecked(), close_to_tray=current.close_to_tray,
            backfill_start=self.backfill.chooser.chosen_start(), concurrency=current.concurrency,
            max_automatic_retries=current.max_automatic_retries, invoice_mode=current.invoice_mode,
            plaintext_credentials_opt_in=current.plaintext_credentials_opt_in, log_level=current.log_level)
        self.saving = run_op(self, self.service.save_preferences(wanted), on_success=self._saved,
                             presenter=InlineErrors(self.start_page.message),
                             busy=[self.button(QWizard.WizardButton.FinishButton)])

    def _saved(self, preferences: PreferencesView) -> None:
        self.preferences = preferences
        super().accept()
        self.finished_setup.emit(preferences)

    def reject(self) -> None:
        self.bigcommerce.panel.cancel()
        self.freshbooks.panel.cancel()
        self.backfill.chooser.cancel()
        super().reject()

    def preview(self) -> SyncSummaryView | None:
        return self.backfill.chooser.summary
