"""The first-run wizard on the qasync loop against a sandbox served on 127.0.0.1: BigCommerce checked live,
FreshBooks through the same OAuth code as the real service (a scripted browser; the sandbox's consent is
automatic), the business picker, the backfill preview, and the start; the demo store; no keychain."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import keyring
import keyring.backends.fail
import pytest
from page_helpers import wait_done, wait_until
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QWizard

from bigbooks_desktop import accounts
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.preferences import load_preferences, save_preferences
from bigbooks_desktop.gui.wizard import FirstRunWizard, WizardPage
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread
from bigbooks_desktop.service import BigBooksService

pytestmark = [pytest.mark.gui, pytest.mark.sockets]

SCREEN = (1280, 800)
APP_ENV = ("BIGBOOKS_FRESHBOOKS_CLIENT_ID", "BIGBOOKS_FRESHBOOKS_CLIENT_SECRET", "BIGBOOKS_FRESHBOOKS_AUTH_URL",
           "BIGBOOKS_FRESHBOOKS_API_URL", "BIGBOOKS_BC_CLIENT_ID", "BIGBOOKS_BC_CLIENT_SECRET")


class Browser:
    """The system browser: follows redirects to the redirect receiver, on the same event loop as the window."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.visits: list[asyncio.Task[None]] = []

    def open(self, url: str) -> None:
        self.opened.append(url)
        self.visits.append(asyncio.ensure_future(self._visit(url)))

    async def _visit(self, url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            await browser.get(url)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    accounts.forget_shared_auth()
    yield
    accounts.forget_shared_auth()


@pytest.fixture
def wizard_for(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> Iterator[Callable[..., FirstRunWizard]]:
    made: list[tuple[FirstRunWizard, BigBooksService]] = []

    def make(service: BigBooksService, **kwargs: Any) -> FirstRunWizard:
        wizard = FirstRunWizard(service, **kwargs)
        qtbot.addWidget(wizard)
        wizard.resize(*SCREEN)
        wizard.show()
        qloop.run_until_complete(wizard.loading)
        made.append((wizard, service))
        return wizard

    yield make
    for wizard, service in made:
        wizard.close()
        qloop.run_until_complete(service.aclose())


def test_the_wizard_connects_both_previews_and_starts(qloop: asyncio.AbstractEventLoop, fresh: None,
                                                      wizard_for: Callable[..., FirstRunWizard],
                                                      save_screenshot: Any) -> None:
    browser = Browser()
    config = SandboxConfig(orders=20, seed=3, time_scale=200, freshbooks_auto_consent=True)
    with SandboxThread(config) as sandbox:
        info = sandbox.info
        wizard = wizard_for(BigBooksService(), open_url=browser.open)
        finished: list[v.PreferencesView] = []
        wizard.finished_setup.connect(finished.append)
        assert wizard.currentId() == WizardPage.WELCOME and not wizard.welcome.demo_button.isEnabled()
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()     # choose a way first
        save_screenshot(wizard, "first-run-welcome")

        # 1. BigCommerce: a wrong token says what to fix; the right one connects
        wizard.welcome.connect_button.click()
        assert wizard.currentId() == WizardPage.BIGCOMMERCE
        panel = wizard.bigcommerce.panel
        panel.use_install.setChecked(True)
        assert panel.methods.currentIndex() == 1 and "https://localhost:53682/auth" in panel.callback.text()
        save_screenshot(wizard, "first-run-bigcommerce-install")
        panel.use_api_account.setChecked(True)
        save_screenshot(wizard, "first-run-bigcommerce")
        panel.api_path.setText(info["bigcommerce_api_path"])
        panel.token.setText("not-the-token-0000")
        panel.connect_button.click()
        wait_done(qloop, panel.pending)
        assert panel.message.tone == "error" and "copied whole" in panel.message.text()
        assert "not-the-token-0000" not in panel.message.text()
        assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        save_screenshot(wizard, "first-run-bigcommerce-error")
        panel.token.setText(info["bigcommerce_token"])
        panel.connect_button.click()
        wait_done(qloop, panel.pending)
        assert panel.message.tone == "ok" and info["bigcommerce_store_hash"] in panel.message.text()
        assert panel.token.text() == ""
        assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()

        # 2. FreshBooks in the browser; the business picker
        wizard.next()
        assert wizard.currentId() == WizardPage.FRESHBOOKS
        fb = wizard.freshbooks.panel
        wait_until(qloop, lambda: fb.app_box.isVisible())          # no app known yet: its fields show
        fb.client_id.setText(info["freshbooks_client_id"])
        fb.client_secret.setText(info["freshbooks_client_secret"])
        fb.auth_url.setText(info["freshbooks_auth_url"])
        fb.api_url.setText(info["freshbooks_api_url"])
        save_screenshot(wizard, "first-run-freshbooks")
        fb.sign_in_button.click()
        wait_until(qloop, lambda: fb.business_box.isVisible())
        assert browser.opened and browser.opened[0].startswith(info["freshbooks_auth_url"])
        names = [fb.businesses.itemText(i) for i in range(fb.businesses.count())]
        assert len(names) > 1 and any(n.startswith("Sandbox Trading Co.") for n in names)
        save_screenshot(wizard, "first-run-freshbooks-business")
        fb.businesses.setCurrentIndex(next(i for i, n in enumerate(names) if n.startswith("Sandbox Trading")))
        fb.business_button.click()
        wait_done(qloop, fb.pending)
        assert fb.message.tone == "ok" and "Sandbox Trading Co." in fb.message.text()
        save_screenshot(wizard, "first-run-freshbooks-signed-in")

        # 3. the backfill start, with the dry run's counts and totals
        wizard.next()
        assert wizard.currentId() == WizardPage.BACKFILL
        chooser = wizard.backfill.chooser
        assert chooser.from_now.isChecked() and chooser.summary is None      # nothing chosen yet: no preview
        chooser.from_date.setChecked(True)
        chooser.start.setDate(QDate(2000, 1, 1))
        chooser.preview_button.click()
        wait_done(qloop, chooser.pending)
        preview = chooser.summary
        assert preview is not None and preview.dry_run
        assert preview.planned_totals.invoices_to_create > 0 and preview.planned_totals.amounts
        assert chooser.figures.count() > 0 and "order(s) found" in chooser.found.text()
        save_screenshot(wizard, "first-run-backfill")

        # 4. start
        wizard.next()
        assert wizard.currentId() == WizardPage.START
        assert "2000-01-01" in wizard.start_page.summary_text()
        assert f"{preview.planned_totals.invoices_to_create} invoices" in wizard.start_page.summary_text()
        save_screenshot(wizard, "first-run-start")
        wizard.button(QWizard.WizardButton.FinishButton).click()
        wait_done(qloop, wizard.saving)
        assert [p.backfill_start for p in finished] == [date(2000, 1, 1)] and finished[0].background_polling
        assert load_preferences().backfill_start == date(2000, 1, 1)
        status = qloop.run_until_complete(wizard.service.status())
        assert status.bigcommerce.connected and status.freshbooks.connected
        assert status.freshbooks.method is v.SignInMethod.OAUTH and status.freshbooks.account_id == "SbxT9k"
        assert not wizard.isVisible()
        # the dry run wrote nothing to FreshBooks
        state = httpx.get(info["admin_url"] + "/state", timeout=10).json()
        assert [i for i in state["freshbooks"]["invoices"] if i["accountid"] == "SbxT9k"] == []


def test_the_demo_store_in_three_clicks(qloop: asyncio.AbstractEventLoop, fresh: None,
                                        wizard_for: Callable[..., FirstRunWizard], save_screenshot: Any) -> None:
    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))  # as `demo` does
    with SandboxThread(SandboxConfig(orders=15, seed=5, time_scale=200)) as sandbox:
        service = BigBooksService()
        service.offer_demo_store(sandbox.info["admin_url"])
        wizard = wizard_for(service)
        finished: list[v.PreferencesView] = []
        wizard.finished_setup.connect(finished.append)
        assert wizard.welcome.demo_button.isEnabled()
        save_screenshot(wizard, "first-run-welcome-demo")
        wizard.welcome.demo_button.click()                                          # 1
        assert wizard.currentId() == WizardPage.BACKFILL
        # it signs in to the demo store, then previews by itself: one wait for both (see `settle`)
        wait_until(qloop, lambda: wizard.backfill.chooser.summary is not None, timeout=60)
        assert wizard.backfill.chooser.summary is not None
        assert wizard.backfill.chooser.summary.planned_totals.invoices_to_create > 0
        wizard.button(QWizard.WizardButton.NextButton).click()                     # 2
        wizard.button(QWizard.WizardButton.FinishButton).click()                   # 3
        wait_done(qloop, wizard.saving)
        assert finished and finished[0].backfill_start == date(2000, 1, 1)
        status = qloop.run_until_complete(service.status())
        assert status.bigcommerce.method is v.SignInMethod.SANDBOX and status.freshbooks.connected


