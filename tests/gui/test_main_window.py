"""The main window on the qasync loop against a sandbox over real loopback sockets: Sync now, the inbox."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

from bigbooks_desktop.gui.main_window import INBOX_COLUMNS, RUN_COLUMNS, MainWindow, describe_summary
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.record_model import RecordTableModel

pytestmark = [pytest.mark.gui, pytest.mark.sockets]


class RecordingPresenter(ErrorPresenter):
    def show(self, error: Any) -> None:  # record instead of opening a dialog
        self.shown.append(error)


def test_sync_now_fills_runs_inbox_and_summary(qtbot: Any, qloop: asyncio.AbstractEventLoop,
                                               sandbox_service: Any, save_screenshot: Any) -> None:
    presenter = RecordingPresenter()
    window = MainWindow(sandbox_service, presenter=presenter)
    qtbot.addWidget(window)
    window.resize(1100, 680)
    window.show()
    qloop.run_until_complete(window.refresh())
    assert "sbx" in window.bigcommerce_card.detail.text()
    assert "Sandbox Trading Co." in window.freshbooks_card.detail.text()
    assert window.tabs.widget(0).currentIndex() == 0               # no run yet: a sentence, not an empty grid
    save_screenshot(window, "main-window-connected")

    future = window.sync_now()
    assert not window.sync_button.isEnabled()          # busy while the run goes on
    qloop.run_until_complete(future)
    assert window.sync_button.isEnabled()
    assert presenter.shown == []

    runs = window.runs_model
    assert runs.rowCount() == 1
    assert runs.index(0, 2).data() == "finished"
    created = int(runs.index(0, 5).data())
    state = httpx.get(sandbox_service.sandbox_info["admin_url"] + "/state", timeout=10).json()
    account = window.freshbooks_card.detail.text().split(" · ")[1]      # the business signed in to
    ours = [i for i in state["freshbooks"]["invoices"] if i["accountid"] == account]
    assert created == len(ours) > 0
    assert f"{created} invoices created" in window.summary.text()
    inbox_rows = window.inbox_model.rowCount()
    assert window.tabs.tabText(1) == (f"Error inbox ({inbox_rows})" if inbox_rows else "Error inbox")
    runs_page, inbox_page = window.tabs.widget(0), window.tabs.widget(1)
    assert runs_page.currentIndex() == 1                          # the table, not the empty-state sentence
    assert inbox_page.currentIndex() == (1 if inbox_rows else 0)
    save_screenshot(window, "main-window-after-sync")
    window.tabs.setCurrentIndex(1)
    save_screenshot(window, "main-window-inbox")


def test_sync_errors_reach_the_presenter_not_a_log(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    from bigbooks_desktop.service import BigBooksService

    presenter = RecordingPresenter()
    service = BigBooksService()           # nobody signed in
    window = MainWindow(service, presenter=presenter)
    qtbot.addWidget(window)
    future = window.sync_now()
    with pytest.raises(Exception):  # noqa: B017 - the error itself is checked through the presenter
        qloop.run_until_complete(future)
    assert window.sync_button.isEnabled()
    assert [e.kind for e in presenter.shown] == ["auth"]
    assert "sign" in presenter.shown[0].message.lower() or "connect" in presenter.shown[0].message.lower()
    qloop.run_until_complete(service.aclose())


@pytest.mark.parametrize("columns", [RUN_COLUMNS, INBOX_COLUMNS])
def test_record_models_pass_the_model_tester(qtmodeltester: Any, columns: Any) -> None:
    model = RecordTableModel(columns)
    model.set_records([
        {"id": 1, "mode": "once", "status": "finished", "started_at": "2026-01-01T10:00:00",
         "counts": {"orders_synced": 3}, "order_id": 7, "stage": "client", "title": "t", "message": "m",
         "attempts": 2},
        {"id": 2},                                     # sparse record: blank cells, not an exception
    ])
    qtmodeltester.check(model)
    assert model.index(1, 0).data() == "2"


def test_a_record_that_cannot_render_shows_as_a_disabled_row() -> None:
    from bigbooks_desktop.gui.record_model import Column

    def explode(_record: Any) -> Any:
        raise ValueError("broken")

    model = RecordTableModel([Column("Broken", explode)])
    model.set_records([{"id": 1}])
    assert model.index(0, 0).data() == "(unreadable)"
    assert model.flags(model.index(0, 0)) == Qt.ItemFlag.NoItemFlags


def test_summary_sentence_mentions_the_inbox_only_when_needed() -> None:
    quiet = {"counts": {"invoices_created": 2, "payments_created": 2}, "inbox_active": 0}
    busy = {"counts": {"invoices_created": 1}, "inbox_active": 3}
    assert "inbox" not in describe_summary(quiet)
    assert "3 order(s) need attention" in describe_summary(busy)


def test_the_demo_window_signs_in_and_syncs_by_itself(qtbot: Any, qloop: asyncio.AbstractEventLoop,
                                                       save_screenshot: Any) -> None:
    """What `bigbooks demo` does with a display: sign in to the sandbox, then run the main job."""
    from datetime import date

    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.gui.app import start_demo
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=20, seed=5, time_scale=200)) as sandbox:
        service = BigBooksService(allow_file_store=True)
        window = MainWindow(service, presenter=RecordingPresenter())
        qtbot.addWidget(window)
        window.resize(1100, 680)
        window.show()
        sync = qloop.run_until_complete(start_demo(window, sandbox.info["admin_url"]))
        qloop.run_until_complete(sync)
        assert window.presenter.shown == []
        assert window.freshbooks_card.detail.text().startswith("Sandbox Trading Co.")
        assert window.runs_model.rowCount() == 1 and int(window.runs_model.index(0, 5).data()) > 0
        save_screenshot(window, "demo-window-after-first-sync")
        qloop.run_until_complete(service.aclose())
