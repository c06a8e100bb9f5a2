"""The facade's sign-in, preferences, first-sync preview and diagnostics (service.sign_in, service.settings,
service.diagnostics), against a sandbox served on 127.0.0.1 with a scripted browser."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import stat
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import pytest
import pytest_asyncio

from bigbooks_desktop import accounts
from bigbooks_desktop.connectors.freshbooks.oauth import submit_consent_form
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import (
    AuthRevokedError,
    ConfigurationError,
    KeychainUnavailableError,
    ValidationError,
)
from bigbooks_desktop.core.logfile import log_path
from bigbooks_desktop.core.preferences import InvoiceMode, LogLevel, Preferences, load_preferences
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread
from bigbooks_desktop.service import BigBooksService

pytestmark = pytest.mark.sockets

APP_ENV = ("BIGBOOKS_FRESHBOOKS_CLIENT_ID", "BIGBOOKS_FRESHBOOKS_CLIENT_SECRET", "BIGBOOKS_FRESHBOOKS_AUTH_URL",
           "BIGBOOKS_FRESHBOOKS_API_URL", "BIGBOOKS_BC_CLIENT_ID", "BIGBOOKS_BC_CLIENT_SECRET")


@pytest.fixture(scope="module")
def served() -> Iterator[SandboxThread]:
    with SandboxThread(SandboxConfig(orders=12, seed=4, time_scale=200, freshbooks_auto_consent=True)) as thread:
        yield thread


@pytest_asyncio.fixture
async def service(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BigBooksService]:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    accounts.forget_shared_auth()
    made = BigBooksService()
    yield made
    await made.aclose()
    accounts.forget_shared_auth()


def _secrets(served: SandboxThread) -> list[str]:
    oauth = served.sandbox.freshbooks.oauth
    return [served.info["bigcommerce_token"], served.info["freshbooks_client_secret"],
            *oauth.access_tokens, *oauth.refresh_tokens]


class Browser:
    """The user's browser: follows redirects, approves a consent page, and lands on the redirect receiver,
    accepting the self-signed localhost certificate as a user does once."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []

    def open(self, url: str) -> None:
        self.opened.append(url)
        self.tasks.append(asyncio.ensure_future(self._visit(url)))

    async def _visit(self, url: str) -> None:
        async with httpx.AsyncClient(verify=False, timeout=10) as browser:  # noqa: S501
            for _hop in range(5):
                page = await browser.get(url)
                if page.is_redirect:
                    url = page.headers["location"]
                elif "<form" in page.text:
                    url = await submit_consent_form(browser, url)       # the user clicks Approve
                else:
                    return


# -- preferences ----------------------------------------------------------------------------------------------


def test_the_preferences_view_has_every_preference_and_no_other() -> None:
    view_fields = [f.name for f in dataclasses.fields(v.PreferencesView) if f.name != "problem"]
    assert view_fields == list(Preferences.model_fields)


@pytest.mark.asyncio
async def test_preferences_save_reload_and_take_effect(service: BigBooksService) -> None:
    current = service.preferences()
    assert current == dataclasses.replace(current, poll_interval_seconds=300, background_polling=False,
                                          close_to_tray=False, invoice_mode=InvoiceMode.SENT, problem=None)
    assert service.profile.invoice_mode == "sent"
    wanted = dataclasses.replace(current, poll_interval_seconds=45, background_polling=True, close_to_tray=True,
                                 backfill_start=date(2024, 1, 1), concurrency=2, max_automatic_retries=7,
                                 invoice_mode=InvoiceMode.DRAFT, log_level=LogLevel.DEBUG)
    saved = await service.save_preferences(wanted)
    assert saved == wanted and service.preferences() == wanted
    assert load_preferences().poll_interval_seconds == 45
    # in effect at once: the mapping profile's invoice mode, the sync options
    assert service.profile.invoice_mode == "draft"
    assert service.options.concurrency == 2 and service.options.retry_policy.max_retries == 7

    after = await service.set_backfill_start(None)
    assert after.backfill_start is None and load_preferences().backfill_start is None


