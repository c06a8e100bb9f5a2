"""Undo a sync run against the in-process sandbox, after real syncs by the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sync_harness import rig

from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID
from bigbooks_desktop.store import links, runs
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.sync.engine import SyncEngine
from bigbooks_desktop.sync.reconcile import FindingCode, reconcile
from bigbooks_desktop.sync.undo import UndoAction, release_orders, undo_run

pytestmark = pytest.mark.asyncio

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Books:
    sandbox: Sandbox
    bigcommerce: BigCommerceClient
    freshbooks: FreshBooksClient

    async def sync(self) -> int:
        engine = SyncEngine(bigcommerce=self.bigcommerce, freshbooks=self.freshbooks)
        summary = await engine.run(since=EPOCH)
        assert summary.run_id is not None
        return summary.run_id

    def active(self, kind: str) -> list[dict[str, Any]]:
        return [
            o
            for o in self.sandbox.freshbooks.dump()[kind]
            if o.get("vis_state", 0) != 1 and o["accountid"] == PRIMARY_ACCOUNT_ID
        ]

    def new_order(self, email: str) -> int:
        made = self.sandbox.bigcommerce.add_order(
            {"status_id": 11, "customer_id": 0, "billing_address": {"email": email}}
        )
        return int(made["id"])


@asynccontextmanager
async def books(*, orders: int = 12, seed: int = 5) -> AsyncIterator[Books]:
    async with rig(orders=orders, seed=seed, time_scale=200) as r, r.clients() as (bigcommerce, freshbooks):
        yield Books(r.sandbox, bigcommerce, freshbooks)


async def test_undo_removes_what_the_run_created_and_leaves_the_rest() -> None:
    async with books() as b:
        await b.sync()
        before = {kind: len(b.active(kind)) for kind in ("invoices", "payments", "clients")}
        order_id = b.new_order("undo-me@example.com")
        second = await b.sync()
        created = {o.object_kind for o in runs.run_objects(runs.RunId(second))}
        assert {IntentKind.INVOICE, IntentKind.CLIENT, IntentKind.PAYMENT} <= created

        report = await undo_run(second, freshbooks=b.freshbooks)

        assert not report.not_undone, [o.to_json() for o in report.not_undone]
        assert report.orders_undone == [order_id]
        assert {o.kind for o in report.undone} >= {IntentKind.INVOICE, IntentKind.CLIENT, IntentKind.PAYMENT}
        assert {kind: len(b.active(kind)) for kind in ("invoices", "payments", "clients")} == before
        assert not [c for c in b.active("clients") if c["email"] == "undo-me@example.com"]
        link = links.get_order_link(order_id)
        assert link is not None and link.status is links.OrderLinkStatus.UNDONE
        assert links.payment_links_for_order(order_id) == []
        assert links.find_client_link(f"guest:{'undo-me@example.com'}") is None
        undo = runs.get_run(runs.RunId(report.run_id))
        assert undo is not None and undo.mode is runs.RunMode.UNDO and undo.status is runs.RunStatus.FINISHED
        assert undo.counts.invoices_created == 1  # an undo's counts say how many objects of each kind went
        assert any("Undo: invoice" in a.message for a in runs.recent_activity(run_id=report.run_id))

        rec = await reconcile(bigcommerce=b.bigcommerce, freshbooks=b.freshbooks)
        row = next(r for r in rec.orders if r.order_id == order_id)
        assert [f.code for f in row.findings] == [FindingCode.UNDONE] and row.findings[0].explained

        again = await undo_run(second, freshbooks=b.freshbooks)  # harmless the second time
        assert not again.not_undone and {o.action for o in again.outcomes} <= {
            UndoAction.ALREADY_GONE,
            UndoAction.DELETED,
        }
        assert {kind: len(b.active(kind)) for kind in ("invoices", "payments", "clients")} == before

        # the user asks for the order again: released, the next sync creates exactly one invoice for it
        assert release_orders([order_id]) == [order_id]
        await b.sync()
        numbers = [i["invoice_number"] for i in b.active("invoices")]
        assert numbers.count(f"BC-{order_id}") == 1


async def test_undo_keeps_what_something_else_refers_to() -> None:
    async with books() as b:
        first = await b.sync()
        synced = [link for link in links.list_order_links(limit=100) if link.invoice_id]
        paid = [link for link in synced if links.payment_links_for_order(link.order_id)]
        kept = paid[0]
        invoice = await b.freshbooks.get_invoice(kept.invoice_id)
        ours = {p.id for p in await b.freshbooks.list_payments(invoice.id)}
        assert ours
        manual = await b.freshbooks.create_payment(  # the user records one more payment by hand
            fb.PaymentDraft(
                invoiceid=invoice.id, amount=Decimal("1.00"), date=date(2024, 1, 2), note="by hand"
            )
        )
        report = await undo_run(first, freshbooks=b.freshbooks)

        kept_out = [o for o in report.not_undone if o.kind is IntentKind.INVOICE]
        assert [o.object_id for o in kept_out] == [kept.invoice_id]
        assert kept_out[0].action is UndoAction.KEPT and str(manual.id) in kept_out[0].reason
        client_kept = [o for o in report.not_undone if o.kind is IntentKind.CLIENT]
        assert [o.object_id for o in client_kept] == [invoice.customerid]
        assert "still has 1 invoice" in client_kept[0].reason
        active = b.active("invoices")
        assert [i["id"] for i in active] == [kept.invoice_id]
        assert links.get_order_link(kept.order_id).status is links.OrderLinkStatus.SYNCED  # type: ignore[union-attr]
        assert all(
            links.get_order_link(o.order_id).status is links.OrderLinkStatus.UNDONE  # type: ignore[union-attr]
            for o in report.undone
            if o.kind is IntentKind.INVOICE
        )
        # the run's own payments on the invoice that stays stay too, with their links
        assert {p.id for p in await b.freshbooks.list_payments(invoice.id)} == ours | {manual.id}
        kept_payments = [
            o for o in report.outcomes if o.kind is IntentKind.PAYMENT and o.order_id == kept.order_id
        ]
        assert {o.object_id for o in kept_payments} == ours and all(
            o.action is UndoAction.KEPT for o in kept_payments
        )
        assert len(links.payment_links_for_order(kept.order_id)) == len(ours)
        # items are kept while the invoice that stays names them; taxes are always kept
        assert all(o.action is UndoAction.KEPT for o in report.outcomes if o.kind is IntentKind.TAX)


async def test_undo_refuses_unknown_running_and_undo_runs() -> None:
    async with books(orders=2) as b:
        with pytest.raises(ValidationError, match="no sync run 99"):
            await undo_run(99, freshbooks=b.freshbooks)
        running = runs.start_run(runs.RunMode.ONCE)
        with pytest.raises(ValidationError, match="still running"):
            await undo_run(running, freshbooks=b.freshbooks)
        runs.finish_run(running, runs.RunStatus.FINISHED, runs.RunCounts())
        report = await undo_run(running, freshbooks=b.freshbooks)  # created nothing: nothing to undo
        assert report.outcomes == ()
        with pytest.raises(ValidationError, match="undo cannot be undone"):
            await undo_run(report.run_id, freshbooks=b.freshbooks)


async def test_the_next_sync_does_not_silently_redo_an_undone_order() -> None:
    async with books() as b:
        await b.sync()
        order_id = b.new_order("stay-undone@example.com")
        second = await b.sync()
        await undo_run(second, freshbooks=b.freshbooks)
        await b.sync()
        assert f"BC-{order_id}" not in [i["invoice_number"] for i in b.active("invoices")]


async def test_undo_of_a_refund_run_removes_the_credit_note_and_keeps_the_invoice() -> None:
    async with books(orders=20, seed=6) as b:
        await b.sync()
        paid = [
            link
            for link in links.list_order_links(limit=100)
            if link.invoice_id
            and links.payment_links_for_order(link.order_id)
            and not links.credit_links_for_order(link.order_id)
        ]
        target = paid[0]
        b.sandbox.bigcommerce.add_refund(target.order_id, Decimal("2.00"), reason="scratched")
        second = await b.sync()
        # the refund's credit note, and its application to the invoice for the money paid back
        made = runs.run_objects(runs.RunId(second))
        assert sorted(o.object_kind for o in made) == [IntentKind.CREDIT, IntentKind.PAYMENT]
        credit_note_id = next(o.object_id for o in made if o.object_kind is IntentKind.CREDIT)
        application_id = next(o.object_id for o in made if o.object_kind is IntentKind.PAYMENT)

        report = await undo_run(second, freshbooks=b.freshbooks)

        assert [(o.kind, o.object_id, o.action) for o in report.outcomes] == [
            (IntentKind.PAYMENT, application_id, UndoAction.DELETED),
            (IntentKind.CREDIT, credit_note_id, UndoAction.DELETED),
        ]
        assert not [c for c in b.active("credit_notes") if c["id"] == credit_note_id]
        assert links.credit_links_for_order(target.order_id) == []
        assert links.get_order_link(target.order_id).status is links.OrderLinkStatus.SYNCED  # type: ignore[union-attr]
        assert target.invoice_id in [i["id"] for i in b.active("invoices")]
        assert report.orders_undone == []
