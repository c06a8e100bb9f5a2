"""The local copy of every order the sync read, beside what BigBooks wrote for it: what the window's orders and
invoices tables page through, so they never wait on BigCommerce or FreshBooks.

Pages are filtered and sorted in SQL on native values (numbers as numbers, times as times) so paging and
sorting agree on 100,000 copies; the sort expressions here are the ones migration step 4 indexes. An order's
shown state (synced, waiting, failed, skipped, drift, undone) is worked out at read time from the copy and the
engine's live records (the inbox, the order links), so undoing a run or ignoring a problem shows at once.
"""

# The SQL below is built from this module's constants only (SORT_KEYS is a whitelist checked before use); every
# value a user typed is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from peewee import fn

from bigbooks_desktop.store import statements
from bigbooks_desktop.store.db import current_database
from bigbooks_desktop.store.fields import from_utc_text, to_utc_text, utc_now
from bigbooks_desktop.store.rows import OrderCopyRow

__all__ = [
    "SHOWN_STATES",
    "SORT_KEYS",
    "OrderCopy",
    "OrderCopyFilter",
    "OrderCopyState",
    "count_order_copies",
    "count_order_copy_page",
    "get_order_copy",
    "list_order_copies",
    "order_copy_currencies",
    "order_copy_page",
    "order_copy_position",
    "save_order_copy",
]


class OrderCopyState(StrEnum):
    SYNCED = "synced"                      # its invoice is in FreshBooks and up to date
    NEEDS_ATTENTION = "needs_attention"    # waiting in the inbox (failed, flagged, drift)
    NOT_INVOICED = "not_invoiced"          # not an invoiceable status (pending, cancelled before sync...)
    HELD = "held"                          # left alone on purpose (undone, an ambiguous first-run match)
    VOIDED = "voided"                      # cancelled after sync: its invoice was reversed


SHOWN_STATES = ("synced", "waiting", "failed", "skipped", "drift", "undone")

# The shown state, first match wins: an undone run or a drifted link beats everything; then the inbox (open =
# failed, retrying or waiting = waiting); then what the sync last did. A copy that needed attention but has no
# active inbox row any more was ignored by the user (skipped), unless the run was paused (waiting).
_SHOWN = """CASE
 WHEN c.order_id IN (SELECT order_id FROM order_link WHERE status = 'undone') THEN 'undone'
 WHEN c.order_id IN (SELECT order_id FROM order_link WHERE status = 'drift') THEN 'drift'
 WHEN c.order_id IN (SELECT order_id FROM error WHERE status = 'open' AND order_id IS NOT NULL) THEN 'failed'
 WHEN c.order_id IN (SELECT order_id FROM error WHERE status IN ('retrying', 'waiting')
                     AND order_id IS NOT NULL) THEN 'waiting'
 WHEN c.state = 'synced' THEN 'synced'
 WHEN c.state = 'voided' THEN 'undone'
 WHEN c.state = 'needs_attention' AND c.outcome = 'paused' THEN 'waiting'
 WHEN c.state = 'needs_attention' AND c.outcome = 'drift' THEN 'drift'
 ELSE 'skipped' END"""

# Sort key -> ORDER BY expressions (ascending); each matches an index of migration step 4 except the computed
# ones (state, difference), which SQLite sorts with a top-N sorter.
SORT_KEYS: Mapping[str, tuple[str, ...]] = {
    "order_id": (),
    "date_created": ("c.date_created",),
    "status": ("c.status COLLATE NOCASE",),
    "customer": ("c.customer COLLATE NOCASE",),
    "email": ("c.email COLLATE NOCASE",),
    "currency": ("c.currency",),
    "total": ('CAST(c.total AS REAL)',),
    "refunded": ('CAST(c.refunded AS REAL)',),
    "invoice_number": ("length(c.invoice_number)", "c.invoice_number"),
    "invoice_amount": ('CAST(c.invoice_amount AS REAL)',),
    "difference": ('CAST(c.invoice_amount AS REAL) - CAST(c.total AS REAL)',),
    "state": ("shown",),
}

