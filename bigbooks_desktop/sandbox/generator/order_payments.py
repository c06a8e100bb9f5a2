"""The payments side of a generated order: gateway transactions and refunds that match its status."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.payments import GATEWAYS, make_transaction, record_refund
from bigbooks_desktop.sandbox.generator.store import CENT, GeneratedStore, cents
from bigbooks_desktop.sandbox.generator.vocabulary import ONLINE_GATEWAYS

__all__ = ["pay_order"]


def pay_order(
    rng: random.Random, store: GeneratedStore, record: dict[str, Any], when: datetime, *, live: bool = False
) -> None:
    """Transactions (and refunds) that match the order status."""
    order = record["order"]
    status, total, currency, oid = (
        order["status_id"],
        order["total_inc_tax"],
        order["currency_code"],
        order["id"],
    )

    def tx(event: str, amount: Decimal, gateway: str, **kw: Any) -> dict[str, Any]:
        t = make_transaction(
            tx_id=store.next_id("transaction"),
            order_id=oid,
            event=event,
            amount=amount,
            currency=currency,
            gateway=gateway,
            when=when,
            card_last4=f"{oid % 10000:04d}",
            **kw,
        )
        record["transactions"].append(t)
        return t

    gateway = (
        rng.choice(ONLINE_GATEWAYS) if rng.random() < 0.88 else rng.choice(["bankdeposit", "cheque", "cod"])
    )
    order["payment_method"] = GATEWAYS[gateway][1]
    if status in (0, 1, 7):
        order["payment_status"] = "" if status == 0 else "pending"
        if status == 7:
            order["payment_method"] = "Bank Deposit"
        return
    if status == 5:
        order["payment_status"] = "void"
        auth = tx("authorization", total, gateway)
        tx("void", total, gateway, reference=auth["id"])
        return
    if status == 6:
        order["payment_status"] = "declined"
        tx("purchase", total, gateway, status="error")
        return
    if status == 12:
        order["payment_status"] = "held for review"
        tx("authorization", total, gateway, fraud_review=True)
        return
    pattern = rng.random()
    card_part = total
    if pattern < 0.07 and total > 10:  # part store credit
        credit = cents(total * Decimal("0.3"))
        order["store_credit_amount"] = credit
        tx("purchase", credit, "storecredit")
        card_part = total - credit
    elif pattern < 0.12 and total > 10:  # part gift certificate
        gift = min(Decimal(25), cents(total / 2))
        order["gift_certificate_amount"] = gift
        tx("purchase", gift, "giftcertificate")
        card_part = total - gift
    if card_part > 0:
        if 0.12 <= pattern < 0.22 and GATEWAYS[gateway][0] != "offline":
            auth = tx("authorization", card_part, gateway)
            tx("capture", card_part, gateway, reference=auth["id"])
        elif 0.22 <= pattern < 0.30 and GATEWAYS[gateway][0] != "offline" and card_part > 1:
            auth = tx("authorization", card_part, gateway)
            first = cents(card_part * Decimal("0.6"))
            tx("capture", first, gateway, reference=auth["id"])
            tx("capture", card_part - first, gateway, reference=auth["id"])
        else:
            tx("purchase", card_part, gateway)
    order["payment_status"] = "paid" if GATEWAYS[gateway][3] else "captured"
    later = when if live else when + timedelta(days=rng.randint(1, 20))
    if status == 4:
        record_refund(
            record,
            total,
            reason="Customer returned everything.",
            when=later,
            next_id=store.next_id,
            total_tax=order["total_tax"],
        )
        for line in record["products"]:
            line.update(is_refunded=True, quantity_refunded=line["quantity"])
        order["payment_status"] = "refunded"
    elif status == 14:
        line = record["products"][0]
        if line["price_inc_tax"] < total and rng.random() < 0.6:
            items = [
                {
                    "item_type": "PRODUCT",
                    "item_id": line["id"],
                    "quantity": 1,
                    "reason": "Damaged in transit",
                }
            ]
            line.update(quantity_refunded=1, is_refunded=line["quantity"] == 1)
            record_refund(
                record,
                line["price_inc_tax"],
                reason="Damaged in transit",
                when=later,
                next_id=store.next_id,
                items=items,
                total_tax=line["price_tax"],
            )
        else:
            amount = max(CENT, cents(total * Decimal(rng.randint(10, 40)) / 100))
            record_refund(record, amount, reason="Goodwill partial refund", when=later, next_id=store.next_id)
            if rng.random() < 0.3 and total - amount > 2:
                record_refund(
                    record,
                    CENT * 100,
                    reason="Second goodwill refund",
                    when=later if live else later + timedelta(days=2),
                    next_id=store.next_id,
                )
        order["payment_status"] = "partially refunded"
    if record["refunds"]:
        order["date_modified"] = max(order["date_modified"], max(r["created"] for r in record["refunds"]))
