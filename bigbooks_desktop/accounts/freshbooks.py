"""Signing in to FreshBooks: the app's configuration, browser sign-in (loopback, https, paste), business.

Every variant ends in `save_freshbooks_sign_in`: redirect answer -> code -> tokens -> business -> keychain.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import httpx

from bigbooks_desktop.accounts.clients import drop_shared_auth
from bigbooks_desktop.accounts.connections import (
    ConnectionStatus,
    freshbooks_status,
    load_connections,
    update_connections,
)
from bigbooks_desktop.accounts.vault import make_vault, now, remember_store_choice
from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.connectors.freshbooks.tokens import StaticBearerAuth, entry_with_tokens
from bigbooks_desktop.connectors.loopback import LoopbackReceiver
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import (
    AuthError,
    ConfigurationError,
    PermanentError,
    ValidationError,
)

__all__ = [
    "DEFAULT_FIXED_PORT",
    "REDIRECT_MODES",
    "BusinessChooser",
    "connect_freshbooks",
    "freshbooks_app_from_config",
    "save_freshbooks_sign_in",
]

SERVICE = "FreshBooks"
REDIRECT_MODES = ("loopback", "https", "paste")
DEFAULT_FIXED_PORT = 53682  # https/paste redirect port; register https://localhost:53682/callback


def freshbooks_app_from_config(
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    auth_url: str | None = None,
    api_url: str | None = None,
) -> oauth.FreshBooksApp:
    """The FreshBooks app from flags, then env (BIGBOOKS_FRESHBOOKS_CLIENT_ID/_SECRET/_AUTH_URL/_API_URL)."""
    client_id = client_id or os.environ.get("BIGBOOKS_FRESHBOOKS_CLIENT_ID", "")
    client_secret = client_secret or os.environ.get("BIGBOOKS_FRESHBOOKS_CLIENT_SECRET", "")
    if not client_id or not client_secret:
        raise ConfigurationError(
            "FreshBooks sign-in needs the app's client id and secret. Set "
            "BIGBOOKS_FRESHBOOKS_CLIENT_ID and BIGBOOKS_FRESHBOOKS_CLIENT_SECRET (see "
            "docs/signing-in.md for registering the app).",
            service=SERVICE,
        )
    return oauth.FreshBooksApp(
        client_id=client_id,
        client_secret=client_secret,
        auth_url=auth_url or os.environ.get("BIGBOOKS_FRESHBOOKS_AUTH_URL") or oauth.DEFAULT_AUTH_URL,
        api_url=api_url or os.environ.get("BIGBOOKS_FRESHBOOKS_API_URL") or oauth.DEFAULT_API_URL,
    )


# Asked which business to use when the user belongs to several: returns an account id, directly (the CLI's
# prompt) or awaited (the window's picker, answered by a click while the event loop runs).
BusinessChooser: TypeAlias = Callable[[tuple[fb.Business, ...]], str | Awaitable[str]]


async def _choose_business(
    identity: fb.Identity, account_id: str | None, choose: BusinessChooser | None
) -> fb.Business:
    businesses = identity.businesses
    if not businesses:
        raise PermanentError(
            "This FreshBooks user belongs to no business with accounting. Create a business in "
            "FreshBooks first.",
            service=SERVICE,
        )
    if account_id is None and len(businesses) > 1 and choose is not None:
        answer = choose(businesses)
        account_id = await answer if inspect.isawaitable(answer) else answer
    if account_id is None:
        return businesses[0]
    for business in businesses:
        if account_id in (business.account_id, str(business.business_id)):
            return business
    known = ", ".join(f"{b.account_id} ({b.name})" for b in businesses)
    raise ValidationError(
        f"No FreshBooks business with account id {account_id!r}. This user has: {known}.",
        service=SERVICE,
        field="account_id",
    )


async def _fetch_identity(
    app: oauth.FreshBooksApp, tokens: fb.TokenSet, transport: httpx.AsyncBaseTransport | None
) -> fb.Identity:
    async with FreshBooksClient(
        api_url=app.api_url,
        account_id="",
        auth=StaticBearerAuth(tokens.access_token),
        transport=transport,
        max_retries=1,
    ) as client:
        return await client.get_identity()


async def save_freshbooks_sign_in(
    *,
    app: oauth.FreshBooksApp,
    pending: oauth.PendingAuthorization,
    answer: str | dict[str, str],
    account_id: str | None = None,
    choose_business: BusinessChooser | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    method: str = "oauth",
    allow_file_store: bool = False,
) -> ConnectionStatus:
    """The tail every FreshBooks sign-in shares: redirect answer -> code -> tokens -> business -> keychain."""
    vault = make_vault(allow_file_store=allow_file_store)
    code = pending.code_from_redirect(answer)
    async with httpx.AsyncClient(transport=transport, timeout=30) as http:
        tokens = await oauth.exchange_code(http, app, code=code, redirect_uri=pending.redirect_uri)
    identity = await _fetch_identity(app, tokens, transport)
    business = await _choose_business(identity, account_id, choose_business)
    signed_in_at = now()
    entry = entry_with_tokens({"client_secret": app.client_secret}, tokens, refreshed_at=signed_in_at)
    await vault.aset_json("freshbooks", entry)
    remember_store_choice(vault)
    drop_shared_auth(vault)
    update_connections(
        freshbooks={
            "api_url": app.api_url,
            "auth_url": app.auth_url,
            "client_id": app.client_id,
            "redirect_uri": pending.redirect_uri,
            "account_id": business.account_id,
            "business_id": business.business_id,
            "business_name": business.name,
            "user_email": identity.email,
            "user_id": identity.id,
            "method": method,
            "connected_at": signed_in_at.isoformat(),
        }
    )
    return freshbooks_status(load_connections(), entry)


async def connect_freshbooks(
    *,
    app: oauth.FreshBooksApp,
    open_browser: Callable[[str], object],
    redirect: str = "loopback",
    port: int | None = None,
    read_pasted: Callable[[], Awaitable[str]] | None = None,
    on_url: Callable[[str], object] | None = None,
    account_id: str | None = None,
    choose_business: BusinessChooser | None = None,
    wait_seconds: float = 600.0,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_file_store: bool = False,
) -> ConnectionStatus:
    """Browser sign-in: authorize URL -> consent -> redirect on the loopback (or a pasted URL) -> keychain.

    `redirect`: "loopback" (http://127.0.0.1:PORT/callback, any port), "https"
    (https://localhost:PORT/callback served with a self-signed certificate) or "paste" (no listener: the
    user pastes the address the browser ended on). `read_pasted` supplies pasted text (the CLI reads
    stdin); whichever answer comes first wins.
    """
    if redirect not in REDIRECT_MODES:
        raise ValidationError(
            f"Unknown redirect mode {redirect!r}; use one of {', '.join(REDIRECT_MODES)}.", field="redirect"
        )
    await make_vault(allow_file_store=allow_file_store).aget_json("freshbooks")  # no keychain: fail now
    receiver: LoopbackReceiver | None = None
    if redirect == "paste":
        redirect_uri = f"https://localhost:{port or DEFAULT_FIXED_PORT}/callback"
    else:
        tls = redirect == "https"
        receiver = LoopbackReceiver(
            path="/callback", tls=tls, port=port if port is not None else (DEFAULT_FIXED_PORT if tls else 0)
        )
        await receiver.start()
        redirect_uri = receiver.redirect_uri
    try:
        pending = oauth.PendingAuthorization(app=app, redirect_uri=redirect_uri)
        if receiver is not None:
            receiver.expected_state = pending.state
        if on_url is not None:
            on_url(pending.authorize_url)
        open_browser(pending.authorize_url)
        answer = await _first_answer(receiver, read_pasted, wait_seconds)
    finally:
        if receiver is not None:
            await receiver.close()
    return await save_freshbooks_sign_in(
        app=app,
        pending=pending,
        answer=answer,
        account_id=account_id,
        choose_business=choose_business,
        transport=transport,
        allow_file_store=allow_file_store,
    )


async def _first_answer(
    receiver: LoopbackReceiver | None, read_pasted: Callable[[], Awaitable[str]] | None, wait_seconds: float
) -> str | dict[str, str]:
    waiters: dict[asyncio.Future[Any], str] = {}
    if receiver is not None:
        waiters[asyncio.ensure_future(receiver.wait(within=wait_seconds))] = "loopback"
    if read_pasted is not None:
        waiters[asyncio.ensure_future(read_pasted())] = "paste"
    if not waiters:
        raise ConfigurationError(
            "No way to receive the sign-in: no loopback listener and nothing to paste into.",
            service=SERVICE,
        )
    try:
        done, _pending = await asyncio.wait(
            waiters, timeout=wait_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        if not done:
            raise AuthError("No sign-in arrived in time. Start the sign-in again.", service=SERVICE)
        winner = done.pop()
        result = winner.result()
        return result.params if waiters[winner] == "loopback" else str(result)
    finally:
        for future in waiters:
            future.cancel()
