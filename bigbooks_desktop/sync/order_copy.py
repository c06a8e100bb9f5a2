"""An order's local copy (store.order_copies) from what the pipeline read and did, after every order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.store.order_copies import OrderCopy, OrderCopyState

if TYPE_CHECKING:
    from bigbooks_desktop.sync.order_pipeline import OrderOutcome

__all__ = ["InvoiceFacts", "order_copy"]

_STATES = {"synced": OrderCopyState.SYNCED, "unchanged": OrderCopyState.SYNCED,
           "ineligible": OrderCopyState.NOT_INVOICED, "skipped": OrderCopyState.HELD,
           "voided": OrderCopyState.VOIDED}


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """The invoice BigBooks wrote or kept for the order: id, number, amount and tax (FreshBooks' figures)."""

    invoice_id: int
    number: str | None
    amount: Decimal
    tax: Decimal


def order_copy(detail: bc.OrderDetail, outcome: OrderOutcome, invoice: InvoiceFacts | None) -> OrderCopy:
    order = detail.order
    currency = order.transaction_currency
    address = order.billing_address
    customer = " ".join(filter(None, [address.first_name.strip(), address.last_name.strip()]))
    state = _STATES.get(outcome.result, OrderCopyState.NEEDS_ATTENTION)
    return OrderCopy(
        order_id=order.id, date_created=order.date_created, date_modified=order.date_modified,
        status_id=order.status_id, status=order.custom_status or order.status, customer=customer or
        address.company.strip(), email=address.email.strip(), currency=currency,
        total=quantize(order.total_inc_tax, currency), tax=quantize(order.total_tax, currency),
        refunded=quantize(sum((r.total_amount for r in detail.refunds), Decimal(0)), currency),
        invoice_id=invoice.invoice_id if invoice else None, invoice_number=invoice.number if invoice else None,
        invoice_amount=invoice.amount if invoice else None, invoice_tax=invoice.tax if invoice else None,
        state=state, note="" if state is OrderCopyState.SYNCED else outcome.message)
