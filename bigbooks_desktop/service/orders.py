"""The facade's orders: pages of the local copy the sync keeps (store.order_copies), never a live API call."""

from __future__ import annotations

import asyncio

from bigbooks_desktop.core.order_views import OrderPageView, OrderRowState, OrderRowView
from bigbooks_desktop.store.order_copies import (
    OrderCopy,
    OrderCopyState,
    count_order_copies,
    list_order_copies,
)

__all__ = ["OrderPages"]


def _view(copy: OrderCopy) -> OrderRowView:
    return OrderRowView(order_id=copy.order_id, date_created=copy.date_created, date_modified=copy.date_modified,
                        status_id=copy.status_id, status=copy.status, customer=copy.customer, email=copy.email,
                        currency=copy.currency, total=copy.total, tax=copy.tax, refunded=copy.refunded,
                        invoice_id=copy.invoice_id, invoice_number=copy.invoice_number,
                        invoice_amount=copy.invoice_amount, invoice_tax=copy.invoice_tax,
                        state=OrderRowState(copy.state.value), note=copy.note, updated_at=copy.updated_at)


class OrderPages:
    """Mixin of BigBooksService: the orders tables' data."""

    async def list_orders(self, *, offset: int = 0, limit: int = 100, state: OrderRowState | None = None,
                          search: str = "") -> OrderPageView:
        """One page of orders beside their invoices, newest first; `search` matches customer, email, invoice
        number or order id. Read from the local copy on a worker thread (the caller's loop only awaits)."""
        wanted = OrderCopyState(state.value) if state is not None else None

        def read() -> OrderPageView:
            rows = list_order_copies(offset=offset, limit=limit, state=wanted, search=search)
            return OrderPageView(rows=tuple(_view(r) for r in rows), offset=offset,
                                 total=count_order_copies(state=wanted, search=search))

        return await asyncio.to_thread(read)
