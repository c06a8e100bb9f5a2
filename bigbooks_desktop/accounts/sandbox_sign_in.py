"""`connect_sandbox`: sign both accounts in to a running sandbox via the same code as the real services."""

from __future__ import annotations

import httpx

from bigbooks_desktop.accounts.bigcommerce import connect_bigcommerce_api_account
from bigbooks_desktop.accounts.connections import AccountsStatus, update_connections
from bigbooks_desktop.accounts.freshbooks import save_freshbooks_sign_in
from bigbooks_desktop.accounts.session import status
from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.core.errors import ConfigurationError, TransientError

__all__ = ["connect_sandbox"]


async def connect_sandbox(
    admin_url: str,
    *,
    account_id: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_file_store: bool = False,
) -> AccountsStatus:
    """Sign both accounts in to a sandbox via the real paths (API-account check; OAuth, headless consent)."""
    try:
        async with httpx.AsyncClient(transport=transport, timeout=30) as http:
            response = await http.get(admin_url)
    except httpx.HTTPError as exc:
        raise TransientError(
            f"No sandbox answers at {admin_url} ({type(exc).__name__}). Start it with `bigbooks sandbox`.",
            service="sandbox",
        ) from exc
    if response.status_code != 200:
        raise ConfigurationError(
            f"{admin_url} is not a sandbox admin URL (HTTP {response.status_code}).", service="sandbox"
        )
    info = response.json()
    await connect_bigcommerce_api_account(
        info["bigcommerce_api_path"],
        info["bigcommerce_token"],
        transport=transport,
        allow_file_store=allow_file_store,
        method="sandbox",
    )
    app = oauth.FreshBooksApp(
        client_id=info["freshbooks_client_id"],
        client_secret=info["freshbooks_client_secret"],
        auth_url=info["freshbooks_auth_url"],
        api_url=info["freshbooks_api_url"],
    )
    redirect_uri = str(info.get("freshbooks_redirect_uri") or "http://127.0.0.1:8976/callback")
    pending = oauth.PendingAuthorization(app=app, redirect_uri=redirect_uri)
    async with httpx.AsyncClient(transport=transport, timeout=30) as http:
        location = await oauth.submit_consent_form(http, pending.authorize_url)
    await save_freshbooks_sign_in(
        app=app,
        pending=pending,
        answer=location,
        account_id=account_id,
        transport=transport,
        method="sandbox",
        allow_file_store=allow_file_store,
    )
    update_connections(sandbox={"admin_url": admin_url})
    return await status(allow_file_store=allow_file_store)
