"""An httpx client on the BigCommerce sandbox's own routes (ASGI, no socket), as an app with the store's token."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox


def store_client(sandbox: BigCommerceSandbox, *, token: str | None = None, accept_json: bool = True
                 ) -> httpx.AsyncClient:
    """Requests under `/stores/{hash}`, with `token` (the sandbox's own by default) as X-Auth-Token."""
    headers = {"X-Auth-Token": sandbox.config.bigcommerce_token if token is None else token}
    if accept_json:
        headers["Accept"] = "application/json"
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=Starlette(routes=sandbox.routes())),
                             base_url=f"http://sandbox/stores/{sandbox.config.store_hash}", headers=headers)
