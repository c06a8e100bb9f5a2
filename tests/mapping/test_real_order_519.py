"""Real BigCommerce order 519 (TAX-FACTS.md: tax-inclusive, GST 5.5 %, a manual discount of 100) as an invoice.

The figures are the order's own, captured from a real store's API; the mapping used to refuse it
("2369.6667 + tax 125.12 is not 2500"). Its invoice must carry BigCommerce's 125.12 GST and total 2400.00
under every tax rounding rule FreshBooks may use.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from bigbooks_desktop.mapping.freshbooks_math import RULES
from bigbooks_desktop.mapping.invoice import invoice_from_order
from bigbooks_desktop.mapping.profile import default_profile

from .fb_arith import tax_by_name
from .order_factory import order_519


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("policy", ["lines", "allocate"])
def test_order_519_invoices_its_gst_exactly(rule: str, policy: str) -> None:
    profile = default_profile().model_copy(update={"discount_policy": policy})
    plan = invoice_from_order(order_519(), profile, customer_id=1, store_timezone="UTC", freshbooks_taxes=[],
                              rule=rule)  # type: ignore[arg-type]
    assert tax_by_name(plan.draft.lines, rule) == {"GST": D("125.12")}
    assert plan.expected_total == plan.order_total == D("2400.00")
    assert all(line.tax_name1 == "GST" for line in plan.draft.lines)      # no untaxed line
    items = [line for line in plan.draft.lines if line.kind == "item"]
    assert sum((line.qty for line in items), D(0)) == 10
    if policy == "lines":
        # ten at the ex-tax unit price (236.9667, shown within a cent of it) and the discount as taxed lines:
        # what is left of the net 2274.88
        (item,) = items
        assert abs(item.unit_cost - D("236.9667")) < D("0.02")
        discount = sum((line.unit_cost for line in plan.draft.lines if line.kind == "discount"), D(0))
        assert item.qty * item.unit_cost + discount == D("2274.88")
    else:
        assert sum((line.qty * line.unit_cost for line in items), D(0)) == D("2274.88")
