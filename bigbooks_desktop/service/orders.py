"""The facade's orders: pages of the local copy the sync keeps (store.order_copies), never a live API call:
the first simple listing, and the side-by-side screen's filtered, sorted pages, positions and detail."""

from __future__ import annotations

import asyncio

from bigbooks_desktop.accounts.connections import load_connections
from bigbooks_desktop.core.errors import NotFoundError
from bigbooks_desktop.core.order_views import (
    OrderDetailView,
    OrderPageView,
    OrderQuery,
    OrderRowState,
    OrderRowView,
    OrderState,
    StatedOrderPageView,
    StatedOrderView,
)
from bigbooks_desktop.service.order_detail import build_order_detail
from bigbooks_desktop.store.order_copies import (
    OrderCopy,
    OrderCopyFilter,
    OrderCopyState,
    count_order_copies,
    count_order_copy_page,
    get_order_copy,
    list_order_copies,
    order_copy_currencies,
    order_copy_page,
    order_copy_position,
)

__all__ = ["OrderPages"]


def _view(copy: OrderCopy) -> OrderRowView:
    return OrderRowView(order_id=copy.order_id, date_created=copy.date_created, date_modified=copy.date_modified,
                        status_id=copy.status_id, status=copy.status, customer=copy.customer, email=copy.email,
                        currency=copy.currency, total=copy.total, tax=copy.tax, refunded=copy.refunded,
                        invoice_id=copy.invoice_id, invoice_number=copy.invoice_number,
                        invoice_amount=copy.invoice_amount, invoice_tax=copy.invoice_tax,
                        state=OrderRowState(copy.state.value), note=copy.note, updated_at=copy.updated_at)


def _stated(copy: OrderCopy) -> StatedOrderView:
    return StatedOrderView(_view(copy), OrderState(copy.shown_state))


def _filter(query: OrderQuery) -> OrderCopyFilter:
    return OrderCopyFilter(states=tuple(sorted(s.value for s in query.states)), since=query.since,
                           until=query.until, currency=query.currency.strip(), search=query.search,
                           invoiced_only=query.invoiced_only)


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

    async def order_page(self, query: OrderQuery, *, offset: int = 0, limit: int = 200,
                         with_total: bool = True) -> StatedOrderPageView:
        """One page of the side-by-side tables: filtered and sorted in SQL on native values, so pages and order
        agree however far one scrolls. `with_total=False` skips the count (later pages of one query; `total`
        is then -1)."""
        where = _filter(query)

        def read() -> StatedOrderPageView:
            rows = order_copy_page(where, sort=query.sort.value, descending=query.descending, offset=offset,
                                   limit=limit)
            total = count_order_copy_page(where) if with_total else -1
            return StatedOrderPageView(rows=tuple(_stated(r) for r in rows), offset=offset, total=total)

        return await asyncio.to_thread(read)

    async def locate_order(self, query: OrderQuery, order_id: int) -> int | None:
        """The order's row (0-based) under `query`'s filters and sort, or None when they leave it out."""
        where = _filter(query)
        return await asyncio.to_thread(order_copy_position, where, order_id, sort=query.sort.value,
                                       descending=query.descending)

    async def order_currencies(self) -> tuple[str, ...]:
        """The currencies of the orders in the local copy (for the currency filter)."""
        return tuple(await asyncio.to_thread(order_copy_currencies))

    async def order_detail(self, order_id: int) -> OrderDetailView:
        """Both records of one order line by line, their comparisons with the reason for each difference, and
        the order's and invoice's addresses. NotFoundError when the sync never read the order."""

        def read() -> OrderDetailView:
            copy = get_order_copy(order_id)
            if copy is None:
                raise NotFoundError(f"Order {order_id} is not in the local copy: the next sync reads it.",
                                    title="Order not found")
            return build_order_detail(_stated(copy), copy.detail, connections=load_connections())

        return await asyncio.to_thread(read)
