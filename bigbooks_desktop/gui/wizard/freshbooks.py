"""Signing in to FreshBooks in the window: the system browser opens FreshBooks' consent page; the answer comes
back by itself (the redirect receiver) or as the address the user pastes; a user with several businesses picks
one here. Used by the set-up wizard and by Settings' Reconnect."""

from __future__ import annotations

import asyncio
import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.views import BusinessView, ConnectionsView
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

__all__ = ["FreshBooksSignIn", "describe_business"]


def describe_business(status: ConnectionsView) -> str:
    fb = status.freshbooks
    if not fb.connected:
        return "Not signed in."
    who = f" as {html.escape(fb.user_email)}" if fb.user_email else ""
    return (f"Signed in{who}; invoices go to <b>{html.escape(fb.account_name or 'your business')}</b> "
            f"(account {html.escape(fb.account_id or '')}).")


class FreshBooksSignIn(QWidget):
    """Emits `connected` with the new status once the sign-in is kept. `pending` is the running sign-in."""

    connected = Signal(object)     # ConnectionsView

    def __init__(self, service: BigBooksService, parent: QWidget | None = None, *,
                 open_url: UrlOpener = open_in_browser) -> None:
        super().__init__(parent)
        self.service = service
        self.open_url = open_url
        self.pending: asyncio.Future[ConnectionsView] | None = None
        self._pasted: asyncio.Future[str] | None = None
        self._choice: asyncio.Future[str] | None = None

        self.sign_in_button = make_button("Sign &in with FreshBooks", "Open FreshBooks' sign-in page in your "
                                          "browser", shortcut="Ctrl+Return", default=True)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.cancel_button = make_button("&Cancel sign-in", "Stop waiting for the browser")
        self.cancel_button.clicked.connect(self.cancel)
        self.app_button = make_button("&FreshBooks app...", "Show or hide the FreshBooks app's client ID, "
                                      "secret and hosts")
        self.app_button.setCheckable(True)

        self.message = MessageLine()
        self.message.label.linkActivated.connect(self.open_url)
        self.errors = InlineErrors(self.message)
        self.paste_box = self._paste_row()
        self.business_box = self._business_row()
        self.app_box = self._app_settings()
        self.app_button.toggled.connect(self.app_box.setVisible)

        buttons = QHBoxLayout()
        buttons.addWidget(self.app_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint("FreshBooks signs you in in your browser: you approve BigBooks Desktop there and "
                              "choose the business its invoices go to. BigBooks never sees your password."))
        layout.addWidget(self.app_box)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.business_box)
        layout.addWidget(self.paste_box)
        layout.addStretch(1)
        self._set_waiting(False)

    # -- the parts -----------------------------------------------------------------------------------------

    def _app_settings(self) -> QGroupBox:
        self.client_id = QLineEdit()
        self.client_id.setToolTip("Your FreshBooks app's client ID (FreshBooks developer page)")
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.setToolTip("Your FreshBooks app's client secret; kept in the keychain with the sign-in")
        self.auth_url = QLineEdit()
        self.auth_url.setToolTip("FreshBooks' sign-in host (change it only for a test host)")
        self.api_url = QLineEdit()
        self.api_url.setToolTip("FreshBooks' API host (change it only for a test host)")
        self.redirect_uri = selectable()
        self.redirect_uri.setToolTip("Register exactly this redirect URI with your FreshBooks app")
        self.auth_url.textChanged.connect(self._show_redirect)
        box = QGroupBox("FreshBooks app")
        form = QFormLayout(box)
        form.addRow("Client I&D:", self.client_id)
        form.addRow("Client &secret:", self.client_secret)
        form.addRow("Sign-in host:", self.auth_url)
        form.addRow("API host:", self.api_url)
        form.addRow("Redirect URI:", self.redirect_uri)
        box.hide()
        return box

    def _paste_row(self) -> QWidget:
        self.pasted = QLineEdit()
        self.pasted.setPlaceholderText("https://localhost:53682/callback?code=...&state=...")
        self.pasted.setToolTip("If the browser ends on an error page, copy its whole address here")
        self.paste_button = make_button("&Use this address", "Finish the sign-in with the address the browser "
                                        "ended on")
        self.paste_button.clicked.connect(self.use_pasted)
        self.pasted.returnPressed.connect(self.use_pasted)
        row = QWidget()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(hint("Did the browser end on an error page instead of \"Signed in\"? Copy the "
                              "<b>whole address</b> from its address bar and paste it here:"))
        line = QHBoxLayout()
        line.addWidget(self.pasted, 1)
        line.addWidget(self.paste_button)
        layout.addLayout(line)
        return row

    def _business_row(self) -> QWidget:
        self.businesses = QComboBox()
        self.businesses.setToolTip("The FreshBooks business BigBooks writes invoices to")
        self.business_button = make_button("Use this &business", "Write invoices to the business chosen here",
                                           default=True)
        self.business_button.clicked.connect(self.choose_business)
        row = QWidget()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(QLabel("<b>You belong to several FreshBooks businesses.</b> Which one should BigBooks "
                                "write invoices to?"))
        line = QHBoxLayout()
        line.addWidget(self.businesses, 1)
        line.addWidget(self.business_button)
        layout.addLayout(line)
        row.hide()
        return row

    def load_app(self) -> asyncio.Future[None]:
        """Fill the app fields from what the service knows (environment, last sign-in); show them when the
        sign-in cannot work without them."""
        async def load() -> None:
            app = await self.service.freshbooks_app()
            self.client_id.setText(app.client_id or "")
            self.client_secret.setPlaceholderText("known (environment or last sign-in)" if app.has_client_secret
                                                  else "")
            self.auth_url.setText(app.auth_url)
            self.api_url.setText(app.api_url)
            self.app_button.setChecked(not (app.client_id and app.has_client_secret))

        return run_op(self, load(), presenter=self.errors)

    def _show_redirect(self, auth_url: str) -> None:
        uri = self.service.freshbooks_redirect_uri(auth_url.strip() or "https://auth.freshbooks.com")
        self.redirect_uri.setText(f"<code>{html.escape(uri)}</code>")

    # -- the sign-in ---------------------------------------------------------------------------------------

    def sign_in(self) -> asyncio.Future[ConnectionsView]:
        self.cancel()
        loop = asyncio.get_event_loop()
        pasted: asyncio.Future[str] = loop.create_future()
        self._pasted = pasted
        self.message.show_info("Your browser opens FreshBooks' sign-in page. Approve BigBooks Desktop there; this "
                               "window continues by itself.")

        async def read_pasted() -> str:
            return await pasted

        coro = self.service.connect_freshbooks(
            open_browser=self.open_url, read_pasted=read_pasted, choose_business=self._ask_business,
            client_id=self.client_id.text(), client_secret=self.client_secret.text(),
            auth_url=self.auth_url.text(), api_url=self.api_url.text(), on_url=self._show_url)
        self._set_waiting(True)
        self.pending = run_op(self, coro, on_success=self._done, presenter=self.errors,
                              busy=[self.client_id, self.client_secret, self.auth_url, self.api_url])
        self.pending.add_done_callback(lambda _f: self._set_waiting(False))
        return self.pending

    def _show_url(self, url: str) -> None:
        self.message.show_info("Approve BigBooks Desktop in your browser; this window continues by itself. If no "
                               f"browser opened, open <a href='{html.escape(url)}'>FreshBooks' sign-in page</a>.")

    def use_pasted(self) -> None:
        text = self.pasted.text().strip()
        if text and self._pasted is not None and not self._pasted.done():
            self._pasted.set_result(text)
            self.pasted.clear()
            self.message.show_info("Finishing the sign-in...")

    async def _ask_business(self, businesses: tuple[BusinessView, ...]) -> str:
        self.businesses.clear()
        for business in businesses:
            role = f", {business.role}" if business.role else ""
            self.businesses.addItem(f"{business.name} (account {business.account_id}{role})", business.account_id)
        self._choice = asyncio.get_event_loop().create_future()
        self.paste_box.hide()
        self.business_box.show()
        self.message.show_info("Signed in to FreshBooks. Choose the business below.")
        self.businesses.setFocus()
        try:
            return await self._choice
        finally:
            self.business_box.hide()

    def choose_business(self) -> None:
        if self._choice is not None and not self._choice.done():
            self._choice.set_result(str(self.businesses.currentData()))

    def cancel(self) -> None:
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
            self.message.show_info("Sign-in cancelled.")

    def _set_waiting(self, waiting: bool) -> None:
        self.sign_in_button.setEnabled(not waiting)
        self.cancel_button.setVisible(waiting)
        self.paste_box.setVisible(waiting)
        if not waiting:
            self.business_box.hide()

    def _done(self, status: ConnectionsView) -> None:
        self.client_secret.clear()
        self.client_secret.setPlaceholderText("kept with the sign-in")
        self.app_button.setChecked(False)
        self.message.show_ok(describe_business(status))
        self.connected.emit(status)
