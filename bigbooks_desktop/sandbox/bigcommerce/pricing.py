"""BigCommerce order money: derives every line, tax row, discount and order total from the priced inputs.

The model follows the reference order example (orders_v2_get_order.json): tax is charged on the
undiscounted amounts, and discounts come off the tax-inclusive total:
total_inc_tax = subtotal_inc + shipping_inc + handling_inc + wrapping_inc - discount_amount - coupon_discount,
total_tax = subtotal_tax + shipping_tax + handling_tax + wrapping_tax. Tax is worked out per unit in cents,
so every `total_*` is exactly `price_* x quantity` and the taxes rows add up to `total_tax`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["TAX_CLASSES", "TAX_ZONES", "TaxRate", "reprice"]

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal(100)

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


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split_tax(amount: Decimal, rates: list[TaxRate], inclusive: bool) -> tuple[Decimal, list[Decimal]]:
    """(amount without tax, tax per rate) for an entered amount, each tax in whole cents."""
    if not rates or amount == ZERO:
        return amount, [ZERO for _ in rates]
    if not inclusive:
        return amount, [_cents(amount * rate / HUNDRED) for _, _, rate in rates]
    combined = sum((rate for _, _, rate in rates), ZERO)
    total_tax = _cents(amount * combined / (HUNDRED + combined))
    parts: list[Decimal] = []
    for index, (_, _, rate) in enumerate(rates):
        parts.append(
            total_tax - sum(parts, ZERO) if index == len(rates) - 1 else _cents(total_tax * rate / combined)
        )
    return amount - total_tax, parts


def _spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Cumulative-rounding split of `amount` in cents by weight: never negative, sums exactly."""
    total = sum(weights, ZERO)
    if total == ZERO:
        return [ZERO for _ in weights] if amount == ZERO else [amount] + [ZERO] * (len(weights) - 1)
    shares: list[Decimal] = []
    running = ZERO
    previous = ZERO
    for weight in weights:
        running += weight
        upto = _cents(amount * running / total)
        shares.append(upto - previous)
        previous = upto
    return shares


