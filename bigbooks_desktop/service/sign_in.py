"""Signing in from the window or the command line: both services by every method, signing out, and the explicit
choice of the file store when there is no keychain. `BigBooksService` takes these methods from the `SignIn`
mixin; each answers with the profile's `ConnectionsView` (no network) once the sign-in is stored.

    connect_bigcommerce_api_account   a store-level API account (API path + token), checked live
    connect_bigcommerce_install       the registered app's OAuth install, callback on https://localhost
    connect_freshbooks                OAuth in the system browser: loopback or https://localhost redirect,
                                      a pasted address as fallback, a business picker
    connect_sandbox                   (in the facade) both, to a running sandbox, through the same code
    connect_demo_store                both, to the demo store the front end offered (`offer_demo_store`)
    sign_out                          one service or both
    use_file_store                    the user's explicit opt-in to a 0600 file when no keychain exists

The apps' client ids and secrets come from the caller (the window's fields), then the environment
(BIGBOOKS_FRESHBOOKS_CLIENT_ID/_SECRET/_AUTH_URL/_API_URL, BIGBOOKS_BC_CLIENT_ID/_SECRET/_LOGIN_URL/_API_BASE),
then, for FreshBooks, the last sign-in (its client id in connections.json, its secret in the keychain).
Qt-free.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bigbooks_desktop import accounts
from bigbooks_desktop.accounts.freshbooks import DEFAULT_FIXED_PORT
from bigbooks_desktop.connectors.bigcommerce.install import DEFAULT_CALLBACK_PORT, DEFAULT_LOGIN_URL, callback_url
from bigbooks_desktop.connectors.credentials import SECRETS_FILE_NAME
from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core import paths
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ConfigurationError, KeychainUnavailableError
from bigbooks_desktop.core.preferences import load_preferences, save_preferences

__all__ = ["BrowserOpener", "BusinessPicker", "DemoStoreStarter", "PasteReader", "SignIn"]

# Opens an address in the user's browser (the window: QDesktopServices; tests: a scripted browser).
BrowserOpener = Callable[[str], object]
# Resolves to the address (or code) the user pasted from the browser, whenever they do.
PasteReader = Callable[[], Awaitable[str]]
# Asked which FreshBooks business to write to when the user has several; resolves to its account id.
BusinessPicker = Callable[[tuple[v.BusinessView, ...]], Awaitable[str]]
# Starts the built-in demo store (a sandbox; only the command line may import it) and returns its admin URL.
DemoStoreStarter = Callable[[], Awaitable[str]]

_FB = "FreshBooks"
_BC = "BigCommerce"


def _env(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def _business_view(business: fb.Business) -> v.BusinessView:
    return v.BusinessView(account_id=business.account_id, business_id=business.business_id, name=business.name,
                          role=business.role)


def _redirect_mode(auth_url: str) -> str:
    """FreshBooks itself accepts only https redirects (https://localhost with a self-signed certificate); other
    hosts (the sandbox) get the plain RFC 8252 loopback on any free port. The same rule as the CLI's."""
    return "https" if auth_url.rstrip("/") == oauth.DEFAULT_AUTH_URL else "loopback"


class SignIn:
    """Mixin of `BigBooksService`: signing in and out. See the module docstring."""

    if TYPE_CHECKING:  # provided by BigBooksService
        _transport: httpx.AsyncBaseTransport | None
        _allow_file_store: bool

        async def status(self) -> v.ConnectionsView:
            raise NotImplementedError

        async def connect_sandbox(self, admin_url: str) -> v.ConnectionsView:
            raise NotImplementedError

    # -- the demo store --------------------------------------------------------------------------------

    def offer_demo_store(self, store: str | DemoStoreStarter) -> None:
        """Let the window offer "Try the demo store": the admin URL of a running sandbox (`bigbooks demo`), or a
        coroutine function that starts one and returns its admin URL. The service cannot start a sandbox itself
        (nothing in the app imports it), so the command that wires the window offers it."""
        self.__dict__["_demo_store"] = store

    def demo_store_offered(self) -> bool:
        return self.__dict__.get("_demo_store") is not None

    async def connect_demo_store(self) -> v.ConnectionsView:
        """Sign both services in to the offered demo store (the sandbox's API account and FreshBooks OAuth with
        its consent given headlessly). ConfigurationError when no demo store was offered."""
        store: str | DemoStoreStarter | None = self.__dict__.get("_demo_store")
        if store is None:
            raise ConfigurationError(
                "The demo store runs with `bigbooks demo`, in a profile of its own, apart from your books. "
                "Start it from a terminal, or connect your own store here.", title="No demo store here")
        admin_url = store if isinstance(store, str) else await store()
        return await self.connect_sandbox(admin_url)

    # -- BigCommerce -----------------------------------------------------------------------------------

    async def connect_bigcommerce_api_account(self, api_path: str, token: str) -> v.ConnectionsView:
        """Check a store-level API account live (GET /v2/store) and keep it: the token in the keychain.
        ConfigurationError for an API path that is not one; AuthRevokedError for a token BigCommerce refuses;
        NotFoundError for an unknown store; each message says what to fix."""
        await accounts.connect_bigcommerce_api_account(api_path, token, transport=self._transport,
                                                       allow_file_store=self._allow_file_store)
        return await self.status()

    def bigcommerce_app(self) -> v.BigCommerceAppView:
        """The registered BigCommerce app the install sign-in would use, from the environment."""
        return v.BigCommerceAppView(
            client_id=_env("BIGBOOKS_BC_CLIENT_ID"), has_client_secret=_env("BIGBOOKS_BC_CLIENT_SECRET") is not None,
            login_url=_env("BIGBOOKS_BC_LOGIN_URL") or DEFAULT_LOGIN_URL,
            api_base=_env("BIGBOOKS_BC_API_BASE") or accounts.BIGCOMMERCE_API_BASE,
            callback_url=callback_url(DEFAULT_CALLBACK_PORT))

    async def connect_bigcommerce_install(self, *, open_browser: BrowserOpener, client_id: str | None = None,
                                          client_secret: str | None = None, login_url: str | None = None,
                                          api_base: str | None = None, port: int | None = None,
                                          wait_seconds: float = 600.0,
                                          on_url: Callable[[str], object] | None = None) -> v.ConnectionsView:
        """Install the registered app in the browser; BigCommerce calls back on https://localhost:53682/auth
        (`port` 0: any free port). Arguments left out come from `bigcommerce_app()`."""
        known = self.bigcommerce_app()
        client_id = (client_id or "").strip() or known.client_id
        client_secret = (client_secret or "").strip() or _env("BIGBOOKS_BC_CLIENT_SECRET")
        if not client_id or not client_secret:
            raise ConfigurationError(
                "Installing the BigCommerce app needs the app's client ID and client secret from the BigCommerce "
                "developer portal. Enter both, or use a store-level API account instead (recommended).",
                title="App credentials needed", service=_BC)
        await accounts.connect_bigcommerce_install(
            login_url=(login_url or "").strip() or known.login_url, client_id=client_id,
            client_secret=client_secret, open_browser=open_browser,
            api_base=(api_base or "").strip() or known.api_base, port=port, wait_seconds=wait_seconds,
            on_url=on_url, transport=self._transport, allow_file_store=self._allow_file_store)
        return await self.status()

    # -- FreshBooks ------------------------------------------------------------------------------------

    async def freshbooks_app(self) -> v.FreshBooksAppView:
        """The FreshBooks app the browser sign-in would use: the environment, else the last sign-in's."""
        last = accounts.load_connections().get("freshbooks") or {}
        client_id = _env("BIGBOOKS_FRESHBOOKS_CLIENT_ID") or last.get("client_id") or None
        auth_url = _env("BIGBOOKS_FRESHBOOKS_AUTH_URL") or last.get("auth_url") or oauth.DEFAULT_AUTH_URL
        api_url = _env("BIGBOOKS_FRESHBOOKS_API_URL") or last.get("api_url") or oauth.DEFAULT_API_URL
        has_secret = _env("BIGBOOKS_FRESHBOOKS_CLIENT_SECRET") is not None or (
            client_id is not None and await self._stored_freshbooks_secret(client_id) is not None)
        return v.FreshBooksAppView(client_id=client_id, has_client_secret=has_secret, auth_url=auth_url,
                                   api_url=api_url, redirect_uri=self.freshbooks_redirect_uri(auth_url))

    @staticmethod
    def freshbooks_redirect_uri(auth_url: str) -> str:
        """The redirect URI the FreshBooks app must have registered for a sign-in on `auth_url`: https on
        localhost for FreshBooks itself (it accepts only https), the plain loopback on any port elsewhere."""
        if _redirect_mode(auth_url) == "https":
            return f"https://localhost:{DEFAULT_FIXED_PORT}/callback"
        return "http://127.0.0.1:<any port>/callback"

    async def _stored_freshbooks_secret(self, client_id: str) -> str | None:
        """The app secret kept with the last sign-in, when it was for this client id (a reconnect)."""
        last = accounts.load_connections().get("freshbooks") or {}
        if last.get("client_id") != client_id:
            return None
        try:
            entry = await accounts.make_vault(allow_file_store=self._allow_file_store).aget_json("freshbooks")
        except KeychainUnavailableError:
            return None
        secret = (entry or {}).get("client_secret")
        return str(secret) if secret else None

    async def connect_freshbooks(self, *, open_browser: BrowserOpener, read_pasted: PasteReader | None = None,
                                 choose_business: BusinessPicker | None = None, client_id: str | None = None,
                                 client_secret: str | None = None, auth_url: str | None = None,
                                 api_url: str | None = None, account_id: str | None = None,
                                 port: int | None = None, wait_seconds: float = 600.0,
                                 on_url: Callable[[str], object] | None = None) -> v.ConnectionsView:
        """Sign in to FreshBooks in the browser: the consent page opens through `open_browser`; the answer comes
        back on the redirect receiver (https://localhost:53682/callback for FreshBooks itself, an http loopback
        for other hosts) or as an address the user pasted (`read_pasted`), whichever is first. With several
        businesses, `choose_business` picks one (else the first, or `account_id`). Arguments left out come from
        `freshbooks_app()`."""
        known = await self.freshbooks_app()
        client_id = (client_id or "").strip() or known.client_id
        auth = (auth_url or "").strip() or known.auth_url
        api = (api_url or "").strip() or known.api_url
        secret = (client_secret or "").strip() or _env("BIGBOOKS_FRESHBOOKS_CLIENT_SECRET") or (
            await self._stored_freshbooks_secret(client_id) if client_id else None)
        if not client_id or not secret:
            raise ConfigurationError(
                "Signing in to FreshBooks needs your FreshBooks app's client ID and client secret (FreshBooks "
                "developer page, your app's settings). Enter both under \"FreshBooks app\" and sign in again.",
                title="FreshBooks app needed", service=_FB)
        app = accounts.freshbooks_app_from_config(client_id=client_id, client_secret=secret, auth_url=auth,
                                                  api_url=api)

        async def picker(businesses: tuple[fb.Business, ...]) -> str:
            assert choose_business is not None
            return await choose_business(tuple(_business_view(b) for b in businesses))

        await accounts.connect_freshbooks(
            app=app, open_browser=open_browser, redirect=_redirect_mode(auth), port=port, read_pasted=read_pasted,
            on_url=on_url, account_id=account_id, choose_business=picker if choose_business else None,
            wait_seconds=wait_seconds, transport=self._transport, allow_file_store=self._allow_file_store)
        return await self.status()

    # -- signing out and where tokens live -------------------------------------------------------------

    async def sign_out(self, service: v.ServiceName | None = None) -> v.ConnectionsView:
        """Forget one service's tokens (keychain and opt-in file) and its connection settings; None: both."""
        await accounts.sign_out(service.value if service is not None else "all",
                                allow_file_store=self._allow_file_store)
        return await self.status()

    def file_store_path(self) -> Path:
        """Where tokens are kept after `use_file_store` (plain JSON, mode 0600)."""
        return paths.data_dir() / SECRETS_FILE_NAME

    async def use_file_store(self) -> v.ConnectionsView:
        """The user's explicit choice, asked for only when there is no keychain: keep tokens in a file readable
        only by their user account (`file_store_path`). Saved as the plaintext_credentials_opt_in preference;
        never made silently."""
        preferences = load_preferences()
        if not preferences.plaintext_credentials_opt_in:
            updated = preferences.model_copy(update={"plaintext_credentials_opt_in": True})
            await asyncio.to_thread(save_preferences, updated)
        return await self.status()