_LIST_COLUMNS = ("order_id, date_created, date_modified, status_id, status, customer, email, currency, total, "
                 "tax, refunded, invoice_id, invoice_number, invoice_amount, invoice_tax, state, note, "
                 "updated_at, outcome")


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
    outcome: str = ""                                        # the pipeline's result word (synced, failed...)
    detail: dict[str, Any] = field(default_factory=dict)    # {"order": {...}, "invoice": {...} | None}
    shown_state: str = ""                                    # one of SHOWN_STATES; filled by reads only


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCopyFilter:
    """Which copies a page holds. Times are aware; `until` is exclusive; `search` matches the order id, the
    invoice number, the customer or the email (case-insensitive, anywhere in the text)."""

    states: tuple[str, ...] = ()          # shown states; empty = all
    since: datetime | None = None
    until: datetime | None = None
    currency: str = ""
    search: str = ""
    invoiced_only: bool = False


def _copy(row: OrderCopyRow) -> OrderCopy:
    return OrderCopy(order_id=row.order_id, date_created=row.date_created, date_modified=row.date_modified,
                     status_id=row.status_id, status=row.status, customer=row.customer, email=row.email,
                     currency=row.currency, total=row.total, tax=row.tax, refunded=row.refunded,
                     invoice_id=row.invoice_id, invoice_number=row.invoice_number,
                     invoice_amount=row.invoice_amount, invoice_tax=row.invoice_tax,
                     state=OrderCopyState(row.state), note=row.note, updated_at=row.updated_at,
                     outcome=row.outcome, detail=row.detail)


def _money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _from_tuple(values: Sequence[Any], shown: str) -> OrderCopy:
    (order_id, created, modified, status_id, status, customer, email, currency, total, tax, refunded,
     invoice_id, invoice_number, invoice_amount, invoice_tax, state, note, updated_at, outcome) = values
    return OrderCopy(order_id=order_id, date_created=from_utc_text(created), date_modified=from_utc_text(modified),
                     status_id=status_id, status=status, customer=customer, email=email, currency=currency,
                     total=Decimal(total), tax=Decimal(tax), refunded=Decimal(refunded), invoice_id=invoice_id,
                     invoice_number=invoice_number, invoice_amount=_money(invoice_amount),
                     invoice_tax=_money(invoice_tax), state=OrderCopyState(state), note=note,
                     updated_at=from_utc_text(updated_at) if updated_at else None, outcome=outcome,
                     shown_state=shown)


def save_order_copy(copy: OrderCopy, *, now: datetime | None = None) -> None:
    """Insert or replace the order's copy. Invoice fields left None keep what the copy had (an order skipped
    as unchanged still shows its invoice), and so does the invoice side of `detail`."""
    # shallow: asdict() would deep-copy `detail` (both records line by line) only to encode it as JSON below
    values = {f.name: getattr(copy, f.name) for f in fields(copy) if f.name not in ("updated_at", "shown_state")}
    values["state"] = copy.state.value
    values["updated_at"] = now or utc_now()
    keep = [f for f in ("invoice_id", "invoice_number", "invoice_amount", "invoice_tax") if values[f] is None]
    existing = statements.select_one(OrderCopyRow, '"order_id" = ?', (copy.order_id,))
    if existing is not None:
        for name in keep:
            values[name] = getattr(existing, name)
        detail = dict(values["detail"])
        if detail.get("invoice") is None and existing.detail.get("invoice") is not None:
            detail["invoice"] = existing.detail["invoice"]
        if not detail.get("order") and existing.detail.get("order"):
            detail["order"] = existing.detail["order"]
        values["detail"] = detail
    statements.upsert(OrderCopyRow, values, conflict=("order_id",), update=tuple(k for k in values
                                                                               if k != "order_id"))


# -- the first, simple listing (newest first, stored state) ---------------------------------------------------

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


# -- pages for the side-by-side tables: filters, shown state and sorting in SQL -------------------------------

