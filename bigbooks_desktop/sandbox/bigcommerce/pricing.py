"""BigCommerce order money: derives every line, tax row, discount, fee and order total from the priced inputs.

Sources (the reference folder is ../shared/reference/bigcommerce/):
- TAX-FACTS.md rule 1 and `orders.v2.oas2.yml`, order product `total_tax`: "(price_ex_tax - discount)*tax_rate
  =total_tax": a line's tax is computed once per line, on the discounted amount, rounded to cents half up
  (rule 5), never per unit.
- TAX-FACTS.md rules 2 and 3: unit figures (`price_*`) and the line's `total_ex_tax` / `total_inc_tax` are
  undiscounted; the discounted figure is `discounted_total_inc_tax`.
- Real order 519 (TAX-FACTS.md table): inclusive, GST 5.5 %, 10 x 250.0000, manual discount 100.00 gives
  total_tax = round2(2400 x 5.5/105.5) = 125.12 and an undiscounted tax U = 125.12 + round4(100 x 5.5/105.5)
  = 130.3333, so price_tax = 13.0333 and total_ex_tax = 2500 - 130.3333 = 2369.6667.
- TAX-FACTS.md rule 4, the order header: total_inc = subtotal_inc + shipping_inc + handling_inc + wrapping_inc
  (+ fees' cost_inc_tax) - discount_amount - coupon_discount; total_tax = the parts' taxes; total_ex =
  total_inc - total_tax.

Per component (product line, shipping, handling, a line's gift wrapping, an order fee) with entered amount E
(ex-tax in exclusive zones, inc-tax in inclusive ones), its share d of the order's discounts and the rates of
its tax class (R = their sum):
- exclusive: tax per rate t_r = round2((E - d) x r/100), t = sum; U = t + round4(d x R/100);
  ex = E, inc = E + U.
- inclusive: t = round2((E - d) x R/(100+R)), split per rate by rate with cumulative rounding;
  U = t + round4(d x R/(100+R)); inc = E, ex = E - U.
- paid: E - d (inclusive) or E - d + t (exclusive): `discounted_total_inc_tax` for a line.
Discounts (coupons, then the manual discount) are spread over the product lines by amount, in cents with
cumulative rounding: the first by the lines' entered amounts, each next one by what the lines have left
(modelled: BigCommerce's own split of several discounts is not public; with one discount it is the same).
A shipping coupon (type 3 `shipping_discount`, type 4 `free_shipping`) counts in `coupon_discount` but
discounts shipping, not any product's `applied_discounts`. Handling, wrapping and fees are never
discounted. Gift certificate lines are untaxed and never discounted.

Modelled choices that no public payload shows (say so when relying on them):
- Exclusive headers: subtotal_inc_tax = subtotal_ex_tax + subtotal_tax and shipping_cost_inc_tax =
  shipping_cost_ex_tax + shipping_cost_tax (both with the discounted tax), so rule 4 holds; no real
  exclusive order with a discount has been published. Inclusive headers use the undiscounted figures
  (subtotal_inc_tax = sum of lines' total_inc_tax, shipping_cost_inc_tax = the entered cost), as order 519.
- Fees: `base_cost` is entered like prices (inc-tax in inclusive zones); a fee's tax rows have line_item_type
  "fee" (the v2 taxes enum predates fees; BigCommerce's tax provider API has a `fee` item type since 2024).
- Tax rows: one per component per rate, zero amounts left out; the rows add up to the order's total_tax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "SHIPPING_COUPON_TYPES",
    "TAX_CLASSES",
    "TAX_ZONES",
    "TaxRate",
    "Taxed",
    "line_rates",
    "reprice",
    "round2",
    "round4",
    "tax_component",
]

CENT = Decimal("0.01")
MILL = Decimal("0.0001")
ZERO = Decimal("0")
HUNDRED = Decimal(100)
SHIPPING_COUPON_TYPES = frozenset({3, 4})  # shipping_discount, free_shipping (orders.v2 coupon types)

TaxRate = tuple[int, str, Decimal]  # (tax_rate_id, name, rate in percent)

TAX_CLASSES: dict[int, str] = {0: "Default Tax Class", 1: "Reduced Rate"}

# Tax zones: whether prices are entered with tax, and the rates each tax class pays there.
TAX_ZONES: dict[str, dict[str, Any]] = {
    "US-TX": {
        "inclusive": False,
        "rates": {
            0: [(1, "Texas Sales Tax", Decimal("8.2500"))],
            1: [(2, "Texas Reduced Tax", Decimal("2.5000"))],
        },
    },
    "US-OR": {"inclusive": False, "rates": {0: [], 1: []}},
    "US-NY": {  # three taxes on one line
        "inclusive": False,
        "rates": {
            0: [
                (7, "New York State Tax", Decimal("4.0000")),
                (8, "New York City Tax", Decimal("4.5000")),
                (9, "MCTD", Decimal("0.3750")),
            ],
            1: [(7, "New York State Tax", Decimal("4.0000"))],
        },
    },
    "US-CO": {  # a rate with four decimals
        "inclusive": False,
        "rates": {
            0: [(10, "Colorado State Tax", Decimal("2.9000")), (11, "Denver Tax", Decimal("4.8125"))],
            1: [(10, "Colorado State Tax", Decimal("2.9000"))],
        },
    },
    "CA-ON": {
        "inclusive": False,
        "rates": {
            0: [(3, "GST", Decimal("5.0000")), (4, "PST", Decimal("8.0000"))],
            1: [(3, "GST", Decimal("5.0000"))],
        },
    },
    "EU-DE": {
        "inclusive": True,
        "rates": {0: [(5, "MwSt", Decimal("19.0000"))], 1: [(6, "MwSt ermäßigt", Decimal("7.0000"))]},
    },
}


def round2(value: Decimal) -> Decimal:
    """To the cent, half up (TAX-FACTS rule 5)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round4(value: Decimal) -> Decimal:
    """To 4 decimals, half up: BigCommerce's unit figures and the tax share of a discount."""
    return value.quantize(MILL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Taxed:
    """One component's money: the discounted tax per rate, and the undiscounted ex/inc figures."""

    entered: Decimal  # E
    discount: Decimal  # d
    parts: tuple[Decimal, ...]  # discounted tax per rate
    tax: Decimal  # t = sum(parts)
    full_tax: Decimal  # U, the undiscounted tax (4 decimals)
    ex: Decimal  # undiscounted, ex tax
    inc: Decimal  # undiscounted, inc tax
    paid: Decimal  # E - d (+ t when exclusive): what the shopper pays for it, tax included


def _spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Cumulative-rounding split of `amount` in cents by weight: sums exactly."""
    total = sum(weights, ZERO)
    if total == ZERO:
        return [ZERO for _ in weights] if amount == ZERO else [amount] + [ZERO] * (len(weights) - 1)
    shares: list[Decimal] = []
    running = previous = ZERO
    for weight in weights:
        running += weight
        upto = round2(amount * running / total)
        shares.append(upto - previous)
        previous = upto
    return shares


def tax_component(entered: Decimal, discount: Decimal, rates: list[TaxRate], inclusive: bool) -> Taxed:
    """The money of one taxed component (a line, shipping, handling, wrapping or a fee), per the docstring."""
    combined = sum((rate for _, _, rate in rates), ZERO)
    base = entered - discount
    if inclusive:
        tax = round2(base * combined / (HUNDRED + combined)) if combined else ZERO
        parts = tuple(_spread(tax, [rate for _, _, rate in rates]))
        full = tax + (round4(discount * combined / (HUNDRED + combined)) if combined else ZERO)
        return Taxed(entered, discount, parts, tax, full, entered - full, entered, base)
    parts = tuple(round2(base * rate / HUNDRED) for _, _, rate in rates)
    tax = sum(parts, ZERO)
    full = tax + round4(discount * combined / HUNDRED)
    return Taxed(entered, discount, parts, tax, full, entered, entered + full, base + tax)


def line_rates(record: dict[str, Any], line: dict[str, Any]) -> list[TaxRate]:
    """The rates a product line pays: its tax class's in the order's zone; none for a gift certificate."""
    if line["type"] == "giftcertificate":
        return []
    rates: list[TaxRate] = TAX_ZONES[record["zone"]]["rates"][record["line_tax_class"][line["id"]]]
    return rates


def _discounts(record: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[list[Any], Decimal]:
    """(line discounts [(applied-discount template, amount)], shipping discount), capped so nothing goes
    below zero; a capped coupon or manual discount is written back so the header still adds up."""
    order = record["order"]
    room = sum((line["base_price"] * line["quantity"] for line in lines), ZERO)
    ship_room = order["base_shipping_cost"]
    on_lines: list[Any] = []
    on_shipping = ZERO
    for coupon in record["coupons"]:
        wanted = Decimal(str(coupon["discount"]))
        if coupon["type"] in SHIPPING_COUPON_TYPES:
            coupon["discount"] = min(wanted, ship_room)
            ship_room -= coupon["discount"]
            on_shipping += coupon["discount"]
            continue
        coupon["discount"] = min(wanted, room)
        room -= coupon["discount"]
        template = {
            "id": str(coupon["coupon_id"]),
            "name": f"Coupon {coupon['code']}",
            "code": coupon["code"],
            "target": "order",
        }
        on_lines.append((template, coupon["discount"]))
    if order["discount_amount"]:
        order["discount_amount"] = min(order["discount_amount"], room)
        template = {"id": "manual-discount", "name": "Manual Discount", "code": None, "target": "order"}
        on_lines.append((template, order["discount_amount"]))
    return on_lines, on_shipping


def reprice(record: dict[str, Any], next_id: Callable[[str], int]) -> None:
    """Recompute every derived money field of an order record in place from its inputs.

    Inputs: order.is_tax_inclusive_pricing, base_shipping_cost, base_handling_cost, discount_amount;
    each line's base_price, quantity, type, base_wrapping_cost; record["line_tax_class"]; the coupons'
    type and discount; record["fees"] (base_cost, tax_class_id); record["zone"]. Tax rows get fresh ids
    from `next_id("tax")`.
    """
    order = record["order"]
    zone = TAX_ZONES[record["zone"]]
    default_rates: list[TaxRate] = zone["rates"][0]
    inclusive = bool(order["is_tax_inclusive_pricing"])
    address_id = record["shipping_addresses"][0]["id"] if record["shipping_addresses"] else 0
    taxes: list[dict[str, Any]] = []

    def tax_rows(money: Taxed, rates: list[TaxRate], tax_class: int, kind: str, product_id: int | None) -> None:
        for (rate_id, name, rate), amount in zip(rates, money.parts, strict=True):
            if amount == ZERO:
                continue
            taxes.append(
                {
                    "id": next_id("tax"),
                    "order_id": order["id"],
                    "order_address_id": address_id,
                    "tax_rate_id": rate_id,
                    "sales_tax_id": "",
                    "tax_class_id": tax_class,
                    "name": name,
                    "class": TAX_CLASSES[tax_class],
                    "rate": rate,
                    "priority": 0,
                    "priority_amount": amount,
                    "line_amount": amount,
                    "order_pickup_method_id": 0,
                    "order_product_id": str(product_id) if product_id is not None else "",
                    "line_item_type": kind,
                }
            )

    lines = record["products"]
    discountable = [line for line in lines if line["type"] != "giftcertificate"]
    on_lines, ship_discount = _discounts(record, discountable)
    left = [line["base_price"] * line["quantity"] for line in discountable]
    for line in lines:
        line["applied_discounts"] = []
    for template, amount in on_lines:
        # by what each line has left, so no line goes below zero (a cumulative half-up share never
        # exceeds its weight when the amount does not exceed their sum)
        shares = _spread(amount, left)
        for index, (line, share) in enumerate(zip(discountable, shares, strict=True)):
            left[index] -= share
            if share:
                line["applied_discounts"].append({**template, "amount": share})

    sub_ex = sub_inc_lines = sub_tax = ZERO
    wrap_base = wrap_ex = wrap_inc = wrap_tax = ZERO
    items_total = 0
    for line in lines:
        rates = line_rates(record, line)
        qty = line["quantity"]
        taken = sum((d["amount"] for d in line["applied_discounts"]), ZERO)
        money = tax_component(line["base_price"] * qty, taken, rates, inclusive)
        unit_tax = round4(money.full_tax / qty)
        unit_ex = line["base_price"] if not inclusive else round4(money.ex / qty)
        line.update(
            price_ex_tax=unit_ex,
            price_inc_tax=line["base_price"] if inclusive else unit_ex + unit_tax,
            price_tax=unit_tax,
            base_total=money.entered,
            total_ex_tax=money.ex,
            total_inc_tax=money.inc,
            total_tax=money.tax,
            discounted_total_inc_tax=money.paid,
        )
        tax_class = record["line_tax_class"].get(line["id"]) or 0
        tax_rows(money, rates, tax_class, "item", line["id"])
        wrapping = tax_component(line["base_wrapping_cost"], ZERO, default_rates, inclusive)
        line.update(
            wrapping_cost_ex_tax=wrapping.ex,
            wrapping_cost_inc_tax=wrapping.inc,
            wrapping_cost_tax=wrapping.tax,
        )
        tax_rows(wrapping, default_rates, 0, "gift-wrapping", line["id"])
        sub_ex += money.ex
        sub_inc_lines += money.inc
        sub_tax += money.tax
        wrap_base += line["base_wrapping_cost"]
        wrap_ex += wrapping.ex
        wrap_inc += wrapping.inc
        wrap_tax += wrapping.tax
        items_total += qty

    ship = tax_component(order["base_shipping_cost"], ship_discount, default_rates, inclusive)
    tax_rows(ship, default_rates, 0, "shipping", None)
    hand = tax_component(order["base_handling_cost"], ZERO, default_rates, inclusive)
    tax_rows(hand, default_rates, 0, "handling", None)
    fees_inc = fees_tax = ZERO
    for fee in record.get("fees", []):
        fee_class = fee["tax_class_id"] or 0
        fee_rates: list[TaxRate] = zone["rates"][fee_class]
        money = tax_component(fee["base_cost"], ZERO, fee_rates, inclusive)
        fee.update(cost_ex_tax=money.ex, cost_inc_tax=money.inc, cost_tax=money.tax)
        tax_rows(money, fee_rates, fee_class, "fee", None)
        fees_inc += money.inc
        fees_tax += money.tax
    record["taxes"] = taxes

    coupon_discount = sum((Decimal(str(c["discount"])) for c in record["coupons"]), ZERO)
    ship_inc = ship.inc if inclusive else ship.ex + ship.tax  # see the module docstring: modelled choice
    sub_inc = sub_inc_lines if inclusive else sub_ex + sub_tax
    total_tax = sub_tax + ship.tax + hand.tax + wrap_tax + fees_tax
    total_inc = sub_inc + ship_inc + hand.inc + wrap_inc + fees_inc - order["discount_amount"] - coupon_discount
    order.update(
        subtotal_ex_tax=sub_ex,
        subtotal_inc_tax=sub_inc,
        subtotal_tax=sub_tax,
        shipping_cost_ex_tax=ship.ex,
        shipping_cost_inc_tax=ship_inc,
        shipping_cost_tax=ship.tax,
        handling_cost_ex_tax=hand.ex,
        handling_cost_inc_tax=hand.inc,
        handling_cost_tax=hand.tax,
        base_wrapping_cost=wrap_base,
        wrapping_cost_ex_tax=wrap_ex,
        wrapping_cost_inc_tax=wrap_inc,
        wrapping_cost_tax=wrap_tax,
        total_ex_tax=total_inc - total_tax,
        total_inc_tax=total_inc,
        total_tax=total_tax,
        coupon_discount=coupon_discount,
        items_total=items_total,
    )
    for address in record["shipping_addresses"]:
        address.update(
            items_total=items_total,
            base_cost=order["base_shipping_cost"],
            cost_ex_tax=ship.ex,
            cost_inc_tax=ship_inc,
            cost_tax=ship.tax,
            base_handling_cost=order["base_handling_cost"],
            handling_cost_ex_tax=hand.ex,
            handling_cost_inc_tax=hand.inc,
            handling_cost_tax=hand.tax,
        )
