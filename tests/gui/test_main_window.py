"""The main window on the qasync loop against a sandbox over real loopback sockets: Sync now, the inbox, a
sync stopped by closing the window; and the summary sentence from a real SyncSummaryView."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from page_helpers import open_page
from PySide6.QtWidgets import QApplication

from bigbooks_desktop.core import views as v
from bigbooks_desktop.gui.main_window import MainWindow, describe_summary
from bigbooks_desktop.gui.models.runs import RunColumn
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.window_pages import Screen

pytestmark = [pytest.mark.gui, pytest.mark.sockets]


class RecordingPresenter(ErrorPresenter):
    def show(self, error: Any) -> None:  # record instead of opening a dialog
        self.shown.append(error)


def run_inbox(window: MainWindow) -> int:
    """The inbox's rows as the last run counted them."""
    summary = window.status.last_summary
    assert summary is not None
    return summary.inbox_active


def test_sync_now_fills_runs_inbox_and_summary(qtbot: Any, qloop: asyncio.AbstractEventLoop,
                                               sandbox_service: Any, save_screenshot: Any) -> None:
    presenter = RecordingPresenter()
    window = open_page(qtbot, qloop, MainWindow(sandbox_service, presenter=presenter), (1100, 680))
    assert "sbx" in window.bigcommerce_card.detail.text()
    assert "Sandbox Trading Co." in window.freshbooks_card.detail.text()
    assert window.tabs.runs.history.currentIndex() == 0            # no run yet: a sentence, not an empty grid
    save_screenshot(window, "main-window-connected")

    future = window.sync_now()
    assert not window.sync_button.isEnabled()          # busy while the run goes on
    qloop.run_until_complete(future)
    assert window.sync_button.isEnabled()
    assert presenter.shown == []

    window.tabs.show_screen(Screen.RUNS)              # not shown when the run ended: it reloads when shown
    qloop.run_until_complete(window.tabs.runs.refresh())
    runs = window.runs_model
    assert runs.rowCount() == 1
    assert runs.index(0, RunColumn.STATUS).data() == "Finished"
    assert runs.row(0).status is v.RunStatus.FINISHED
    created = int(runs.index(0, RunColumn.INVOICES).data())
    state = httpx.get(sandbox_service.sandbox_info["admin_url"] + "/state", timeout=10).json()
    account = window.freshbooks_card.detail.text().split(" · ")[1]      # the business signed in to
    ours = [i for i in state["freshbooks"]["invoices"] if i["accountid"] == account]
    assert created == len(ours) > 0
    assert f"{created} invoices created" in window.summary.text()
    inbox_rows = window.tabs.inbox_count
    assert window.tabs.tabText(Screen.INBOX) == (f"Error inbox ({inbox_rows})" if inbox_rows else "Error inbox")
    assert window.tabs.runs.history.currentIndex() == 1           # the table, not the empty-state sentence
    assert window.tabs.inbox.left.currentIndex() == (1 if inbox_rows else 0)
    assert inbox_rows == run_inbox(window)
    save_screenshot(window, "main-window-after-sync")
    window.tabs.show_screen(Screen.INBOX)
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


def _summary(*, created: int, inbox: int, problem: str | None = None) -> v.SyncSummaryView:
    now = datetime.now(UTC)
    return v.SyncSummaryView(run_id=1, mode=v.RunMode.ONCE, status=v.RunStatus.FINISHED, dry_run=False,
                             started_at=now, finished_at=now, results={v.OrderResult.SYNCED: created},
                             counts=v.CountsView(invoices_created=created, payments_created=created),
                             failed=(), inbox_active=inbox, cursor=now, problem=problem)


def test_summary_sentence_mentions_the_inbox_only_when_needed() -> None:
    assert "inbox" not in describe_summary(_summary(created=2, inbox=0))
    busy = describe_summary(_summary(created=1, inbox=3, problem="FreshBooks sign-in expired."))
    assert "1 invoices created" in busy and "3 orders need attention" in busy and "sign-in expired" in busy


def test_closing_the_window_stops_the_sync_and_the_run_shows_what_it_did(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> None:
    from bigbooks_desktop.service.coordination import SyncStatusView

    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    qapp.setQuitOnLastWindowClosed(False)         # as run_gui does: the loop outlives the window
    window = MainWindow(sandbox_service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.show()
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    synced: set[int] = set()

    def close_after_five(status: SyncStatusView) -> None:     # the user closes the window mid-sync
        progress = status.progress
        if progress is not None and progress.result is v.OrderResult.SYNCED and progress.order_id is not None:
            synced.add(progress.order_id)
            if len(synced) >= 5 and window.isVisible():
                window.close()

    sandbox_service.subscribe(close_after_five)
    future = window.sync_now()
    qloop.run_until_complete(asyncio.wait([future], timeout=120))
    assert closed == [True] and future.done() and window.presenter.shown == []
    stopped = future.result()
    assert stopped.status is v.RunStatus.INTERRUPTED            # stopped between orders, not killed
    assert window.progress.format() == "Stopped"
    assert "stopped before it finished" in window.summary.text()

    qloop.run_until_complete(window.refresh())
    run = window.runs_model.row(0)
    assert run.status is v.RunStatus.INTERRUPTED
    state = httpx.get(sandbox_service.sandbox_info["admin_url"] + "/state", timeout=10).json()
    account = window.freshbooks_card.detail.text().split(" · ")[1]
    made = [i for i in state["freshbooks"]["invoices"] if i["accountid"] == account]
    # the orders under way when the window closed were finished: FreshBooks has exactly what the run recorded
    assert 0 < run.counts.invoices_created == len(run.orders_created) == len(made)
    assert window.runs_model.index(0, RunColumn.INVOICES).data() == str(run.counts.invoices_created)
    assert window.runs_model.index(0, RunColumn.STATUS).data() == "Interrupted"
    qapp.setQuitOnLastWindowClosed(True)


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
        async def demo() -> None:      # one run of the loop: qasync steps leftover tasks with no running loop
            await (await start_demo(window, sandbox.info["admin_url"]))

        qloop.run_until_complete(demo())
        assert window.presenter.shown == []
        assert window.freshbooks_card.detail.text().startswith("Sandbox Trading Co.")
        window.tabs.show_screen(Screen.RUNS)           # reloads when shown (a run's end reloads the one shown)
        qloop.run_until_complete(window.tabs.runs.refresh())
        assert window.runs_model.rowCount() == 1 and window.runs_model.row(0).counts.invoices_created > 0
        save_screenshot(window, "demo-window-after-first-sync")
        qloop.run_until_complete(service.aclose())


def test_run_gui_returns_once_the_window_is_closed(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app does not quit by itself when its window closes (a stopped sync still records its run): the
    window's `closed` signal ends the loop."""
    import sys

    from PySide6.QtCore import QTimer

    from bigbooks_desktop.gui.app import run_gui
    from bigbooks_desktop.service import BigBooksService

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)      # run_gui installs its own
    service = BigBooksService()
    seen: list[str] = []

    def close_when_loaded() -> None:
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        if window.bigcommerce_card.detail.text() == "Checking...":     # the first refresh is still running
            QTimer.singleShot(100, close_when_loaded)
            return
        seen.append(window.bigcommerce_card.detail.text())
        window.close()

    QTimer.singleShot(100, close_when_loaded)
    try:
        assert run_gui(service=service) == 0
    finally:
        qapp.setQuitOnLastWindowClosed(True)
        asyncio.set_event_loop(None)
        asyncio.run(service.aclose())
    assert seen == ["Not signed in."]