def _sql(sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    cursor: sqlite3.Cursor = current_database().execute_sql(sql, list(params))  # type: ignore[no-untyped-call]
    return cursor                                                               # (peewee's stubs leave it untyped)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(where: OrderCopyFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if where.states:
        unknown = set(where.states) - set(SHOWN_STATES)
        if unknown:
            raise ValueError(f"unknown order states {sorted(unknown)}")
        clauses.append(f"shown IN ({', '.join('?' for _ in where.states)})")
        params.extend(where.states)
    if where.since is not None:
        clauses.append("c.date_created >= ?")
        params.append(to_utc_text(where.since))
    if where.until is not None:
        clauses.append("c.date_created < ?")
        params.append(to_utc_text(where.until))
    if where.currency:
        clauses.append("c.currency = ?")
        params.append(where.currency.upper())
    if where.invoiced_only:
        clauses.append("c.invoice_id IS NOT NULL")
    text = where.search.strip()
    if text:
        pattern = _like(text)
        parts = ["c.customer LIKE ? ESCAPE '\\'", "c.email LIKE ? ESCAPE '\\'",
                 "c.invoice_number LIKE ? ESCAPE '\\'"]
        params.extend([pattern] * 3)
        digits = text.lstrip("#")
        if digits.isdigit():
            parts.append("c.order_id = ?")
            params.append(int(digits))
        clauses.append(f"({' OR '.join(parts)})")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _order_by(sort: str, descending: bool) -> str:
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}")
    direction = " DESC" if descending else ""
    return ", ".join([f"{e}{direction}" for e in SORT_KEYS[sort]] + [f"c.order_id{direction}"])


def _source(where: OrderCopyFilter) -> tuple[str, list[Any]]:
    """The filtered copies with their shown state, as a subquery (the state only computed when it is needed:
    the plain listing walks an index and stops after the page)."""
    condition, params = _where(where)
    return f"(SELECT c.*, {_SHOWN} AS shown FROM order_copy c) AS c{condition}", params


def order_copy_page(where: OrderCopyFilter, *, sort: str = "date_created", descending: bool = True,
                    offset: int = 0, limit: int = 200) -> list[OrderCopy]:
    """One page of copies (without their `detail`), in `sort` order with the order id as tie-breaker."""
    source, params = _source(where)
    sql = (f"SELECT {', '.join('c.' + n.strip() for n in _LIST_COLUMNS.split(','))}, c.shown FROM {source} "
           f"ORDER BY {_order_by(sort, descending)} LIMIT ? OFFSET ?")
    cursor = _sql(sql, [*params, max(0, limit), max(0, offset)])
    return [_from_tuple(row[:-1], row[-1]) for row in cursor.fetchall()]


def count_order_copy_page(where: OrderCopyFilter) -> int:
    source, params = _source(where)
    row = _sql(f"SELECT COUNT(*) FROM {source}", params).fetchone()
    return int(row[0]) if row else 0


def order_copy_position(where: OrderCopyFilter, order_id: int, *, sort: str = "date_created",
                        descending: bool = True) -> int | None:
    """Where the order stands (0-based) in that filter and order, or None when the filter leaves it out."""
    source, params = _source(where)
    sql = (f"SELECT n FROM (SELECT c.order_id AS order_id, ROW_NUMBER() OVER (ORDER BY "
           f"{_order_by(sort, descending)}) - 1 AS n FROM {source}) WHERE order_id = ?")
    row = _sql(sql, [*params, order_id]).fetchone()
    return None if row is None else int(row[0])


def get_order_copy(order_id: int) -> OrderCopy | None:
    """One copy with its `detail` and shown state."""
    row = OrderCopyRow.get_or_none(OrderCopyRow.order_id == order_id)
    if row is None:
        return None
    source, params = _source(OrderCopyFilter())
    shown = _sql(f"SELECT c.shown FROM {source} WHERE c.order_id = ?",
                                           [*params, order_id]).fetchone()
    copy = _copy(row)
    return OrderCopy(**{**{k: getattr(copy, k) for k in copy.__dataclass_fields__},
                        "shown_state": shown[0] if shown else ""})


def order_copy_currencies() -> list[str]:
    cursor = _sql('SELECT DISTINCT currency FROM order_copy ORDER BY currency')
    return [str(row[0]) for row in cursor.fetchall()]
