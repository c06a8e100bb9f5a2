"""The runs page on the qasync loop against a sandbox over real loopback sockets: the history with what each run
created; undo with its preview (the preview's list is what the undo removes; what cannot be removed is listed
with why); the dry run against the sync that follows; the reconciliation table's filters and CSV export; every
model through the model tester; the pictures."""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from page_helpers import open_page, settle, wait_until

from bigbooks_desktop import accounts
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.dashboard_views import ReconciliationFilter
from bigbooks_desktop.core.reconciliation_views import ReconcileState
from bigbooks_desktop.core.views import ObjectKind, UndoAction
from bigbooks_desktop.gui.models.planned_orders import PlannedOrderModel, PlannedTotalsModel
from bigbooks_desktop.gui.models.reconciliation_rows import ReconciliationModel
from bigbooks_desktop.gui.models.run_history import HistoryColumn, RunHistoryModel
from bigbooks_desktop.gui.models.undo_outcomes import UndoOutcomeModel
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.pages.runs import RunsPage
from bigbooks_desktop.service import BigBooksService

pytestmark = [pytest.mark.gui]


@pytest.fixture
def page(qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> RunsPage:
    presenter = ErrorPresenter()
    made = open_page(qtbot, qloop, RunsPage(sandbox_service, presenter=presenter))
    made.kept_alive = made   # type: ignore[attr-defined]  # qtbot keeps only a weak reference
    return made


def _live_invoice_ids(loop: asyncio.AbstractEventLoop) -> set[int]:
    async def read() -> set[int]:
        client = await accounts.open_freshbooks_client(allow_file_store=True)
        async with client:
            return {i.id async for i in client.iter_invoices(vis_state=0) if i.vis_state == 0}

    return loop.run_until_complete(read())


def test_undo_with_its_preview(page: RunsPage, qloop: asyncio.AbstractEventLoop, save_screenshot: Any,
                               qtmodeltester: Any) -> None:
    service: BigBooksService = page.service
    assert not page.history.showing_table and "No sync has run yet" in page.history.placeholder.text()
    summary = qloop.run_until_complete(service.sync_now())
    wait_until(qloop, lambda: page.model.rowCount() == 1)
    run = page.model.row(0)
    created = page.model.index(0, HistoryColumn.CREATED).data()
    assert created.startswith(f"{summary.counts.invoices_created} invoices, {summary.counts.clients_created} clients")
    qtmodeltester.check(page.model)
    assert not page.undo_button.isEnabled()
    page.select_run(run.id)
    assert page.undo_button.isEnabled()
    save_screenshot(page, "runs")

    # a payment entered by hand in FreshBooks keeps its invoice: the preview must say so, and why
    page_rows = qloop.run_until_complete(service.list_orders(limit=1000)).rows
    kept_invoice = min(r.invoice_id for r in page_rows if r.order_id in run.orders_created and r.invoice_id)

    async def pay_by_hand() -> None:
        client = await accounts.open_freshbooks_client(allow_file_store=True)
        async with client:
            await client.create_payment(fb.PaymentDraft(invoiceid=kept_invoice, amount=Decimal("1.00"),
                                                        date=date.today(), note="entered by hand"))

    qloop.run_until_complete(pay_by_hand())
    before = _live_invoice_ids(qloop)
    dialog = page.undo_selected()
    assert dialog is not None
    settle(qloop, dialog.pending)
    preview = dialog.preview
    assert preview is not None and not page.presenter.shown
    assert _live_invoice_ids(qloop) == before                       # the preview changed nothing
    assert dialog.removed.rowCount() == len(preview.will_remove) > 0
    assert [o.object_id for o in preview.cannot_remove if o.kind is ObjectKind.INVOICE] == [kept_invoice]
    why = [dialog.kept.index(r, 4).data() for r in range(dialog.kept.rowCount())]
    assert all(why) and any("payments this run did not create" in w for w in why)
    assert dialog.undo_button.isEnabled()
    qtmodeltester.check(dialog.removed)
    qtmodeltester.check(dialog.kept)
    dialog.resize(1000, 620)
    save_screenshot(dialog, "runs-undo-preview")

    settle(qloop, dialog.confirm())
    report = dialog.report
    assert report is not None and not page.presenter.shown
    removed = {(o.kind, o.object_id) for o in report.outcomes if o.action in (UndoAction.DELETED,
                                                                               UndoAction.ALREADY_GONE)}
    assert removed == {(o.kind, o.object_id) for o in preview.will_remove}
    assert {(o.kind, o.object_id, o.reason) for o in report.outcomes if (o.kind, o.object_id) not in removed} \
        == {(o.kind, o.object_id, o.reason) for o in preview.cannot_remove}
    assert _live_invoice_ids(qloop) == (before - {o.object_id for o in preview.will_remove
                                                  if o.kind is ObjectKind.INVOICE})
    assert dialog.removed_label.text() == f"Removed ({len(removed)})" and dialog.undo_button.isHidden()
    save_screenshot(dialog, "runs-undo-report")
    dialog.accept()
    wait_until(qloop, lambda: page.model.rowCount() == 2)
    undo_row = page.model.row(0) if page.model.row(0).mode.value == "undo" else page.model.row(1)
    assert undo_row.counts.invoices_created == len([o for o in removed if o[0] is ObjectKind.INVOICE])


def test_dry_run_preview_then_the_sync(page: RunsPage, qloop: asyncio.AbstractEventLoop, save_screenshot: Any,
                                       qtmodeltester: Any) -> None:
    dialog = page.open_dry_run()
    settle(qloop, dialog.pending)
    preview = dialog.preview
    assert preview is not None and preview.dry_run and not page.presenter.shown
    totals = preview.planned_totals
    assert totals.invoices_to_create > 5 and _live_invoice_ids(qloop) == set()
    assert dialog.orders.rowCount() == len(preview.planned)
    assert dialog.totals.rowCount() == len(totals.amounts)
    amounts = {dialog.totals.index(r, 0).data(): dialog.totals.index(r, 2).data()
               for r in range(dialog.totals.rowCount())}
    assert amounts == {c: f"{a.invoices:,.2f} {c}" for c, a in totals.amounts.items()}
    assert f"would create {totals.invoices_to_create} invoice(s), {totals.clients_to_create} client(s)" in \
        dialog.intro.text()
    qtmodeltester.check(dialog.orders)
    qtmodeltester.check(dialog.totals)
    dialog.resize(1000, 620)
    save_screenshot(dialog, "runs-dry-run")

    settle(qloop, dialog.sync_now())
    real = dialog.synced
    assert real is not None and not real.dry_run
    assert (totals.invoices_to_create, totals.clients_to_create, len(totals.items_to_create),
            totals.payments_to_create, totals.credits_to_create) == (
        real.counts.invoices_created, real.counts.clients_created, real.counts.items_created,
        real.counts.payments_created, real.counts.credits_created)
    assert len(_live_invoice_ids(qloop)) == totals.invoices_to_create
    dialog.reject()
    wait_until(qloop, lambda: page.model.rowCount() == 2)             # the dry run and the sync
    assert {page.model.row(i).mode.value for i in range(2)} == {"dry-run", "once"}


def test_reconciliation_filters_and_csv(page: RunsPage, qloop: asyncio.AbstractEventLoop, save_screenshot: Any,
                                        qtmodeltester: Any, tmp_path: Path) -> None:
    panel = page.reconciliation
    page.tabs.setCurrentIndex(1)
    assert not panel.table.showing_table and not panel.export_button.isEnabled()
    qloop.run_until_complete(page.service.sync_now())
    settle(qloop, panel.reconcile())
    report = panel.report
    assert report is not None and not page.presenter.shown
    assert panel.model.rowCount() == len(report.rows) == report.summary.orders
    qtmodeltester.check(panel.model)
    save_screenshot(page, "reconciliation")

    currency = report.currencies[-1]
    panel.set_filter(ReconciliationFilter(currency=currency))
    shown = [panel.model.row(i) for i in range(panel.model.rowCount())]
    assert shown and all(r.order.currency == currency for r in shown)
    assert len(shown) == len(report.filtered(ReconciliationFilter(currency=currency)))
    panel.set_filter(ReconciliationFilter(state=ReconcileState.SKIPPED))
    assert all(panel.model.row(i).order.state is ReconcileState.SKIPPED for i in range(panel.model.rowCount()))
    if report.codes:
        panel.set_filter(ReconciliationFilter(code=report.codes[0]))
        assert panel.model.rowCount() > 0
        assert all(report.codes[0] in panel.model.row(i).codes for i in range(panel.model.rowCount()))
    days = sorted({r.order_date.astimezone().date() for r in report.rows if r.order_date is not None})
    middle = days[len(days) // 2]
    panel.set_filter(ReconciliationFilter(date_from=middle, date_to=middle))
    dated = [panel.model.row(i) for i in range(panel.model.rowCount())]
    assert dated and all(r.order_date is not None and r.order_date.astimezone().date() == middle for r in dated)
    panel.set_filter(ReconciliationFilter(date_from=date(1990, 1, 1), date_to=date(1990, 1, 2)))
    assert panel.model.rowCount() == 0 and "No order matches" in panel.table.placeholder.text()
    assert not panel.export_button.isEnabled()

    panel.set_filter(ReconciliationFilter(currency=currency))
    path = tmp_path / "reconciliation.csv"
    written = settle(qloop, panel.export_csv(path))
    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert written == len(lines) == len(shown)
    by_id = {r.order.order_id: r for r in shown}
    assert {int(line["order_id"]) for line in lines} == set(by_id)
    for line in lines:
        row = by_id[int(line["order_id"])]
        assert line["currency"] == currency and line["state"] == row.order.state.value
        assert Decimal(line["bc_total"]) == row.order.bc_total
        assert (Decimal(line["fb_amount"]) if line["fb_amount"] else None) == row.order.fb_amount
    assert f"{written} rows saved to {path}" in panel.summary.text()


def test_pictures_and_empty_models(page: RunsPage, qloop: asyncio.AbstractEventLoop, qtmodeltester: Any,
                                   save_screenshot: Any) -> None:
    for model in (RunHistoryModel(), UndoOutcomeModel(), PlannedOrderModel(), PlannedTotalsModel(),
                  ReconciliationModel()):
        qtmodeltester.check(model)
    qloop.run_until_complete(page.service.sync_now())
    shots: list[str] = []

    def shoot(name: str) -> None:
        shots.append(name)
        save_screenshot(page.dialog if name in ("runs-undo-preview", "runs-dry-run") else page, f"picture-{name}")

    qloop.run_until_complete(page.pictures(shoot))
    assert shots == ["runs", "runs-undo-preview", "runs-dry-run", "reconciliation"]
    assert not page.presenter.shown
