"""The service facade over the in-process sandbox: sync, inbox edit and retry, run history, status, all answered
with the typed views of core.views; and the views' enums kept equal to the store's and the engine's."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import get_args

import pytest

from bigbooks_desktop import accounts
from bigbooks_desktop.core import reconciliation_views as rv
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ErrorKind
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.service import BigBooksService
from bigbooks_desktop.service.convert import progress_view
from bigbooks_desktop.store import error_queue, intents, runs
from bigbooks_desktop.sync.context import SyncProgress
from bigbooks_desktop.sync.reconcile import OrderState
from bigbooks_desktop.sync.undo import UndoAction


def _values(enum: type[StrEnum]) -> set[str]:
    return {member.value for member in enum}


@pytest.mark.parametrize(("theirs", "ours"), [
    (runs.RunMode, v.RunMode), (runs.RunStatus, v.RunStatus), (error_queue.ErrorStage, v.InboxStage),
    (error_queue.ErrorStatus, v.InboxStatus), (intents.IntentKind, v.ObjectKind), (UndoAction, v.UndoAction),
    (OrderState, rv.ReconcileState),
])
def test_view_enums_repeat_the_store_and_engine_values(theirs: type[StrEnum], ours: type[StrEnum]) -> None:
    assert _values(theirs) == _values(ours)


def test_tax_rounding_rules_match_the_mapping_literal() -> None:
    assert set(get_args(TaxRounding)) == _values(v.TaxRoundingRule)


def test_views_are_frozen_and_refuse_naive_times() -> None:
    now = datetime.now(UTC)
    run = v.RunView(id=1, mode=v.RunMode.ONCE, status=v.RunStatus.FINISHED, started_at=now, finished_at=now,
                    counts=v.CountsView(), error=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.id = 2  # type: ignore[misc]
    with pytest.raises(ValueError, match="timezone-aware"):
        v.RunView(id=1, mode=v.RunMode.ONCE, status=v.RunStatus.FINISHED, started_at=datetime(2026, 1, 1),
                  finished_at=None, counts=v.CountsView(), error=None)


def test_progress_events_carry_a_stage_and_the_order_result() -> None:
    assert progress_view(SyncProgress(0, 0, "listing", message="since x")) == v.SyncProgressView(
        done=0, total=0, stage=v.SyncStage.LISTING, message="since x")
    synced = progress_view(SyncProgress(3, 9, "synced", order_id=104))
    assert (synced.stage, synced.result, synced.order_id) == (v.SyncStage.SYNCING, v.OrderResult.SYNCED, 104)
    assert progress_view(SyncProgress(0, 0, "pondering")).stage is v.SyncStage.OTHER   # never raises mid-sync


@pytest.mark.asyncio
async def test_sync_inbox_edit_retry_and_runs() -> None:
    sandbox = Sandbox(SandboxConfig(orders=60, seed=3, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    try:
        status = await service.connect_sandbox("http://sandbox.test/_sandbox")
        assert isinstance(status, v.ConnectionsView)
        assert status.bigcommerce.connected and status.freshbooks.connected
        assert status.freshbooks.method is v.SignInMethod.SANDBOX
        assert status.freshbooks.token_expires_at is not None and status.freshbooks.token_expires_at.utcoffset() \
            is not None
        assert status.freshbooks_tax_rounding == v.TaxRoundingView(rule=v.TaxRoundingRule.LINE_HALF_UP,
                                                                   learned=False)
        progress: list[v.SyncProgressView] = []
        summary = await service.sync_once(since=date(2000, 1, 1), progress=progress.append)
        assert isinstance(summary, v.SyncSummaryView)
        assert summary.status is v.RunStatus.FINISHED and summary.mode is v.RunMode.BACKFILL
        assert summary.counts.invoices_created > 0 and summary.started_at.utcoffset() is not None
        assert v.OrderResult.OTHER not in summary.results                  # every engine result is known
        assert all(isinstance(p, v.SyncProgressView) and p.stage is not v.SyncStage.OTHER for p in progress)
        assert progress[-1].done == progress[-1].total > 0
        assert summary.api_calls[v.ServiceName.BIGCOMMERCE].total > 0

        inbox = await service.list_inbox()
        assert inbox and all(item.message and isinstance(item.kind, ErrorKind) for item in inbox)
        assert all(isinstance(item.stage, v.InboxStage) and item.created_at.utcoffset() is not None
                   for item in inbox)
        for item in inbox:
            detail = await service.get_inbox_item(item.id)
            assert isinstance(detail, v.InboxDetailView) and detail.payload
            edited = await service.edit_inbox_item(item.id, {"email": f"buyer-{item.order_id}@example.com"})
            assert edited.edits == {"email": f"buyer-{item.order_id}@example.com"}
        retried = await service.retry_inbox("all")
        assert retried is not None and retried.counts.orders_synced == len(inbox)
        assert await service.list_inbox() == []

        history = await service.list_runs()
        assert [r.mode for r in history[:2]] == [v.RunMode.RETRY, v.RunMode.BACKFILL]
        backfill = history[1]
        assert backfill.counts.invoices_created == summary.counts.invoices_created
        assert len(backfill.orders_created) == summary.counts.invoices_created and not backfill.counts_rebuilt
    finally:
        await service.aclose()
        accounts.forget_shared_auth()


@pytest.mark.asyncio
async def test_a_run_that_stopped_mid_way_shows_what_it_created() -> None:
    """A run whose process died (or whose window closed) before it saved its counts: the history shows the
    invoices, clients and payments it recorded creating, not zeros."""
    service = BigBooksService()
    try:
        started = datetime.now(UTC) - timedelta(minutes=5)
        run_id = runs.start_run(runs.RunMode.ONCE, now=started, pid=2**22 + 12345)   # no such process
        for n, order in enumerate((101, 102, 103)):
            runs.record_run_object(run_id, intents.IntentKind.CLIENT, 500 + n, order_id=order)
            runs.record_run_object(run_id, intents.IntentKind.INVOICE, 700 + n, order_id=order)
            runs.record_run_object(run_id, intents.IntentKind.PAYMENT, 900 + n, order_id=order)
        finished = runs.start_run(runs.RunMode.ONCE, now=started)
        runs.finish_run(finished, runs.RunStatus.FINISHED, runs.RunCounts(orders_seen=4, orders_skipped=4))
        await service.aclose()

        service = BigBooksService()          # a new process: the dead one's run is marked interrupted
        stopped, done = sorted(await service.list_runs(), key=lambda r: r.id)
        assert stopped.status is v.RunStatus.INTERRUPTED and stopped.counts_rebuilt
        assert (stopped.counts.invoices_created, stopped.counts.clients_created, stopped.counts.payments_created,
                stopped.counts.orders_synced) == (3, 3, 3, 3)
        assert stopped.orders_created == (101, 102, 103)
        assert done.counts == v.CountsView(orders_seen=4, orders_skipped=4) and not done.counts_rebuilt
    finally:
        await service.aclose()


def test_reconciliation_view_keeps_the_report_figures() -> None:
    from bigbooks_desktop.service.convert import reconciliation_view
    from bigbooks_desktop.sync.reconcile import Finding, FindingCode, OrderReconciliation, ReconciliationReport

    row = OrderReconciliation(order_id=7, status_id=11, eligible=True, currency="USD", bc_total=Decimal("10.00"),
                              bc_refunded=Decimal(0), invoice_id=70, invoice_number="BC-7",
                              bc_gift_certificates=Decimal(0), fb_amount=Decimal("10.01"),
                              bc_tax={"GST": Decimal("0.50")}, fb_tax={"GST": Decimal("0.51")},
                              findings=(Finding(FindingCode.TOTAL_DIFFERS, "off by a cent", Decimal("0.01")),))
    view = reconciliation_view(ReconciliationReport(orders=(row,), generated_at=datetime.now(UTC)))
    order = view.orders[0]
    assert order.state is rv.ReconcileState.UNEXPLAINED and order.bc_expected_amount == Decimal("10.00")
    assert order.fb_tax == {"GST": Decimal("0.51")} and order.findings[0].code == "total_differs"
    assert order.findings[0].action and view.summary.unexplained_differences == 1 == order.unexplained
    assert view.mismatches() == [order]
