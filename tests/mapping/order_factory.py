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
    currency: str = "USD"
    status_id: int = 10
    order_id: int = 100
    customer_id: int = 0
    email: str = "Shopper@Example.com"
    store_credit: Decimal = Decimal(0)
    gift_certificate: Decimal = Decimal(0)
    transactions: list[bc.Transaction] = field(default_factory=list)


def _rate(combo: Combo) -> Decimal:
    return sum((r for _n, r in combo), Decimal(0))


def _priced(exact: Decimal, combo: Combo, inclusive: bool, discount: Decimal) -> tuple[Decimal, Decimal,
                                                                                       list[Decimal]]:
    """(undiscounted ex, undiscounted inc, discounted tax per rate) of one part, by BigCommerce's rule
    (TAX-FACTS: tax once per line on the discounted amount; undiscounted figures derived as in order 519)."""
    rate = _rate(combo)
    if not combo:
        return exact, exact, []
    if inclusive:
        whole = c2((exact - discount) * rate / (HUNDRED + rate))
        taxes, done = [], Decimal(0)
        for index, (_n, r) in enumerate(combo):
            part = whole - done if index == len(combo) - 1 else c2(whole * r / rate)
            taxes.append(part)
            done += part
        undiscounted = whole + (discount * rate / (HUNDRED + rate)).quantize(FOUR, rounding=ROUND_HALF_UP)
        return exact - undiscounted, exact, taxes
    taxes = [c2((exact - discount) * r / HUNDRED) for _n, r in combo]
    undiscounted = sum(taxes, Decimal(0)) + (discount * rate / HUNDRED).quantize(FOUR, rounding=ROUND_HALF_UP)
    return exact, exact + undiscounted, taxes


def _spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    whole = sum(weights, Decimal(0))
    shares, given = [], Decimal(0)
    for index, weight in enumerate(weights):
        share = amount - given if index == len(weights) - 1 else c2(amount * weight / whole)
        shares.append(share)
        given += share
    return shares


def build(spec: Spec) -> bc.OrderDetail:
    """An order priced the way BigCommerce prices it: coupons and the manual discount allocated to the lines
    (applied_discounts), each line taxed once on its discounted amount, tax rows per line and rate."""
    products: list[bc.OrderProduct] = []
    tax_rows: list[bc.OrderTax] = []
    sum_ex = sum_inc = sum_tax = Decimal(0)
    exacts = [(line.price * line.qty).quantize(FOUR) for line in spec.lines]
    applied: list[list[tuple[str, Decimal]]] = [list(line.applied) for line in spec.lines]
    if not any(applied) and spec.lines:
        for source, amount in (("1", spec.coupon), ("manual-discount", spec.manual)):
            if amount:
                for index, share in enumerate(_spread(amount, exacts)):
                    if share:
                        applied[index].append((source, share))
    for index, line in enumerate(spec.lines, start=1):
        exact = exacts[index - 1]
        discount = sum((a for _i, a in applied[index - 1]), Decimal(0))
        ex, inc, taxes = _priced(exact, line.combo, spec.inclusive, discount)
        tax = sum(taxes, Decimal(0))
        pid = 1000 + index
        products.append(bc.OrderProduct(
            id=pid, order_id=spec.order_id, product_id=index, sku=line.sku, name=line.name, quantity=line.qty,
            price_ex_tax=(ex / line.qty).quantize(FOUR), price_inc_tax=(inc / line.qty).quantize(FOUR),
            total_ex_tax=ex, total_inc_tax=inc, total_tax=tax, parent_order_product_id=line.parent,
            is_bundled_product=line.parent is not None,
            product_options=tuple(bc.ProductOption(display_name=k, display_value=v) for k, v in line.options),
            applied_discounts=tuple(bc.AppliedDiscount(id=i, amount=a) for i, a in applied[index - 1])))
        for (name, rate), amount in zip(line.combo, taxes, strict=True):
            tax_rows.append(bc.OrderTax(id=len(tax_rows) + 1, name=name, rate=rate, line_amount=amount,
                                        order_product_id=pid, line_item_type="item"))
        sum_ex, sum_inc, sum_tax = sum_ex + ex, sum_inc + inc, sum_tax + tax
    ship_ex, ship_inc, ship_taxes = _priced(spec.shipping, spec.shipping_combo, spec.inclusive, Decimal(0))
    for (name, rate), amount in zip(spec.shipping_combo, ship_taxes, strict=True):
        tax_rows.append(bc.OrderTax(id=len(tax_rows) + 1, name=name, rate=rate, line_amount=amount,
                                    line_item_type="shipping"))
    ship_tax = sum(ship_taxes, Decimal(0))
    discount = spec.coupon + spec.manual
    total_tax = sum_tax + ship_tax
    if spec.inclusive:
        total_inc = sum_inc + ship_inc - discount
        total_ex = total_inc - total_tax
    else:
        total_ex = sum_ex + ship_ex - discount
        total_inc = total_ex + total_tax
        sum_inc = sum_ex + sum_tax
        ship_inc = ship_ex + ship_tax
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


def order_519() -> bc.OrderDetail:
    """Real BigCommerce order 519 field for field (TAX-FACTS.md: tax-inclusive, GST 5.5 %, manual discount 100)."""
    D = Decimal
    when = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    order = bc.Order(id=519, date_created=when, date_modified=when, status_id=11,
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
