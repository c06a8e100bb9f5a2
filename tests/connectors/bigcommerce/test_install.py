"""BigCommerce app install: install link, the https://localhost /auth callback, JSON code exchange against the
sandbox."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bigbooks_desktop.connectors.bigcommerce.install import (
    build_install_url,
    exchange_install_code,
    run_install_flow,
)
from bigbooks_desktop.connectors.freshbooks.oauth import submit_consent_form
from bigbooks_desktop.core.errors import AuthError, ConfigurationError
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

BASE = "http://sandbox.test"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(orders=1))


def test_install_url() -> None:
    url = build_install_url(
        login_url="https://login.bigcommerce.com/", client_id="abc", redirect_uri="http://127.0.0.1:5000/auth"
    )
    parts = urlsplit(url)
    assert parts.path == "/app/abc/install"
    assert parse_qs(parts.query) == {"redirect_uri": ["http://127.0.0.1:5000/auth"]}


@pytest.mark.asyncio
@pytest.mark.sockets
async def test_install_flow_through_the_loopback(sandbox: Sandbox) -> None:
    info = sandbox.info(BASE)
    browser_tasks: list[asyncio.Task[None]] = []

    opened: list[str] = []

    async def merchant_approves(url: str) -> None:
        # The browser opens the receiver's start page (accepting its self-signed certificate, as a user does
        # once), which forwards it to the install link.
        async with httpx.AsyncClient(verify=False) as browser:  # noqa: S501 - the self-signed localhost cert
            start = await browser.get(url)
        assert start.status_code == 302
        async with httpx.AsyncClient(transport=sandbox.transport()) as http:
            location = await submit_consent_form(http, start.headers["location"])
        assert location.startswith("https://localhost:")
        async with httpx.AsyncClient(verify=False) as browser:  # noqa: S501 - the callback, in the iframe
            answer = await browser.get(location)
        assert answer.status_code == 200 and "Signed in" in answer.text

    grant = await run_install_flow(
        port=0,
        login_url=info["bigcommerce_login_url"],
        client_id=info["bigcommerce_client_id"],
        client_secret=info["bigcommerce_client_secret"],
        transport=sandbox.transport(),
        wait_seconds=5,
        open_browser=lambda url: browser_tasks.append(asyncio.create_task(merchant_approves(url))),
        on_url=opened.append,
    )
    await asyncio.gather(*browser_tasks)
    assert grant.store_hash == info["bigcommerce_store_hash"]
    assert grant.access_token.startswith("bcapp_") and grant.access_token not in repr(grant)
    assert "store_v2_orders_read_only" in grant.scope or grant.scope
    assert opened and opened[0].startswith("https://localhost:") and opened[0].endswith("/install")


@pytest.mark.asyncio
async def test_replayed_code_and_bad_secret_refused(sandbox: Sandbox) -> None:
    info = sandbox.info(BASE)
    redirect = "http://127.0.0.1:5001/auth"
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        install = build_install_url(
            login_url=info["bigcommerce_login_url"],
            client_id=info["bigcommerce_client_id"],
            redirect_uri=redirect,
        )
        location = await submit_consent_form(http, install)
        callback = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        kwargs = {
            "login_url": info["bigcommerce_login_url"],
            "client_id": info["bigcommerce_client_id"],
            "redirect_uri": redirect,
            "callback": callback,
        }
        with pytest.raises(ConfigurationError):
            await exchange_install_code(http, client_secret="wrong-secret", **kwargs)
        # the sandbox consumed nothing on a bad secret; the real exchange works once
        grant = await exchange_install_code(http, client_secret=info["bigcommerce_client_secret"], **kwargs)
        assert grant.store_hash == info["bigcommerce_store_hash"]
        with pytest.raises(AuthError, match="refused the install code"):
            await exchange_install_code(http, client_secret=info["bigcommerce_client_secret"], **kwargs)


@pytest.mark.asyncio
async def test_denied_install_is_an_auth_error() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(AuthError, match="did not install") as caught:
            await exchange_install_code(
                http,
                login_url="http://x",
                client_id="a",
                client_secret="bbbbbbbb",
                redirect_uri="http://127.0.0.1:1/auth",
                callback={"error": "access_denied"},
            )
    assert caught.value.service == "BigCommerce"
