"""How a run reads its orders from BigCommerce with as few calls as the published API allows.

- **The list carries the order.** `GET /v2/orders?include=consignments.line_items,fees&consignment_structure=
  object` (orders.v2.oas2.yml `order_includes`; `connectors.bigcommerce.consignments`) brings each order's
  header, product lines, shipping addresses and fees, 250 orders a call. An order whose payload cannot be read
  comes as an `UnreadableOrder` with its payload: it goes to the inbox (`unreadable_entry`), the rest of its
  page is synced.
- **Per run, not per order.** The refunds of every order the run works on are read store-wide
  (`GET /v3/orders/payment_actions/refunds?order_id:in=...`, 250 orders a call) and the shoppers' customer
  records in batches (`GET /v3/customers?id:in=...&include=addresses`, 250 a call), before the orders are
  processed (`prefetch`).
- **Per order, only what the list cannot carry** (`read_order` -> `BigCommerceClient.complete_order`):
  transactions when money may have moved, taxes when the order is taxed, coupons when it has a coupon
  discount (their codes and types are not all in the lines' `applied_discounts`).

An order the run did not list (an inbox retry, an order released after an undo) is read as before, by id
(`get_order_detail`: header and every sub-resource it needs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.bc_listing import ListedOrder, UnreadableOrder
from bigbooks_desktop.core.errors import UnreadableDataError
from bigbooks_desktop.store.error_queue import ErrorEntry, ErrorStage, record_error
from bigbooks_desktop.store.runs import log_activity
from bigbooks_desktop.sync.context import SyncContext

__all__ = ["list_orders", "prefetch", "read_order", "unreadable_entry"]


async def list_orders(ctx: SyncContext, *, modified_since: datetime) -> tuple[list[bc.Order],
                                                                               list[UnreadableOrder]]:
    """The orders modified since `modified_since`, oldest change first (each one's list record kept in
    `ctx.listed`), and the ones whose payload cannot be read."""
    polled: list[bc.Order] = []
    unreadable: list[UnreadableOrder] = []
    async for item in ctx.bigcommerce.iter_listed_orders(modified_since=modified_since):
        if isinstance(item, UnreadableOrder):
            unreadable.append(item)
        else:
            ctx.listed[item.id] = item
            polled.append(item.order)
    return polled, unreadable


async def prefetch(ctx: SyncContext, order_ids: Iterable[int]) -> None:
    """Read, for the listed orders among `order_ids`, every refund (store-wide, by order id) and the customer
    records not read yet (in batches), so no order reads either on its own."""
    listed = [ctx.listed[i] for i in order_ids if i in ctx.listed]
    if not listed:
        return
    refunds: dict[int, list[bc.Refund]] = {o.id: [] for o in listed}
    async for refund in ctx.bigcommerce.iter_store_refunds(order_ids=sorted(refunds)):
        refunds.setdefault(refund.order_id, []).append(refund)
    ctx.refunds.update(refunds)
    wanted = {o.order.customer_id for o in listed if o.order.customer_id > 0} - set(ctx.customers)
    if wanted:
        found = await ctx.bigcommerce.get_customers(sorted(wanted))
        for customer_id in wanted:
            ctx.customers[customer_id] = found.get(customer_id)       # None: not (or no longer) a customer


async def read_order(ctx: SyncContext, order: bc.Order | int, *, invoiced: bool) -> bc.OrderDetail:
    """The order with everything the mapping reads: from its list record when the run listed it (reading only
    what the list cannot carry), else by id or header.

    A listed order's transactions are skipped when its `payment_status` says no money was taken
    (`consignments.money_may_have_moved`), except for an order already `invoiced`: a payment taken after its
    invoice must not wait on BigCommerce changing the payment status (whether it always does is not
    documented), so a changed invoiced order always has its transactions read."""
    listed = ctx.listed.get(order.id) if isinstance(order, bc.Order) else None
    if listed is not None and listed.order is order:
        return await ctx.bigcommerce.complete_order(listed, refunds=_refunds(ctx, listed),
                                                    transactions=True if invoiced else None)
    return await ctx.bigcommerce.get_order_detail(order)


def _refunds(ctx: SyncContext, listed: ListedOrder) -> Sequence[bc.Refund] | None:
    """The order's refunds when `prefetch` read them (None: the client reads them for this order)."""
    return ctx.refunds.get(listed.id)


def unreadable_entry(ctx: SyncContext, item: UnreadableOrder) -> ErrorEntry | None:
    """An order BigCommerce listed with data BigBooks cannot read, put in the inbox with the payload as sent
    (None on a dry run, which writes nothing). Retrying it reads the order again by id."""
    if ctx.dry_run:
        return None
    error = item.error if isinstance(item.error, UnreadableDataError) else UnreadableDataError(
        item.message, service="BigCommerce", resource="order", record_id=item.order_id)
    entry = record_error(item.order_id, ErrorStage.INGEST, error, {"order": item.payload}, run_id=ctx.run_id,
                         policy=ctx.retry_policy)
    ctx.count("orders_failed")
    log_activity(f"Order {item.order_id if item.order_id is not None else '(no id)'} needs attention "
                 f"(ingest): {entry.message}", run_id=ctx.run_id, order_id=item.order_id)
    return entry
