"""Properties: consistent orders always reconcile to the cent; malformed ones only raise DataError."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.invoice import invoice_from_order
from bigbooks_desktop.mapping.profile import default_profile

from .fb_arith import invoice_total
from .order_factory import Line, Spec, build

COMBOS: list[tuple[tuple[str, Decimal], ...]] = [
    (), (("Sales Tax", Decimal("8.875")),), (("GST", Decimal("5")), ("PST", Decimal("7"))),
    (("VAT", Decimal("20")),), (("MwSt", Decimal("7")),),
    (("State", Decimal("6.25")), ("County", Decimal("0.5")), ("City", Decimal("2"))),
]
EXAMPLES = 300

prices = st.integers(min_value=1, max_value=2_000_000).map(lambda n: Decimal(n) / 10_000)
lines = st.builds(Line, price=prices, qty=st.integers(min_value=1, max_value=25),
                  combo=st.sampled_from(COMBOS), sku=st.text(alphabet="ABCXYZ-0123", max_size=6),
                  name=st.text(min_size=1, max_size=20))


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    chosen = draw(st.lists(lines, min_size=1, max_size=12))
    inclusive = draw(st.booleans())
    subtotal = sum((x.price * x.qty for x in chosen), Decimal(0))
    cap = int(subtotal * 40)                                        # discounts up to 40 % of the subtotal
    coupon = Decimal(draw(st.integers(min_value=0, max_value=cap))) / 100
    manual = Decimal(draw(st.integers(min_value=0, max_value=max(0, cap - int(coupon * 100))))) / 100
    return Spec(lines=chosen, inclusive=inclusive, coupon=coupon, manual=manual,
                discount_reduces_tax=draw(st.booleans()),
                shipping=Decimal(draw(st.integers(min_value=0, max_value=5000))) / 100,
                shipping_combo=draw(st.sampled_from(COMBOS)),
                currency=draw(st.sampled_from(["USD", "EUR", "CAD", "GBP"])))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs(), policy=st.sampled_from(["lines", "allocate"]))
def test_invoice_total_always_equals_the_order_total(spec: Spec, policy: str) -> None:
    detail = build(spec)
    profile = default_profile().model_copy(update={"discount_policy": policy})
    plan = invoice_from_order(detail, profile, customer_id=1, store_timezone="UTC", freshbooks_taxes=[])
    own = [line for line in plan.draft.lines if line.kind != "rounding"]
    assert plan.expected_total == invoice_total(own)
    assert plan.expected_total + plan.rounding_adjustment == plan.order_total
    assert invoice_total(plan.draft.lines) == plan.order_total
    # 2-decimal unit costs can lose up to half a cent per unit (plus a cent of tax per line)
    units = sum((line.qty for line in own if line.kind == "item"), Decimal(0))
    assert abs(plan.rounding_adjustment) <= Decimal("0.005") * units + Decimal("0.01") * len(own) * 2
    assert all(line.tax_name1 == "" for line in plan.draft.lines if line.kind == "rounding")


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
