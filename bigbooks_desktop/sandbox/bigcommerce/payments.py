"""BigCommerce order payments: v3 transactions, and refunds paid back to the gateways or to store credit.

Statuses: a paid status keeps exactly the order total (captured - refunded); an unpaid one keeps nothing.
13 Disputed is paid: BigCommerce's status list says "Customer has initiated a dispute resolution process for
the PayPal transaction that paid for the order", and the v3 transaction events (purchase, authorization,
capture, refund, void, pending, settled) have no chargeback, so a dispute moves no money in BigCommerce's
records (see generator.order_payments for the evidence and what stays unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "CAPTURE_EVENTS",
    "GATEWAYS",
    "PAID_STATUSES",
    "UNPAID_STATUSES",
    "GatewayInfo",
    "captured_total",
    "make_transaction",
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
    items: list[dict[str, Any]],
    total_tax: Decimal,
    to: str = "gateway",
) -> dict[str, Any]:
    """Append a v3 Refund of `amount` and one `refund` transaction per refund payment; returns the Refund.

    `to="gateway"` pays back the order's captures (cards first, then offline methods, store credit and gift
    certificates), one payment per capture; `to="store_credit"` pays it all as store credit (registered
    customers only: BigCommerce answers 422 "Unable to process a guest refund with store credit").
    """
    order = record["order"]
    if amount <= ZERO:
        raise ValueError("a refund must be positive")
    if to not in ("gateway", "store_credit"):
        raise ValueError(f"refunds go to 'gateway' or 'store_credit', not {to!r}")
    if to == "store_credit" and not order["customer_id"]:
        raise ValueError("Unable to process a guest refund with store credit.")
    available = captured_total(record) - refunded_total(record)
    if amount > available:
        raise ValueError(f"refund {amount} exceeds the {available} still refundable on order {order['id']}")
    refund_id = next_id("refund")
    payments: list[dict[str, Any]] = []

    def pay(gateway: str, take: Decimal, currency: str, reference: int | None) -> None:
        provider, offline = GATEWAYS.get(gateway, ("", "", gateway, True))[2:]
        refund_tx = make_transaction(
            tx_id=next_id("transaction"),
            order_id=order["id"],
            event="refund",
            amount=take,
            currency=currency,
            gateway=gateway,
            when=when,
            reference=reference,
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

    if to == "store_credit":
        pay("storecredit", amount, order["currency_code"], None)
    else:
        captures = [t for t in record["transactions"] if t["status"] == "ok" and t["event"] in CAPTURE_EVENTS]
        kept = {tx["id"]: tx["amount"] for tx in captures}
        for tx in record["transactions"]:
            if tx["event"] == "refund" and tx.get("reference_transaction_id") in kept:
                kept[tx["reference_transaction_id"]] -= tx["amount"]
        captures.sort(key=lambda t: (GATEWAYS.get(t["gateway"], ("", "", "", True))[3], t["id"]))
        left = amount
        for tx in captures:
            take = min(left, kept[tx["id"]])
            if take <= ZERO:
                continue
            pay(tx["gateway"], take, tx["currency"], tx["id"])
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
        "uses_merchant_override_values": False,
        "items": items,
        "payments": payments,
    }
    record["refunds"].append(refund)
    return refund
