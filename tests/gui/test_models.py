"""The window's table models over the service's real view types: qtmodeltester on each, numbers sorting as
numbers, times as times, local time with its zone, and a bad row shown disabled instead of raising."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ErrorKind
from bigbooks_desktop.gui.formatting import label, local_time
from bigbooks_desktop.gui.models.runs import RunColumn, RunsModel
from bigbooks_desktop.gui.models.sort_proxy import SortProxyModel
from bigbooks_desktop.gui.models.table import ROW_ROLE, SORT_ROLE, Column, ViewTableModel

pytestmark = pytest.mark.gui

BASE = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's zone is New York for the test (the window shows local time)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _run(run_id: int, *, invoices: int, started: datetime, status: v.RunStatus = v.RunStatus.FINISHED,
         rebuilt: bool = False) -> v.RunView:
    return v.RunView(id=run_id, mode=v.RunMode.ONCE, status=status, started_at=started,
                     finished_at=None if status is v.RunStatus.RUNNING else started + timedelta(minutes=2),
                     counts=v.CountsView(orders_synced=invoices, invoices_created=invoices,
                                         payments_created=invoices), error=None,
                     orders_created=tuple(range(100, 100 + invoices)), counts_rebuilt=rebuilt)


def _item(item_id: int, *, order_id: int | None, attempts: int, updated: datetime,
          next_retry: datetime | None = None) -> v.InboxView:
    return v.InboxView(id=item_id, order_id=order_id, stage=v.InboxStage.CLIENT, kind=ErrorKind.VALIDATION,
                       title="Order needs attention", message="Add an email address.\nThen retry.",
                       status=v.InboxStatus.WAITING, attempts=attempts, next_retry_at=next_retry, edits={},
                       created_at=updated, updated_at=updated)


RUNS = [_run(2, invoices=10, started=BASE + timedelta(days=1)), _run(10, invoices=2, started=BASE),
        _run(1, invoices=11, started=BASE - timedelta(days=30)),
        _run(11, invoices=60, started=BASE + timedelta(hours=1), status=v.RunStatus.INTERRUPTED, rebuilt=True)]
INBOX = [_item(3, order_id=120, attempts=10, updated=BASE),
         _item(20, order_id=None, attempts=2, updated=BASE + timedelta(hours=3), next_retry=BASE + timedelta(days=1)),
         _item(100, order_id=9, attempts=1, updated=BASE - timedelta(days=1))]


def _column(proxy: SortProxyModel, column: int) -> list[Any]:
    return [proxy.index(row, column).data(SORT_ROLE) for row in range(proxy.rowCount())]


def test_runs_model_passes_the_model_tester_and_sorts_numbers_and_times(qtmodeltester: Any) -> None:
    model = RunsModel()
    model.set_rows(RUNS)
    qtmodeltester.check(model)
    proxy = SortProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.sort(RunColumn.RUN, Qt.SortOrder.AscendingOrder)
    assert _column(proxy, RunColumn.RUN) == [1, 2, 10, 11]                  # not 1, 10, 11, 2
    proxy.sort(RunColumn.INVOICES, Qt.SortOrder.DescendingOrder)
    assert _column(proxy, RunColumn.INVOICES) == [60, 11, 10, 2]
    proxy.sort(RunColumn.STARTED, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, RunColumn.RUN).data(SORT_ROLE) for r in range(4)] == [1, 10, 11, 2]
    assert isinstance(proxy.index(0, 0).data(ROW_ROLE), v.RunView)


def test_an_interrupted_run_shows_what_it_did() -> None:
    model = RunsModel()
    model.set_rows(RUNS)
    row = next(i for i, r in enumerate(RUNS) if r.status is v.RunStatus.INTERRUPTED)
    assert model.index(row, RunColumn.STATUS).data() == "Interrupted"
    assert model.index(row, RunColumn.INVOICES).data() == "60"
    assert "recorded creating" in model.index(row, RunColumn.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert "order(s) 100, 101" in model.index(row, RunColumn.INVOICES).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row, RunColumn.INVOICES).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def test_times_show_in_local_time_with_the_zone(new_york: None) -> None:
    model = RunsModel()
    model.set_rows(RUNS)
    started = next(i for i, r in enumerate(RUNS) if r.id == 10)
    assert model.index(started, RunColumn.STARTED).data() == "2026-01-15 05:00 EST"
    assert model.index(started, RunColumn.FINISHED).data() == "2026-01-15 05:02 EST"
    assert local_time(BASE, ZoneInfo("Europe/Berlin")) == "2026-01-15 11:00 CET"
    assert local_time(BASE + timedelta(days=180), ZoneInfo("Europe/Berlin")) == "2026-07-14 12:00 CEST"


def test_a_row_that_cannot_render_shows_as_a_disabled_row(qtmodeltester: Any) -> None:
    def explode(_run: v.RunView) -> int:
        raise ValueError("broken")

    model: ViewTableModel[v.RunView] = ViewTableModel([Column(header="Broken", value=explode),
                                                       Column(header="Run", value=lambda r: r.id)])
    model.set_rows(RUNS[:1])
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "(unreadable)"
    assert model.flags(model.index(0, 0)) == Qt.ItemFlag.NoItemFlags
    assert model.index(0, 1).data() == "2"


def test_labels_are_words() -> None:
    assert label(v.RunMode.DRY_RUN) == "Dry run" and label(v.UndoAction.ALREADY_GONE) == "Already gone"
