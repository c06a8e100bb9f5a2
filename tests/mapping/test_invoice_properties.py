"""Properties: consistent orders always reconcile to the cent; malformed ones only raise DataError."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.invoice import invoice_from_order
from bigbooks_desktop.mapping.profile import default_profile

from .fb_arith import invoice_total, tax_by_name
from .order_factory import Line, Spec, build

COMBOS: list[tuple[tuple[str, Decimal], ...]] = [
    (), (("Sales Tax", Decimal("8.875")),), (("GST", Decimal("5")), ("PST", Decimal("7"))),
    (("VAT", Decimal("20")),), (("MwSt", Decimal("7")),),
    (("State", Decimal("6.25")), ("County", Decimal("0.5")), ("City", Decimal("2"))),
]
EXAMPLES = 300

# any price BigCommerce can hold (4 decimals, down to 0.0001), and the prices shops use (whole cents >= 0.50)
prices = st.integers(min_value=1, max_value=2_000_000).map(lambda n: Decimal(n) / 10_000)
shop_prices = st.integers(min_value=50, max_value=200_000).map(lambda n: Decimal(n) / 100)


def line_strategy(price: st.SearchStrategy[Decimal]) -> st.SearchStrategy[Line]:
    return st.builds(Line, price=price, qty=st.integers(min_value=1, max_value=25),
                     combo=st.sampled_from(COMBOS), sku=st.text(alphabet="ABCXYZ-0123", max_size=6),
                     name=st.text(min_size=1, max_size=20))


@st.composite
def specs(draw: st.DrawFn, *, shop: bool = False) -> Spec:
    chosen = draw(st.lists(line_strategy(shop_prices if shop else prices), min_size=1, max_size=12))
    inclusive = draw(st.booleans())
    subtotal = sum((x.price * x.qty for x in chosen), Decimal(0))
    cap = int(subtotal * 40)                                        # discounts up to 40 % of the subtotal
    coupon = Decimal(draw(st.integers(min_value=0, max_value=cap))) / 100
    manual = Decimal(draw(st.integers(min_value=0, max_value=max(0, cap - int(coupon * 100))))) / 100
    return Spec(lines=chosen, inclusive=inclusive, coupon=coupon, manual=manual,
                shipping=Decimal(draw(st.integers(min_value=0, max_value=5000))) / 100,
                shipping_combo=draw(st.sampled_from(COMBOS)),
                currency=draw(st.sampled_from(["USD", "EUR", "CAD", "GBP"])))


def bigcommerce_taxes(detail: bc.OrderDetail) -> dict[str, Decimal]:
    result: dict[str, Decimal] = {}
    for row in detail.taxes:
        result[row.name] = result.get(row.name, Decimal(0)) + row.line_amount
    return {name: amount for name, amount in result.items() if amount}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(shop=True), policy=st.sampled_from(["lines", "allocate"]))
def test_invoice_tax_per_name_and_total_equal_the_orders(spec: Spec, policy: str) -> None:
    """Under FreshBooks' per-line half-up rounding (BigCommerce's own), every consistent order maps exactly:
    taxed lines only, whole-cent unit costs, tax per name and total equal to BigCommerce's."""
    # tax-inclusive prices under several rates: how BigCommerce splits one rounded tax over the rates is not
    # public (TAX-FACTS), so the per-rate figures may sit a cent off rate x net; those orders are covered by
    # the "exactly or refused" property below
    # Three taxes on a line ride on extra line pairs that share the second tax, so a split that fixes one
    # name can break another; those are covered there too.
    most = 1 if spec.inclusive else 2
    assume(all(len(line.combo) <= most for line in spec.lines) and len(spec.shipping_combo) <= most)
    detail = build(spec)
    profile = default_profile().model_copy(update={"discount_policy": policy})
    try:
        plan = invoice_from_order(detail, profile, customer_id=1, store_timezone="UTC", freshbooks_taxes=[])
    except DataError as exc:
        # Known gap (found by this property in CI, 2026-11-29): a cent of tax on a tax-inclusive amount of a few
        # cents (shipping 0.08 at 7 % less a 0.01 discount) has no taxed line set that rounds to it; the order
        # waits in the inbox with the difference, as the property below allows. Anything larger must map.
        tiny = [a for a in (spec.shipping, *(line.price * line.qty for line in spec.lines)) if 0 < a < 1]
        assert spec.inclusive and tiny and "instead of 0.01" in exc.message, exc.message
        return
    assert plan.expected_total == invoice_total(plan.draft.lines) == plan.order_total
    assert {k: v for k, v in tax_by_name(plan.draft.lines).items() if v} == bigcommerce_taxes(detail)
    assert all(line.unit_cost == line.unit_cost.quantize(Decimal("0.01")) for line in plan.draft.lines)
    assert all(line.kind != "rounding" for line in plan.draft.lines)


