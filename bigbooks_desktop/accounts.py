"""Account operations (Qt-free, async): connect, sign out, status, and clients built from stored credentials.

Secrets live in the credential vault (OS keychain): entry "bigcommerce" {access_token, store_hash} and
entry "freshbooks" {access_token, refresh_token, expires_at, scope, client_secret, refreshed_at,
refresh_started_at}.
Everything else (base URLs, store name, chosen business) is non-secret and lives in `connections.json`
in the data folder. The service facade, the CLI and the GUI call these functions.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from bigbooks_desktop.account_status import (
    AccountsStatus,
    ConnectionStatus,
    bigcommerce_status,
    connections_path,
    freshbooks_status,
    load_connections,
    update_connections,
)
from bigbooks_desktop.connectors.bigcommerce.account import check_api_account, parse_api_path
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.bigcommerce.install import run_install_flow
from bigbooks_desktop.connectors.credentials import CredentialVault
from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.connectors.freshbooks.tokens import (
    RefreshingBearerAuth,
    StaticBearerAuth,
    VaultTokenStore,
    entry_with_tokens,
    tokens_from_entry,
)
from bigbooks_desktop.connectors.loopback import LoopbackReceiver
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core import paths
from bigbooks_desktop.core.errors import (
    AuthError,
    ConfigurationError,
    KeychainUnavailableError,
    NotSignedInError,
    PermanentError,
    TransientError,
    ValidationError,
)
from bigbooks_desktop.core.redact import register_secret

__all__ = [
    "SERVICES",
    "AccountsStatus",
    "ConnectionStatus",
    "connect_bigcommerce_api_account",
    "connect_bigcommerce_install",
    "connect_freshbooks",
    "connect_sandbox",
    "connections_path",
    "forget_shared_auth",
    "freshbooks_app_from_config",
    "load_connections",
    "make_vault",
    "open_bigcommerce_client",
    "open_freshbooks_client",
    "save_freshbooks_sign_in",
    "sign_out",
    "status",
]

SERVICES = ("bigcommerce", "freshbooks")
BIGCOMMERCE_API_BASE = "https://api.bigcommerce.com"
REDIRECT_MODES = ("loopback", "https", "paste")
DEFAULT_FIXED_PORT = 53682  # https/paste redirect port; register https://localhost:53682/callback


# -- vault ----------------------------------------------------------------------------------------------
def make_vault(*, allow_file_store: bool = False) -> CredentialVault:
    """The vault for this profile; the file store only when opted in now or remembered from an opt-in."""
    remembered = bool(load_connections().get("insecure_file_store"))
    return CredentialVault(allow_file_store=allow_file_store or remembered)


def _remember_store_choice(vault: CredentialVault) -> None:
    if vault.uses_file_store:
        update_connections(insecure_file_store=True)


def _now() -> datetime:
    return datetime.now(UTC)


# -- BigCommerce ---------------------------------------------------------------------------------------------
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
    _remember_store_choice(vault)
    update_connections(
        bigcommerce={
            "api_path": api_path,
            "store_hash": store_hash,
            "store_name": store.name,
            "plan_name": store.plan_name,
            "method": method,
            "login_url": login_url,
            "connected_at": _now().isoformat(),
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
        raise ValidationError("The access token is empty.", service="bigcommerce", field="token")
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
    port: int = 0,
    wait_seconds: float = 600.0,
    on_url: Callable[[str], object] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    allow_file_store: bool = False,
) -> ConnectionStatus:
    """The app OAuth install flow via a loopback callback; the store is then checked like an API account."""
    await make_vault(allow_file_store=allow_file_store).aget_json("bigcommerce")  # no keychain: fail now
    grant = await run_install_flow(
        login_url=login_url,
        client_id=client_id,
        client_secret=client_secret,
        open_browser=open_browser,
        port=port,
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


# -- FreshBooks ---------------------------------------------------------------------------------------------
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
            service="freshbooks",
        )
    return oauth.FreshBooksApp(
        client_id=client_id,
        client_secret=client_secret,
        auth_url=auth_url or os.environ.get("BIGBOOKS_FRESHBOOKS_AUTH_URL") or oauth.DEFAULT_AUTH_URL,
        api_url=api_url or os.environ.get("BIGBOOKS_FRESHBOOKS_API_URL") or oauth.DEFAULT_API_URL,
    )


def _choose_business(
    identity: fb.Identity, account_id: str | None, choose: Callable[[tuple[fb.Business, ...]], str] | None
) -> fb.Business:
    businesses = identity.businesses
    if not businesses:
        raise PermanentError(
            "This FreshBooks user belongs to no business with accounting. Create a business in "
            "FreshBooks first.",
            service="freshbooks",
        )
    if account_id is None and len(businesses) > 1 and choose is not None:
        account_id = choose(businesses)
    if account_id is None:
        return businesses[0]
    for business in businesses:
        if account_id in (business.account_id, str(business.business_id)):
            return business
    known = ", ".join(f"{b.account_id} ({b.name})" for b in businesses)
    raise ValidationError(
        f"No FreshBooks business with account id {account_id!r}. This user has: {known}.",
        service="freshbooks",
        field="account_id",
    )


async def save_freshbooks_sign_in(
    *,
    app: oauth.FreshBooksApp,
    pending: oauth.PendingAuthorization,
    answer: str | dict[str, str],
    account_id: str | None = None,
    choose_business: Callable[[tuple[fb.Business, ...]], str] | None = None,
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
    business = _choose_business(identity, account_id, choose_business)
    now = _now()
    entry = entry_with_tokens({"client_secret": app.client_secret}, tokens, refreshed_at=now)
    await vault.aset_json("freshbooks", entry)
    _remember_store_choice(vault)
    _shared_auth.pop(vault.service_name, None)
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
            "connected_at": now.isoformat(),
        }
    )
    return freshbooks_status(load_connections(), entry)


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


async def connect_freshbooks(
    *,
    app: oauth.FreshBooksApp,
    open_browser: Callable[[str], object],
    redirect: str = "loopback",
    port: int | None = None,
    read_pasted: Callable[[], Awaitable[str]] | None = None,
    on_url: Callable[[str], object] | None = None,
    account_id: str | None = None,
    choose_business: Callable[[tuple[fb.Business, ...]], str] | None = None,
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
    await make_vault(allow_file_store=allow_file_store).aget_json(
        "freshbooks"
    )  # fail early without a keychain
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
            service="freshbooks",
        )
    try:
        done, _pending = await asyncio.wait(
            waiters, timeout=wait_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        if not done:
            raise AuthError("No sign-in arrived in time. Start the sign-in again.", service="freshbooks")
        winner = done.pop()
        result = winner.result()
        return result.params if waiters[winner] == "loopback" else str(result)
    finally:
        for future in waiters:
            future.cancel()


# -- sandbox ---------------------------------------------------------------------------------------------
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


# -- sign out and status ------------------------------------------------------------------------------------
async def sign_out(service: str, *, allow_file_store: bool = False) -> None:
    """Forget a service's tokens (keychain and opt-in file) and its connection settings; "all" for both."""
    targets = SERVICES if service == "all" else (service,)
    if any(t not in SERVICES for t in targets):
        raise ValidationError(
            f"Unknown service {service!r}; use bigcommerce, freshbooks or all.", field="service"
        )
    vault = make_vault(allow_file_store=allow_file_store)
    for target in targets:
        await vault.adelete(target)
        update_connections(**{target: None})
    _shared_auth.pop(vault.service_name, None)
    if service == "all":
        update_connections(sandbox=None)