@pytest.mark.asyncio
async def test_a_value_out_of_range_names_its_field_and_the_range(service: BigBooksService) -> None:
    current = service.preferences()
    with pytest.raises(ValidationError) as caught:
        await service.save_preferences(dataclasses.replace(current, poll_interval_seconds=10))
    assert caught.value.field == "poll_interval_seconds"
    assert "from 30 to 86400 seconds" in caught.value.message
    with pytest.raises(ValidationError, match="in the future") as future:
        await service.save_preferences(dataclasses.replace(current, backfill_start=date.today() + timedelta(2)))
    assert future.value.field == "backfill_start"
    assert service.preferences() == current                    # nothing was saved


@pytest.mark.asyncio
async def test_a_save_never_changes_the_file_store_opt_in(service: BigBooksService) -> None:
    stale = service.preferences()                             # read before the opt-in
    await service.use_file_store()
    await service.save_preferences(dataclasses.replace(stale, concurrency=3))
    assert load_preferences().plaintext_credentials_opt_in is True


def test_a_corrupt_preferences_file_is_reported(service: BigBooksService, bigbooks_home: Path) -> None:
    (bigbooks_home / "preferences.json").write_text("{oops", encoding="utf-8")
    view = service.preferences()
    assert view.problem is not None and "not valid JSON" in view.problem and view.concurrency == 4


# -- BigCommerce ----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_bigcommerce_api_account_checked_live(service: BigBooksService, served: SandboxThread) -> None:
    info = served.info
    with pytest.raises(ConfigurationError, match="not a BigCommerce API path"):
        await service.connect_bigcommerce_api_account("https://example.com/nothing", info["bigcommerce_token"])
    with pytest.raises(AuthRevokedError) as refused:
        await service.connect_bigcommerce_api_account(info["bigcommerce_api_path"], "wrong-token-123456")
    assert "copied whole" in refused.value.message and "wrong-token-123456" not in str(refused.value)
    status = await service.connect_bigcommerce_api_account(info["bigcommerce_api_path"],
                                                           f"  {info['bigcommerce_token']}\n")
    assert status.bigcommerce.connected and status.bigcommerce.account_id == info["bigcommerce_store_hash"]
    assert status.bigcommerce.method is v.SignInMethod.API_ACCOUNT and not status.freshbooks.connected


@pytest.mark.asyncio
async def test_bigcommerce_app_install_calls_back_on_https_localhost(
        service: BigBooksService, served: SandboxThread, monkeypatch: pytest.MonkeyPatch) -> None:
    info = served.info
    with pytest.raises(ConfigurationError, match="client ID and client secret"):
        await service.connect_bigcommerce_install(open_browser=lambda _url: None)
    monkeypatch.setenv("BIGBOOKS_BC_CLIENT_ID", info["bigcommerce_client_id"])
    monkeypatch.setenv("BIGBOOKS_BC_CLIENT_SECRET", info["bigcommerce_client_secret"])
    app = service.bigcommerce_app()
    assert app.client_id == info["bigcommerce_client_id"] and app.has_client_secret
    assert app.callback_url == "https://localhost:53682/auth"

    browser = Browser()
    status = await service.connect_bigcommerce_install(
        open_browser=browser.open, login_url=info["bigcommerce_login_url"],
        api_base=info["base_url"], port=0, wait_seconds=10)
    await asyncio.gather(*browser.tasks)
    assert browser.opened[0].startswith("https://localhost:") and browser.opened[0].endswith("/install")
    assert status.bigcommerce.connected and status.bigcommerce.method is v.SignInMethod.APP_INSTALL