def test_without_a_keychain_the_wizard_explains_and_offers_the_file(
        qloop: asyncio.AbstractEventLoop, fresh: None, wizard_for: Callable[..., FirstRunWizard],
        save_screenshot: Any) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    service = BigBooksService()
    wizard = wizard_for(service)
    wizard.welcome.connect_button.click()
    assert wizard.currentId() == WizardPage.KEYCHAIN
    page = wizard.keychain
    assert "only your user account can read" in page.explain.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()        # never silently
    assert not service.file_store_path().exists() and not load_preferences().plaintext_credentials_opt_in
    save_screenshot(wizard, "first-run-keychain")
    page.use_file.click()
    wait_until(qloop, page.isComplete)
    assert load_preferences().plaintext_credentials_opt_in
    wizard.next()
    assert wizard.currentId() == WizardPage.BIGCOMMERCE


def test_freshbooks_by_pasting_the_address_and_cancelling(qloop: asyncio.AbstractEventLoop, fresh: None,
                                                          wizard_for: Callable[..., FirstRunWizard]) -> None:
    """The browser cannot reach the app (another computer): the user pastes the address it ended on. A sign-in
    can also be cancelled while it waits."""
    landed: list[str] = []

    def browser_elsewhere(url: str) -> None:
        async def visit() -> None:
            async with httpx.AsyncClient(timeout=10) as browser:
                landed.append((await browser.get(url)).headers["location"])     # it cannot follow this

        visits.append(asyncio.ensure_future(visit()))

    visits: list[asyncio.Future[None]] = []
    with SandboxThread(SandboxConfig(orders=2, freshbooks_auto_consent=True)) as sandbox:
        info = sandbox.info
        wizard = wizard_for(BigBooksService(), open_url=browser_elsewhere)
        wizard.go_to(WizardPage.FRESHBOOKS)
        fb = wizard.freshbooks.panel
        wait_until(qloop, lambda: fb.app_box.isVisible())
        fb.client_id.setText(info["freshbooks_client_id"])
        fb.client_secret.setText(info["freshbooks_client_secret"])
        fb.auth_url.setText(info["freshbooks_auth_url"])
        fb.api_url.setText(info["freshbooks_api_url"])

        fb.sign_in_button.click()
        assert fb.cancel_button.isVisible() and fb.paste_box.isVisible() and not fb.sign_in_button.isEnabled()
        fb.cancel_button.click()
        wait_done(qloop, fb.pending)
        assert fb.pending is not None and fb.pending.cancelled()
        assert "cancelled" in fb.message.text() and fb.sign_in_button.isEnabled() and not fb.paste_box.isVisible()

        landed.clear()
        fb.sign_in_button.click()
        wait_until(qloop, lambda: bool(landed))
        fb.pasted.setText(landed[0])
        fb.paste_button.click()
        wait_until(qloop, lambda: fb.business_box.isVisible())
        fb.business_button.click()                       # the first business
        wait_done(qloop, fb.pending)
        assert fb.message.tone == "ok" and wizard.freshbooks.isComplete()
        loop_status = qloop.run_until_complete(wizard.service.status())
        assert loop_status.freshbooks.connected and not loop_status.bigcommerce.connected


def test_every_page_can_be_shown_for_screenshots(qloop: asyncio.AbstractEventLoop, fresh: None,
                                                 wizard_for: Callable[..., FirstRunWizard]) -> None:
    wizard = wizard_for(BigBooksService())
    for page in (WizardPage.WELCOME, WizardPage.BIGCOMMERCE, WizardPage.FRESHBOOKS, WizardPage.BACKFILL,
                 WizardPage.START):
        wizard.go_to(page)
        assert wizard.currentId() == page
    assert {p.slug for p in WizardPage} == {"welcome", "keychain", "bigcommerce", "freshbooks", "backfill", "start"}