async def status(*, allow_file_store: bool = False) -> AccountsStatus:
    """Who is signed in where and the token health, from local state only (no network)."""
    conn = load_connections()
    vault = make_vault(allow_file_store=allow_file_store)
    entries: dict[str, dict[str, Any] | None] = {}
    problem = ""
    for service in SERVICES:
        try:
            entries[service] = await vault.aget_json(service)
        except KeychainUnavailableError as exc:
            entries[service], problem = None, exc.message
    auth = _shared_auth.get(vault.service_name)
    fb_entry = entries["freshbooks"]
    if auth is not None and fb_entry is not None:  # the live pair may be newer than what we just read
        fb_entry = {**fb_entry, "expires_at": auth.expires_at.isoformat()}
    # Probing the keyring backend can block (D-Bus), so it runs off the event loop too.
    keychain, available, file_store = await asyncio.to_thread(
        lambda: (vault.backend_description(), vault.keychain_available(), vault.uses_file_store)
    )
    return AccountsStatus(
        bigcommerce=bigcommerce_status(conn, entries["bigcommerce"], problem),
        freshbooks=freshbooks_status(conn, fb_entry, problem),
        keychain=keychain,
        keychain_available=available,
        insecure_file_store=file_store,
        data_dir=str(paths.data_dir()),
    )


# -- client factories --------------------------------------------------------------------------------------
_shared_auth: dict[str, RefreshingBearerAuth] = {}


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
            service="bigcommerce",
        )
    register_secret(entry["access_token"])
    return BigCommerceClient(
        api_path=info["api_path"], access_token=entry["access_token"], transport=transport, **client_options
    )


async def _freshbooks_auth(
    info: dict[str, Any], vault: CredentialVault, transport: httpx.AsyncBaseTransport | None
) -> RefreshingBearerAuth:
    auth = _shared_auth.get(vault.service_name)
    if auth is not None:
        return auth
    entry = await vault.aget_json("freshbooks")
    if not entry:
        raise NotSignedInError(
            "BigBooks Desktop is not signed in to FreshBooks. Sign in with "
            "`bigbooks connect freshbooks` or in Settings.",
            service="freshbooks",
        )
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
    vault = make_vault(allow_file_store=allow_file_store)
    if not info:
        raise NotSignedInError(
            "BigBooks Desktop is not signed in to FreshBooks. Sign in with "
            "`bigbooks connect freshbooks` or in Settings.",
            service="freshbooks",
        )
    auth = await _freshbooks_auth(info, vault, transport)
    return FreshBooksClient(
        api_url=info["api_url"],
        account_id=info["account_id"],
        auth=auth,
        transport=transport,
        **client_options,
    )


def forget_shared_auth() -> None:
    """Drop the in-process refreshing auth (tests simulating a restart)."""
    _shared_auth.clear()
