"""The BigCommerce design minimum of a first sync, route by route, computed from the store's own orders.

Shared by `test_call_budget.py` (which asserts a 300-order sync makes exactly these calls) and
`benchmarks/sync_benchmark.py` (which reports measured / minimum on the benchmark's store). The reasoning:
the run's clock and store reads once; one list call per 250 orders (`include=consignments.line_items,fees`
brings lines, shipping addresses and fees; see `orders.v2.oas2.yml`, `order_includes`); one store-wide refunds
read and one customers read per 250 orders worked on; and per order only what the list cannot carry:
transactions when money may have moved, taxes when the order is taxed, coupons when the lines'
`applied_discounts` do not account for them.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from bigbooks_desktop.connectors.bigcommerce import consignments, wire
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.mapping.eligibility import ineligibility_reason
from bigbooks_desktop.mapping.profile import default_profile

__all__ = ["design_minimum"]


def design_minimum(state: dict[str, Any]) -> Counter[str]:
    """The calls this store needs, route by route, from the orders themselves (`state`: `/_sandbox/state`)."""
    profile = default_profile()
    orders: list[tuple[bc.Order, tuple[bc.OrderProduct, ...]]] = [
        (wire.parse_order(raw), tuple(wire.parse_order_product(p) for p in raw.get("products", [])))
        for raw in state["bigcommerce"]["orders"]]
    # a first sync settles ineligible orders from their list record; every other order is worked on
    worked = [(o, lines) for o, lines in orders if ineligibility_reason(o, profile) is None or o.is_deleted]
    customers = {o.customer_id for o, _ in worked if o.customer_id > 0}
    return Counter({
        "GET /stores/{hash}/v2/time": 1,
        "GET /stores/{hash}/v2/store": 1,
        "GET /stores/{hash}/v2/orders": math.ceil(len(orders) / 250),
        "GET /stores/{hash}/v3/orders/payment_actions/refunds": math.ceil(len(worked) / 250),
        "GET /stores/{hash}/v3/customers": math.ceil(len(customers) / 250),
        "GET /stores/{hash}/v3/orders/{id}/transactions":
            sum(consignments.money_may_have_moved(o) for o, _ in worked),
        "GET /stores/{hash}/v2/orders/{id}/taxes": sum(o.total_tax != 0 for o, _ in worked),
        "GET /stores/{hash}/v2/orders/{id}/coupons":
            sum(consignments.coupons_from_lines(o, lines) is None for o, lines in worked),
    })
