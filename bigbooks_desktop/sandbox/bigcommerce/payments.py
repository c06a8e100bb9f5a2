"""BigCommerce order payments: v3 transactions and refunds, and the rules tying them to the order status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "CAPTURE_EVENTS",
    "PAID_STATUSES",
    "UNPAID_STATUSES",
    "GatewayInfo",
    "captured_total",
    "make_transaction",
    "money_problems",
    "record_refund",
    "refunded_total",
]

ZERO = Decimal("0")
CAPTURE_EVENTS = frozenset({"purchase", "capture", "settled"})
PAID_STATUSES = frozenset({2, 3, 8, 9, 10, 11, 13})  # the money is in: captured - refunded == total
UNPAID_STATUSES = frozenset({0, 1, 5, 6, 7, 12})  # nothing kept: captured - refunded == 0

# gateway -> (method, payment_method display, provider id used in refunds, offline?)
GatewayInfo = tuple[str, str, str, bool]
GATEWAYS: dict[str, GatewayInfo] = {
    "stripe": ("credit_card", "Credit Card", "stripev3", False),
    "braintree": ("credit_card", "Credit Card", "braintree", False),
    "authorizenet": ("credit_card", "Credit Card", "authorizenet", False),
    "square": ("nonce", "Credit Card", "squarev2", False),
    "paypalexpress": ("electronic_wallet", "PayPal", "paypalexpress", False),
    "bankdeposit": ("offline", "Bank Deposit", "bankdeposit", True),
    "cheque": ("offline", "Check", "cheque", True),
    "cod": ("offline", "Cash on Delivery", "cod", True),
    "storecredit": ("store_credit", "Store Credit", "storecredit", True),
    "giftcertificate": ("gift_certificate", "Gift Certificate", "giftcertificate", True),
    "custom": ("custom", "Manual Payment", "custom", True),
}


def make_transaction(
    *,
    tx_id: int,
    order_id: int,
    event: str,
    amount: Decimal,
    currency: str,
    gateway: str,
    when: datetime,
    status: str = "ok",
    reference: int | None = None,
    fraud_review: bool = False,
    card_last4: str = "4242",
) -> dict[str, Any]:
    """One v3 Transaction as BigCommerce returns it (amount a Decimal, written as a JSON number)."""
    method, display, _, _ = GATEWAYS.get(gateway, ("custom", gateway, gateway, True))
    tx: dict[str, Any] = {
        "id": tx_id,
        "order_id": str(order_id),
        "event": event,
        "method": method,
        "amount": amount,
        "currency": currency,
        "gateway": gateway,
        "gateway_transaction_id": f"{gateway[:3]}_{order_id}_{tx_id}",
        "status": status,
        "test": False,
        "fraud_review": fraud_review,
        "date_created": when,
        "avs_result": {"code": "", "message": "", "street_match": "", "postal_match": ""},
        "cvv_result": {"code": "", "message": ""},
        "payment_method_id": f"{gateway}.{'card' if method in ('credit_card', 'nonce') else method}",
    }
    if reference is not None:
        tx["reference_transaction_id"] = reference
    if method in ("credit_card", "nonce"):
        tx["credit_card"] = {
            "card_type": "visa",
            "card_iin": "424242",
            "card_last4": card_last4,
            "card_expiry_month": 12,
            "card_expiry_year": 2029,
        }
    elif method == "offline":
        tx["offline"] = {"display_name": display}
    elif method == "custom":
        tx["custom"] = {"payment_method": display}
    elif method == "store_credit":
        tx["store_credit"] = {"remaining_balance": ZERO}
    elif method == "gift_certificate":
        tx["gift_certificate"] = {
            "code": f"GC-{order_id}-{tx_id}",
            "original_balance": amount,
            "starting_balance": amount,
            "remaining_balance": ZERO,
            "status": "active",
        }
    return tx


def captured_total(record: dict[str, Any]) -> Decimal:
    return sum(
        (t["amount"] for t in record["transactions"] if t["status"] == "ok" and t["event"] in CAPTURE_EVENTS),
        ZERO,
    )


def refunded_total(record: dict[str, Any]) -> Decimal:
    return sum((r["total_amount"] for r in record["refunds"]), ZERO)


def record_refund(
    record: dict[str, Any],
    amount: Decimal,
    *,
    reason: str,
    when: datetime,
    next_id: Callable[[str], int],
    items: list[dict[str, Any]] | None = None,
    total_tax: Decimal = ZERO,
) -> dict[str, Any]:
    """Refund `amount` against the order's captures (cards first, then store credit and gift certificates).

    Appends the v3 Refund and one `refund` transaction per payment it was taken from; returns the Refund.
    """
    order = record["order"]
    if amount <= ZERO:
        raise ValueError("a refund must be positive")
    available = captured_total(record) - refunded_total(record)
    if amount > available:
        raise ValueError(f"refund {amount} exceeds the {available} still refundable on order {order['id']}")
    kept: dict[int, Decimal] = {}
    captures = [t for t in record["transactions"] if t["status"] == "ok" and t["event"] in CAPTURE_EVENTS]
    for tx in captures:
        kept[tx["id"]] = tx["amount"]
    for tx in record["transactions"]:
        if tx["event"] == "refund" and tx.get("reference_transaction_id") in kept:
            kept[tx["reference_transaction_id"]] -= tx["amount"]
    captures.sort(key=lambda t: (GATEWAYS.get(t["gateway"], ("", "", "", True))[3], t["id"]))
    refund_id = next_id("refund")
    payments: list[dict[str, Any]] = []
    left = amount
    for tx in captures:
        take = min(left, kept[tx["id"]])
        if take <= ZERO:
            continue
        provider, offline = GATEWAYS.get(tx["gateway"], ("", "", tx["gateway"], True))[2:]
        refund_tx = make_transaction(
            tx_id=next_id("transaction"),
            order_id=order["id"],
            event="refund",
            amount=take,
            currency=tx["currency"],
            gateway=tx["gateway"],
            when=when,
            reference=tx["id"],
        )
        record["transactions"].append(refund_tx)
        payments.append(
            {
                "id": next_id("refund_payment"),
                "provider_id": provider,
                "amount": take,
                "offline": offline,
                "is_declined": False,
                "declined_message": "",
                "transaction_id": refund_tx["gateway_transaction_id"],
            }
        )
        left -= take
        if left == ZERO:
            break
    refund = {
        "id": refund_id,
        "order_id": order["id"],
        "user_id": 0,
        "created": when,
        "reason": reason,
        "total_amount": amount,
        "total_tax": total_tax,
        "uses_merchant_override_values": items is None,
        "items": items
        if items is not None
        else [
            {
                "item_type": "ORDER",
                "item_id": order["id"],
                "quantity": 1,
                "requested_amount": amount,
                "reason": reason,
            }
        ],
        "payments": payments,
    }
    record["refunds"].append(refund)
    return refund


def money_problems(record: dict[str, Any]) -> list[str]:
    """Every way this order's money fails to add up the way BigCommerce's does (empty when it is right)."""
    o = record["order"]
    problems: list[str] = []

    def check(label: str, left: Decimal, right: Decimal) -> None:
        if left != right:
            problems.append(f"order {o['id']}: {label}: {left} != {right}")

    lines = record["products"]
    for line in lines:
        q = line["quantity"]
        for kind in ("ex_tax", "inc_tax", "tax"):
            check(f"line {line['id']} total_{kind}", line[f"total_{kind}"], line[f"price_{kind}"] * q)
        check(f"line {line['id']} inc", line["price_inc_tax"], line["price_ex_tax"] + line["price_tax"])
        taken = sum((d["amount"] for d in line["applied_discounts"]), ZERO)
        check(
            f"line {line['id']} discounted", line["discounted_total_inc_tax"], line["total_inc_tax"] - taken
        )
    for part in ("ex_tax", "inc_tax", "tax"):
        check(f"subtotal_{part}", o[f"subtotal_{part}"], sum((ln[f"total_{part}"] for ln in lines), ZERO))
    discounts = o["discount_amount"] + o["coupon_discount"]
    check(
        "coupon_discount",
        o["coupon_discount"],
        sum((Decimal(str(c["discount"])) for c in record["coupons"]), ZERO),
    )
    check(
        "applied discounts",
        discounts,
        sum((d["amount"] for ln in lines for d in ln["applied_discounts"]), ZERO),
    )
    extras_ex = o["shipping_cost_ex_tax"] + o["handling_cost_ex_tax"] + o["wrapping_cost_ex_tax"]
    extras_inc = o["shipping_cost_inc_tax"] + o["handling_cost_inc_tax"] + o["wrapping_cost_inc_tax"]
    check("total_inc (inc side)", o["total_inc_tax"], o["subtotal_inc_tax"] + extras_inc - discounts)
    check(
        "total_inc (ex side + tax)",
        o["total_inc_tax"],
        o["subtotal_ex_tax"] + extras_ex - discounts + o["total_tax"],
    )
    check("total_ex", o["total_ex_tax"], o["total_inc_tax"] - o["total_tax"])
    check("taxes rows", sum((t["line_amount"] for t in record["taxes"]), ZERO), o["total_tax"])
    captured, refunded = captured_total(record), refunded_total(record)
    check(
        "refund transactions",
        refunded,
        sum((t["amount"] for t in record["transactions"] if t["event"] == "refund"), ZERO),
    )
    check(
        "store credit",
        o["store_credit_amount"],
        sum(
            (
                t["amount"]
                for t in record["transactions"]
                if t["method"] == "store_credit" and t["event"] in CAPTURE_EVENTS and t["status"] == "ok"
            ),
            ZERO,
        ),
    )
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
