"""Live-store simulation for the admin API: new orders, edits, refunds and transactions, money kept right."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox import generator  # module import: generator imports this package too
from bigbooks_desktop.sandbox.bigcommerce.payments import (
    CAPTURE_EVENTS,
    PAID_STATUSES,
    UNPAID_STATUSES,
    captured_total,
    make_transaction,
    refunded_total,
)
from bigbooks_desktop.sandbox.bigcommerce.pricing import reprice
from bigbooks_desktop.sandbox.bigcommerce.refunds import PricedItem, full_refund_items, issue_refund, price_item

__all__ = ["add_order", "add_refund", "add_transaction", "update_order"]

ZERO = Decimal("0")
CENT = Decimal("0.01")
EDITABLE = {
    "customer_message",
    "staff_notes",
    "external_order_id",
    "channel_id",
    "order_source",
    "is_deleted",
    "payment_method",
    "ip_address",
    "customer_locale",
    "cart_id",
}


def _now(clock_value: float) -> datetime:
    return datetime.fromtimestamp(int(clock_value), UTC)


def _payment_status(record: dict[str, Any]) -> str:
    status = record["order"]["status_id"]
    refunded, captured = refunded_total(record), captured_total(record)
    if status == 4 or (refunded and refunded == captured):
        return "refunded"
    if refunded:
        return "partially refunded"
    if captured:
        return "captured"
    return {0: "", 5: "void", 6: "declined", 12: "held for review"}.get(status, "pending")


def _primary_gateway(record: dict[str, Any]) -> str:
    for tx in record["transactions"]:
        if tx["event"] in CAPTURE_EVENTS | {"authorization"} and tx["method"] not in (
            "store_credit",
            "gift_certificate",
        ):
            return str(tx["gateway"])
    return "custom"


def _capture(
    store: generator.GeneratedStore, record: dict[str, Any], amount: Decimal, when: datetime
) -> None:
    order = record["order"]
    record["transactions"].append(
        make_transaction(
            tx_id=store.next_id("transaction"),
            order_id=order["id"],
            event="capture",
            amount=amount,
            currency=order["currency_code"],
            gateway=_primary_gateway(record),
            when=when,
        )
    )


def _refund(
    store: generator.GeneratedStore,
    record: dict[str, Any],
    items: list[PricedItem],
    reason: str,
    when: datetime,
    to: str = "gateway",
) -> dict[str, Any]:
    refund = issue_refund(
        record, items, reason=reason, when=when, next_id=store.next_id, to=to, ledger=store.ledger
    )
    generator.settle_balances(store)
    return refund


def _order_item(record: dict[str, Any], amount: Decimal, reason: str) -> list[PricedItem]:
    return [price_item(record, {"item_type": "ORDER", "amount": amount, "reason": reason})]


def _settle(store: generator.GeneratedStore, record: dict[str, Any], when: datetime) -> None:
    """Capture or refund so the money kept matches the status (see audit.money_problems)."""
    order = record["order"]
    status, total = order["status_id"], order["total_inc_tax"]
    net = captured_total(record) - refunded_total(record)
    if status in PAID_STATUSES:
        if net < total:
            _capture(store, record, total - net, when)
        elif net > total:
            _refund(store, record, _order_item(record, net - total, "Order edited"), "Order edited", when)
    elif status in UNPAID_STATUSES and net > ZERO:
        reason = f"Order moved to {order['status']}"
        _refund(store, record, full_refund_items(record, reason), reason, when)
    elif status in (4, 14):
        if captured_total(record) == ZERO:
            _capture(store, record, total, when)
            net = total
        if status == 4 and net > ZERO:
            _refund(store, record, full_refund_items(record, "Order refunded"), "Order refunded", when)
        elif status == 14 and refunded_total(record) == ZERO:
            amount = max(CENT, (net / 10).quantize(CENT))
            _refund(store, record, _order_item(record, amount, "Partial refund"), "Partial refund", when)
        elif status == 14 and net <= ZERO:
            raise ValueError(f"order {order['id']} is fully refunded; it cannot be partially refunded")
    order["payment_status"] = _payment_status(record)


def _set_status(order: dict[str, Any], status_id: int) -> None:
    if status_id not in generator.STATUS_NAMES:
        raise ValueError(f"unknown status_id {status_id}")
    order.update(
        status_id=status_id,
        status=generator.STATUS_NAMES[status_id],
        custom_status=generator.STATUS_NAMES[status_id],
    )


def add_order(
    store: generator.GeneratedStore, *, seed: int, now: float, overrides: dict[str, Any] | None
) -> dict[str, Any]:
    """A new order created now; overrides may set status_id, customer_id, billing_address and plain fields."""
    changes = dict(overrides or {})
    order_id = max((r["order"]["id"] for r in store.orders), default=99) + 1
    rng = random.Random(f"{seed}-live-{order_id}")
    record = generator.build_order(
        rng,
        store,
        order_id=order_id,
        created=_now(now),
        status_id=int(changes.pop("status_id", 11)),
        customer_id=changes.pop("customer_id", None),
        live=True,
    )
    _apply_fields(record["order"], changes)
    store.orders.append(record)
    generator.settle_balances(store)  # a refund to store credit may have come with it
    return record


def _apply_fields(order: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if key == "billing_address":
            order["billing_address"] = {**order["billing_address"], **value}
        elif key in EDITABLE:
            order[key] = value
        else:
            raise ValueError(f"field {key!r} cannot be set this way")


def update_order(
    store: generator.GeneratedStore, record: dict[str, Any], changes: dict[str, Any], *, now: float
) -> None:
    """Edit an order like a merchant would; money is recomputed and payments settled to match."""
    order = record["order"]
    changes = dict(changes)
    lines = changes.pop("products", None)
    status_id = changes.pop("status_id", None)
    when = _now(now)
    if lines:
        if order["status_id"] in (4, 14) or refunded_total(record):
            raise ValueError(f"order {order['id']} has refunds; its lines cannot be edited")
        by_id = {line["id"]: line for line in record["products"]}
        for change in lines:
            line = by_id.get(change["id"])
            if line is None:
                raise ValueError(f"order {order['id']} has no product line {change['id']}")
            quantity = int(change["quantity"])
            if quantity < 0:
                raise ValueError("quantity cannot be negative")
            line["quantity"] = quantity
            line["quantity_shipped"] = min(line["quantity_shipped"], quantity)
        record["products"] = [line for line in record["products"] if line["quantity"] > 0]
        if not record["products"]:
            raise ValueError("an order needs at least one line")
        order["items_shipped"] = sum(line["quantity_shipped"] for line in record["products"])
        reprice(record, store.next_id)
    _apply_fields(order, changes)
    if status_id is not None:
        _set_status(order, int(status_id))
    if lines or status_id is not None:
        _settle(store, record, when)
    order["date_modified"] = when


def add_refund(
    store: generator.GeneratedStore,
    record: dict[str, Any],
    amount: Decimal | None,
    reason: str,
    *,
    now: float,
    items: list[dict[str, Any]] | None = None,
    to: str = "gateway",
) -> dict[str, Any]:
    """A v3 refund: of `items` ({item_type, item_id, quantity | amount}) when given, else of `amount` as an
    untaxed ORDER-level refund, else of everything still refundable; status becomes 4 or 14."""
    order = record["order"]
    if captured_total(record) - refunded_total(record) <= ZERO:
        raise ValueError(f"order {order['id']} has nothing left to refund")
    priced: list[PricedItem]
    if items:
        priced = []
        for spec in items:  # priced one by one against the refunds so far, so a part is not taken twice
            priced.append(price_item({**record, "refunds": record["refunds"] + _as_refund(priced)},
                                     {"reason": reason, **spec}))
    elif amount is not None:
        priced = _order_item(record, Decimal(amount), reason)
    else:
        priced = full_refund_items(record, reason)
    refund = _refund(store, record, priced, reason, _now(now), to)
    left = captured_total(record) - refunded_total(record)
    _set_status(order, 4 if left == ZERO else 14)
    order["payment_status"] = _payment_status(record)
    order["date_modified"] = _now(now)
    return refund


def _as_refund(priced: list[PricedItem]) -> list[dict[str, Any]]:
    """Items priced so far in this request, as a stand-in earlier refund."""
    return [{"items": [item for item, _, _ in priced]}] if priced else []


def add_transaction(
    store: generator.GeneratedStore,
    record: dict[str, Any],
    amount: Decimal,
    *,
    gateway: str,
    event: str,
    now: float,
) -> dict[str, Any]:
    """Append a transaction as a gateway would report it (no status change; the payment status follows the money
    captured, as `_payment_status` says for every other change)."""
    order = record["order"]
    tx = make_transaction(
        tx_id=store.next_id("transaction"),
        order_id=order["id"],
        event=event,
        amount=Decimal(amount),
        currency=order["currency_code"],
        gateway=gateway,
        when=_now(now),
    )
    record["transactions"].append(tx)
    if tx["method"] == "store_credit" and event in CAPTURE_EVENTS:
        order["store_credit_amount"] += tx["amount"]
    if tx["method"] == "gift_certificate" and event in CAPTURE_EVENTS:
        order["gift_certificate_amount"] += tx["amount"]
    order["payment_status"] = _payment_status(record)
    order["date_modified"] = _now(now)
    return tx
