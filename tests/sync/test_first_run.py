"""First run: invoices entered by hand in FreshBooks (through the client, against the sandbox) are linked to
their orders instead of duplicated; ambiguous ones go to the inbox."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sync_harness import rig

from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.profile import default_profile
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID
from bigbooks_desktop.store import error_queue, links
from bigbooks_desktop.sync.engine import SyncEngine
from bigbooks_desktop.sync.first_run import FIRST_RUN_FINGERPRINT, is_first_run, match_existing_invoices

pytestmark = pytest.mark.asyncio

async def _hand_invoice(
    freshbooks: FreshBooksClient, order: bc.Order, *, number: str, timezone: str, client_id: int
) -> fb.Invoice:
    total = quantize(order.total_inc_tax, order.transaction_currency)
    draft = fb.InvoiceDraft(
        customerid=client_id,
        invoice_number=number,
        currency_code=order.transaction_currency,
        create_date=local_date(order.date_created, timezone, what="test"),
        lines=(fb.LineDraft(name="Goods as typed by the merchant", qty=Decimal(1), unit_cost=total),),
    )
    return await freshbooks.create_invoice(draft)


async def test_hand_entered_invoices_are_linked_not_duplicated() -> None:
    async with rig(orders=30, seed=9, time_scale=200) as r:
        async with r.clients() as (bigcommerce, freshbooks):
            timezone = (await bigcommerce.get_store()).timezone_name
            profile = default_profile()
            orders = [
                o
                async for o in bigcommerce.iter_orders()
                if is_invoiceable(o, profile) and o.billing_address.email and o.total_inc_tax > 0
            ]
            emails = Counter(o.billing_address.email.casefold() for o in orders)
            singles = [o for o in orders if emails[o.billing_address.email.casefold()] == 1]
            by_number, by_details, ambiguous = singles[0], singles[1], singles[2]
            clients = {}
            for order in (by_number, by_details, ambiguous):
                made = await freshbooks.create_client(
                    fb.ClientDraft(
                        email=order.billing_address.email,
                        fname=order.billing_address.first_name,
                        lname=order.billing_address.last_name,
                    )
                )
                clients[order.id] = made.id
            # the merchant typed these before installing BigBooks
            hand_a = await _hand_invoice(
                freshbooks,
                by_number,
                number=f"BC-{by_number.id}",
                timezone=timezone,
                client_id=clients[by_number.id],
            )
            hand_b = await _hand_invoice(
                freshbooks, by_details, number="INV-2001", timezone=timezone, client_id=clients[by_details.id]
            )
            captured = await bigcommerce.get_order_transactions(by_details.id)
            paid_by_hand = sum(
                (t.amount for t in captured if t.event in ("purchase", "capture") and t.status == "ok"),
                Decimal(0),
            )
            if paid_by_hand:
                await freshbooks.create_payment(
                    fb.PaymentDraft(
                        invoiceid=hand_b.id,
                        amount=paid_by_hand,
                        date=hand_b.create_date,
                        note="typed by hand",
                    )
                )
            twins = [
                await _hand_invoice(
                    freshbooks,
                    ambiguous,
                    number=f"INV-300{n}",
                    timezone=timezone,
                    client_id=clients[ambiguous.id],
                )
                for n in (1, 2)
            ]

            assert is_first_run()
            report = await match_existing_invoices(bigcommerce=bigcommerce, freshbooks=freshbooks)

            matched = {m.order_id: m for m in report.matched}
            assert matched[by_number.id].invoice_id == hand_a.id
            assert matched[by_number.id].method == "invoice_number"
            assert matched[by_details.id].invoice_id == hand_b.id
            assert matched[by_details.id].method == "client_date_total"
            assert matched[by_details.id].payments_linked == (1 if paid_by_hand else 0)
            assert set(matched) == {by_number.id, by_details.id}
            assert [a.order_id for a in report.ambiguous] == [ambiguous.id]
            assert set(report.ambiguous[0].candidates) == {t.id for t in twins}
            row = error_queue.active_error(ambiguous.id, error_queue.ErrorStage.VALIDATE)
            assert row is not None and row.status is error_queue.ErrorStatus.WAITING
            assert "INV-3001" in row.message and "entered by hand" in row.message
            link = links.get_order_link(by_details.id)
            assert link is not None and link.invoice_id == hand_b.id and link.fingerprint == FIRST_RUN_FINGERPRINT
            assert not is_first_run()
            again = await match_existing_invoices(bigcommerce=bigcommerce, freshbooks=freshbooks)
            assert again.matched == ()  # already linked: nothing matched twice

            await SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks).run(since=datetime(2000, 1, 1, tzinfo=UTC))
        books = r.sandbox.freshbooks.dump()
        invoices = [i for i in books["invoices"] if i["vis_state"] != 1 and i["accountid"] == PRIMARY_ACCOUNT_ID]
        numbers = Counter(i["invoice_number"] for i in invoices)
        assert numbers[f"BC-{by_number.id}"] == 1  # the hand-entered one, not a second
        assert numbers[f"BC-{by_details.id}"] == 0  # linked to INV-2001 instead
        assert numbers["INV-2001"] == 1
        on_b = [p for p in books["payments"] if p["vis_state"] != 1 and p["invoiceid"] == hand_b.id]
        assert len(on_b) == (1 if paid_by_hand else 0)  # the hand payment was not recorded twice


async def test_the_first_sync_leaves_matched_and_ambiguous_orders_alone() -> None:
    async with rig(orders=30, seed=9, time_scale=200) as r:
        async with r.clients() as (bigcommerce, freshbooks):
            timezone = (await bigcommerce.get_store()).timezone_name
            orders = [
                o
                async for o in bigcommerce.iter_orders()
                if is_invoiceable(o, default_profile()) and o.billing_address.email
            ]
            matched, ambiguous = orders[0], orders[1]
            client = await freshbooks.create_client(fb.ClientDraft(email=ambiguous.billing_address.email))
            hand = await _hand_invoice(
                freshbooks, matched, number=f"BC-{matched.id}", timezone=timezone, client_id=client.id
            )
            for n in (1, 2):
                await _hand_invoice(freshbooks, ambiguous, number=f"INV-900{n}", timezone=timezone, client_id=client.id)
            await match_existing_invoices(bigcommerce=bigcommerce, freshbooks=freshbooks)
            await SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks).run(since=datetime(2000, 1, 1, tzinfo=UTC))
            after = await freshbooks.get_invoice(hand.id)
            paid = await freshbooks.list_payments(hand.id)
            captured = await bigcommerce.get_order_transactions(matched.id)
            created = await freshbooks.find_invoice_by_number(f"BC-{ambiguous.id}")
    assert [line.name for line in after.lines] == ["Goods as typed by the merchant"]
    assert any(t.status == "ok" and t.event in ("purchase", "capture") for t in captured), "needs a paid order"
    assert paid, "the matched order's payments are recorded on the hand-entered invoice"
    assert created is None
