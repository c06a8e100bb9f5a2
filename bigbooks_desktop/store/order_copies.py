"""The local copy of every order the sync read, beside what BigBooks wrote for it: what the window's orders and
invoices tables page through, so they never wait on BigCommerce or FreshBooks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from peewee import fn

from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.rows import OrderCopyRow

__all__ = ["OrderCopy", "OrderCopyState", "count_order_copies", "list_order_copies", "save_order_copy"]


class OrderCopyState(StrEnum):
    SYNCED = "synced"                      # its invoice is in FreshBooks and up to date
    NEEDS_ATTENTION = "needs_attention"    # waiting in the inbox (failed, flagged, drift)
    NOT_INVOICED = "not_invoiced"          # not an invoiceable status (pending, cancelled before sync...)
    HELD = "held"                          # left alone on purpose (undone, an ambiguous first-run match)
    VOIDED = "voided"                      # cancelled after sync: its invoice was reversed


@dataclass(frozen=True, slots=True)
class OrderCopy:
    order_id: int
    date_created: datetime
    date_modified: datetime
    status_id: int
    status: str
    customer: str
    email: str
    currency: str
    total: Decimal
    tax: Decimal
    refunded: Decimal
    invoice_id: int | None
    invoice_number: str | None
    invoice_amount: Decimal | None
    invoice_tax: Decimal | None
    state: OrderCopyState
    note: str
    updated_at: datetime | None = None


def _copy(row: OrderCopyRow) -> OrderCopy:
    return OrderCopy(order_id=row.order_id, date_created=row.date_created, date_modified=row.date_modified,
                     status_id=row.status_id, status=row.status, customer=row.customer, email=row.email,
                     currency=row.currency, total=row.total, tax=row.tax, refunded=row.refunded,
                     invoice_id=row.invoice_id, invoice_number=row.invoice_number,
                     invoice_amount=row.invoice_amount, invoice_tax=row.invoice_tax,
                     state=OrderCopyState(row.state), note=row.note, updated_at=row.updated_at)


def save_order_copy(copy: OrderCopy, *, now: datetime | None = None) -> None:
    """Insert or replace the order's copy. Invoice fields left None keep what the copy had (an order skipped
    as unchanged still shows its invoice)."""
    values = {k: v for k, v in asdict(copy).items() if k != "updated_at"}
    values["state"] = copy.state.value
    values["updated_at"] = now or utc_now()
    keep = [f for f in ("invoice_id", "invoice_number", "invoice_amount", "invoice_tax") if values[f] is None]
    existing = OrderCopyRow.get_or_none(OrderCopyRow.order_id == copy.order_id)
    if existing is not None:
        for name in keep:
            values[name] = getattr(existing, name)
    (OrderCopyRow.insert(**values)
     .on_conflict(conflict_target=[OrderCopyRow.order_id],
                  preserve=[getattr(OrderCopyRow, k) for k in values if k != "order_id"])
     .execute())


def _filtered(state: OrderCopyState | None, search: str):  # type: ignore[no-untyped-def]  # peewee query
    query = OrderCopyRow.select()
    if state is not None:
        query = query.where(OrderCopyRow.state == state.value)
    text = search.strip()
    if text:
        clauses = (fn.LOWER(OrderCopyRow.customer).contains(text.lower())
                   | fn.LOWER(OrderCopyRow.email).contains(text.lower())
                   | fn.LOWER(OrderCopyRow.invoice_number).contains(text.lower()))
        if text.isdigit():
            clauses = clauses | (OrderCopyRow.order_id == int(text))
        query = query.where(clauses)
    return query


def list_order_copies(*, offset: int = 0, limit: int = 100, state: OrderCopyState | None = None,
                      search: str = "") -> list[OrderCopy]:
    """One page, newest order first; `search` matches customer, email, invoice number or the order id."""
    query = _filtered(state, search).order_by(OrderCopyRow.date_created.desc(), OrderCopyRow.order_id.desc())
    return [_copy(row) for row in query.offset(max(0, offset)).limit(max(0, limit))]


def count_order_copies(*, state: OrderCopyState | None = None, search: str = "") -> int:
    return int(_filtered(state, search).count())
