"""Connecting a BigCommerce store: a pasted store-level API account, or the app OAuth install flow."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from bigbooks_desktop.accounts.connections import (
    ConnectionStatus,
    bigcommerce_status,
    load_connections,
    update_connections,
)
from bigbooks_desktop.accounts.vault import make_vault, now, remember_store_choice
from bigbooks_desktop.connectors.bigcommerce.account import check_api_account, parse_api_path
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.bigcommerce.install import DEFAULT_CALLBACK_PORT, run_install_flow
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.core.redact import register_secret

__all__ = ["BIGCOMMERCE_API_BASE", "connect_bigcommerce_api_account", "connect_bigcommerce_install"]

BIGCOMMERCE_API_BASE = "https://api.bigcommerce.com"


async def _check_store(
    api_path: str, token: str, *, transport: httpx.AsyncBaseTransport | None
) -> bc.StoreInfo:
    """GET /v2/store through the real client; the store, or an error that says what to fix."""
    register_secret(token)
    async with BigCommerceClient(
        api_path=api_path, access_token=token, transport=transport, max_retries=1
    ) as client:
        return await check_api_account(client)


async def _store_bigcommerce(
    *,
    api_path: str,
    token: str,
    store: bc.StoreInfo,
    method: str,
    allow_file_store: bool,
    login_url: str | None = None,
) -> ConnectionStatus:
    _base, store_hash = parse_api_path(api_path)
    vault = make_vault(allow_file_store=allow_file_store)
    await vault.aset_json("bigcommerce", {"access_token": token, "store_hash": store_hash})
    remember_store_choice(vault)
    update_connections(
        bigcommerce={
            "api_path": api_path,
            "store_hash": store_hash,
            "store_name": store.name,
            "plan_name": store.plan_name,
            "method": method,
            "login_url": login_url,
            "connected_at": now().isoformat(),
        }
    )
    return bigcommerce_status(load_connections(), {"store_hash": store_hash})


async def connect_bigcommerce_api_account(
    api_path: str,
    token: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_file_store: bool = False,
    method: str = "api_account",
) -> ConnectionStatus:
    """Check a store-level API account with GET /v2/store, then remember it (token in the keychain)."""
    token = token.strip()
    if not token:
        raise ValidationError("The access token is empty.", service="BigCommerce", field="token")
    store = await _check_store(api_path, token, transport=transport)
    return await _store_bigcommerce(
        api_path=api_path.strip(), token=token, store=store, method=method, allow_file_store=allow_file_store
    )


async def connect_bigcommerce_install(
    *,
    login_url: str,
    client_id: str,
    client_secret: str,
    open_browser: Callable[[str], object],
    api_base: str = BIGCOMMERCE_API_BASE,
    port: int | None = None,
    wait_seconds: float = 600.0,
    on_url: Callable[[str], object] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_file_store: bool = False,
) -> ConnectionStatus:
    """The app OAuth install flow via the https://localhost callback (`port` None: the registered default
    53682; 0: any free port); the store is then checked like an API account."""
    await make_vault(allow_file_store=allow_file_store).aget_json("bigcommerce")  # no keychain: fail now
    grant = await run_install_flow(
        login_url=login_url,
        client_id=client_id,
        client_secret=client_secret,
        open_browser=open_browser,
        port=DEFAULT_CALLBACK_PORT if port is None else port,
        wait_seconds=wait_seconds,
        transport=transport,
        on_url=on_url,
    )
    api_path = f"{api_base.rstrip('/')}/stores/{grant.store_hash}/v3/"
    store = await _check_store(api_path, grant.access_token, transport=transport)
    return await _store_bigcommerce(
        api_path=api_path,
        token=grant.access_token,
        store=store,
        method="app_install",
        allow_file_store=allow_file_store,
        login_url=login_url,
    )
