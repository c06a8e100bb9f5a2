"""Builds internally consistent BigCommerce orders the way BigCommerce prices them, for the mapping tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from bigbooks_desktop.core import bigcommerce as bc

CENT = Decimal("0.01")
FOUR = Decimal("0.0001")
HUNDRED = Decimal(100)
WHEN = datetime(2026, 3, 5, 3, 30, tzinfo=UTC)

Combo = tuple[tuple[str, Decimal], ...]


def c2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    price: Decimal              # exact-side unit price (inc tax when inclusive), 4 dp
    qty: int
    combo: Combo = ()
    sku: str = "SKU"
    name: str = "Widget"
    parent: int | None = None
    options: tuple[tuple[str, str], ...] = ()
    applied: tuple[tuple[str, Decimal], ...] = ()


@dataclass
class Spec:
    lines: list[Line]
    inclusive: bool = False
    shipping: Decimal = Decimal(0)        # exact side
    shipping_combo: Combo = ()
    coupon: Decimal = Decimal(0)          # exact side
    coupon_code: str = "SAVE5"
    manual: Decimal = Decimal(0)
    discount_reduces_tax: bool = False
    currency: str = "USD"
    status_id: int = 10
    order_id: int = 100
    customer_id: int = 0
    email: str = "Shopper@Example.com"
    store_credit: Decimal = Decimal(0)
    gift_certificate: Decimal = Decimal(0)
    transactions: list[bc.Transaction] = field(default_factory=list)


def _split(exact: Decimal, combo: Combo, inclusive: bool) -> tuple[Decimal, Decimal, list[Decimal]]:
    """(ex, inc, per-tax amounts) of one component, tax rounded to the cent per rate."""
    rate = sum((r for _n, r in combo), Decimal(0))
    if inclusive:
        inc = exact
        ex_raw = exact / (1 + rate / HUNDRED)
        taxes = [c2(ex_raw * r / HUNDRED) for _n, r in combo]
        return inc - sum(taxes, Decimal(0)), inc, taxes
    taxes = [c2(exact * r / HUNDRED) for _n, r in combo]
    return exact, exact + sum(taxes, Decimal(0)), taxes


def build(spec: Spec) -> bc.OrderDetail:
    products: list[bc.OrderProduct] = []
    tax_rows: list[bc.OrderTax] = []
    sum_ex = sum_inc = sum_tax = Decimal(0)
    weights: list[tuple[Decimal, Combo]] = []          # how discounts spread: applied amounts, else totals
    any_applied = any(line.applied for line in spec.lines)
    for index, line in enumerate(spec.lines, start=1):
        exact = (line.price * line.qty).quantize(FOUR)
        ex, inc, taxes = _split(exact, line.combo, spec.inclusive)
        tax = inc - ex
        pid = 1000 + index
        products.append(bc.OrderProduct(
            id=pid, order_id=spec.order_id, product_id=index, sku=line.sku, name=line.name, quantity=line.qty,
            price_ex_tax=(ex / line.qty).quantize(FOUR), price_inc_tax=(inc / line.qty).quantize(FOUR),
            total_ex_tax=ex, total_inc_tax=inc, total_tax=tax, parent_order_product_id=line.parent,
            is_bundled_product=line.parent is not None,
            product_options=tuple(bc.ProductOption(display_name=k, display_value=v) for k, v in line.options),
            applied_discounts=tuple(bc.AppliedDiscount(id=i, amount=a) for i, a in line.applied)))
        for (name, rate), amount in zip(line.combo, taxes, strict=True):
            tax_rows.append(bc.OrderTax(id=len(tax_rows) + 1, name=name, rate=rate, line_amount=amount,
                                        order_product_id=pid, line_item_type="item"))
        sum_ex, sum_inc, sum_tax = sum_ex + ex, sum_inc + inc, sum_tax + tax
        weights.append((sum((a for _i, a in line.applied), Decimal(0)) if any_applied else exact, line.combo))
    ship_ex, ship_inc, ship_taxes = _split(spec.shipping, spec.shipping_combo, spec.inclusive)
    for (name, rate), amount in zip(spec.shipping_combo, ship_taxes, strict=True):
        tax_rows.append(bc.OrderTax(id=len(tax_rows) + 1, name=name, rate=rate, line_amount=amount,
                                    line_item_type="shipping"))
    ship_tax = ship_inc - ship_ex
    discount = spec.coupon + spec.manual
    total_tax = sum_tax + ship_tax
    if spec.discount_reduces_tax and discount:
        whole = sum((w for w, _c in weights), Decimal(0))
        reduction = Decimal(0)
        for weight, combo in weights:
            share = discount * weight / whole
            rate = sum((r for _n, r in combo), Decimal(0))
            ex_share = share / (1 + rate / HUNDRED) if spec.inclusive else share
            reduction += sum((c2(ex_share * r / HUNDRED) for _n, r in combo), Decimal(0))
        total_tax -= reduction
        if spec.inclusive:
            total_inc = sum_inc + ship_inc - discount
            total_ex = total_inc - total_tax
        else:
            total_ex = sum_ex + ship_ex - discount
            total_inc = total_ex + total_tax
    else:
        total_inc = sum_inc + ship_inc - discount
        total_ex = total_inc - total_tax
    order = bc.Order(
        id=spec.order_id, customer_id=spec.customer_id, date_created=WHEN, date_modified=WHEN,
        status_id=spec.status_id, subtotal_ex_tax=sum_ex, subtotal_inc_tax=sum_inc, subtotal_tax=sum_tax,
        shipping_cost_ex_tax=ship_ex, shipping_cost_inc_tax=ship_inc, shipping_cost_tax=ship_tax,
        total_ex_tax=total_ex, total_inc_tax=total_inc, total_tax=total_tax, coupon_discount=spec.coupon,
        discount_amount=spec.manual, is_tax_inclusive_pricing=spec.inclusive, currency_code=spec.currency,
        default_currency_code=spec.currency, store_credit_amount=spec.store_credit,
        gift_certificate_amount=spec.gift_certificate,
        billing_address=bc.BillingAddress(first_name="Jane", last_name="Doe", street_1="1 Main St",
                                          city="Austin", state="Texas", zip="78701", country="United States",
                                          country_iso2="US", email=spec.email, phone="555-0100"),
        customer_message="Please gift wrap")
    coupons = (bc.Coupon(id=1, code=spec.coupon_code, discount=spec.coupon, amount=spec.coupon),) \
        if spec.coupon else ()
    return bc.OrderDetail(order=order, products=tuple(products), taxes=tuple(tax_rows), coupons=coupons,
                          transactions=tuple(spec.transactions),
                          shipping_addresses=(bc.ShippingAddress(id=1, street_1="2 Ship Rd", city="Dallas",
                                                                 state="Texas", zip="75001",
                                                                 country="United States",
                                                                 shipping_method="UPS Ground"),))
