"""Settings' Accounts tab: who is signed in where, the tokens' health, reconnect and sign out; where the tokens
are kept, and the explicit choice of the private file when there is no keychain."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.views import ConnectionsView, ConnectionView, ServiceName, SignInMethod
from bigbooks_desktop.gui.formatting import local_time
from bigbooks_desktop.gui.ops import run_op
from bigbooks_desktop.gui.wizard.bigcommerce import BigCommerceSignIn, describe_store
from bigbooks_desktop.gui.wizard.common import (
    InlineErrors,
    MessageLine,
    UrlOpener,
    column,
    make_button,
    selectable,
)
from bigbooks_desktop.gui.wizard.freshbooks import FreshBooksSignIn, describe_business

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["AccountsTab", "ReconnectDialog", "token_health"]

_METHODS = {SignInMethod.API_ACCOUNT: "a store-level API account", SignInMethod.APP_INSTALL: "the app install",
            SignInMethod.OAUTH: "FreshBooks sign-in in the browser", SignInMethod.SANDBOX: "the demo store"}
_NAMES = {ServiceName.BIGCOMMERCE: "BigCommerce", ServiceName.FRESHBOOKS: "FreshBooks"}


def token_health(connection: ConnectionView, now: datetime | None = None) -> str:
    """The sign-in's health in words: which method, when the access token expires, problems."""
    if not connection.connected:
        return html.escape(connection.problem or "Not signed in.")
    parts = [f"Signed in with {_METHODS.get(connection.method, 'an unknown method')}"
             if connection.method else "Signed in"]
    if connection.token_expires_at is not None:
        left = connection.token_expires_at - (now or datetime.now(UTC))
        if left.total_seconds() > 0:
            parts.append(f"access token valid until {local_time(connection.token_expires_at)}, renewed "
                         "automatically")
        else:
            parts.append("access token expired; it is renewed at the next sync")
    elif connection.service is ServiceName.BIGCOMMERCE:
        parts.append("the token does not expire (delete the API account to revoke it)")
    if connection.last_refresh_at is not None:
        parts.append(f"last renewed {local_time(connection.last_refresh_at)}")
    text = html.escape("; ".join(parts) + ".")
    if connection.refresh_interrupted:
        text += "<br><b>A renewal was interrupted.</b> If syncing stops for sign-in, reconnect."
    if connection.problem:
        text += f"<br><b>{html.escape(connection.problem)}</b>"
    return text


