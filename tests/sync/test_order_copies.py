"""The local copy of every order the sync read, beside its invoice: what the orders tables page through."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sync_harness import check_books, rig

from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, list_errors
from bigbooks_desktop.store.order_copies import OrderCopyState, count_order_copies, list_order_copies

pytestmark = pytest.mark.asyncio


async def test_every_order_read_has_a_copy_matching_the_books_and_pages_newest_first() -> None:
    async with rig(orders=80) as r:
        await r.sync()
        state = r.state()
        orders = {o["id"]: o for o in state["bigcommerce"]["orders"]}
        invoices = {i["invoice_number"]: i for i in state["freshbooks"]["invoices"] if i["vis_state"] == 0}
        assert count_order_copies() == len(orders)                 # eligible or not, every order is there
        copies = list_order_copies(limit=1000)
        assert [c.date_created for c in copies] == sorted((c.date_created for c in copies), reverse=True)
        inbox = {e.order_id for e in list_errors(status=ACTIVE_STATUSES)}
        books = check_books(state)
        for copy in copies:
            order = orders[copy.order_id]
            assert copy.total == Decimal(str(order["total_inc_tax"])).quantize(Decimal("0.01"))
            if copy.state is OrderCopyState.SYNCED:
                invoice = invoices[f"BC-{copy.order_id}"]
                assert copy.invoice_number == invoice["invoice_number"] and copy.invoice_id == invoice["id"]
                assert copy.invoice_amount == Decimal(invoice["amount"]["amount"])
            elif copy.state is OrderCopyState.NEEDS_ATTENTION:
                assert copy.order_id in inbox and copy.note
            else:
                assert copy.state is OrderCopyState.NOT_INVOICED and copy.order_id not in books["eligible"]
        page = list_order_copies(offset=10, limit=10)
        assert [c.order_id for c in page] == [c.order_id for c in copies[10:20]]
        waiting = count_order_copies(state=OrderCopyState.NEEDS_ATTENTION)
        assert waiting == len(inbox)
        some = copies[0]
        assert any(c.order_id == some.order_id for c in list_order_copies(search=str(some.order_id)))
        if some.email:
            assert some.order_id in {c.order_id for c in list_order_copies(search=some.email.upper())}


async def test_a_refund_after_sync_updates_the_copy_and_keeps_its_invoice() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        order = next(o for o in r.state()["bigcommerce"]["orders"] if o["status_id"] == 10 and not o["refunds"])
        before = next(c for c in list_order_copies(limit=100) if c.order_id == order["id"])
        r.tick()
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"amount": "2.00"})
        await r.sync()
        after = next(c for c in list_order_copies(limit=100) if c.order_id == order["id"])
        assert after.refunded == Decimal("2.00") and after.invoice_number == before.invoice_number
        assert after.state is OrderCopyState.SYNCED
