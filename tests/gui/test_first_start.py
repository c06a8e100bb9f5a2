"""A new user's first start, in the window alone: from an empty profile to signed in, backfilled and syncing
automatically, counting the clicks and the minutes (README, "The window"); and a backfill of older orders later
with Sync > Sync from a date..., the way the first run's note tells the user."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QWizard

from bigbooks_desktop import accounts
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.preferences import load_preferences, save_preferences
from bigbooks_desktop.gui.main_window import MainWindow
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.sync_from_date import SyncFromDateDialog
from bigbooks_desktop.gui.wizard import FirstRunWizard
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread
from bigbooks_desktop.service import BigBooksService
from bigbooks_desktop.service.coordination import SyncState

pytestmark = [pytest.mark.gui, pytest.mark.sockets]

CLICK_BUDGET = 10
MINUTES_BUDGET = 3.0


class RecordingPresenter(ErrorPresenter):
    def show(self, error: Any) -> None:
        self.shown.append(error)


async def _until(condition: Any, within: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _freshbooks_invoices(admin_url: str, account: str) -> list[dict[str, Any]]:
    state = httpx.get(f"{admin_url}/state", timeout=10).json()
    return [i for i in state["freshbooks"]["invoices"] if i["accountid"] == account]


def test_from_an_empty_profile_to_auto_syncing_in_three_clicks(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, save_screenshot: Any) -> None:
    """`bigbooks demo` as a new user meets it: the window opens on the set-up assistant offering the demo
    store; every click is a real mouse click on what the user sees."""
    accounts.forget_shared_auth()
    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))  # as `demo` does
    clicks = 0

    def click(button: QAbstractButton) -> None:
        nonlocal clicks
        assert button.isVisible() and button.isEnabled(), button.text()
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        clicks += 1

    # the demo's store: 120 orders, BigCommerce's quota time-scaled x10 as `bigbooks demo` runs it
    with SandboxThread(SandboxConfig(orders=120, seed=7, time_scale=10)) as sandbox:
        service = BigBooksService(allow_file_store=True)
        service.offer_demo_store(sandbox.info["admin_url"])
        window = MainWindow(service, presenter=RecordingPresenter())
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        started = time.monotonic()

        async def first_start() -> None:
            await window.refresh()
            wizard = window.offer_setup()
            assert isinstance(wizard, FirstRunWizard)            # opened by itself: nothing connected
            click(wizard.welcome.demo_button)                                    # 1: Try the demo store
            chooser = wizard.backfill.chooser
            try:                                                                 # signs in, previews by itself
                await _until(lambda: chooser.summary is not None)
            except AssertionError:
                raise AssertionError(f"no preview: {chooser.message.text()!r} {wizard.currentId()} "
                                     f"{window.presenter.shown}") from None
            click(wizard.button(QWizard.WizardButton.NextButton))                # 2
            click(wizard.button(QWizard.WizardButton.FinishButton))              # 3: Start syncing
            await _until(lambda: window.status.state is SyncState.SYNCING or bool(window.status.runs))
            await _until(lambda: window.status.last_summary is not None and not window.status.busy)

        qloop.run_until_complete(first_start())
        elapsed = time.monotonic() - started
        summary = window.status.last_summary
        assert summary is not None and summary.status is v.RunStatus.FINISHED
        assert summary.counts.invoices_created > 50                      # the store's history, backfilled
        assert window.connected and window.status.auto_sync_seconds is not None      # and auto-syncing
        assert window.status.next_run_at is not None
        created = _freshbooks_invoices(sandbox.info["admin_url"], "SbxT9k")
        assert len(created) == summary.counts.invoices_created
        assert window.presenter.shown == []
        save_screenshot(window, "first-start-done")
        print(f"first start: {clicks} clicks, {elapsed:.1f} s to a backfilled, auto-syncing profile")
        assert clicks <= CLICK_BUDGET and elapsed <= MINUTES_BUDGET * 60
        window.close()
        qloop.run_until_complete(service.aclose())


def test_a_first_run_without_a_start_date_says_how_to_backfill_and_the_window_does_it(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> None:
    service = sandbox_service
    qloop.run_until_complete(service.save_preferences(replace(service.preferences(), backfill_start=None,
                                                              problem=None)))
    window = MainWindow(service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qloop.run_until_complete(window.refresh())

    first = qloop.run_until_complete(window.sync_now())
    assert first.counts.invoices_created == 0
    assert "Sync > Sync from a date..." in window.summary.text()            # the engine's note, in the window
    assert window.sync_from_action.text().replace("&", "") == "Sync from a date..."

    dialog = window.ask_sync_from_date()
    assert isinstance(dialog, SyncFromDateDialog) and dialog.isVisible()
    dialog.date_edit.setDate(dialog.date_edit.date().addYears(-30))
    assert dialog.chosen() < date(2000, 1, 1)
    dialog.accept()                                              # the backfill starts from the chosen day
    qloop.run_until_complete(_until(lambda: window.running_sync() is not None, within=10))
    running = window.running_sync()
    assert running is not None
    backfill = qloop.run_until_complete(running)
    assert backfill.mode is v.RunMode.BACKFILL and backfill.counts.invoices_created > 0
    account = window.freshbooks_card.detail.text().split(" · ")[1]
    assert len(_freshbooks_invoices(service.sandbox_info["admin_url"], account)) == \
        backfill.counts.invoices_created
    assert window.presenter.shown == []
