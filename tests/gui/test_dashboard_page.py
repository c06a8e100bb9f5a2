"""The dashboard page on the qasync loop against a sandbox over real loopback sockets: after a real sync its
cards add up to the run and to the FreshBooks invoices, the chart has the day's points, the API budget and the
activity log show, the next sync follows auto-sync; light and dark pictures."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from page_helpers import open_page, wait_until
from PySide6.QtWidgets import QApplication

from bigbooks_desktop import accounts
from bigbooks_desktop.core.dashboard_views import Period
from bigbooks_desktop.gui.models.dashboard_activity import ActivityModel
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.pages.dashboard import DashboardPage, DayChart
from bigbooks_desktop.gui.theme import dark_palette
from bigbooks_desktop.service import BigBooksService

pytestmark = [pytest.mark.gui]


async def _invoiced(service: BigBooksService, orders: tuple[int, ...]) -> dict[str, Decimal]:
    page = await service.list_orders(limit=1000)
    ids = {r.invoice_id for r in page.rows if r.order_id in orders and r.invoice_id is not None}
    client = await accounts.open_freshbooks_client(allow_file_store=True)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    async with client:
        async for invoice in client.iter_invoices(vis_state=0):
            if invoice.id in ids and invoice.vis_state == 0:
                totals[invoice.currency_code] += invoice.amount
    return dict(totals)


def test_the_dashboard_adds_up_to_a_real_sync(qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any,
                                              save_screenshot: Any, qtmodeltester: Any) -> None:
    service: BigBooksService = sandbox_service
    presenter = ErrorPresenter()
    page = open_page(qtbot, qloop, DashboardPage(service, presenter=presenter))
    assert page.board is not None and page.board.last_run is None
    assert page.activity_page.showing_table is False              # the empty state explains
    assert "No sync has run yet" in page.last_run.text()
    save_screenshot(page, "dashboard-empty")

    summary = qloop.run_until_complete(service.sync_now())       # through the coordinator, as Sync now does
    wait_until(qloop, lambda: page.board is not None and page.board.last_run is not None
               and page.board.last_run.id == summary.run_id)
    board = page.board
    assert board is not None and not presenter.shown
    today = page.cards[Period.TODAY]
    assert today.synced.text() == str(summary.counts.orders_synced)
    assert today.failures.text() == str(summary.counts.orders_failed)
    (run,) = [r for r in qloop.run_until_complete(service.list_runs()) if r.id == summary.run_id]
    expected = qloop.run_until_complete(_invoiced(service, run.orders_created))
    assert board.period(Period.TODAY).invoiced == expected and expected
    assert today.invoiced.text().splitlines() == [f"{a:,.2f} {c}" for c, a in sorted(expected.items())]
    for period in (Period.WEEK, Period.MONTH):
        assert page.cards[period].synced.text() == today.synced.text()

    # the chart: one point a day, today's at the run's counts
    points = page.chart.synced.points()
    assert len(points) == 30
    today_x = DayChart.x_of(datetime.now().astimezone().date())
    assert points[-1].x() == today_x and points[-1].y() == summary.counts.orders_synced
    assert page.chart.failed.points()[-1].y() == summary.counts.orders_failed
    assert all(p.y() == 0 for p in points[:-1])

    assert page.budget.busiest.maximum() == 150 and 0 < page.budget.busiest.value() <= 150
    assert f"Run {summary.run_id}:" in page.budget.summary.text()
    assert page.last_run.text().startswith(f"Last sync: {summary.counts.invoices_created} invoices created")
    assert page.activity_page.showing_table and page.activity.rowCount() == len(board.activity)
    qtmodeltester.check(page.activity)
    assert page.next_sync.text() == "Auto-sync is off."
    save_screenshot(page, "dashboard")

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    previous = app.palette()
    app.setPalette(dark_palette())
    try:
        QApplication.processEvents()
        save_screenshot(page, "dashboard-dark")
    finally:
        app.setPalette(previous)


def test_the_activity_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    qtmodeltester.check(ActivityModel())
