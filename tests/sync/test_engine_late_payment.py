"""Orders that start Incomplete or Pending (a live gateway still deciding) and are paid later are not missed."""

from __future__ import annotations

from typing import Any

import pytest
from sync_harness import check_books, rig

pytestmark = pytest.mark.asyncio


def _invoices_for(state: dict[str, Any], order_id: int) -> list[dict[str, Any]]:
    return [i for i in state["freshbooks"]["invoices"]
            if i["invoice_number"] == f"BC-{order_id}" and i["vis_state"] != 1]


async def test_incomplete_and_pending_orders_are_invoiced_once_they_are_paid() -> None:
    async with rig(orders=10, seed=4) as r:
        waiting = [r.sandbox.bigcommerce.add_order({"status_id": status, "customer_id": 0,
                                                    "billing_address": {"email": f"late{status}@example.com"}})
                   for status in (0, 1)]
        first = await r.sync()
        assert first.status == "finished"
        for order in waiting:                           # not invoiceable yet: nothing written for them
            assert _invoices_for(r.state(), int(order["id"])) == []

        r.tick(900)                                     # later, well past the first run's cursor and overlap
        for order in waiting:
            r.sandbox.bigcommerce.update_order(int(order["id"]), {"status_id": 11})   # payment went through
        second = await r.sync(since=None)               # an ordinary incremental run from the cursor
        assert second.status == "finished"
        for order in waiting:
            invoices = _invoices_for(r.state(), int(order["id"]))
            assert len(invoices) == 1, f"order {order['id']} should have exactly one invoice"
        findings = check_books(r.state())
        assert not findings["duplicates"] and not findings["wrong_total"] and not findings["unexpected"], findings
        assert not {int(o["id"]) for o in waiting} & set(findings["missing"]), findings