class ReconnectDialog(QDialog):
    """A sign-in panel in a dialog of its own; closes itself once signed in."""

    def __init__(self, panel: BigCommerceSignIn | FreshBooksSignIn, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.setWindowTitle(title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(panel)
        layout.addWidget(buttons)
        self.resize(720, 460)
        panel.connected.connect(lambda _status: self.accept())

    def reject(self) -> None:
        self.panel.cancel()
        super().reject()


class _ServiceBox(QGroupBox):
    def __init__(self, service: ServiceName, *, connect: str, reconnect: str, sign_out: str) -> None:
        super().__init__(_NAMES[service])
        self.service = service
        self.texts = (connect, reconnect)
        self.who = selectable()
        self.health = selectable()
        self.reconnect = make_button(connect, f"Sign in to {_NAMES[service]}, again or to another account")
        self.sign_out = make_button(sign_out, f"Forget the {_NAMES[service]} tokens; syncing stops until you "
                                              "sign in again")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reconnect)
        buttons.addWidget(self.sign_out)
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addWidget(self.health)
        layout.addLayout(buttons)

    def show_status(self, status: ConnectionsView) -> None:
        connection = status.bigcommerce if self.service is ServiceName.BIGCOMMERCE else status.freshbooks
        self.who.setText(describe_store(status) if self.service is ServiceName.BIGCOMMERCE
                         else describe_business(status))
        no_vault = not status.keychain_available and not status.insecure_file_store
        self.health.setText("There is no keychain to keep the tokens in yet: see <b>Where the tokens are kept</b> "
                            "below." if no_vault and not connection.connected else token_health(connection))
        self.sign_out.setEnabled(connection.connected)
        self.reconnect.setText(self.texts[1] if connection.connected else self.texts[0])


class AccountsTab(QWidget):
    """Emits `changed` with the new status after a sign-in or a sign-out made here."""

    changed = Signal(object)      # ConnectionsView

    def __init__(self, service: BigBooksService, *, open_url: UrlOpener) -> None:
        super().__init__()
        self.service = service
        self.open_url = open_url
        self.status: ConnectionsView | None = None
        self.pending: asyncio.Future[ConnectionsView] | None = None
        self.confirm: QMessageBox | None = None
        self.reconnecting: ReconnectDialog | None = None

        self.bigcommerce = _ServiceBox(ServiceName.BIGCOMMERCE, connect="&Connect...", reconnect="&Reconnect...",
                                       sign_out="Sign &out")
        self.freshbooks = _ServiceBox(ServiceName.FRESHBOOKS, connect="Sign &in...", reconnect="Sign &in again...",
                                      sign_out="Sig&n out")
        self.bigcommerce.reconnect.clicked.connect(lambda: self.reconnect(ServiceName.BIGCOMMERCE))
        self.freshbooks.reconnect.clicked.connect(lambda: self.reconnect(ServiceName.FRESHBOOKS))
        self.bigcommerce.sign_out.clicked.connect(lambda: self.ask_sign_out(ServiceName.BIGCOMMERCE))
        self.freshbooks.sign_out.clicked.connect(lambda: self.ask_sign_out(ServiceName.FRESHBOOKS))
        self.sign_out_both = make_button("Sign out of &both", "Forget every token of this profile")
        self.sign_out_both.clicked.connect(lambda: self.ask_sign_out(None))

        self.vault = QGroupBox("Where the tokens are kept")
        self.vault_text = selectable()
        self.use_file = make_button("&Keep tokens in a private file...", "Without a keychain: keep the tokens in "
                                    "a file only your user account can read (not encrypted)")
        self.use_file.clicked.connect(self.ask_file_store)
        use_file = QHBoxLayout()
        use_file.addWidget(self.use_file)
        use_file.addStretch(1)
        vault = QVBoxLayout(self.vault)
        vault.addWidget(self.vault_text)
        vault.addLayout(use_file)

        self.message = MessageLine()
        self.errors = InlineErrors(self.message)
        both = QHBoxLayout()
        both.addStretch(1)
        both.addWidget(self.sign_out_both)
        layout = column(self)
        layout.addWidget(self.bigcommerce)
        layout.addWidget(self.freshbooks)
        layout.addLayout(both)
        layout.addWidget(self.vault)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def show_status(self, status: ConnectionsView) -> None:
        self.status = status
        self.bigcommerce.show_status(status)
        self.freshbooks.show_status(status)
        self.sign_out_both.setEnabled(status.bigcommerce.connected or status.freshbooks.connected)
        choice_needed = not status.keychain_available and not status.insecure_file_store
        if status.insecure_file_store:
            where = (f"<b>In a private file, not encrypted</b> (you chose this; there is no keychain): "
                     f"<code>{html.escape(str(self.service.file_store_path()))}</code>. Only your user account "
                     "can read it. Signing out of both deletes it.")
        elif choice_needed:
            where = ("<b>Nowhere yet: this computer has no keychain</b> BigBooks can use. Start a desktop session "
                     "with one (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager), or keep the "
                     "tokens in a private file that only your user account can read.")
        else:
            where = (f"Safely in your system's keychain.<br>Keychain: <code>{html.escape(status.keychain)}</code>")
        self.vault_text.setText(where)
        self.use_file.setVisible(choice_needed)

    def _run(self, coro: Awaitable[ConnectionsView], done: str, busy: list[QWidget]) -> asyncio.Future[
            ConnectionsView]:
        def finished(status: ConnectionsView) -> None:
            self.show_status(status)
            self.message.show_ok(done)
            self.changed.emit(status)

        self.pending = run_op(self, coro, on_success=finished, presenter=self.errors, busy=busy)
        return self.pending

    # -- reconnect -----------------------------------------------------------------------------------------

    def reconnect(self, which: ServiceName) -> ReconnectDialog:
        panel: BigCommerceSignIn | FreshBooksSignIn
        if which is ServiceName.BIGCOMMERCE:
            panel = BigCommerceSignIn(self.service, open_url=self.open_url)
        else:
            panel = FreshBooksSignIn(self.service, open_url=self.open_url)
            panel.load_app()
        panel.connected.connect(self._reconnected)
        dialog = ReconnectDialog(panel, f"Connect {_NAMES[which]}", self)
        self.reconnecting = dialog
        dialog.open()
        return dialog

    def _reconnected(self, status: ConnectionsView) -> None:
        self.show_status(status)
        self.message.show_ok("Signed in again.")
        self.changed.emit(status)

    # -- sign out --------------------------------------------------------------------------------------------

    def ask_sign_out(self, which: ServiceName | None) -> QMessageBox:
        name = _NAMES[which] if which is not None else "BigCommerce and FreshBooks"
        box = QMessageBox(QMessageBox.Icon.Question, f"Sign out of {name}?",
                          f"Sign out of {name}? BigBooks forgets the tokens and stops syncing until you sign in "
                          "again. Nothing in your store or your books changes.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("Sign &out")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda: self.sign_out(which))
        self.confirm = box
        box.open()
        return box

    def sign_out(self, which: ServiceName | None) -> asyncio.Future[ConnectionsView]:
        name = _NAMES[which] if which is not None else "both services"
        return self._run(self.service.sign_out(which), f"Signed out of {name}.",
                         busy=[self.bigcommerce, self.freshbooks, self.sign_out_both])

    # -- the file store ----------------------------------------------------------------------------------------

    def ask_file_store(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, "Keep tokens in a private file?",
                          "Your BigCommerce and FreshBooks tokens will be kept in a plain file that only your user "
                          "account can read. Anyone who can read your files as you (or your backups) can use them. "
                          "Keep them there?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("&Keep them in a file")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(self.use_file_store)
        self.confirm = box
        box.open()
        return box

    def use_file_store(self) -> asyncio.Future[ConnectionsView]:
        return self._run(self.service.use_file_store(), "Tokens will be kept in the private file. Connect the "
                         "services above.", busy=[self.use_file])
