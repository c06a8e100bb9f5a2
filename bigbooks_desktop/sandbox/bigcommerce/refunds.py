"""Refunds as BigCommerce's v3 refunds read: priced items (PRODUCT, SHIPPING, ...), their tax, and the money.

Evidence: `orders.v3.yml` (Refund, RefundItem, ItemsRefund; ORDER items are "Tax Exempt (Order Level)": "tax
is not re-calculated"), BigCommerce's refunds guide (docs/store-operations/orders/refunds.mdx: item_id is the
order product id for PRODUCT and GIFT_WRAPPING, the order address id for SHIPPING and HANDLING, the order id
for ORDER and the fee id for FEE) and the refund example (orders_v3_refund.json: a PRODUCT item with a
quantity, paid back as store credit, `offline` true).

Amounts are modelled (no real refund payload is public). Each refundable part has what the shopper paid for
it, P (a line's `discounted_total_inc_tax`; shipping's cost after the shipping discount, tax included;
handling's, a fee's or a line's wrapping cost with tax) and its tax T:
- PRODUCT, k of q units: round2(P x k/q), tax the sum over the line's rates of round2(t_r x k/q).
- SHIPPING, HANDLING, FEE of amount a: a, tax round2(a x T/P).
- GIFT_WRAPPING: a line's whole wrapping, with its tax.
- ORDER of amount a: a, untaxed.
Rounding is cumulative per part (the n-th refund of a part takes round2(P x (before + now)) - round2(P x
before), likewise its tax), so a part refunded in pieces adds up to exactly what was paid for it and a
refund of everything has total_tax == the order's total_tax. PRODUCT items carry `quantity` and no
`requested_amount` (the spec types it a number, the example sends null); the others carry
`requested_amount`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.credit import CreditLedger
from bigbooks_desktop.sandbox.bigcommerce.payments import captured_total, record_refund, refunded_total
from bigbooks_desktop.sandbox.bigcommerce.pricing import SHIPPING_COUPON_TYPES, round2

__all__ = ["PricedItem", "full_refund_items", "issue_refund", "price_item", "refunded_parts"]

ZERO = Decimal("0")
PricedItem = tuple[dict[str, Any], Decimal, Decimal]  # (refund item as on the wire, amount, tax)
AMOUNT_TYPES = ("SHIPPING", "HANDLING", "FEE", "GIFT_WRAPPING", "ORDER")


def refunded_parts(record: dict[str, Any]) -> dict[tuple[str, int], Decimal]:
    """What earlier refunds took per (item_type, item_id): units for PRODUCT, money for the others."""
    taken: dict[tuple[str, int], Decimal] = {}
    for refund in record["refunds"]:
        for item in refund["items"]:
            key = (item["item_type"], int(item["item_id"]))
            done = Decimal(item["quantity"]) if item["item_type"] == "PRODUCT" else item["requested_amount"]
            taken[key] = taken.get(key, ZERO) + done
    return taken


def _part(record: dict[str, Any], kind: str, item_id: int) -> tuple[Decimal, Decimal]:
    """(P, T) for an amount-bound part; KeyError when the order has no such part."""
    order = record["order"]
    if kind == "SHIPPING":
        if not any(a["id"] == item_id for a in record["shipping_addresses"]):
            raise KeyError(f"order {order['id']} has no shipping address {item_id}")
        discount = sum(
            (Decimal(str(c["discount"])) for c in record["coupons"] if c["type"] in SHIPPING_COUPON_TYPES), ZERO
        )
        return order["shipping_cost_inc_tax"] - discount, order["shipping_cost_tax"]
    if kind == "HANDLING":
        if not any(a["id"] == item_id for a in record["shipping_addresses"]):
            raise KeyError(f"order {order['id']} has no shipping address {item_id}")
        return order["handling_cost_inc_tax"], order["handling_cost_tax"]
    if kind == "FEE":
        fee = next((f for f in record["fees"] if f["id"] == item_id), None)
        if fee is None:
            raise KeyError(f"order {order['id']} has no fee {item_id}")
        return fee["cost_inc_tax"], fee["cost_tax"]
    line = next((ln for ln in record["products"] if ln["id"] == item_id), None)
    if line is None or not line["base_wrapping_cost"]:
        raise KeyError(f"order {order['id']} has no gift wrapping on line {item_id}")
    return line["wrapping_cost_inc_tax"], line["wrapping_cost_tax"]


def _cumulative(total: Decimal, whole: Decimal, before: Decimal, now: Decimal) -> Decimal:
    """round2(total x (before+now)/whole) - round2(total x before/whole)."""
    if whole == ZERO:
        return ZERO
    return round2(total * (before + now) / whole) - round2(total * before / whole)


def price_item(record: dict[str, Any], spec: dict[str, Any]) -> PricedItem:
    """Price one requested refund item ({item_type, item_id, quantity | amount, reason}) against the order.

    Raises ValueError for a request BigCommerce would refuse (unknown part, more than is left)."""
    order = record["order"]
    kind = str(spec.get("item_type", "")).upper()
    reason = str(spec.get("reason") or "")
    taken = refunded_parts(record)
    try:
        if kind == "PRODUCT":
            line_id = int(spec["item_id"])
            line = next((ln for ln in record["products"] if ln["id"] == line_id), None)
            if line is None:
                raise ValueError(f"order {order['id']} has no product line {line_id}")
            quantity, units = int(spec["quantity"]), Decimal(line["quantity"])
            before = taken.get(("PRODUCT", line_id), ZERO)
            if quantity < 1 or before + quantity > units:
                raise ValueError(f"line {line_id}: {quantity} units asked, {units - before} left to refund")
            rows = [
                t["line_amount"]
                for t in record["taxes"]
                if t["line_item_type"] == "item" and t["order_product_id"] == str(line_id)
            ]
            amount = _cumulative(line["discounted_total_inc_tax"], units, before, Decimal(quantity))
            tax = sum((_cumulative(row, units, before, Decimal(quantity)) for row in rows), ZERO)
            item = {"item_type": kind, "item_id": line_id, "quantity": quantity, "reason": reason}
            return item, amount, tax
        if kind == "ORDER":
            amount = Decimal(spec["amount"])
            if amount <= ZERO:
                raise ValueError("an ORDER refund needs a positive amount")
            item = {"item_type": kind, "item_id": order["id"], "requested_amount": amount, "reason": reason}
            return item, amount, ZERO
        if kind not in AMOUNT_TYPES:
            raise ValueError(f"unknown refund item_type {spec.get('item_type')!r}")
        item_id = int(spec["item_id"])
        paid, tax_total = _part(record, kind, item_id)
        before = taken.get((kind, item_id), ZERO)
        amount = paid - before if kind == "GIFT_WRAPPING" or spec.get("amount") is None else Decimal(spec["amount"])
        if amount <= ZERO or before + amount > paid:
            raise ValueError(f"{kind} {item_id}: {amount} asked, {paid - before} left to refund")
    except KeyError as exc:
        raise ValueError(str(exc.args[0]) if exc.args else f"{kind} needs item_id") from None
    item = {"item_type": kind, "item_id": item_id, "requested_amount": amount, "reason": reason}
    return item, amount, _cumulative(tax_total, paid, before, amount)


def full_refund_items(record: dict[str, Any], reason: str = "") -> list[PricedItem]:
    """Everything still refundable, as items; an ORDER item for the rest when earlier ORDER refunds make the
    parts add up to more than is left (those refunds did not say what they were for)."""
    taken = refunded_parts(record)
    specs: list[dict[str, Any]] = []
    for line in record["products"]:
        left = line["quantity"] - int(taken.get(("PRODUCT", line["id"]), ZERO))
        if left > 0:
            specs.append({"item_type": "PRODUCT", "item_id": line["id"], "quantity": left})
        if line["base_wrapping_cost"] and ("GIFT_WRAPPING", line["id"]) not in taken:
            specs.append({"item_type": "GIFT_WRAPPING", "item_id": line["id"]})
    for address in record["shipping_addresses"][:1]:
        for kind in ("SHIPPING", "HANDLING"):
            paid, _ = _part(record, kind, address["id"])
            if paid - taken.get((kind, address["id"]), ZERO) > ZERO:
                specs.append({"item_type": kind, "item_id": address["id"]})
    for fee in record["fees"]:
        if fee["cost_inc_tax"] - taken.get(("FEE", fee["id"]), ZERO) > ZERO:
            specs.append({"item_type": "FEE", "item_id": fee["id"]})
    items = [price_item(record, {**spec, "reason": reason}) for spec in specs]
    available = captured_total(record) - refunded_total(record)
    if sum((amount for _, amount, _ in items), ZERO) != available and available > ZERO:
        return [price_item(record, {"item_type": "ORDER", "amount": available, "reason": reason})]
    return items


def issue_refund(
    record: dict[str, Any],
    items: list[PricedItem],
    *,
    reason: str,
    when: datetime,
    next_id: Callable[[str], int],
    to: str = "gateway",
    ledger: CreditLedger | None = None,
) -> dict[str, Any]:
    """Record a refund of `items` (total_amount and total_tax their sums), mark refunded units on the lines,
    and put money refunded as store credit or onto a gift certificate in the ledger (not yet settled)."""
    if not items:
        raise ValueError(f"order {record['order']['id']} has nothing to refund")
    first_new = len(record["transactions"])
    refund = record_refund(
        record,
        sum((amount for _, amount, _ in items), ZERO),
        reason=reason,
        when=when,
        next_id=next_id,
        items=[item for item, _, _ in items],
        total_tax=sum((tax for _, _, tax in items), ZERO),
        to=to,
    )
    by_id = {line["id"]: line for line in record["products"]}
    for item, amount, _ in items:
        if item["item_type"] == "PRODUCT":
            line = by_id[item["item_id"]]
            line["quantity_refunded"] += item["quantity"]
            line["is_refunded"] = line["quantity_refunded"] == line["quantity"]
            line["refund_amount"] += amount
    if ledger is not None:
        captures = {t["id"]: t for t in record["transactions"]}
        for tx in record["transactions"][first_new:]:
            if tx["gateway"] == "storecredit":
                ledger.credit(record["order"]["customer_id"], when, tx["amount"], tx)
            elif tx["gateway"] == "giftcertificate":
                paid_with = captures.get(tx.get("reference_transaction_id", -1), {}).get("gift_certificate") or {}
                if paid_with.get("code") in ledger.certificates:
                    ledger.restore(paid_with["code"], when, tx["amount"], tx)
    return refund
