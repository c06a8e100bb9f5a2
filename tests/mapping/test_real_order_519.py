"""Real BigCommerce order 519 (TAX-FACTS.md: tax-inclusive, GST 5.5 %, a manual discount of 100) as an invoice.

The figures are the order's own, captured from a real store's API; the mapping used to refuse it
("2369.6667 + tax 125.12 is not 2500"). Its invoice must carry BigCommerce's 125.12 GST and total 2400.00
under every tax rounding rule FreshBooks may use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.mapping.freshbooks_math import RULES
from bigbooks_desktop.mapping.invoice import invoice_from_order
from bigbooks_desktop.mapping.profile import default_profile

from .fb_arith import tax_by_name

WHEN = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)


def order_519() -> bc.OrderDetail:
    order = bc.Order(id=519, date_created=WHEN, date_modified=WHEN, status_id=11,
                     subtotal_ex_tax=D("2369.6667"), subtotal_inc_tax=D("2500.0000"), subtotal_tax=D("125.1200"),
                     discount_amount=D("100.0000"), total_ex_tax=D("2274.8800"), total_inc_tax=D("2400.0000"),
                     total_tax=D("125.1200"), is_tax_inclusive_pricing=True, currency_code="USD",
                     default_currency_code="USD")
    product = bc.OrderProduct(id=1, order_id=519, name="Product", quantity=10, base_price=D("250.0000"),
                              price_ex_tax=D("236.9667"), price_inc_tax=D("250.0000"), price_tax=D("13.0333"),
                              total_ex_tax=D("2369.6667"), total_inc_tax=D("2500.0000"), total_tax=D("125.1200"),
                              applied_discounts=(bc.AppliedDiscount(id="manual-discount", amount=D("100"),
                                                                    name="Manual Discount", target="order"),))
    tax = bc.OrderTax(id=1, order_id=519, name="GST", rate=D("5.5000"), line_amount=D("125.1200"),
                      order_product_id=1, line_item_type="item")
    return bc.OrderDetail(order=order, products=(product,), taxes=(tax,))


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
