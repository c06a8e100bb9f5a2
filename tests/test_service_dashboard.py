"""The dashboard's and the runs screen's service calls, without Qt, over the in-process sandbox: figures that
add up to the runs and to the FreshBooks invoices, the day buckets in a local zone, the API budget per window,
undo's preview against the undo, the dry run against the next real sync, and the reconciliation rows, filters
and CSV export."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bigbooks_desktop import accounts
from bigbooks_desktop.connectors.bigcommerce.budget import BudgetWindows
from bigbooks_desktop.core import dashboard_views as d
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.core.reconciliation_views import ReconcileState
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.service import BigBooksService
from bigbooks_desktop.service.dashboard import dashboard_view
from bigbooks_desktop.store import runs
from bigbooks_desktop.store.db import open_database


@pytest_asyncio.fixture
async def signed_in() -> AsyncIterator[tuple[BigBooksService, Sandbox]]:
    sandbox = Sandbox(SandboxConfig(orders=40, seed=5, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    await service.connect_sandbox("http://sandbox.test/_sandbox")
    try:
        yield service, sandbox
    finally:
        await service.aclose()


async def _live_invoices(sandbox: Sandbox) -> dict[int, fb.Invoice]:
    client = await accounts.open_freshbooks_client(transport=sandbox.transport())
    async with client:
        return {i.id: i async for i in client.iter_invoices(vis_state=0) if i.vis_state == 0}


async def _invoice_ids(service: BigBooksService, orders: tuple[int, ...]) -> set[int]:
    page = await service.list_orders(limit=1000)
    return {r.invoice_id for r in page.rows if r.order_id in orders and r.invoice_id is not None}


@pytest.mark.asyncio
async def test_the_figures_add_up_to_the_run_and_to_the_freshbooks_invoices(signed_in: tuple[BigBooksService,
                                                                                             Sandbox]) -> None:
    service, sandbox = signed_in
    summary = await service.sync_once(since=date(2000, 1, 1))
    assert summary.counts.invoices_created > 5
    (run,) = [r for r in await service.list_runs() if r.id == summary.run_id]
    board = await service.dashboard()
    today = board.period(d.Period.TODAY)
    for figures in board.periods:                  # one run, today: the same in every period
        assert figures.runs == 1
        assert figures.orders_synced == summary.counts.orders_synced
        assert figures.orders_failed == summary.counts.orders_failed
        assert figures.invoices_created == summary.counts.invoices_created
        assert figures.invoiced == today.invoiced
    invoices = await _live_invoices(sandbox)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for invoice_id in await _invoice_ids(service, run.orders_created):
        expected[invoices[invoice_id].currency_code] += invoices[invoice_id].amount
    assert today.invoiced == dict(expected) and all(isinstance(a, Decimal) for a in today.invoiced.values())
    attempted = summary.counts.orders_synced + summary.counts.orders_failed
    assert today.success_rate == (Decimal(summary.counts.orders_synced) / attempted).quantize(Decimal("0.0001"))
    assert len(board.days) == 30 and board.days[-1].day == datetime.now().astimezone().date()
    assert board.days[-1].runs == 1 and board.days[-1].orders_synced == summary.counts.orders_synced
    assert sum(p.runs for p in board.days[:-1]) == 0
    assert board.last_run is not None and board.last_run.id == summary.run_id
    assert board.last_run_text.startswith(f"Last sync: {summary.counts.invoices_created} invoices created")
    assert board.activity and board.activity[0].at >= board.activity[-1].at
    # the API budget: every answer of the run fell in some window, none over the sandbox's quota of 150
    budget = board.api_budget
    assert budget.run_id == summary.run_id and budget.windows
    bigcommerce_calls = summary.api_calls[v.ServiceName.BIGCOMMERCE].total
    assert budget.requests == bigcommerce_calls
    assert all(w.quota == 150 and 0 < w.used <= 150 and w.ours > 0 for w in budget.windows), budget.windows
    assert budget.busiest is not None and budget.latest is not None

    # a dry run and an undo do not count as syncs
    await service.preview_sync()
    await service.undo_run(run.id)
    after = await service.dashboard()
    assert after.period(d.Period.TODAY).runs == 1
    assert after.period(d.Period.TODAY).invoiced == {}          # the undone invoices are gone from FreshBooks
    assert after.last_run is not None and after.last_run.id == run.id


def test_periods_and_days_follow_the_local_zone(tmp_path: Path) -> None:
    open_database(tmp_path / "db.sqlite3")
    zone = ZoneInfo("America/Toronto")
    now = datetime(2026, 3, 18, 10, 0, tzinfo=zone)          # a Wednesday

    def run(at: datetime, synced: int, failed: int, mode: runs.RunMode = runs.RunMode.ONCE) -> None:
        run_id = runs.start_run(mode, now=at.astimezone(UTC))
        runs.finish_run(run_id, runs.RunStatus.FAILED if failed and not synced else runs.RunStatus.FINISHED,
                        runs.RunCounts(orders_synced=synced, orders_failed=failed), now=at.astimezone(UTC))

    run(datetime(2026, 3, 18, 0, 30, tzinfo=zone), 4, 1)       # today (05:30 UTC... still the 18th locally)
    run(datetime(2026, 3, 17, 23, 30, tzinfo=zone), 2, 0)      # yesterday locally, already the 18th in UTC
    run(datetime(2026, 3, 16, 9, 0, tzinfo=zone), 3, 0)        # Monday: this week
    run(datetime(2026, 3, 1, 12, 0, tzinfo=zone), 5, 5)        # this month
    run(datetime(2026, 2, 20, 12, 0, tzinfo=zone), 7, 0)       # last month, within the chart's 30 days
    run(datetime(2026, 3, 18, 1, 0, tzinfo=zone), 99, 0, runs.RunMode.DRY_RUN)   # not a sync
    board = dashboard_view(now=now, zone=zone, days=30, activity=10, status=None)
    today, week, month = (board.period(p) for p in d.Period)
    assert (today.runs, today.orders_synced, today.orders_failed) == (1, 4, 1)
    assert today.success_rate == Decimal("0.8000")
    assert today.starts_at == datetime(2026, 3, 18, tzinfo=zone)
    assert (week.runs, week.orders_synced) == (3, 9)
    assert week.starts_at == datetime(2026, 3, 16, tzinfo=zone)
    assert (month.runs, month.orders_synced, month.orders_failed) == (4, 14, 6)
    by_day = {p.day: p for p in board.days}
    assert board.days[0].day == date(2026, 2, 17) and board.days[-1].day == date(2026, 3, 18)
    assert by_day[date(2026, 3, 17)].orders_synced == 2 and by_day[date(2026, 3, 18)].orders_synced == 4
    assert by_day[date(2026, 2, 20)].runs == 1 and by_day[date(2026, 3, 1)].failed_runs == 0
    assert board.zone_name == "EDT" and board.last_run is not None
    assert board.api_budget == d.ApiBudgetView()


def test_budget_windows_group_answers_by_the_window_they_report() -> None:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    budget = BudgetWindows(now=lambda: clock[0])

    def answer(after: float, left: int, reset_ms: int, *, limited: bool = False) -> None:
        clock[0] = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=after)
        budget.observe(left=left, quota=150, reset_ms=reset_ms, window_ms=30_000, limited=limited)

    answer(0.0, 149, 30_000)
    answer(1.0, 120, 29_000)
    answer(2.0, 140, 28_100)         # late: an older reading of the same window, never lowers the use
    answer(31.0, 148, 29_000)        # the next window
    answer(31.5, 0, 28_500, limited=True)
    answer(32.0, 100, 1_000)         # a very late answer from a window already closed: dropped
    first, second = budget.windows()
    assert (first.used, first.ours) == (30, 3)
    assert (second.used, second.ours, second.quota) == (150, 2, 150)
    assert first.ends_at == datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)


@pytest.mark.asyncio
async def test_undo_preview_lists_what_the_undo_then_removes(signed_in: tuple[BigBooksService, Sandbox]) -> None:
    service, sandbox = signed_in
    summary = await service.sync_once(since=date(2000, 1, 1))
    assert summary.run_id is not None
    (run,) = [r for r in await service.list_runs() if r.id == summary.run_id]
    # a payment entered by hand keeps one invoice (and what hangs on it) in FreshBooks
    kept_invoice = min(await _invoice_ids(service, run.orders_created))
    client = await accounts.open_freshbooks_client(transport=sandbox.transport())
    async with client:
        await client.create_payment(fb.PaymentDraft(invoiceid=kept_invoice, amount=Decimal("1.00"),
                                                    date=date.today(), note="entered by hand"))
    runs_before = len(await service.list_runs())
    preview = await service.preview_undo(run.id)
    assert len(await service.list_runs()) == runs_before             # a preview records no run ...
    assert set(await _live_invoices(sandbox)) >= await _invoice_ids(service, run.orders_created)   # nor deletes
    assert preview.will_remove and preview.cannot_remove
    kept = [o for o in preview.cannot_remove if o.kind is v.ObjectKind.INVOICE]
    assert [o.object_id for o in kept] == [kept_invoice]
    assert "payments this run did not create" in kept[0].reason and "delete those in FreshBooks first" in kept[0].reason
    assert all(o.reason for o in preview.cannot_remove)
    report = await service.undo_run(run.id)
    removed = {(o.kind, o.object_id) for o in report.outcomes
               if o.action in (v.UndoAction.DELETED, v.UndoAction.ALREADY_GONE)}
    assert removed == {(o.kind, o.object_id) for o in preview.will_remove}
    assert {(o.kind, o.object_id, o.reason) for o in report.outcomes if (o.kind, o.object_id) not in removed} == \
        {(o.kind, o.object_id, o.reason) for o in preview.cannot_remove}
    assert set(report.orders_undone) == set(preview.orders)
    live = await _live_invoices(sandbox)
    assert kept_invoice in live and not ({o.object_id for o in preview.will_remove
                                          if o.kind is v.ObjectKind.INVOICE} & set(live))
    with pytest.raises(ValidationError):
        await service.preview_undo(report.run_id)                   # an undo cannot be undone


@pytest.mark.asyncio
async def test_the_dry_run_preview_counts_what_the_next_sync_creates(signed_in: tuple[BigBooksService,
                                                                                     Sandbox]) -> None:
    service, sandbox = signed_in
    await service.set_backfill_start(date(2000, 1, 1))
    preview = await service.preview_sync()
    assert preview.dry_run and preview.planned_totals.invoices_to_create > 5
    assert await _live_invoices(sandbox) == {}                      # nothing written
    real = await service.sync_once()
    totals = preview.planned_totals
    assert totals.invoices_to_create == real.counts.invoices_created
    assert totals.clients_to_create == real.counts.clients_created
    assert totals.payments_to_create == real.counts.payments_created
    assert len(totals.items_to_create) == real.counts.items_created
    invoices = await _live_invoices(sandbox)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in invoices.values():
        amounts[invoice.currency_code] += invoice.amount
    assert {cur: a.invoices for cur, a in totals.amounts.items() if a.invoices} == dict(amounts)


@pytest.mark.asyncio
async def test_reconciliation_rows_filters_and_csv(signed_in: tuple[BigBooksService, Sandbox],
                                                   tmp_path: Path) -> None:
    service, _sandbox = signed_in
    with pytest.raises(ValidationError, match="Run the reconciliation first"):
        await service.export_reconciliation_csv(tmp_path / "none.csv")
    await service.sync_once(since=date(2000, 1, 1))
    report = await service.reconciliation_report()
    assert len(report.rows) == report.summary.orders > 10
    dated = [r for r in report.rows if r.order_date is not None]
    assert len(dated) == len(report.rows) and all(r.order_date.utcoffset() is not None for r in dated)  # type: ignore[union-attr]
    currency = report.currencies[0]
    by_currency = report.filtered(d.ReconciliationFilter(currency=currency))
    assert by_currency and all(r.order.currency == currency for r in by_currency)
    ok = report.filtered(d.ReconciliationFilter(state=ReconcileState.OK))
    assert ok and all(r.order.state is ReconcileState.OK for r in ok)
    for code in report.codes:
        assert all(code in r.codes for r in report.filtered(d.ReconciliationFilter(code=code)))
    days = sorted({r.order_date.astimezone().date() for r in dated})  # type: ignore[union-attr]
    middle = days[len(days) // 2]
    window = report.filtered(d.ReconciliationFilter(date_from=middle, date_to=middle))
    assert window and all(r.order_date.astimezone().date() == middle for r in window)  # type: ignore[union-attr]

    path = tmp_path / "reconciliation.csv"
    written = await service.export_reconciliation_csv(path, wanted=d.ReconciliationFilter(currency=currency))
    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert written == len(lines) == len(by_currency)
    assert {int(line["order_id"]) for line in lines} == {r.order.order_id for r in by_currency}
    for line, row in zip(sorted(lines, key=lambda x: int(x["order_id"])),
                         sorted(by_currency, key=lambda r: r.order.order_id), strict=True):
        assert line["currency"] == currency and line["state"] == row.order.state.value
        assert Decimal(line["bc_total"]) == row.order.bc_total
        assert (Decimal(line["fb_amount"]) if line["fb_amount"] else None) == row.order.fb_amount
    with pytest.raises(ValidationError, match="Could not write"):
        await service.export_reconciliation_csv(tmp_path / "missing-folder" / "x.csv")
