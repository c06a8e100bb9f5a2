"""Account operations: sandbox sign-in via the real paths, status, sign-out, client factories, no leaks."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import pytest

from bigbooks_desktop import accounts
from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import (
    AuthRevokedError,
    ConfigurationError,
    KeychainUnavailableError,
    NotSignedInError,
    ValidationError,
)
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

pytestmark = pytest.mark.asyncio

BASE = "http://sandbox.test"
ADMIN = f"{BASE}/_sandbox"


@pytest.fixture
def sandbox() -> Sandbox:
    accounts.forget_shared_auth()
    return Sandbox(SandboxConfig(orders=2))


def _secrets(sandbox: Sandbox) -> list[str]:
    cfg = sandbox.config
    issued = list(sandbox.freshbooks.oauth.access_tokens) + list(sandbox.freshbooks.oauth.refresh_tokens)
    return [cfg.bigcommerce_token, cfg.freshbooks_client_secret, *issued]


async def test_connect_sandbox_signs_in_both_and_clients_work(
    sandbox: Sandbox, bigbooks_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = await accounts.connect_sandbox(ADMIN, transport=sandbox.transport())
    assert result.bigcommerce.connected and result.freshbooks.connected
    assert result.bigcommerce.account_id == sandbox.config.store_hash and result.bigcommerce.account_name
    assert result.freshbooks.account_id == "SbxT9k"  # the first business unless told otherwise
    assert result.freshbooks.user_email == "owner@sandbox-trading.example"
    assert result.freshbooks.token_expires_at and result.keychain_available

    async with await accounts.open_bigcommerce_client(transport=sandbox.transport()) as bc_client:
        store = await bc_client.get_store()
    assert store.id == sandbox.config.store_hash
    async with await accounts.open_freshbooks_client(transport=sandbox.transport()) as fb_client:
        assert fb_client.account_id == "SbxT9k"
        assert await fb_client.list_taxes()

    # No secret in connections.json, status JSON, reprs or any log line.
    dumped = json.dumps((await accounts.status()).to_dict())
    connections = (bigbooks_home / "connections.json").read_text()
    for secret in _secrets(sandbox):
        assert secret not in dumped and secret not in connections and secret not in caplog.text
        assert secret not in repr(result)


async def test_account_id_chooses_the_business(sandbox: Sandbox) -> None:
    result = await accounts.connect_sandbox(ADMIN, account_id="SbxB2m", transport=sandbox.transport())
    assert result.freshbooks.account_id == "SbxB2m"
    assert result.freshbooks.account_name == "Maple Side Projects Ltd."
    with pytest.raises(ValidationError, match="SbxT9k"):
        await accounts.connect_sandbox(ADMIN, account_id="NOPE", transport=sandbox.transport())


async def test_sign_out_forgets_tokens_and_settings(sandbox: Sandbox, memory_keyring: object) -> None:
    await accounts.connect_sandbox(ADMIN, transport=sandbox.transport())
    await accounts.sign_out("freshbooks")
    state = await accounts.status()
    assert state.bigcommerce.connected and not state.freshbooks.connected
    with pytest.raises(NotSignedInError, match="not signed in to FreshBooks"):
        await accounts.open_freshbooks_client(transport=sandbox.transport())
    await accounts.sign_out("all")
    assert memory_keyring.entries == {}  # type: ignore[attr-defined]
    with pytest.raises(NotSignedInError, match="BigCommerce"):
        await accounts.open_bigcommerce_client(transport=sandbox.transport())
    with pytest.raises(ValidationError):
        await accounts.sign_out("quickbooks")


async def test_wrong_bigcommerce_token_is_refused_without_echoing_it(sandbox: Sandbox) -> None:
    api_path = sandbox.info(BASE)["bigcommerce_api_path"]
    with pytest.raises(AuthRevokedError) as caught:
        await accounts.connect_bigcommerce_api_account(
            api_path, "wrong-token-abcdef", transport=sandbox.transport()
        )
    assert "wrong-token-abcdef" not in str(caught.value)
    assert not (await accounts.status()).bigcommerce.connected
    with pytest.raises(ConfigurationError, match="API path"):
        await accounts.connect_bigcommerce_api_account("https://example.com/nope", "t0ken-xyz")


async def test_no_keychain_means_a_clear_refusal_and_no_plaintext(
    sandbox: Sandbox, bigbooks_home: Path
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(KeychainUnavailableError, match="no secure password store"):
        await accounts.connect_sandbox(ADMIN, transport=sandbox.transport())
    assert not (bigbooks_home / "secrets.json").exists()
    state = await accounts.status()
    assert not state.keychain_available and not state.bigcommerce.connected


async def test_opt_in_file_store_is_remembered_and_0600(sandbox: Sandbox, bigbooks_home: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    await accounts.connect_sandbox(ADMIN, transport=sandbox.transport(), allow_file_store=True)
    secrets_file = bigbooks_home / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    state = await accounts.status()  # no flag this time: the opt-in was remembered
    assert state.insecure_file_store and state.bigcommerce.connected and state.freshbooks.connected
    await accounts.sign_out("all")
    assert not secrets_file.exists()


async def test_freshbooks_refresh_through_the_factory_saves_the_new_pair(sandbox: Sandbox) -> None:
    await accounts.connect_sandbox(ADMIN, transport=sandbox.transport())
    before = (await accounts.status()).freshbooks
    vault = accounts.make_vault()
    entry = vault.get_json("freshbooks")
    assert entry is not None
    old_refresh = entry["refresh_token"]
    vault.set_json("freshbooks", {**entry, "expires_at": "2000-01-01T00:00:00+00:00"})  # force a refresh
    accounts.forget_shared_auth()
    async with await accounts.open_freshbooks_client(transport=sandbox.transport()) as client:
        await client.list_taxes()
    after = vault.get_json("freshbooks")
    assert after is not None and after["refresh_token"] != old_refresh and not after["refresh_started_at"]
    assert (await accounts.status()).freshbooks.last_refresh_at >= before.last_refresh_at


async def test_freshbooks_app_needs_configured_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIGBOOKS_FRESHBOOKS_CLIENT_ID", raising=False)
    monkeypatch.delenv("BIGBOOKS_FRESHBOOKS_CLIENT_SECRET", raising=False)
    with pytest.raises(ConfigurationError, match="BIGBOOKS_FRESHBOOKS_CLIENT_ID"):
        accounts.freshbooks_app_from_config()
    monkeypatch.setenv("BIGBOOKS_FRESHBOOKS_CLIENT_ID", "cid")
    monkeypatch.setenv("BIGBOOKS_FRESHBOOKS_CLIENT_SECRET", "csecret-123")
    app = accounts.freshbooks_app_from_config()
    assert app.client_id == "cid" and "csecret-123" not in repr(app)


async def test_unreachable_sandbox_is_transient() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    from bigbooks_desktop.core.errors import TransientError

    with pytest.raises(TransientError, match="bigbooks sandbox"):
        await accounts.connect_sandbox(ADMIN, transport=httpx.MockTransport(refuse))


def _sandbox_app(sandbox: Sandbox) -> oauth.FreshBooksApp:
    info = sandbox.info(BASE)
    return oauth.FreshBooksApp(
        client_id=info["freshbooks_client_id"],
        client_secret=info["freshbooks_client_secret"],
        auth_url=info["freshbooks_auth_url"],
        api_url=info["freshbooks_api_url"],
    )


@pytest.mark.sockets
@pytest.mark.parametrize("redirect", ["loopback", "https"])
async def test_browser_sign_in_through_the_loopback(sandbox: Sandbox, redirect: str) -> None:
    import asyncio
    import ssl

    browser: list[asyncio.Task[None]] = []

    async def user_approves(url: str) -> None:
        async with httpx.AsyncClient(transport=sandbox.transport()) as http:
            location = await oauth.submit_consent_form(http, url)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the user clicks through the self-signed warning
        target = location.replace("https://localhost:", "https://127.0.0.1:")
        async with httpx.AsyncClient(verify=context) as real_browser:
            await real_browser.get(target)

    result = await accounts.connect_freshbooks(
        app=_sandbox_app(sandbox),
        redirect=redirect,
        port=0,
        transport=sandbox.transport(),
        wait_seconds=5,
        account_id="SbxB2m",
        open_browser=lambda url: browser.append(asyncio.create_task(user_approves(url))),
    )
    await asyncio.gather(*browser)
    assert result.connected and result.account_id == "SbxB2m"


async def test_pasted_address_sign_in_and_business_prompt(sandbox: Sandbox) -> None:
    app = _sandbox_app(sandbox)
    urls: list[str] = []

    async def paste() -> str:
        async with httpx.AsyncClient(transport=sandbox.transport()) as http:
            return await oauth.submit_consent_form(http, urls[0])

    offered: list[str] = []

    def choose(businesses: tuple[fb.Business, ...]) -> str:
        offered.extend(b.account_id for b in businesses)
        return businesses[1].account_id

    result = await accounts.connect_freshbooks(
        app=app,
        redirect="paste",
        transport=sandbox.transport(),
        read_pasted=paste,
        open_browser=urls.append,
        choose_business=choose,
    )
    assert offered == ["SbxT9k", "SbxB2m"] and result.account_id == "SbxB2m"
    assert urls[0].startswith(app.auth_url) and "redirect_uri=https%3A%2F%2Flocalhost%3A53682" in urls[0]


async def test_pasted_answer_with_a_forged_state_is_refused(sandbox: Sandbox) -> None:
    async def paste() -> str:
        return "https://localhost:53682/callback?code=stolen&state=forged"

    from bigbooks_desktop.core.errors import AuthError

    with pytest.raises(AuthError, match="state mismatch"):
        await accounts.connect_freshbooks(
            app=_sandbox_app(sandbox),
            redirect="paste",
            read_pasted=paste,
            open_browser=lambda url: None,
            transport=sandbox.transport(),
        )
    assert not (await accounts.status()).freshbooks.connected


async def test_status_reports_an_interrupted_refresh(sandbox: Sandbox) -> None:
    await accounts.connect_sandbox(ADMIN, transport=sandbox.transport())
    vault = accounts.make_vault()
    entry = vault.get_json("freshbooks")
    assert entry is not None
    vault.set_json("freshbooks", {**entry, "refresh_started_at": "2026-01-01T00:00:00+00:00"})
    state = (await accounts.status()).freshbooks
    assert state.refresh_interrupted and "interrupted" in state.problem


@pytest.mark.sockets
async def test_bigcommerce_app_install_connects_the_store(sandbox: Sandbox) -> None:
    import asyncio

    info = sandbox.info(BASE)
    browser: list[asyncio.Task[None]] = []

    async def merchant_approves(url: str) -> None:
        # the receiver's start page (https://localhost, self-signed) forwards to the install page
        async with httpx.AsyncClient(verify=False) as real_browser:  # noqa: S501
            install = (await real_browser.get(url)).headers["location"]
        async with httpx.AsyncClient(transport=sandbox.transport()) as http:
            location = await oauth.submit_consent_form(http, install)
        async with httpx.AsyncClient(verify=False) as real_browser:  # noqa: S501
            await real_browser.get(location)

    result = await accounts.connect_bigcommerce_install(
        port=0,
        login_url=info["bigcommerce_login_url"],
        client_id=info["bigcommerce_client_id"],
        client_secret=info["bigcommerce_client_secret"],
        api_base=BASE,
        transport=sandbox.transport(),
        wait_seconds=5,
        open_browser=lambda url: browser.append(asyncio.create_task(merchant_approves(url))),
    )
    await asyncio.gather(*browser)
    assert result.connected and result.method == "app_install"
    assert result.account_id == info["bigcommerce_store_hash"] and result.account_name
    async with await accounts.open_bigcommerce_client(transport=sandbox.transport()) as client:
        assert (await client.get_store()).id == info["bigcommerce_store_hash"]


async def test_file_store_opt_in_from_the_preference(
    sandbox: Sandbox, bigbooks_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bigbooks_desktop.core.preferences import Preferences, save_preferences

    monkeypatch.delenv("BIGBOOKS_ALLOW_FILE_SECRETS", raising=False)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert not accounts.file_store_opted_in() and not accounts.make_vault().uses_file_store
    save_preferences(Preferences(plaintext_credentials_opt_in=True))
    assert accounts.file_store_opted_in() and accounts.make_vault().uses_file_store
    await accounts.connect_sandbox(ADMIN, transport=sandbox.transport())  # no flag, no env: the preference
    assert stat.S_IMODE((bigbooks_home / "secrets.json").stat().st_mode) == 0o600
    assert (await accounts.status()).freshbooks.connected


async def test_file_store_opt_in_sources_each_count_and_a_corrupt_preference_is_no_consent(
    bigbooks_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bigbooks_desktop.accounts.connections import update_connections
    from bigbooks_desktop.core.paths import preferences_path

    monkeypatch.delenv("BIGBOOKS_ALLOW_FILE_SECRETS", raising=False)
    preferences_path().write_text("{not json", encoding="utf-8")
    assert not accounts.file_store_opted_in()
    assert accounts.file_store_opted_in(allow_file_store=True)
    monkeypatch.setenv("BIGBOOKS_ALLOW_FILE_SECRETS", "1")
    assert accounts.file_store_opted_in()
    monkeypatch.delenv("BIGBOOKS_ALLOW_FILE_SECRETS")
    update_connections(insecure_file_store=True)
    assert accounts.file_store_opted_in()


async def test_errors_name_each_service_one_way(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NotSignedInError) as bc_missing:
        await accounts.open_bigcommerce_client()
    with pytest.raises(NotSignedInError) as fb_missing:
        await accounts.open_freshbooks_client()
    with pytest.raises(ValidationError) as empty:
        await accounts.connect_bigcommerce_api_account("https://api.bigcommerce.com/stores/x/v3/", " ")
    monkeypatch.delenv("BIGBOOKS_FRESHBOOKS_CLIENT_ID", raising=False)
    with pytest.raises(ConfigurationError) as unconfigured:
        accounts.freshbooks_app_from_config()
    with pytest.raises(AuthRevokedError) as refused:
        await accounts.connect_bigcommerce_api_account(
            sandbox.info(BASE)["bigcommerce_api_path"], "wrong-token-0123", transport=sandbox.transport()
        )
    assert [bc_missing.value.service, empty.value.service, refused.value.service] == ["BigCommerce"] * 3
    assert [fb_missing.value.service, unconfigured.value.service] == ["FreshBooks"] * 2
