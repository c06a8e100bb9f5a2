"""The settings window on the qasync loop, against a sandbox signed in over real loopback sockets: every tab,
preferences saved and read back, reconnect and sign out, the keychain choice, and a diagnostics export without
a secret."""

from __future__ import annotations

import asyncio
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from page_helpers import shown, wait_done, wait_until
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from bigbooks_desktop import __version__, accounts
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.preferences import InvoiceMode, LogLevel, load_preferences
from bigbooks_desktop.gui.pages.settings import SettingsDialog, SettingsTab
from bigbooks_desktop.service import BigBooksService

pytestmark = [pytest.mark.gui]

SCREEN = (1280, 800)


@pytest.fixture
def settings_for(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> Iterator[Callable[..., SettingsDialog]]:
    made: list[SettingsDialog] = []

    def make(service: BigBooksService, **kwargs: Any) -> SettingsDialog:
        dialog = shown(qtbot, SettingsDialog(service, **kwargs), SCREEN)
        wait_done(qloop, dialog.loading)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.close()


def _answer(box: QMessageBox | None, button: QMessageBox.StandardButton) -> None:
    assert box is not None and box.isVisible()
    box.button(button).click()


@pytest.mark.sockets
def test_every_tab_reads_well_and_accounts_show_who_and_token_health(
        qloop: asyncio.AbstractEventLoop, sandbox_service: Any, settings_for: Callable[..., SettingsDialog],
        save_screenshot: Any) -> None:
    opened: list[str] = []
    dialog = settings_for(sandbox_service, open_url=opened.append)
    accounts_tab = dialog.accounts
    assert "Sandbox Trading Co." in accounts_tab.freshbooks.who.text()
    assert "access token valid until" in accounts_tab.freshbooks.health.text()
    assert "the demo store" in accounts_tab.freshbooks.health.text()
    assert "does not expire" in accounts_tab.bigcommerce.health.text()
    assert "keychain" in accounts_tab.vault_text.text() and not accounts_tab.use_file.isVisible()
    assert dialog.about.version.text() == f"Version {__version__}"
    for tab in SettingsTab:
        dialog.show_tab(tab)
        save_screenshot(dialog, f"settings-{tab.slug}")
    dialog.show_tab(SettingsTab.DATA)
    dialog.data.open_button.click()
    assert opened == [f"file://{sandbox_service.data_folder()}"]

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = app.palette()
    dark = QPalette(light)
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1f1f1f"), (QPalette.ColorRole.Text, "#e6e6e6"),
                         (QPalette.ColorRole.Button, "#3a3a3a"), (QPalette.ColorRole.ButtonText, "#e6e6e6"),
                         (QPalette.ColorRole.PlaceholderText, "#9a9a9a")):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)            # a dark system theme: the dialog follows it (no colour of its own)
    app.processEvents()             # the palette reaches the widgets as events
    try:
        dialog.show_tab(SettingsTab.ACCOUNTS)
        save_screenshot(dialog, "settings-accounts-dark")
        assert dialog.grab().toImage().pixelColor(4, 4).name() == "#2b2b2b"
    finally:
        app.setPalette(light)
        app.processEvents()


@pytest.mark.sockets
def test_preferences_are_saved_read_back_and_announced(
        qloop: asyncio.AbstractEventLoop, sandbox_service: Any, settings_for: Callable[..., SettingsDialog]) -> None:
    dialog = settings_for(sandbox_service)
    announced: list[v.PreferencesView] = []
    dialog.preferences_changed.connect(announced.append)
    assert dialog.policies.chosen_start() == date(2000, 1, 1)        # the fixture's backfill start
    dialog.schedule.auto_sync.setChecked(True)
    dialog.schedule.interval.setValue(10)                            # below the floor: the spin box holds 30
    assert dialog.schedule.interval.value() == 30
    dialog.schedule.interval.setValue(90)
    assert dialog.schedule.every.text() == "(every 90 seconds)"
    dialog.schedule.close_to_tray.setChecked(True)
    dialog.policies.invoice_mode.setCurrentIndex(dialog.policies.invoice_mode.findData(InvoiceMode.DRAFT))
    dialog.policies.backfill.setChecked(False)
    dialog.policies.concurrency.setValue(2)
    dialog.policies.retries.setValue(9)
    dialog.diagnostics.log_level.setCurrentIndex(dialog.diagnostics.log_level.findData(LogLevel.DEBUG))
    dialog.save_button.click()
    wait_done(qloop, dialog.saving)
    assert dialog.message.tone == "ok" and len(announced) == 1
    saved = load_preferences()
    assert (saved.poll_interval_seconds, saved.background_polling, saved.close_to_tray, saved.backfill_start,
            saved.concurrency, saved.max_automatic_retries, saved.invoice_mode, saved.log_level) == (
        90, True, True, None, 2, 9, InvoiceMode.DRAFT, LogLevel.DEBUG)
    assert sandbox_service.profile.invoice_mode == "draft" and sandbox_service.options.concurrency == 2

    again = settings_for(sandbox_service)                             # a new window reads them back
    assert again.chosen() == announced[0]
    assert again.schedule.interval.value() == 90 and not again.policies.backfill.isChecked()