def reprice(record: dict[str, Any], next_id: Callable[[str], int]) -> None:
    """Recompute every derived money field of an order record in place from its inputs.

    Inputs: order.is_tax_inclusive_pricing, base_shipping_cost, base_handling_cost, discount_amount;
    each line's base_price, quantity, base_wrapping_cost; record["line_tax_class"]; coupons' discount;
    record["zone"]. Tax rows get fresh ids from `next_id("tax")`.
    """
    order = record["order"]
    zone = TAX_ZONES[record["zone"]]
    inclusive = bool(order["is_tax_inclusive_pricing"])
    address_id = record["shipping_addresses"][0]["id"] if record["shipping_addresses"] else 0
    taxes: list[dict[str, Any]] = []

    def tax_rows(
        parts: list[Decimal],
        rates: list[TaxRate],
        tax_class: int,
        kind: str,
        product_id: int | None,
        times: int = 1,
    ) -> None:
        for (rate_id, name, rate), part in zip(rates, parts, strict=True):
            amount = part * times
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

    sub_ex = sub_inc = sub_tax = ZERO
    wrap_base = wrap_ex = wrap_tax = ZERO
    items_total = 0
    for line in record["products"]:
        tax_class = record["line_tax_class"][line["id"]]
        rates = zone["rates"][tax_class]
        qty = line["quantity"]
        ex, parts = split_tax(line["base_price"], rates, inclusive)
        unit_tax = sum(parts, ZERO)
        line.update(
            price_ex_tax=ex,
            price_inc_tax=ex + unit_tax,
            price_tax=unit_tax,
            base_total=line["base_price"] * qty,
            total_ex_tax=ex * qty,
            total_inc_tax=(ex + unit_tax) * qty,
            total_tax=unit_tax * qty,
        )
        tax_rows(parts, rates, tax_class, "item", line["id"], qty)
        w_ex, w_parts = split_tax(line["base_wrapping_cost"], zone["rates"][0], inclusive)
        w_tax = sum(w_parts, ZERO)
        line.update(wrapping_cost_ex_tax=w_ex, wrapping_cost_inc_tax=w_ex + w_tax, wrapping_cost_tax=w_tax)
        if line["base_wrapping_cost"]:
            tax_rows(w_parts, zone["rates"][0], 0, "gift-wrapping", line["id"])
        sub_ex += line["total_ex_tax"]
        sub_inc += line["total_inc_tax"]
        sub_tax += line["total_tax"]
        wrap_base += line["base_wrapping_cost"]
        wrap_ex += w_ex
        wrap_tax += w_tax
        items_total += qty

    ship_ex, ship_parts = split_tax(order["base_shipping_cost"], zone["rates"][0], inclusive)
    ship_tax = sum(ship_parts, ZERO)
    tax_rows(ship_parts, zone["rates"][0], 0, "shipping", None)
    hand_ex, hand_parts = split_tax(order["base_handling_cost"], zone["rates"][0], inclusive)
    hand_tax = sum(hand_parts, ZERO)
    tax_rows(hand_parts, zone["rates"][0], 0, "handling", None)
    record["taxes"] = [row for row in taxes if row["line_amount"] != ZERO]

    coupon_discount = sum((Decimal(str(c["discount"])) for c in record["coupons"]), ZERO)
    discounts: list[tuple[dict[str, Any], Decimal]] = [
        (
            {"id": str(c["coupon_id"]), "name": f"Coupon {c['code']}", "code": c["code"], "target": "order"},
            Decimal(str(c["discount"])),
        )
        for c in record["coupons"]
    ]
    if order["discount_amount"]:
        discounts.append(
            (
                {"id": "manual-discount", "name": "Manual Discount", "code": None, "target": "order"},
                order["discount_amount"],
            )
        )
    weights = [line["total_inc_tax"] for line in record["products"]]
    for line in record["products"]:
        line["applied_discounts"] = []
    for template, amount in discounts:
        for line, share in zip(record["products"], _spread(amount, weights), strict=True):
            if share:
                line["applied_discounts"].append(
                    {
                        "id": template["id"],
                        "amount": share,
                        "name": template["name"],
                        "code": template["code"],
                        "target": template["target"],
                    }
                )
    for line in record["products"]:
        taken = sum((d["amount"] for d in line["applied_discounts"]), ZERO)
        line["discounted_total_inc_tax"] = line["total_inc_tax"] - taken

    total_tax = sub_tax + ship_tax + hand_tax + wrap_tax
    total_inc = (
        sub_inc
        + ship_ex
        + ship_tax
        + hand_ex
        + hand_tax
        + wrap_ex
        + wrap_tax
        - order["discount_amount"]
        - coupon_discount
    )
    order.update(
        subtotal_ex_tax=sub_ex,
        subtotal_inc_tax=sub_inc,
        subtotal_tax=sub_tax,
        shipping_cost_ex_tax=ship_ex,
        shipping_cost_inc_tax=ship_ex + ship_tax,
        shipping_cost_tax=ship_tax,
        handling_cost_ex_tax=hand_ex,
        handling_cost_inc_tax=hand_ex + hand_tax,
        handling_cost_tax=hand_tax,
        base_wrapping_cost=wrap_base,
        wrapping_cost_ex_tax=wrap_ex,
        wrapping_cost_inc_tax=wrap_ex + wrap_tax,
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
            cost_ex_tax=ship_ex,
            cost_inc_tax=ship_ex + ship_tax,
            cost_tax=ship_tax,
            base_handling_cost=order["base_handling_cost"],
            handling_cost_ex_tax=hand_ex,
            handling_cost_inc_tax=hand_ex + hand_tax,
            handling_cost_tax=hand_tax,
        )
