"""The sandbox's self-check: every way one order's money fails to add up the way BigCommerce's does.

The rules are written out again here, not called from `pricing`, so a slip in either shows (see the pricing
module docstring for their sources and the modelled choices).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.payments import (
    CAPTURE_EVENTS,
    PAID_STATUSES,
    UNPAID_STATUSES,
    captured_total,
    refunded_total,
)
from bigbooks_desktop.sandbox.bigcommerce.pricing import (
    SHIPPING_COUPON_TYPES,
    TAX_ZONES,
    TaxRate,
    line_rates,
    round2,
    round4,
)
from bigbooks_desktop.sandbox.bigcommerce.refunds import price_item

__all__ = ["money_problems"]

ZERO = Decimal("0")
HUNDRED = Decimal(100)
ROW_KINDS = {"item", "shipping", "handling", "gift-wrapping", "fee"}


def _expected(
    entered: Decimal, discount: Decimal, rates: list[TaxRate], inclusive: bool
) -> tuple[list[Decimal] | None, Decimal, Decimal]:
    """(tax per rate when exclusive, discounted tax, undiscounted tax) by TAX-FACTS rule 1 and order 519."""
    combined = sum((r for _, _, r in rates), ZERO)
    if inclusive:
        tax = round2((entered - discount) * combined / (HUNDRED + combined)) if combined else ZERO
        full = tax + (round4(discount * combined / (HUNDRED + combined)) if combined else ZERO)
        return None, tax, full
    parts = [round2((entered - discount) * r / HUNDRED) for _, _, r in rates]
    tax = sum(parts, ZERO)
    return parts, tax, tax + round4(discount * combined / HUNDRED)


def money_problems(record: dict[str, Any]) -> list[str]:
    """Every way this order's money fails to add up the way BigCommerce's does (empty when it is right)."""
    o = record["order"]
    inclusive = bool(o["is_tax_inclusive_pricing"])
    zone_rates: dict[int, list[TaxRate]] = TAX_ZONES[record["zone"]]["rates"]
    problems: list[str] = []

    def check(label: str, left: Any, right: Any) -> None:
        if left != right:
            problems.append(f"order {o['id']}: {label}: {left} != {right}")

    rows = record["taxes"]
    for row in rows:
        if row["line_item_type"] not in ROW_KINDS or row["line_amount"] == ZERO:
            problems.append(f"order {o['id']}: tax row {row['id']} is {row['line_item_type']} {row['line_amount']}")

    def rows_of(kind: str, product_id: int | None = None) -> list[dict[str, Any]]:
        wanted = "" if product_id is None else str(product_id)
        return [t for t in rows if t["line_item_type"] == kind and t["order_product_id"] == wanted]

    def component(label: str, entered: Decimal, discount: Decimal, rates: list[TaxRate], kind: str,
                  product_id: int | None = None) -> tuple[Decimal, Decimal, Decimal]:
        """Checks its tax rows; returns (discounted tax, undiscounted tax, what the shopper pays for it)."""
        parts, tax, full = _expected(entered, discount, rates, inclusive)
        mine = rows_of(kind, product_id)
        check(f"{label} tax rows", sum((t["line_amount"] for t in mine), ZERO), tax)
        if parts is not None:
            by_rate = {t["tax_rate_id"]: t["line_amount"] for t in mine}
            for (rate_id, _, _), part in zip(rates, parts, strict=True):
                check(f"{label} tax at rate {rate_id}", by_rate.get(rate_id, ZERO), part)
        return tax, full, entered - discount + (ZERO if inclusive else tax)

    lines = record["products"]
    paid_total = ZERO
    for line in lines:
        label, q = f"line {line['id']}", line["quantity"]
        entered = line["base_price"] * q
        taken = sum((d["amount"] for d in line["applied_discounts"]), ZERO)
        if line["type"] == "giftcertificate" and (taken or line["total_tax"]):
            problems.append(f"order {o['id']}: {label}: a gift certificate is discounted or taxed")
        if taken > entered:
            problems.append(f"order {o['id']}: {label}: discounted below zero")
        tax, full, paid = component(label, entered, taken, line_rates(record, line), "item", line["id"])
        check(f"{label} total_tax", line["total_tax"], tax)
        check(f"{label} price_tax", line["price_tax"], round4(full / q))
        check(f"{label} discounted_total_inc_tax", line["discounted_total_inc_tax"], paid)
        if inclusive:
            check(f"{label} total_inc_tax", line["total_inc_tax"], entered)
            check(f"{label} total_ex_tax", line["total_ex_tax"], entered - full)
            check(f"{label} price_inc_tax", line["price_inc_tax"], line["base_price"])
            check(f"{label} price_ex_tax", line["price_ex_tax"], round4((entered - full) / q))
        else:
            check(f"{label} total_ex_tax", line["total_ex_tax"], entered)
            check(f"{label} total_inc_tax", line["total_inc_tax"], entered + full)
            check(f"{label} price_ex_tax", line["price_ex_tax"], line["base_price"])
            check(f"{label} price_inc_tax", line["price_inc_tax"], line["base_price"] + line["price_tax"])
        wrap_tax, _, wrap_paid = component(f"{label} wrapping", line["base_wrapping_cost"], ZERO,
                                           zone_rates[0], "gift-wrapping", line["id"])
        check(f"{label} wrapping_cost_tax", line["wrapping_cost_tax"], wrap_tax)
        check(f"{label} wrapping_cost_inc_tax", line["wrapping_cost_inc_tax"], wrap_paid)
        paid_total += paid + wrap_paid

    coupons = record["coupons"]
    ship_discount = sum((Decimal(str(c["discount"])) for c in coupons if c["type"] in SHIPPING_COUPON_TYPES), ZERO)
    check("coupon_discount", o["coupon_discount"], sum((Decimal(str(c["discount"])) for c in coupons), ZERO))
    check(
        "discounts on lines and shipping",
        o["discount_amount"] + o["coupon_discount"],
        sum((d["amount"] for ln in lines for d in ln["applied_discounts"]), ship_discount),
    )
    ship_tax, ship_full, ship_paid = component("shipping", o["base_shipping_cost"], ship_discount,
                                               zone_rates[0], "shipping")
    check("shipping_cost_tax", o["shipping_cost_tax"], ship_tax)
    if inclusive:
        check("shipping_cost_inc_tax", o["shipping_cost_inc_tax"], o["base_shipping_cost"])
        check("shipping_cost_ex_tax", o["shipping_cost_ex_tax"], o["base_shipping_cost"] - ship_full)
    else:
        check("shipping_cost_ex_tax", o["shipping_cost_ex_tax"], o["base_shipping_cost"])
        check("shipping_cost_inc_tax", o["shipping_cost_inc_tax"], o["base_shipping_cost"] + ship_tax)
    hand_tax, _, hand_paid = component("handling", o["base_handling_cost"], ZERO, zone_rates[0], "handling")
    check("handling_cost_tax", o["handling_cost_tax"], hand_tax)
    check("handling_cost_inc_tax", o["handling_cost_inc_tax"], hand_paid)
    # Fee rows carry no fee id (order_product_id is for lines), so they are checked together, per rate.
    fees_tax = fees_inc = ZERO
    fee_parts: dict[int, Decimal] = {}
    for fee in record["fees"]:
        rates = zone_rates[fee["tax_class_id"] or 0]
        parts, fee_tax, _ = _expected(fee["base_cost"], ZERO, rates, inclusive)
        fee_paid = fee["base_cost"] + (ZERO if inclusive else fee_tax)
        for (rate_id, _, _), rate_part in zip(rates, parts or [], strict=False):
            fee_parts[rate_id] = fee_parts.get(rate_id, ZERO) + rate_part
        check(f"fee {fee['id']} cost_tax", fee["cost_tax"], fee_tax)
        check(f"fee {fee['id']} cost_inc_tax", fee["cost_inc_tax"], fee_paid)
        check(f"fee {fee['id']} cost_ex_tax", fee["cost_ex_tax"], fee_paid - fee_tax)
        fees_tax += fee_tax
        fees_inc += fee_paid
    fee_rows = rows_of("fee")
    check("fee tax rows", sum((t["line_amount"] for t in fee_rows), ZERO), fees_tax)
    for rate_id, expected in fee_parts.items():
        at_rate = sum((t["line_amount"] for t in fee_rows if t["tax_rate_id"] == rate_id), ZERO)
        check(f"fee tax at rate {rate_id}", at_rate, expected)
    paid_total += ship_paid + hand_paid + fees_inc

    for part in ("ex_tax", "tax"):
        check(f"subtotal_{part}", o[f"subtotal_{part}"], sum((ln[f"total_{part}"] for ln in lines), ZERO))
    check(
        "subtotal_inc_tax",
        o["subtotal_inc_tax"],
        sum((ln["total_inc_tax"] for ln in lines), ZERO) if inclusive else o["subtotal_ex_tax"] + o["subtotal_tax"],
    )
    for part in ("ex_tax", "inc_tax", "tax"):
        check(f"wrapping_cost_{part}", o[f"wrapping_cost_{part}"],
              sum((ln[f"wrapping_cost_{part}"] for ln in lines), ZERO))
    extras_inc = o["shipping_cost_inc_tax"] + o["handling_cost_inc_tax"] + o["wrapping_cost_inc_tax"] + fees_inc
    extras_tax = o["shipping_cost_tax"] + o["handling_cost_tax"] + o["wrapping_cost_tax"] + fees_tax
    check("total_tax", o["total_tax"], o["subtotal_tax"] + extras_tax)
    check("total_inc_tax (rule 4)", o["total_inc_tax"],
          o["subtotal_inc_tax"] + extras_inc - o["discount_amount"] - o["coupon_discount"])
    check("total_inc_tax (sum of what each part costs)", o["total_inc_tax"], paid_total)
    check("total_ex_tax", o["total_ex_tax"], o["total_inc_tax"] - o["total_tax"])
    check("taxes rows", sum((t["line_amount"] for t in rows), ZERO), o["total_tax"])

    units: dict[int, int] = {}
    refunded_money: dict[int, Decimal] = {}
    for index, refund in enumerate(record["refunds"]):
        label = f"refund {refund['id']}"
        check(f"{label} payments", sum((p["amount"] for p in refund["payments"]), ZERO), refund["total_amount"])
        earlier = {**record, "refunds": record["refunds"][:index]}
        amount = tax = ZERO
        for item in refund["items"]:
            spec = {**item, "amount": item.get("requested_amount")}
            try:
                _, item_amount, item_tax = price_item(earlier, spec)
            except ValueError as exc:
                problems.append(f"order {o['id']}: {label}: {exc}")
                continue
            amount, tax = amount + item_amount, tax + item_tax
            if item["item_type"] == "PRODUCT":
                units[item["item_id"]] = units.get(item["item_id"], 0) + item["quantity"]
                refunded_money[item["item_id"]] = refunded_money.get(item["item_id"], ZERO) + item_amount
        check(f"{label} total_amount", refund["total_amount"], amount)
        check(f"{label} total_tax", refund["total_tax"], tax)
    for line in lines:
        check(f"line {line['id']} quantity_refunded", line["quantity_refunded"], units.get(line["id"], 0))
        check(f"line {line['id']} refund_amount", line["refund_amount"], refunded_money.get(line["id"], ZERO))

    txs = record["transactions"]
    captured, refunded = captured_total(record), refunded_total(record)
    check("refund transactions", refunded, sum((t["amount"] for t in txs if t["event"] == "refund"), ZERO))
    for field, method in (("store_credit_amount", "store_credit"), ("gift_certificate_amount", "gift_certificate")):
        spent = [t for t in txs if t["method"] == method and t["event"] in CAPTURE_EVENTS and t["status"] == "ok"]
        check(field, o[field], sum((t["amount"] for t in spent), ZERO))
    status = o["status_id"]
    if status in PAID_STATUSES:
        check(f"status {status} net paid", captured - refunded, o["total_inc_tax"])
    elif status in UNPAID_STATUSES:
        check(f"status {status} net paid", captured - refunded, ZERO)
    elif status == 4:
        check("refunded order", refunded, captured)
        if captured <= ZERO:
            problems.append(f"order {o['id']}: refunded order with nothing captured")
    elif status == 14 and not ZERO < refunded < captured:
        problems.append(f"order {o['id']}: partially refunded but refunded {refunded} of {captured}")
    return problems
