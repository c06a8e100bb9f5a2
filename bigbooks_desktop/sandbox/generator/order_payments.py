"""The payments side of a generated order: transactions, refunds and disputes that match its status.

Gift certificates and store credit are spent from the store's ledger (`store.ledger`): a certificate sold in
an earlier order, store credit from an earlier refund to store credit. Refunds are item refunds (see
`sandbox.bigcommerce.refunds`), a quarter of registered customers' paid back as store credit.

Chargebacks. What BigCommerce shows, found in its specs and documentation:
- status 13 "Disputed": "Customer has initiated a dispute resolution process for the PayPal transaction that
  paid for the order" (orders.v2 order statuses; the same text in BigCommerce's help articles);
- the v3 transaction `event` enum is purchase, authorization, capture, refund, void, pending, settled: there
  is no chargeback or dispute event, and refunds (v3 payment_actions) are made by the merchant;
- third-party chargeback guides for BigCommerce say the dispute lives at the payment processor (Stripe,
  PayPal, Braintree dashboards) and BigCommerce gets no dispute notification.
So a disputed order here is a paid order (mostly PayPal) moved to status 13 some days after payment, with
its capture and no money movement. Unknown: whether a PayPal dispute sets status 13 by itself or a person
does; what a lost dispute leaves behind (a refund recorded by hand, a status change, or nothing); whether
card disputes ever show up as status 13.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.credit import GiftCertificate
from bigbooks_desktop.sandbox.bigcommerce.payments import GATEWAYS, make_transaction
from bigbooks_desktop.sandbox.bigcommerce.refunds import PricedItem, full_refund_items, issue_refund, price_item
from bigbooks_desktop.sandbox.generator.store import ZERO, GeneratedStore, cents
from bigbooks_desktop.sandbox.generator.vocabulary import ONLINE_GATEWAYS

__all__ = ["KEEPS_PAYMENT", "pay_order"]

KEEPS_PAYMENT = frozenset({2, 3, 8, 9, 10, 11})  # paid and never refunded or disputed


def pay_order(
    rng: random.Random,
    store: GeneratedStore,
    record: dict[str, Any],
    when: datetime,
    *,
    live: bool = False,
    redeem: GiftCertificate | None = None,
) -> None:
    """Transactions (and refunds) that match the order status; `redeem` pays first from that certificate."""
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
    if status == 13 and rng.random() < 0.7:
        gateway = "paypalexpress"
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
    left = total
    customer = order["customer_id"]
    if redeem is not None:
        gift = min(store.ledger.certificate_available(redeem.code, order["date_created"]), left)
        if gift > ZERO:
            store.ledger.redeem(redeem.code, when, gift, tx("purchase", gift, "giftcertificate"), customer)
            order["gift_certificate_amount"] = gift
            left -= gift
    if customer and not live and left > ZERO and rng.random() < 0.7:
        credit = min(store.ledger.store_credit_available(customer, order["date_created"]), left)
        if credit > ZERO:
            store.ledger.spend(customer, when, credit, tx("purchase", credit, "storecredit"))
            order["store_credit_amount"] = credit
            left -= credit
    pattern = rng.random()
    if left > ZERO:
        if pattern < 0.10 and GATEWAYS[gateway][0] != "offline":
            auth = tx("authorization", left, gateway)
            tx("capture", left, gateway, reference=auth["id"])
        elif pattern < 0.18 and GATEWAYS[gateway][0] != "offline" and left > 1:
            auth = tx("authorization", left, gateway)
            first = cents(left * Decimal("0.6"))
            tx("capture", first, gateway, reference=auth["id"])
            tx("capture", left - first, gateway, reference=auth["id"])
        else:
            tx("purchase", left, gateway)
    else:
        order["payment_method"] = "Gift Certificate" if order["gift_certificate_amount"] else "Store Credit"
    order["payment_status"] = "paid" if GATEWAYS[gateway][3] else "captured"
    later = when if live else when + timedelta(days=rng.randint(1, 20))
    to = "store_credit" if customer and rng.random() < 0.25 else "gateway"

    def refund(items: list[PricedItem], reason: str, at: datetime) -> None:
        issue_refund(record, items, reason=reason, when=at, next_id=store.next_id, to=to, ledger=store.ledger)

    if status == 4:
        lines = record["products"]
        if len(lines) >= 2 and rng.random() < 0.3:
            first_line = lines[0]
            refund(
                [price_item(record, {"item_type": "PRODUCT", "item_id": first_line["id"],
                                     "quantity": first_line["quantity"], "reason": "Arrived broken"})],
                "Arrived broken",
                later,
            )
            later = later if live else later + timedelta(days=rng.randint(1, 5))
        refund(full_refund_items(record, "Customer returned everything."), "Customer returned everything.", later)
        order["payment_status"] = "refunded"
    elif status == 14:
        refund(_partial_refund(rng, record), "Partial refund", later)
        if rng.random() < 0.3 and total - sum(r["total_amount"] for r in record["refunds"]) > 2:
            extra = price_item(record, {"item_type": "ORDER", "amount": Decimal("1.00"), "reason": "Goodwill"})
            refund([extra], "Second goodwill refund", later if live else later + timedelta(days=2))
        order["payment_status"] = "partially refunded"
    elif status == 13 and not live:
        order["date_modified"] = when + timedelta(days=rng.randint(10, 45))  # the dispute came in later
    if record["refunds"]:
        order["date_modified"] = max(order["date_modified"], max(r["created"] for r in record["refunds"]))


def _partial_refund(rng: random.Random, record: dict[str, Any]) -> list[PricedItem]:
    """Some units of a line (maybe with the shipping), part of the shipping, a fee, or an untaxed goodwill
    amount; always less than the order total."""
    order = record["order"]
    total = order["total_inc_tax"]
    address = record["shipping_addresses"][0]["id"] if record["shipping_addresses"] else None
    pick = rng.random()
    items: list[PricedItem] = []
    lines = [ln for ln in record["products"] if ln["type"] != "giftcertificate"]
    if pick < 0.45 and lines:
        line = rng.choice(lines)
        units = rng.randint(1, max(1, line["quantity"] - 1))
        items.append(price_item(record, {"item_type": "PRODUCT", "item_id": line["id"], "quantity": units,
                                         "reason": "Damaged in transit"}))
        if address is not None and order["shipping_cost_inc_tax"] and rng.random() < 0.3:
            try:
                items.append(price_item(record, {"item_type": "SHIPPING", "item_id": address, "reason": "Late"}))
            except ValueError:
                pass              # free shipping (a shipping coupon took it all): nothing to give back

    elif pick < 0.65 and address is not None and order["shipping_cost_tax"]:
        whole = price_item(record, {"item_type": "SHIPPING", "item_id": address})[1]
        part = cents(whole * Decimal(rng.choice(["0.5", "1"])))
        items.append(price_item(record, {"item_type": "SHIPPING", "item_id": address, "amount": part,
                                         "reason": "Shipping overcharged"}))
    elif pick < 0.72 and record["fees"]:
        items.append(price_item(record, {"item_type": "FEE", "item_id": record["fees"][0]["id"],
                                         "reason": "Fee waived"}))
    if not items or sum(amount for _, amount, _ in items) >= total:
        amount = max(Decimal("0.01"), cents(total * Decimal(rng.randint(10, 40)) / 100))
        items = [price_item(record, {"item_type": "ORDER", "amount": amount, "reason": "Goodwill partial refund"})]
    return items
