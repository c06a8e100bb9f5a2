"""Clients built from stored credentials, and the one refreshing FreshBooks auth a profile's clients share."""

from __future__ import annotations

from typing import Any

import httpx

from bigbooks_desktop.accounts.connections import load_connections
from bigbooks_desktop.accounts.vault import make_vault
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.credentials import CredentialVault
from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.connectors.freshbooks.tokens import (
    RefreshingBearerAuth,
    VaultTokenStore,
    tokens_from_entry,
)
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import NotSignedInError
from bigbooks_desktop.core.redact import register_secret

__all__ = [
    "drop_shared_auth",
    "forget_shared_auth",
    "live_freshbooks_auth",
    "open_bigcommerce_client",
    "open_freshbooks_client",
]

# One refreshing auth per keychain service name (profile): every client of the profile shares its lock, so
# concurrent requests never spend one refresh token twice.
_shared_auth: dict[str, RefreshingBearerAuth] = {}


def live_freshbooks_auth(vault: CredentialVault) -> RefreshingBearerAuth | None:
    """The auth this process is using for the vault's profile, if a client was opened."""
    return _shared_auth.get(vault.service_name)


def drop_shared_auth(vault: CredentialVault) -> None:
    """Forget the profile's live auth (after a new sign-in or a sign-out)."""
    _shared_auth.pop(vault.service_name, None)


def forget_shared_auth() -> None:
    """Drop every in-process refreshing auth (tests simulating a restart)."""
    _shared_auth.clear()


async def open_bigcommerce_client(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_file_store: bool = False,
    **client_options: Any,
) -> BigCommerceClient:
    """A `BigCommerceClient` for the connected store. `NotSignedInError` when no store is connected."""
    info = load_connections().get("bigcommerce")
    entry = await make_vault(allow_file_store=allow_file_store).aget_json("bigcommerce")
    if not info or not entry:
        raise NotSignedInError(
            "BigBooks Desktop is not connected to a BigCommerce store. Connect it with "
            "`bigbooks connect bigcommerce` or in Settings.",
            service="BigCommerce",
        )
    register_secret(entry["access_token"])
    return BigCommerceClient(
        api_path=info["api_path"], access_token=entry["access_token"], transport=transport, **client_options
    )


def _not_signed_in() -> NotSignedInError:
    return NotSignedInError(
        "BigBooks Desktop is not signed in to FreshBooks. Sign in with "
        "`bigbooks connect freshbooks` or in Settings.",
        service="FreshBooks",
    )


async def _freshbooks_auth(
    info: dict[str, Any], vault: CredentialVault, transport: httpx.AsyncBaseTransport | None
) -> RefreshingBearerAuth:
    auth = live_freshbooks_auth(vault)
    if auth is not None:
        return auth
    entry = await vault.aget_json("freshbooks")
    if not entry:
        raise _not_signed_in()
    for key in ("access_token", "refresh_token", "client_secret"):
        register_secret(entry.get(key))
    app = oauth.FreshBooksApp(
        client_id=info["client_id"],
        client_secret=entry["client_secret"],
        auth_url=info.get("auth_url", oauth.DEFAULT_AUTH_URL),
        api_url=info["api_url"],
    )
    redirect_uri = info.get("redirect_uri", "")

    async def refresher(refresh_token: str) -> fb.TokenSet:
        async with httpx.AsyncClient(transport=transport, timeout=30) as http:
            return await oauth.refresh_tokens(
                http, app, refresh_token=refresh_token, redirect_uri=redirect_uri
            )

    auth = RefreshingBearerAuth(
        tokens=tokens_from_entry(entry),
        refresher=refresher,
        store=VaultTokenStore(vault),
        refresh_interrupted=bool(entry.get("refresh_started_at")),
    )
    _shared_auth[vault.service_name] = auth
    return auth


async def open_freshbooks_client(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_file_store: bool = False,
    **client_options: Any,
) -> FreshBooksClient:
    """A `FreshBooksClient` for the chosen business; one refreshing auth shared by the profile's clients."""
    info = load_connections().get("freshbooks")
    if not info:
        raise _not_signed_in()
    vault = make_vault(allow_file_store=allow_file_store)
    auth = await _freshbooks_auth(info, vault, transport)
    return FreshBooksClient(
        api_url=info["api_url"],
        account_id=info["account_id"],
        auth=auth,
        transport=transport,
        **client_options,
    )
