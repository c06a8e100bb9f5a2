"""The engine leaves orders alone on purpose, and says why: hand-entered invoices matched on the first sync
(payments still recorded), ambiguous matches until retried, undone orders until released."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sync_harness import EPOCH, rig

from bigbooks_desktop import accounts
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.profile import default_profile
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID
from bigbooks_desktop.store import error_queue, links
from bigbooks_desktop.sync.first_run import FIRST_RUN_FINGERPRINT
from bigbooks_desktop.sync.held_orders import queue_released_orders, released_orders
from bigbooks_desktop.sync.undo import release_orders, undo_run

pytestmark = pytest.mark.asyncio


def _active_numbers(state: dict[str, object]) -> Counter[str]:
    books = state["freshbooks"]
    assert isinstance(books, dict)
    return Counter(i["invoice_number"] for i in books["invoices"]
                   if i["vis_state"] != 1 and i["accountid"] == PRIMARY_ACCOUNT_ID)


async def test_the_first_sync_matches_hand_entered_invoices_by_itself_and_holds_ambiguous_ones() -> None:
    async with rig(orders=30, seed=9) as r:
        bigcommerce = await accounts.open_bigcommerce_client(transport=r.transport)
        freshbooks = await accounts.open_freshbooks_client(transport=r.transport)
        async with bigcommerce, freshbooks:
            timezone = (await bigcommerce.get_store()).timezone_name
            orders = [o async for o in bigcommerce.iter_orders()
                      if is_invoiceable(o, default_profile()) and o.billing_address.email]
            matched, ambiguous = orders[0], orders[1]
            client = await freshbooks.create_client(fb.ClientDraft(email=ambiguous.billing_address.email))

            async def hand(order_total: Decimal, currency: str, created: object, number: str) -> fb.Invoice:
                return await freshbooks.create_invoice(fb.InvoiceDraft(
                    customerid=client.id, invoice_number=number, currency_code=currency,
                    create_date=local_date(created, timezone, what="test"),  # type: ignore[arg-type]
                    lines=(fb.LineDraft(name="Typed by hand", qty=Decimal(1),
                                        unit_cost=quantize(order_total, currency)),)))

            mine = await hand(matched.total_inc_tax, matched.transaction_currency, matched.date_created,
                              f"BC-{matched.id}")
            twins = [await hand(ambiguous.total_inc_tax, ambiguous.transaction_currency,
                                ambiguous.date_created, f"INV-70{n}") for n in (1, 2)]
            captured = await bigcommerce.get_order_transactions(matched.id)

        first = await r.sync(since=None, first_run_start=EPOCH)          # the first sync, no explicit matching
        assert first.first_run is not None
        assert [m["order_id"] for m in first.first_run["matched"]] == [matched.id]
        assert [a["order_id"] for a in first.first_run["ambiguous"]] == [ambiguous.id]
        assert first.results.get("skipped") == 1
        assert [s["order_id"] for s in first.skipped] == [ambiguous.id]
        assert "entered by hand" in first.skipped[0]["reason"]
        numbers = _active_numbers(r.state())
        assert numbers[f"BC-{matched.id}"] == 1 and numbers[f"BC-{ambiguous.id}"] == 0
        kept = next(i for i in r.state()["freshbooks"]["invoices"] if i["id"] == mine.id)
        assert [line["name"] for line in kept["lines"]] == ["Typed by hand"]
        link = links.get_order_link(matched.id)
        assert link is not None and link.fingerprint == FIRST_RUN_FINGERPRINT and link.invoice_id == mine.id
        assert any(t.status == "ok" and t.event in ("purchase", "capture") for t in captured), "needs a paid order"
        assert links.payment_links_for_order(matched.id), "payments recorded on the hand-entered invoice"

        second = await r.sync()                                 # a backfill: still held, nothing rewritten
        assert [s["order_id"] for s in second.skipped] == [ambiguous.id]
        assert second.first_run is None                         # nothing new to match: FreshBooks not listed
        assert _active_numbers(r.state()) == numbers

        # the user deletes one twin and retries: the one left is linked, nothing is created
        async with await accounts.open_freshbooks_client(transport=r.transport) as freshbooks:
            await freshbooks.delete_invoice(twins[1].id)
        row = error_queue.active_error(ambiguous.id, error_queue.ErrorStage.VALIDATE)
        assert row is not None
        error_queue.retry_error_now(row.id)
        retried = await r.sync(since=None, poll=False)
        assert retried.results.get("unchanged") == 1, retried.results
        held = links.get_order_link(ambiguous.id)
        assert held is not None and held.invoice_id == twins[0].id and held.fingerprint == FIRST_RUN_FINGERPRINT
        assert _active_numbers(r.state())[f"BC-{ambiguous.id}"] == 0
        assert error_queue.active_error(ambiguous.id, error_queue.ErrorStage.VALIDATE) is None


async def test_an_undone_order_is_skipped_with_how_to_release_it_then_synced_once_released() -> None:
    async with rig(orders=8, seed=5) as r:
        await r.sync()
        made = r.sandbox.bigcommerce.add_order({"status_id": 11, "customer_id": 0,
                                                "billing_address": {"email": "held@example.com"}})
        order_id = int(made["id"])
        second = await r.sync()
        async with await accounts.open_freshbooks_client(transport=r.transport) as freshbooks:
            await undo_run(second.run_id or 0, freshbooks=freshbooks)

        r.tick(900)                                   # the cursor moves well past the order (overlap included)
        third = await r.sync()
        assert third.results.get("skipped") == 1 and third.counts["orders_held"] == 1
        assert third.skipped == [{"order_id": order_id, "reason": third.skipped[0]["reason"]}]
        assert f"`bigbooks undo {second.run_id} --release-orders`" in third.skipped[0]["reason"]
        assert _active_numbers(r.state())[f"BC-{order_id}"] == 0

        assert release_orders([order_id]) == [order_id]
        queue_released_orders([order_id])            # what the service's release does
        await r.sync(since=None)                      # from the cursor, which is past the order
        assert _active_numbers(r.state())[f"BC-{order_id}"] == 1
        assert released_orders() == []


async def test_a_plain_engine_run_without_a_cursor_is_a_first_sync() -> None:
    async with rig(orders=6, seed=2) as r:
        summary = await r.sync(since=None, first_run_start=EPOCH)
        assert summary.first_run is not None and summary.first_run["matched"] == []
        assert summary.skipped == [] and summary.first_run["orders_checked"] > 0
        assert summary.first_run["invoices_checked"] == 0


async def test_picking_one_of_two_hand_entered_invoices_links_that_one_and_creates_nothing() -> None:
    async with rig(orders=20, seed=9) as r:
        bigcommerce = await accounts.open_bigcommerce_client(transport=r.transport)
        freshbooks = await accounts.open_freshbooks_client(transport=r.transport)
        async with bigcommerce, freshbooks:
            timezone = (await bigcommerce.get_store()).timezone_name
            candidates = [o async for o in bigcommerce.iter_orders()
                          if is_invoiceable(o, default_profile()) and o.billing_address.email]
            order = candidates[0]
            client = await freshbooks.create_client(fb.ClientDraft(email=order.billing_address.email))
            twins = [await freshbooks.create_invoice(fb.InvoiceDraft(
                customerid=client.id, invoice_number=f"HAND-{n}", currency_code=order.transaction_currency,
                create_date=local_date(order.date_created, timezone, what="test"),
                lines=(fb.LineDraft(name="Typed by hand", qty=Decimal(1),
                                    unit_cost=quantize(order.total_inc_tax, order.transaction_currency)),)))
                for n in (1, 2)]

        await r.sync(since=None, first_run_start=EPOCH)
        row = error_queue.active_error(order.id, error_queue.ErrorStage.VALIDATE)
        assert row is not None, "an order matching two hand-entered invoices waits in the inbox"
        before = _active_numbers(r.state())

        error_queue.edit_error(row.id, {"invoice_id": twins[1].id})     # what `inbox edit ID {...}` stores
        await r.sync(since=None, poll=False)
        link = links.get_order_link(order.id)
        assert link is not None and link.invoice_id == twins[1].id
        assert _active_numbers(r.state()) == before                       # nothing created, nothing deleted
        assert error_queue.active_error(order.id, error_queue.ErrorStage.VALIDATE) is None
