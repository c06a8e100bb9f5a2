"""What the dashboard adds up, read in a few queries: the runs started since a moment, and the invoices runs
created since then that are still the orders' live invoices (with FreshBooks' amount from the order copy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

from peewee import chunked

from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import OrderLinkStatus
from bigbooks_desktop.store.rows import OrderCopyRow, OrderLinkRow, RunObjectRow, SyncRunRow
from bigbooks_desktop.store.runs import RunCounts, RunId, RunMode, RunStatus, SyncRun

__all__ = ["CreatedInvoice", "OrderFacts", "invoices_created_since", "order_facts", "runs_started_since"]


@dataclass(frozen=True, slots=True)
class CreatedInvoice:
    run_id: int
    order_id: int
    invoice_id: int
    created_at: datetime
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """When an order was placed and by whom, from its local copy."""

    order_id: int
    date_created: datetime
    customer: str


def order_facts(order_ids: Iterable[int]) -> dict[int, OrderFacts]:
    """The local copies' dates and customers of these orders (orders never copied are missing)."""
    found: dict[int, OrderFacts] = {}
    for batch in chunked(list(order_ids), 500):
        query = (OrderCopyRow.select(OrderCopyRow.order_id, OrderCopyRow.date_created, OrderCopyRow.customer)
                 .where(OrderCopyRow.order_id.in_(batch)).tuples())
        rows = cast("Iterable[tuple[int, datetime, str]]", query)   # the stubs type rows as model instances
        for order_id, created, customer in rows:
            found[int(order_id)] = OrderFacts(order_id=int(order_id), date_created=created, customer=str(customer))
    return found


def runs_started_since(since: datetime) -> list[SyncRun]:
    """Every run started at or after `since`, oldest first."""
    query = SyncRunRow.select().where(SyncRunRow.started_at >= since).order_by(SyncRunRow.id)
    return [SyncRun(id=RunId(row.id), mode=RunMode(row.mode), status=RunStatus(row.status),
                    started_at=row.started_at, finished_at=row.finished_at, counts=RunCounts.from_json(row.counts),
                    error=row.error, pid=row.pid) for row in query]


def invoices_created_since(since: datetime) -> list[CreatedInvoice]:
    """Invoices runs created at or after `since` that are still their orders' invoices (not undone, not
    replaced), with the amount FreshBooks gave them; oldest first."""
    query = (RunObjectRow
             .select(RunObjectRow.run, RunObjectRow.order_id, RunObjectRow.object_id, RunObjectRow.created_at,
                     OrderCopyRow.currency, OrderCopyRow.invoice_amount)
             .join(OrderLinkRow, on=(OrderLinkRow.order_id == RunObjectRow.order_id))
             .join(OrderCopyRow, on=(OrderCopyRow.order_id == RunObjectRow.order_id))
             .where((RunObjectRow.object_kind == IntentKind.INVOICE.value) & (RunObjectRow.created_at >= since)
                    & (OrderLinkRow.invoice_id == RunObjectRow.object_id)
                    & (OrderLinkRow.status != OrderLinkStatus.UNDONE.value)
                    & OrderCopyRow.invoice_amount.is_null(False))
             .order_by(RunObjectRow.id).tuples())
    # .tuples() yields the fields' Python values; the peewee stubs type every query's rows as model instances
    rows = cast("Iterable[tuple[int, int, int, datetime, str, Decimal]]", query)
    return [CreatedInvoice(run_id=int(run), order_id=int(order), invoice_id=int(invoice), created_at=created,
                           currency=str(currency), amount=amount)
            for run, order, invoice, created, currency, amount in rows]