def test_a_corrupt_preferences_file_is_said_not_hidden(qloop: asyncio.AbstractEventLoop, bigbooks_home: Path,
                                                       settings_for: Callable[..., SettingsDialog]) -> None:
    (bigbooks_home / "preferences.json").write_text("[1, 2]", encoding="utf-8")
    service = BigBooksService()
    try:
        dialog = settings_for(service)
        assert "does not hold a JSON object" in dialog.message.text()
        assert "Not signed in" in dialog.accounts.freshbooks.health.text()
        assert not dialog.accounts.sign_out_both.isEnabled()
    finally:
        qloop.run_until_complete(service.aclose())


@pytest.mark.sockets
def test_sign_out_asks_first_then_reconnect_in_its_own_dialog(
        qloop: asyncio.AbstractEventLoop, sandbox_service: Any, settings_for: Callable[..., SettingsDialog]) -> None:
    dialog = settings_for(sandbox_service)
    changed: list[v.ConnectionsView] = []
    dialog.accounts_changed.connect(changed.append)
    tab = dialog.accounts

    tab.bigcommerce.sign_out.click()
    _answer(tab.confirm, QMessageBox.StandardButton.Cancel)           # changed their mind
    assert tab.pending is None
    tab.bigcommerce.sign_out.click()
    _answer(tab.confirm, QMessageBox.StandardButton.Yes)
    wait_done(qloop, tab.pending)
    assert changed and not changed[-1].bigcommerce.connected and changed[-1].freshbooks.connected
    assert tab.bigcommerce.reconnect.text() == "&Connect..." and not tab.bigcommerce.sign_out.isEnabled()

    tab.bigcommerce.reconnect.click()
    reconnect = tab.reconnecting
    assert reconnect is not None and reconnect.isVisible()
    panel = reconnect.panel
    info = sandbox_service.sandbox_info
    panel.api_path.setText(info["bigcommerce_api_path"])
    panel.token.setText(info["bigcommerce_token"])
    panel.connect_button.click()
    wait_done(qloop, panel.pending)
    assert not reconnect.isVisible()                                   # done: it closed itself
    assert changed[-1].bigcommerce.connected and tab.bigcommerce.reconnect.text() == "&Reconnect..."
    assert "Signed in again" in tab.message.text()

    tab.sign_out_both.click()
    _answer(tab.confirm, QMessageBox.StandardButton.Yes)
    wait_done(qloop, tab.pending)
    assert not changed[-1].bigcommerce.connected and not changed[-1].freshbooks.connected


@pytest.mark.sockets
def test_diagnostics_export_through_the_file_dialog_holds_no_secret(
        qloop: asyncio.AbstractEventLoop, sandbox_service: Any, settings_for: Callable[..., SettingsDialog],
        tmp_path: Path) -> None:
    dialog = settings_for(sandbox_service)
    dialog.show_tab(SettingsTab.DIAGNOSTICS)
    tab = dialog.diagnostics
    tab.export_button.click()
    chooser = tab.file_dialog
    assert chooser is not None and chooser.isVisible()
    target = tmp_path / "report.zip"
    chooser.fileSelected.emit(str(target))                 # what choosing a file and pressing Save does
    chooser.close()
    wait_done(qloop, tab.pending)
    assert tab.message.tone == "ok" and "report.zip" in tab.message.text()
    entries = [accounts.make_vault(allow_file_store=True).get_json(name) for name in ("bigcommerce", "freshbooks")]
    info = sandbox_service.sandbox_info
    secrets = {info["bigcommerce_token"], info["freshbooks_client_secret"]}
    secrets |= {str(e[k]) for e in entries if e for k in ("access_token", "refresh_token", "client_secret") if k in e}
    with zipfile.ZipFile(target) as bundle:
        assert {"status.json", "preferences.json", "runs.json", "inbox.json"} <= set(bundle.namelist())
        text = "".join(bundle.read(name).decode("utf-8") for name in bundle.namelist())
    assert "Sandbox Trading Co." in text
    assert [s for s in secrets if s in text] == []


def test_without_a_keychain_the_file_store_is_offered_and_confirmed(
        qloop: asyncio.AbstractEventLoop, settings_for: Callable[..., SettingsDialog], save_screenshot: Any) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    service = BigBooksService()
    try:
        dialog = settings_for(service)
        tab = dialog.accounts
        assert "no keychain" in tab.vault_text.text() and tab.use_file.isVisible()
        save_screenshot(dialog, "settings-accounts-no-keychain")
        tab.use_file.click()
        _answer(tab.confirm, QMessageBox.StandardButton.Yes)
        wait_done(qloop, tab.pending)
        assert load_preferences().plaintext_credentials_opt_in and not tab.use_file.isVisible()
        assert "private file" in tab.vault_text.text()
        wait_until(qloop, lambda: tab.status is not None and tab.status.insecure_file_store)
    finally:
        qloop.run_until_complete(service.aclose())
