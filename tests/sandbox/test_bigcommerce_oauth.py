"""The BigCommerce login host: install consent page, loopback-only redirects and single-use code exchange."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

CALLBACK = "http://127.0.0.1:53117/bigcommerce/callback"


def _client(sandbox: BigCommerceSandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=Starlette(routes=sandbox.routes())), base_url="http://sandbox"
    )


@pytest.mark.asyncio
async def test_install_approve_exchange_and_use_the_token() -> None:
    sandbox = BigCommerceSandbox(SandboxConfig(orders=5))
    config = sandbox.config
    install = f"/bigcommerce/login/app/{config.bigcommerce_client_id}/install"
    async with _client(sandbox) as client:
        page = await client.get(install, params={"redirect_uri": CALLBACK})
        assert page.status_code == 200 and "Approve" in page.text and sandbox.store_name() in page.text
        assert "store_v2_orders_read_only" in page.text
        approved = await client.post(install, data={"redirect_uri": CALLBACK, "action": "approve"})
        assert approved.status_code == 302
        location = urlsplit(approved.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
        query = {k: v[0] for k, v in parse_qs(location.query).items()}
        assert query["context"] == f"stores/{config.store_hash}" and query["account_uuid"]
        assert set(query["scope"].split()) == {
            "store_v2_orders_read_only",
            "store_v2_transactions_read_only",
            "store_v2_customers_read_only",
            "store_v2_products_read_only",
            "store_v2_information_read_only",
        }
        exchange = {
            "client_id": config.bigcommerce_client_id,
            "client_secret": config.bigcommerce_client_secret,
            "code": query["code"],
            "context": query["context"],
            "scope": query["scope"],
            "grant_type": "authorization_code",
            "redirect_uri": CALLBACK,
        }
        bad_secret = await client.post(
            "/bigcommerce/login/oauth2/token", json={**exchange, "client_secret": "nope"}
        )
        assert bad_secret.status_code == 401
        token = await client.post("/bigcommerce/login/oauth2/token", json=exchange)
        assert token.status_code == 200, token.text
        body = token.json()
        assert body["context"] == f"stores/{config.store_hash}" and body["scope"] == query["scope"]
        assert set(body["user"]) == {"id", "username", "email"} and body["owner"] and body["account_uuid"]
        replay = await client.post("/bigcommerce/login/oauth2/token", json=exchange)
        assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
        orders = await client.get(
            f"/stores/{config.store_hash}/v2/orders", headers={"X-Auth-Token": body["access_token"]}
        )
        assert orders.status_code == 200
        # the login host is not rate limited
        assert "x-rate-limit-requests-left" not in token.headers


@pytest.mark.asyncio
async def test_deny_non_loopback_and_mismatched_redirect() -> None:
    sandbox = BigCommerceSandbox(SandboxConfig(orders=5))
    config = sandbox.config
    install = f"/bigcommerce/login/app/{config.bigcommerce_client_id}/install"
    async with _client(sandbox) as client:
        for uri in ("https://evil.example/cb", "http://127.0.0.1/cb", "http://10.0.0.5:8080/cb"):
            assert (await client.get(install, params={"redirect_uri": uri})).status_code == 400
        assert (
            await client.get("/bigcommerce/login/app/other/install", params={"redirect_uri": CALLBACK})
        ).status_code == 404
        denied = await client.post(install, data={"redirect_uri": CALLBACK, "action": "deny"})
        assert denied.status_code == 302 and "error=access_denied" in denied.headers["location"]
        approved = await client.post(
            install, data={"redirect_uri": "http://localhost:4000/cb", "action": "approve"}
        )
        code = parse_qs(urlsplit(approved.headers["location"]).query)["code"][0]
        wrong_uri = await client.post(
            "/bigcommerce/login/oauth2/token",
            json={
                "client_id": config.bigcommerce_client_id,
                "client_secret": config.bigcommerce_client_secret,
                "code": code,
                "context": f"stores/{config.store_hash}",
                "scope": "x",
                "grant_type": "authorization_code",
                "redirect_uri": CALLBACK,
            },
        )
        assert wrong_uri.status_code == 400
        garbage = await client.post(
            "/bigcommerce/login/oauth2/token",
            json={
                "client_id": config.bigcommerce_client_id,
                "client_secret": config.bigcommerce_client_secret,
                "code": "made-up",
                "context": f"stores/{config.store_hash}",
                "grant_type": "authorization_code",
                "redirect_uri": CALLBACK,
            },
        )
        assert garbage.status_code == 400
