"""The BigCommerce call budget (issue: half the calls): a 300-order sandbox store synced from scratch makes at
most 2.2 BigCommerce calls per invoiced order, counted by the sandbox itself, and exactly the design minimum for
this store: the run's clock and store reads, one list call per 250 orders (lines, shipping addresses and fees
come in the list), one store-wide refunds read and one customers read per 250 orders worked on, and per order
only what the list cannot carry: transactions when money may have moved, taxes when the order is taxed, coupons
when the lines' `applied_discounts` do not account for them. The books stay exactly-once and to the cent."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from bc_design_minimum import design_minimum as _design_minimum
from sync_harness import EPOCH, check_books, rig

from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, list_errors

pytestmark = pytest.mark.asyncio

PER_ORDER_READS_NOT_NEEDED = ("/products", "/shipping_addresses", "/fees", "/consignments",
                              "/orders/{id}/payment_actions/refunds")


async def _counted(r: Any) -> Counter[str]:
    return Counter((await r.admin("GET", "/requests"))["requests"])


def _bigcommerce(counted: Counter[str]) -> Counter[str]:
    return Counter({route: n for route, n in counted.items() if n and route.startswith("GET /stores/")})


async def test_a_300_order_sync_makes_at_most_2_2_bigcommerce_calls_per_invoiced_order() -> None:
    async with rig(orders=300, seed=11) as r:
        before = await _counted(r)
        summary = await r.sync(since=EPOCH)
        counted = await _counted(r)
        counted.subtract(before)
        made = _bigcommerce(counted)
        minimum = _design_minimum(r.state())
        assert made == +minimum, f"made {dict(made)}, the design minimum is {dict(minimum)}"
        assert not [route for route in made if route.endswith(PER_ORDER_READS_NOT_NEEDED)]
        invoiced = summary.counts["orders_synced"]
        assert invoiced >= 200
        per_invoiced = sum(made.values()) / invoiced
        assert per_invoiced <= 2.2, f"{per_invoiced:.2f} BigCommerce calls per invoiced order"
        # the same books as ever: one invoice per eligible order (or the order in the inbox), to the cent
        books = check_books(r.state())
        assert books["duplicates"] == {} and books["wrong_total"] == [] and books["wrong_tax"] == []
        # payments, refunds and credits too: the reconciliation reads every order's transactions and refunds
        # itself and finds nothing unexplained (a transaction the lean path skipped would be cash missing)
        assert (await r.reconcile()).summary()["unexplained_differences"] == 0
        inbox = list_errors(status=ACTIVE_STATUSES)
        assert set(books["missing"]) <= {e.order_id for e in inbox}
        # the generated store's faulty orders on purpose (no email; a gift certificate sold before BigBooks),
        # never an order the new reading path could not read
        assert {e.stage.value for e in inbox} <= {"validate", "payment"}


async def test_an_incremental_run_reads_only_the_changed_orders() -> None:
    async with rig(orders=120, seed=5) as r:
        await r.sync(since=EPOCH)
        r.tick()
        paid = [o for o in r.state()["bigcommerce"]["orders"] if o["status_id"] in (2, 10, 11)][:3]
        for order in paid:
            await r.admin("POST", f"/orders/{order['id']}/refunds", {"amount": "1.00"})
        before = await _counted(r)
        summary = await r.sync(since=None)       # from the cursor: only what changed since the last run
        counted = await _counted(r)
        counted.subtract(before)
        made = _bigcommerce(counted)
        assert summary.counts["credits_created"] == 3
        assert made["GET /stores/{hash}/v3/orders/payment_actions/refunds"] == 1     # store-wide, once
        assert made["GET /stores/{hash}/v3/orders/{id}/transactions"] == 3          # invoiced: always read
        assert made["GET /stores/{hash}/v2/orders"] == 1
        assert sum(made.values()) <= 2 + 1 + 1 + 1 + 3 * 3      # time, store, list, refunds, customers, 3 each
        books = check_books(r.state())
        assert books["duplicates"] == {} and books["wrong_total"] == [] and books["wrong_tax"] == []