# -- FreshBooks -----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_freshbooks_in_the_browser_with_a_business_picker(service: BigBooksService,
                                                                served: SandboxThread) -> None:
    info = served.info
    with pytest.raises(ConfigurationError, match="client ID and client secret"):
        await service.connect_freshbooks(open_browser=lambda _url: None)
    offered: list[tuple[v.BusinessView, ...]] = []

    async def pick(businesses: tuple[v.BusinessView, ...]) -> str:
        offered.append(businesses)
        await asyncio.sleep(0.05)                      # the user takes a moment to click
        return next(b.account_id for b in businesses if b.name.startswith("Maple"))

    browser = Browser()
    status = await service.connect_freshbooks(
        open_browser=browser.open, choose_business=pick, client_id=info["freshbooks_client_id"],
        client_secret=info["freshbooks_client_secret"], auth_url=info["freshbooks_auth_url"],
        api_url=info["freshbooks_api_url"], wait_seconds=10)
    await asyncio.gather(*browser.tasks)
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in browser.opened[0]        # the loopback, any port
    assert len(offered[0]) > 1 and all(isinstance(b, v.BusinessView) for b in offered[0])
    fb = status.freshbooks
    assert fb.connected and fb.account_name == "Maple Side Projects Ltd." and fb.method is v.SignInMethod.OAUTH
    assert fb.token_expires_at is not None

    # reconnecting needs no app fields: the client id is remembered, the secret is in the keychain
    app = await service.freshbooks_app()
    assert app.client_id == info["freshbooks_client_id"] and app.has_client_secret
    assert app.redirect_uri.startswith("http://127.0.0.1:")
    again = Browser()
    status = await service.connect_freshbooks(open_browser=again.open, account_id="SbxT9k", wait_seconds=10)
    await asyncio.gather(*again.tasks)
    assert status.freshbooks.account_name == "Sandbox Trading Co."


@pytest.mark.asyncio
async def test_freshbooks_sign_in_by_pasting_the_address(service: BigBooksService, served: SandboxThread) -> None:
    """The browser cannot reach the app (another computer): the user pastes the address it ended on."""
    info = served.info
    pasted: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    visits: list[asyncio.Future[None]] = []

    def browser_elsewhere(url: str) -> None:
        async def visit() -> None:
            async with httpx.AsyncClient(timeout=10) as browser:
                consent = await browser.get(url)              # auto-consent: a redirect the browser cannot follow
            pasted.set_result(consent.headers["location"])

        visits.append(asyncio.ensure_future(visit()))

    status = await service.connect_freshbooks(
        open_browser=browser_elsewhere, read_pasted=lambda: pasted, client_id=info["freshbooks_client_id"],
        client_secret=info["freshbooks_client_secret"], auth_url=info["freshbooks_auth_url"],
        api_url=info["freshbooks_api_url"], account_id="SbxT9k", wait_seconds=10)
    assert status.freshbooks.connected and status.freshbooks.account_id == "SbxT9k"


# -- signing out, the keychain ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_sign_out_one_service_then_both(service: BigBooksService, served: SandboxThread) -> None:
    await service.connect_sandbox(served.info["admin_url"])
    status = await service.sign_out(v.ServiceName.FRESHBOOKS)
    assert status.bigcommerce.connected and not status.freshbooks.connected
    status = await service.sign_out()
    assert not status.bigcommerce.connected and not status.freshbooks.connected
    assert await accounts.make_vault().aget_json("bigcommerce") is None


@pytest.mark.asyncio
async def test_without_a_keychain_the_file_store_is_an_explicit_choice(service: BigBooksService,
                                                                       served: SandboxThread) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    status = await service.status()
    assert not status.keychain_available and not status.insecure_file_store
    with pytest.raises(KeychainUnavailableError):
        await service.connect_bigcommerce_api_account(served.info["bigcommerce_api_path"],
                                                      served.info["bigcommerce_token"])
    assert not service.file_store_path().exists()             # never silently

    status = await service.use_file_store()
    assert status.insecure_file_store and load_preferences().plaintext_credentials_opt_in
    status = await service.connect_bigcommerce_api_account(served.info["bigcommerce_api_path"],
                                                           served.info["bigcommerce_token"])
    assert status.bigcommerce.connected
    assert stat.S_IMODE(service.file_store_path().stat().st_mode) == 0o600