@settings(max_examples=EXAMPLES // 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), rule=st.sampled_from(["line-half-even", "invoice-half-up", "invoice-half-even"]))
def test_other_rounding_rules_map_exactly_or_refuse_with_the_difference(spec: Spec, rule: str) -> None:
    detail = build(spec)
    try:
        plan = invoice_from_order(detail, default_profile(), customer_id=1, store_timezone="UTC",
                                  freshbooks_taxes=[], rule=rule)  # type: ignore[arg-type]
    except DataError as exc:
        # a per-line rule is met by moving or splitting lines, except where no split exists (a cent of tax on a
        # few cents of 4-decimal prices, several inclusive rates); a per-invoice rule cannot be helped
        assert ("instead of" in exc.message and exc.field == "tax") or "negative" in exc.message
        return
    assert {k: v for k, v in tax_by_name(plan.draft.lines, rule).items() if v} == bigcommerce_taxes(detail)
    assert plan.expected_total == plan.order_total


JUNK = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6), st.text(max_size=8),
    st.sampled_from(["-1", "0", "1e9", "99999999999.9999", "0.0001", "-0.01", "NaN", "", "١٢", "🙂"]),
    st.none())
ORDER_FIELDS = ["total_inc_tax", "total_ex_tax", "total_tax", "subtotal_ex_tax", "coupon_discount",
                "discount_amount", "shipping_cost_inc_tax", "shipping_cost_ex_tax", "shipping_cost_tax",
                "store_credit_amount", "default_currency_code", "is_tax_inclusive_pricing", "status_id"]
PRODUCT_FIELDS = ["quantity", "price_ex_tax", "total_ex_tax", "total_inc_tax", "total_tax", "name", "sku",
                  "parent_order_product_id"]
TAX_FIELDS = ["rate", "name", "order_product_id", "line_item_type", "line_amount"]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), data=st.data())
def test_malformed_orders_only_raise_data_error(spec: Spec, data: st.DataObject) -> None:
    raw: dict[str, Any] = build(spec).model_dump(by_alias=True)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        target = data.draw(st.sampled_from(["order", "product", "tax", "drop-products", "drop-taxes"]))
        if target == "order":
            raw["order"][data.draw(st.sampled_from(ORDER_FIELDS))] = data.draw(JUNK)
        elif target == "product" and raw["products"]:
            index = data.draw(st.integers(min_value=0, max_value=len(raw["products"]) - 1))
            raw["products"][index][data.draw(st.sampled_from(PRODUCT_FIELDS))] = data.draw(JUNK)
        elif target == "tax" and raw["taxes"]:
            index = data.draw(st.integers(min_value=0, max_value=len(raw["taxes"]) - 1))
            raw["taxes"][index][data.draw(st.sampled_from(TAX_FIELDS))] = data.draw(JUNK)
        elif target == "drop-products":
            raw["products"] = raw["products"][1:]
        elif target == "drop-taxes":
            raw["taxes"] = []
    try:
        detail = bc.OrderDetail.model_validate(raw)      # what the connector would accept
    except ValueError:
        return                                            # the connector refuses it before mapping sees it
    try:
        plan = invoice_from_order(detail, default_profile(), customer_id=1, store_timezone="UTC",
                                  freshbooks_taxes=[])
    except DataError as exc:
        assert exc.message
        return
    assert invoice_total(plan.draft.lines, 0 if plan.draft.currency_code == "JPY" else 2) == plan.order_total
