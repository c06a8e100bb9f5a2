"""Connecting a BigCommerce store in the window: a store-level API account (paste the API path and the token,
checked live) or the registered app's install in the browser. Used by the set-up wizard and by Settings'
Reconnect."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.views import ConnectionsView
from bigbooks_desktop.gui.ops import run_op
from bigbooks_desktop.gui.wizard.common import (
    InlineErrors,
    MessageLine,
    UrlOpener,
    hint,
    make_button,
    open_in_browser,
    selectable,
)

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["BigCommerceSignIn", "describe_store"]

_STEPS = (
    "In the BigCommerce control panel open <b>Settings &rsaquo; Store-level API accounts &rsaquo; Create API "
    "account</b>. Give it <b>read-only</b> access to Orders, Order transactions, Customers, Products and "
    "Information &amp; settings. Save, then copy the <b>API path</b> and the <b>access token</b> it shows "
    "once. BigBooks only reads your store."
)


def describe_store(status: ConnectionsView) -> str:
    bc = status.bigcommerce
    if not bc.connected:
        return "Not connected."
    plan = f", plan {bc.plan}" if bc.plan else ""
    name = html.escape(bc.account_name or "your store")
    return f"Connected to <b>{name}</b> (store {html.escape(bc.account_id or '')}{html.escape(plan)})."


class BigCommerceSignIn(QWidget):
    """Emits `connected` with the new status once the store is checked and kept."""

    connected = Signal(object)     # ConnectionsView

    def __init__(self, service: BigBooksService, parent: QWidget | None = None, *,
                 open_url: UrlOpener = open_in_browser) -> None:
        super().__init__(parent)
        self.service = service
        self.open_url = open_url
        self.pending: asyncio.Future[ConnectionsView] | None = None

        self.use_api_account = QRadioButton("Store-level &API account (recommended)")
        self.use_api_account.setToolTip("Paste the API path and access token of an API account you create")
        self.use_install = QRadioButton("Install a registered &app in the browser")
        self.use_install.setToolTip("For developers who registered a BigCommerce app (client ID and secret)")
        self.use_api_account.setChecked(True)
        choice = QButtonGroup(self)
        choice.addButton(self.use_api_account)
        choice.addButton(self.use_install)
        self.methods = QStackedWidget()
        self.methods.addWidget(self._api_account_form())
        self.methods.addWidget(self._install_form())
        self.use_install.toggled.connect(lambda on: self.methods.setCurrentIndex(1 if on else 0))

        self.message = MessageLine()
        self.message.label.linkActivated.connect(self.open_url)
        self.errors = InlineErrors(self.message)
        switch = QHBoxLayout()
        switch.addWidget(self.use_api_account)
        switch.addWidget(self.use_install)
        switch.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(switch)
        layout.addWidget(self.methods)
        layout.addWidget(self.message)
        layout.addStretch(1)

    # -- the two ways in ---------------------------------------------------------------------------------

    def _api_account_form(self) -> QWidget:
        self.api_path = QLineEdit()
        self.api_path.setPlaceholderText("https://api.bigcommerce.com/stores/abc123/v3/")
        self.api_path.setToolTip("The API path BigCommerce shows for the API account")
        self.api_path.setClearButtonEnabled(True)
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("The access token (shown once, when the account is created)")
        self.token.setToolTip("Kept in your system's keychain, never in a file or a log")
        self.connect_button = make_button("&Check and connect", "Ask BigCommerce whether the token works, then "
                                          "keep it in the keychain", shortcut="Ctrl+Return")
        self.connect_button.clicked.connect(self.connect_api_account)
        form = QFormLayout()
        form.addRow("API &path:", self.api_path)
        form.addRow("Access &token:", self.token)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.connect_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(hint(_STEPS))
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        for field in (self.api_path, self.token):
            field.returnPressed.connect(self.connect_api_account)
        return page

    def _install_form(self) -> QWidget:
        app = self.service.bigcommerce_app()
        self.client_id = QLineEdit(app.client_id or "")
        self.client_id.setToolTip("The app's client ID from the BigCommerce developer portal")
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.setPlaceholderText("set in the environment" if app.has_client_secret else "")
        self.client_secret.setToolTip("The app's client secret (kept only for this sign-in)")
        self.login_url = QLineEdit(app.login_url)
        self.login_url.setToolTip("BigCommerce's login host (change it only for a test host)")
        self.api_base = QLineEdit(app.api_base)
        self.api_base.setToolTip("BigCommerce's API host (change it only for a test host)")
        self.install_button = make_button("&Install in the browser", "Open BigCommerce's install page; approve "
                                          "there and come back")
        self.install_button.clicked.connect(self.install_app)
        self.cancel_button = make_button("Cancel the in&stall", "Stop waiting for the browser")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.callback = selectable(f"<code>{html.escape(app.callback_url)}</code>")
        self.callback.setToolTip("Register exactly this auth callback with your BigCommerce app")
        form = QFormLayout()
        form.addRow("Client &ID:", self.client_id)
        form.addRow("Client &secret:", self.client_secret)
        form.addRow("Login host:", self.login_url)
        form.addRow("API host:", self.api_base)
        form.addRow("Auth callback:", self.callback)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.install_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(hint("Register the auth callback below with your app. Your browser warns once that "
                              "the callback's certificate is self-signed (it lives on this computer): continue, "
                              "then approve the install."))
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    # -- operations ----------------------------------------------------------------------------------------

    def connect_api_account(self) -> asyncio.Future[ConnectionsView]:
        self.message.show_info("Checking the token with BigCommerce...")
        coro = self.service.connect_bigcommerce_api_account(self.api_path.text(), self.token.text())
        return self._run(coro, busy=[self.connect_button, self.api_path, self.token, self.use_install])

    def install_app(self) -> asyncio.Future[ConnectionsView]:
        self.message.show_info("Your browser opens BigCommerce's install page. Approve the install there; this "
                               "window continues by itself.")
        coro = self.service.connect_bigcommerce_install(
            open_browser=self.open_url, client_id=self.client_id.text(), client_secret=self.client_secret.text(),
            login_url=self.login_url.text(), api_base=self.api_base.text(), on_url=self._show_url)
        self.cancel_button.show()
        future = self._run(coro, busy=[self.install_button, self.use_api_account])
        future.add_done_callback(lambda _f: self.cancel_button.hide())
        return future

    def _show_url(self, url: str) -> None:
        self.message.show_info(f"Approve the install in your browser; this window continues by itself. If no "
                               f"browser opened, open <a href='{html.escape(url)}'>the install page</a>.")

    def cancel(self) -> None:
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
            self.message.show_info("Install cancelled.")

    def _run(self, coro: Awaitable[ConnectionsView], *, busy: list[QWidget]) -> asyncio.Future[ConnectionsView]:
        self.pending = run_op(self, coro, on_success=self._done, presenter=self.errors, busy=busy)
        return self.pending

    def _done(self, status: ConnectionsView) -> None:
        self.token.clear()
        self.message.show_ok(describe_store(status))
        self.connected.emit(status)
