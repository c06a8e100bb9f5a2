"""The sandbox's BigCommerce money: real order 519 to the last digit, and the rules on random orders."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bigbooks_desktop.sandbox.bigcommerce import pricing
from bigbooks_desktop.sandbox.bigcommerce.audit import money_problems
from bigbooks_desktop.sandbox.bigcommerce.pricing import TAX_ZONES, reprice, round2, round4
from bigbooks_desktop.sandbox.bigcommerce.wire import render_v2

ZERO = Decimal("0")
D = Decimal


def _ids() -> Any:
    counter = itertools.count(1)
    return lambda kind: next(counter)


def _record(
    zone: str,
    lines: list[tuple[Decimal, int, int | None]],
    *,
    shipping: Decimal = ZERO,
    handling: Decimal = ZERO,
    manual: Decimal = ZERO,
    coupons: list[tuple[int, Decimal]] = (),  # type: ignore[assignment]
    fees: list[tuple[Decimal, int | None]] = (),  # type: ignore[assignment]
    wrap: Decimal = ZERO,
) -> dict[str, Any]:
    """An unpaid order record with just the priced inputs; lines are (base_price, quantity, tax class or
    None for a gift certificate)."""
    products = []
    for n, (price, quantity, tax_class) in enumerate(lines, start=1):
        products.append(
            {
                "id": n,
                "type": "giftcertificate" if tax_class is None else "physical",
                "base_price": price,
                "quantity": quantity,
                "base_wrapping_cost": wrap if n == 1 else ZERO,
                "quantity_refunded": 0,
                "refund_amount": ZERO,
            }
        )
    return {
        "order": {
            "id": 1,
            "status_id": 0,
            "customer_id": 0,
            "is_tax_inclusive_pricing": TAX_ZONES[zone]["inclusive"],
            "base_shipping_cost": shipping,
            "base_handling_cost": handling,
            "discount_amount": manual,
            "store_credit_amount": ZERO,
            "gift_certificate_amount": ZERO,
        },
        "zone": zone,
        "products": products,
        "shipping_addresses": [{"id": 7}] if shipping or handling else [],
        "coupons": [
            {"id": n, "coupon_id": n, "code": f"C{n}", "type": kind, "amount": amount, "discount": amount}
            for n, (kind, amount) in enumerate(coupons, start=1)
        ],
        "fees": [
            {"id": n, "base_cost": cost, "tax_class_id": tax_class} for n, (cost, tax_class) in enumerate(fees, start=1)
        ],
        "line_tax_class": {n: tax_class for n, (_, _, tax_class) in enumerate(lines, start=1)},
        "taxes": [],
        "transactions": [],
        "refunds": [],
    }


def test_real_order_519_to_the_last_digit(monkeypatch: pytest.MonkeyPatch) -> None:
    """TAX-FACTS.md: a real BasicTaxProvider order, tax-inclusive, GST 5.5 %, 10 x 250.0000, manual
    discount 100.00. Every figure of its table, as the v2 API writes it."""
    monkeypatch.setitem(TAX_ZONES, "AU-519", {"inclusive": True, "rates": {0: [(1, "GST", D("5.5000"))]}})
    record = _record("AU-519", [(D("250.0000"), 10, 0)], manual=D("100.00"))
    reprice(record, _ids())
    order = render_v2(record["order"])
    assert {k: order[k] for k in (
        "subtotal_ex_tax", "subtotal_inc_tax", "subtotal_tax", "discount_amount",
        "total_ex_tax", "total_inc_tax", "total_tax",
    )} == {
        "subtotal_ex_tax": "2369.6667", "subtotal_inc_tax": "2500.0000", "subtotal_tax": "125.1200",
        "discount_amount": "100.0000", "total_ex_tax": "2274.8800", "total_inc_tax": "2400.0000",
        "total_tax": "125.1200",
    }
    line = render_v2(record["products"][0])
    assert line["quantity"] == 10
    assert {k: line[k] for k in (
        "base_price", "price_ex_tax", "price_inc_tax", "price_tax", "total_ex_tax", "total_inc_tax", "total_tax",
    )} == {
        "base_price": "250.0000", "price_ex_tax": "236.9667", "price_inc_tax": "250.0000",
        "price_tax": "13.0333", "total_ex_tax": "2369.6667", "total_inc_tax": "2500.0000",
        "total_tax": "125.1200",
    }
    assert line["applied_discounts"] == [
        {"id": "manual-discount", "name": "Manual Discount", "code": None, "target": "order", "amount": "100.0000"}
    ]
    assert line["discounted_total_inc_tax"] == "2400.0000"
    assert [(t["name"], t["line_amount"]) for t in render_v2(record["taxes"])] == [("GST", "125.1200")]
    assert money_problems(record) == []


def test_per_unit_rounding_would_have_missed_order_519() -> None:
    """The line is taxed once (125.12), not per unit and multiplied (125.10), as TAX-FACTS rule 1 says."""
    rate = D("5.5")
    assert round2(D("2400") * rate / (100 + rate)) == D("125.12")
    assert round2(D("240") * rate / (100 + rate)) * 10 == D("125.10")
    assert round4((D("125.12") + round4(D("100") * rate / (100 + rate))) / 10) == D("13.0333")


def test_three_taxes_on_a_line_each_on_the_discounted_amount() -> None:
    record = _record("US-NY", [(D("19.99"), 3, 0), (D("5.00"), 1, 1)], manual=D("6.00"))
    reprice(record, _ids())
    first, second = record["products"]
    assert [d["amount"] for d in first["applied_discounts"]] == [D("5.54")]  # 6.00 x 59.97/64.97
    base = D("59.97") - D("5.54")
    rows = [t for t in record["taxes"] if t["order_product_id"] == "1"]
    assert [(t["name"], t["line_amount"]) for t in rows] == [
        ("New York State Tax", round2(base * D("0.04"))),
        ("New York City Tax", round2(base * D("0.045"))),
        ("MCTD", round2(base * D("0.00375"))),
    ]
    assert first["total_tax"] == sum(t["line_amount"] for t in rows) == D("2.18") + D("2.45") + D("0.20")
    # the undiscounted tax adds the discount's share at the combined rate, to 4 decimals
    assert first["total_inc_tax"] == D("59.97") + D("4.83") + round4(D("5.54") * D("8.875") / 100)
    assert second["total_tax"] == round2((D("5.00") - D("0.46")) * D("0.04"))
    assert money_problems(record) == []


def test_a_four_decimal_rate_rounds_each_tax_half_up_to_the_cent() -> None:
    record = _record("US-CO", [(D("100.00"), 1, 0), (D("10.00"), 2, 0)])
    reprice(record, _ids())
    rows = {(t["order_product_id"], t["name"]): t["line_amount"] for t in record["taxes"]}
    assert rows[("1", "Denver Tax")] == D("4.81")  # 4.8125
    assert rows[("2", "Denver Tax")] == D("0.96")  # 0.9625
    assert rows[("1", "Colorado State Tax")] == D("2.90") and rows[("2", "Colorado State Tax")] == D("0.58")
    assert record["order"]["total_tax"] == D("9.25")
    assert money_problems(record) == []


@pytest.mark.parametrize("zone", ["US-TX", "EU-DE"])
def test_a_shipping_coupon_discounts_shipping_and_no_product(zone: str) -> None:
    record = _record(zone, [(D("40.00"), 1, 0)], shipping=D("12.00"), coupons=[(3, D("5.00")), (2, D("4.00"))])
    reprice(record, _ids())
    order, line = record["order"], record["products"][0]
    assert order["coupon_discount"] == D("9.00")
    assert [d["amount"] for d in line["applied_discounts"]] == [D("4.00")]
    rates = TAX_ZONES[zone]["rates"][0]
    rate = rates[0][2]
    if order["is_tax_inclusive_pricing"]:
        assert order["shipping_cost_tax"] == round2(D("7.00") * rate / (100 + rate))
        assert order["shipping_cost_inc_tax"] == D("12.00")
        undiscounted = order["shipping_cost_tax"] + round4(D("5.00") * rate / (100 + rate))
        assert order["shipping_cost_ex_tax"] == D("12.00") - undiscounted
    else:
        assert order["shipping_cost_tax"] == round2(D("7.00") * rate / 100)
        assert order["shipping_cost_ex_tax"] == D("12.00")
        assert order["shipping_cost_inc_tax"] == D("12.00") + order["shipping_cost_tax"]
    shipping_rows = [t for t in record["taxes"] if t["line_item_type"] == "shipping"]
    assert sum(t["line_amount"] for t in shipping_rows) == order["shipping_cost_tax"]
    assert money_problems(record) == []


def test_fees_are_taxed_in_their_class_and_counted_in_the_totals() -> None:
    record = _record("CA-ON", [(D("20.00"), 1, 0)], fees=[(D("2.95"), None), (D("1.50"), 1)])
    reprice(record, _ids())
    surcharge, eco = record["fees"]
    assert (surcharge["cost_ex_tax"], surcharge["cost_tax"], surcharge["cost_inc_tax"]) == (
        D("2.95"), D("0.15") + D("0.24"), D("3.34"))
    assert (eco["cost_tax"], eco["cost_inc_tax"]) == (D("0.08"), D("1.58"))
    fee_rows = [t for t in record["taxes"] if t["line_item_type"] == "fee"]
    assert sum(t["line_amount"] for t in fee_rows) == D("0.47")
    assert record["order"]["total_inc_tax"] == D("22.60") + D("3.34") + D("1.58")
    assert money_problems(record) == []


def test_gift_certificates_are_neither_taxed_nor_discounted() -> None:
    record = _record("US-TX", [(D("30.00"), 1, 0), (D("50.00"), 1, None)], manual=D("3.00"))
    reprice(record, _ids())
    goods, gift = record["products"]
    assert [d["amount"] for d in goods["applied_discounts"]] == [D("3.00")]
    assert gift["applied_discounts"] == [] and gift["total_tax"] == ZERO and gift["total_inc_tax"] == D("50.00")
    assert record["order"]["total_inc_tax"] == D("30.00") - D("3.00") + round2(D("27.00") * D("0.0825")) + 50
    assert money_problems(record) == []


def test_two_discounts_never_take_a_line_below_zero() -> None:
    """Found by the property test below: each discount spread over the lines' full amounts gave the first
    one-cent line both cents. Each next discount is spread over what the lines have left."""
    record = _record("CA-ON", [(D("0.01"), 1, 0), (D("0.01"), 1, 0)], manual=D("0.01"), coupons=[(1, D("0.01"))])
    reprice(record, _ids())
    assert [ln["discounted_total_inc_tax"] for ln in record["products"]] == [ZERO, ZERO]
    assert money_problems(record) == []


def test_the_checker_catches_a_slip() -> None:
    record = _record("US-NY", [(D("19.99"), 3, 0)], shipping=D("5.00"), manual=D("2.00"))
    reprice(record, _ids())
    assert money_problems(record) == []
    record["taxes"][0]["line_amount"] += D("0.01")
    found = money_problems(record)
    assert any("tax rows" in p for p in found) and any("tax at rate" in p for p in found)
    record["taxes"][0]["line_amount"] -= D("0.01")
    record["products"][0]["total_inc_tax"] = record["products"][0]["total_ex_tax"] + record["products"][0]["total_tax"]
    assert any("total_inc_tax" in p for p in money_problems(record))


# -- random orders -----------------------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=50_000).map(lambda n: D(n) / 100)
lines_st = st.lists(
    st.tuples(cents, st.integers(min_value=1, max_value=12), st.sampled_from([0, 0, 1, None])),
    min_size=1,
    max_size=5,
).filter(lambda ls: any(c is not None for _, _, c in ls))


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(sorted(TAX_ZONES)))
    lines = draw(lines_st)
    room = sum((p * q for p, q, c in lines if c is not None), ZERO)
    shipping = draw(st.sampled_from([ZERO, D("4.99"), D("12.00"), D("19.95")]))
    fraction = st.integers(min_value=0, max_value=30).map(lambda n: D(n) / 100)
    manual = round2(room * draw(fraction))
    coupon = round2(room * draw(fraction))
    coupons = [(draw(st.sampled_from([1, 2])), coupon)] if coupon else []
    if shipping and draw(st.booleans()):
        coupons.append((draw(st.sampled_from([3, 4])), shipping if draw(st.booleans()) else min(D("5.00"), shipping)))
    fees = draw(st.lists(st.tuples(cents, st.sampled_from([0, 1, None])), max_size=2))
    return _record(
        zone,
        lines,
        shipping=shipping,
        handling=draw(st.sampled_from([ZERO, D("2.50")])),
        manual=manual,
        coupons=coupons,
        fees=fees,
        wrap=draw(st.sampled_from([ZERO, D("3.95")])),
    )


@settings(max_examples=300, deadline=None)
@given(orders())
def test_random_orders_follow_the_rules(record: dict[str, Any]) -> None:
    reprice(record, _ids())
    order = record["order"]
    inclusive = order["is_tax_inclusive_pricing"]
    assert sum((t["line_amount"] for t in record["taxes"]), ZERO) == order["total_tax"]
    for line in record["products"]:
        entered = line["base_price"] * line["quantity"]
        discount = sum((d["amount"] for d in line["applied_discounts"]), ZERO)
        rates = pricing.line_rates(record, line)
        combined = sum((r for _, _, r in rates), ZERO)
        if inclusive:
            expected = round2((entered - discount) * combined / (100 + combined)) if combined else ZERO
            assert line["total_inc_tax"] == entered
        else:
            expected = sum((round2((entered - discount) * r / 100) for _, _, r in rates), ZERO)
            assert line["total_ex_tax"] == entered
        assert line["total_tax"] == expected
    parts = (
        sum((ln["discounted_total_inc_tax"] + ln["wrapping_cost_inc_tax"] for ln in record["products"]), ZERO)
        + order["handling_cost_inc_tax"]
        + sum((f["cost_inc_tax"] for f in record["fees"]), ZERO)
    )
    ship_discount = sum((D(c["discount"]) for c in record["coupons"] if c["type"] in (3, 4)), ZERO)
    parts += order["shipping_cost_inc_tax"] - ship_discount
    assert order["total_inc_tax"] == parts
    assert order["total_inc_tax"] == (
        order["subtotal_inc_tax"] + order["shipping_cost_inc_tax"] + order["handling_cost_inc_tax"]
        + order["wrapping_cost_inc_tax"] + sum((f["cost_inc_tax"] for f in record["fees"]), ZERO)
        - order["discount_amount"] - order["coupon_discount"]
    )
    assert order["total_ex_tax"] == order["total_inc_tax"] - order["total_tax"]
    assert money_problems(record) == []
