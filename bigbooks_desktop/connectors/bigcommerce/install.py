"""BigCommerce app OAuth install: the install link, the https://localhost auth callback, the code exchange.

The merchant opens `{login_url}/app/{client_id}/install`; BigCommerce then calls the app's registered auth
callback with `code`, `scope` and `context=stores/{hash}`. The app POSTs JSON to `{login_url}/oauth2/token`
and gets a permanent access token (no refresh token, no expiry) plus the store context.

BigCommerce's app guide says the auth callback "needs to be served over https". The merchant's browser makes
the request, so a non-public address with a self-signed certificate works: the callback is
`https://localhost:53682/auth` (register exactly that), caught by `LoopbackReceiver` on 127.0.0.1 with a
certificate made at start-up. The control panel shows the callback's answer in an iframe, where a browser
cannot stop to accept a certificate, so the browser is first sent to the receiver's own `/install` page,
which forwards it to the install link: the certificate warning comes once, at the top level, and the
callback later loads in the iframe from an address the browser already trusts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bigbooks_desktop.connectors.bigcommerce.failures import SERVICE
from bigbooks_desktop.connectors.loopback import LoopbackReceiver
from bigbooks_desktop.core.errors import AuthError, ConfigurationError, PermanentError, TransientError
from bigbooks_desktop.core.redact import register_secret

__all__ = [
    "CALLBACK_PATH",
    "DEFAULT_CALLBACK_PORT",
    "DEFAULT_LOGIN_URL",
    "InstallGrant",
    "build_install_url",
    "callback_url",
    "exchange_install_code",
    "run_install_flow",
]

DEFAULT_LOGIN_URL = "https://login.bigcommerce.com"
DEFAULT_CALLBACK_PORT = 53682       # register https://localhost:53682/auth as the app's auth callback
CALLBACK_PATH = "/auth"
START_PATH = "/install"             # the receiver's page that forwards the browser to the install link


def callback_url(port: int = DEFAULT_CALLBACK_PORT) -> str:
    """The auth callback to register for the app."""
    return f"https://localhost:{port}{CALLBACK_PATH}"


@dataclass(frozen=True, kw_only=True)
class InstallGrant:
    """What the install gave us: the store's access token and which store it is for."""

    access_token: str
    store_hash: str
    scope: str = ""
    user_email: str = ""

    def __repr__(self) -> str:
        return f"InstallGrant(store_hash={self.store_hash!r}, scope={self.scope!r})"


def build_install_url(*, login_url: str, client_id: str, redirect_uri: str) -> str:
    return f"{login_url.rstrip('/')}/app/{client_id}/install?" + urlencode({"redirect_uri": redirect_uri})


def store_hash_from_context(context: str) -> str:
    prefix, _, store_hash = context.partition("/")
    if prefix != "stores" or not store_hash:
        raise PermanentError(f"BigCommerce sent an unexpected store context {context!r}.", service=SERVICE)
    return store_hash


async def exchange_install_code(
    http: httpx.AsyncClient,
    *,
    login_url: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    callback: Mapping[str, str],
) -> InstallGrant:
    """POST the callback's code/scope/context to `{login_url}/oauth2/token` for the store's access token."""
    register_secret(client_secret)
    if callback.get("error"):
        raise AuthError(
            f"BigCommerce did not install the app: {callback.get('error_description') or callback['error']}.",
            service=SERVICE,
        )
    code, context = callback.get("code", ""), callback.get("context", "")
    if not code or not context:
        raise AuthError(
            "The install callback lacked a code or store context. Start the install again.", service=SERVICE
        )
    register_secret(code)
    body = {
        "client_id": client_id,
        "client_secret": client_secret,
        "code": code,
        "context": context,
        "scope": callback.get("scope", ""),
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    try:
        response = await http.post(
            f"{login_url.rstrip('/')}/oauth2/token", json=body, headers={"Accept": "application/json"}
        )
    except httpx.HTTPError as exc:
        raise TransientError(
            f"Could not reach BigCommerce to finish the install ({type(exc).__name__}).", service=SERVICE
        ) from exc
    try:
        data: Any = response.json()
    except ValueError:
        data = {}
    if response.status_code >= 500:
        raise TransientError(
            f"BigCommerce could not finish the install (HTTP {response.status_code}). Try again.",
            service=SERVICE,
            status=response.status_code,
        )
    if response.status_code != 200 or not isinstance(data, dict) or not data.get("access_token"):
        if response.status_code == 401 or (isinstance(data, dict) and data.get("error") == "invalid_client"):
            raise ConfigurationError(
                "BigCommerce refused the app's client id or secret.",
                service=SERVICE,
                status=response.status_code,
            )
        raise AuthError(
            f"BigCommerce refused the install code (HTTP {response.status_code}). It may have expired "
            "or been used. Start the install again.",
            service=SERVICE,
            status=response.status_code,
        )
    token = str(data["access_token"])
    register_secret(token)
    user = data.get("user") or {}
    return InstallGrant(
        access_token=token,
        store_hash=store_hash_from_context(str(data.get("context") or context)),
        scope=str(data.get("scope") or ""),
        user_email=str(user.get("email") or ""),
    )


async def run_install_flow(
    *,
    login_url: str,
    client_id: str,
    client_secret: str,
    open_browser: Callable[[str], object],
    port: int = DEFAULT_CALLBACK_PORT,
    wait_seconds: float = 600.0,
    transport: httpx.AsyncBaseTransport | None = None,
    on_url: Callable[[str], object] | None = None,
) -> InstallGrant:
    """Open the install page (through the receiver's start page, see the module docstring), wait for the
    https://localhost callback, exchange the code. `port` 0 takes any free port (tests: a registered callback
    names one port)."""
    async with LoopbackReceiver(path=CALLBACK_PATH, port=port, tls=True) as receiver:
        receiver.redirects[START_PATH] = build_install_url(
            login_url=login_url, client_id=client_id, redirect_uri=receiver.redirect_uri)
        url = receiver.url_for(START_PATH)
        if on_url is not None:
            on_url(url)
        open_browser(url)
        callback = await receiver.wait(within=wait_seconds)
        async with httpx.AsyncClient(transport=transport, timeout=30) as http:
            return await exchange_install_code(
                http,
                login_url=login_url,
                client_id=client_id,
                client_secret=client_secret,
                redirect_uri=receiver.redirect_uri,
                callback=callback.params,
            )