# -- the first sync's preview, diagnostics ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_first_sync_preview_counts_and_totals_without_writing(service: BigBooksService) -> None:
    with SandboxThread(SandboxConfig(orders=15, seed=6, time_scale=200)) as sandbox:
        await service.connect_sandbox(sandbox.info["admin_url"])
        with pytest.raises(ValidationError, match="future"):
            await service.preview_first_sync(date.today() + timedelta(days=1))
        progress: list[v.SyncProgressView] = []
        preview = await service.preview_first_sync(date(2000, 1, 1), progress=progress.append)
        totals = preview.planned_totals
        assert preview.dry_run and totals.invoices_to_create > 0 and totals.clients_to_create > 0
        assert totals.amounts and all(a.invoices > 0 for a in totals.amounts.values())
        assert progress and progress[-1].done == progress[-1].total
        async with httpx.AsyncClient(timeout=10) as admin:
            state = (await admin.get(sandbox.info["admin_url"] + "/state")).json()
        account = (await service.status()).freshbooks.account_id
        assert [i for i in state["freshbooks"]["invoices"] if i["accountid"] == account] == []


@pytest.mark.asyncio
async def test_diagnostics_hold_logs_status_preferences_runs_and_inbox_but_no_secret(
        service: BigBooksService, served: SandboxThread, tmp_path: Path) -> None:
    await service.connect_sandbox(served.info["admin_url"])
    await service.preview_first_sync(date(2000, 1, 1))
    token = served.info["bigcommerce_token"]
    logging.getLogger("bigbooks_desktop.test").warning("a line for the log")
    with log_path().open("a", encoding="utf-8") as log:          # a token that got past the log's own redaction
        log.write(f"2026-01-01 00:00:00 DEBUG   [1 x] sent X-Auth-Token {token} to the store\n")
    log_path().with_name("bigbooks.log.1").write_text("an older, rotated log\n", encoding="utf-8")

    target = tmp_path / "out" / "diagnostics.zip"
    report = await service.export_diagnostics(target)
    assert report.path == target and report.size == target.stat().st_size > 0
    with zipfile.ZipFile(target) as bundle:
        names = set(bundle.namelist())
        texts = {name: bundle.read(name).decode("utf-8") for name in names}
    assert {"about.json", "status.json", "preferences.json", "runs.json", "inbox.json", "logs/bigbooks.log",
            "logs/bigbooks.log.1"} <= names == set(report.files)
    assert json.loads(texts["status.json"])["freshbooks"]["connected"] is True
    assert json.loads(texts["runs.json"])[0]["mode"] == "dry-run"
    assert "active" in json.loads(texts["inbox.json"])
    assert json.loads(texts["preferences.json"])["concurrency"] == 4
    assert "sent X-Auth-Token *** to the store" in texts["logs/bigbooks.log"]
    leaks = [(name, secret) for name, text in texts.items() for secret in _secrets(served) if secret in text]
    assert leaks == []


@pytest.mark.asyncio
async def test_diagnostics_to_a_place_that_cannot_be_written(service: BigBooksService, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="Choose another folder"):
        await service.export_diagnostics(blocker / "diagnostics.zip")


@pytest.mark.asyncio
async def test_the_demo_store_is_offered_by_the_command_that_opens_the_window(service: BigBooksService,
                                                                             served: SandboxThread) -> None:
    assert not service.demo_store_offered()
    with pytest.raises(ConfigurationError, match="bigbooks demo"):
        await service.connect_demo_store()
    started: list[bool] = []

    async def start_demo_store() -> str:
        started.append(True)
        return str(served.info["admin_url"])

    service.offer_demo_store(start_demo_store)
    assert service.demo_store_offered()
    status = await service.connect_demo_store()
    assert started == [True] and status.bigcommerce.method is v.SignInMethod.SANDBOX and status.freshbooks.connected
