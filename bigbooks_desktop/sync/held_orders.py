"""Orders a sync leaves alone, and why: invoices removed by undo (until released), first-run matches that are
ambiguous (waiting in the inbox); and the first-run matching of hand-entered invoices run before a first
sync or a backfill creates anything."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import ErrorKind, NotFoundError
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.store import error_queue
from bigbooks_desktop.store.cursors import get_cursor, set_cursor
from bigbooks_desktop.store.intents import IntentKind, pending_intents
from bigbooks_desktop.store.links import (
    OrderLink,
    OrderLinkStatus,
    find_order_link_by_invoice,
    forget_order,
    get_order_link,
    get_order_links,
)
from bigbooks_desktop.store.rows import ErrorRow, RunObjectRow
from bigbooks_desktop.store.runs import log_activity
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.first_run import FIRST_RUN_FINGERPRINT, FirstRunReport, match_existing_invoices
from bigbooks_desktop.sync.first_run import _link as link_hand_entered  # the matcher's own linking step

__all__ = ["AMBIGUITY_PAYLOAD_KEY", "RELEASED_STREAM", "ambiguous_match", "held_reason", "is_hand_entered",
           "match_hand_entered_invoices", "queue_released_orders", "released_orders", "settle_ambiguous_match",
           "undone_reason", "waiting_ambiguities"]

AMBIGUITY_PAYLOAD_KEY = "candidate_invoice_ids"    # what sync.first_run puts in the payload of its inbox rows
RELEASED_STREAM = "released_orders"   # cursor row holding released orders the next sync reads (ids, commas)


def released_orders() -> list[int]:
    """Orders released after an undo that the next sync reads again, whatever the cursor says."""
    value = get_cursor(RELEASED_STREAM) or ""
    return sorted({int(part) for part in value.split(",") if part.strip().isdigit()})


def queue_released_orders(order_ids: Sequence[int], *, keep_only: bool = False) -> None:
    """Add orders for the next sync to read (their modification time is older than the cursor);
    `keep_only` replaces the queue instead (the engine keeps the ones it could not finish)."""
    ids = set(order_ids) if keep_only else set(order_ids) | set(released_orders())
    set_cursor(RELEASED_STREAM, ",".join(str(i) for i in sorted(ids)))


def is_hand_entered(link: OrderLink | None) -> bool:
    """The order's invoice was entered by hand and linked by the first-run matching: never rewritten."""
    return link is not None and link.fingerprint == FIRST_RUN_FINGERPRINT


def _undoing_run(link: OrderLink) -> int | None:
    """The sync run that created the removed invoice (the run the user undid)."""
    if link.invoice_id is not None:
        row = (RunObjectRow.select(RunObjectRow.run)
               .where((RunObjectRow.object_kind == IntentKind.INVOICE.value)
                      & (RunObjectRow.object_id == link.invoice_id))
               .order_by(RunObjectRow.id.desc()).first())
        if row is not None:
            return int(row.run_id)
    return link.created_run


def undone_reason(link: OrderLink | None) -> str | None:
    """Why an order whose invoice was removed by undo is not synced, or None when it is not undone."""
    if link is None or link.status is not OrderLinkStatus.UNDONE:
        return None
    run = _undoing_run(link)
    if run is None:
        return (f"Order {link.order_id}: its invoice was removed by an undo; it is not synced again until "
                "released (`bigbooks undo RUN_ID --release-orders` with the undone run).")
    return (f"Order {link.order_id}: its invoice was removed by undoing sync run {run}; it is not synced again "
            f"until released (`bigbooks undo {run} --release-orders`).")


def ambiguous_match(order_id: int) -> error_queue.ErrorEntry | None:
    """The order's first-run ambiguity row while it waits for the user (a retry or an edit makes it `open`
    and due, and the order is synced again)."""
    entry = error_queue.active_error(order_id, error_queue.ErrorStage.VALIDATE)
    if entry is None or AMBIGUITY_PAYLOAD_KEY not in entry.payload:
        return None
    return entry if entry.status is error_queue.ErrorStatus.WAITING else None


def waiting_ambiguities() -> dict[int, int]:
    """Orders whose first-run ambiguity row waits for the user: order id -> inbox row id (one query)."""
    return {e.order_id: e.id for e in error_queue.list_errors(status=error_queue.ErrorStatus.WAITING,
                                                               limit=1_000_000)
            if e.order_id is not None and e.stage is error_queue.ErrorStage.VALIDATE
            and AMBIGUITY_PAYLOAD_KEY in e.payload}


def held_reason(order_id: int, link: OrderLink | None, ambiguities: dict[int, int] | None = None) -> str | None:
    """Why the sync leaves this order alone (undone, or an ambiguous first-run match waiting in the inbox);
    `ambiguities` is `waiting_ambiguities()` when the caller read it already."""
    reason = undone_reason(link)
    if reason is not None:
        return reason
    if link is None:
        if ambiguities is not None:
            error_id = ambiguities.get(order_id)
        else:
            entry = ambiguous_match(order_id)
            error_id = entry.id if entry is not None else None
        if error_id is not None:
            return (f"Order {order_id} may already be in FreshBooks, entered by hand (inbox problem "
                    f"{error_id}); it is not synced until you retry or resolve that problem.")
    return None


class _PolledOrders:
    """The BigCommerce client, with the orders this run already listed: the matching reads them from here
    instead of listing the store a second time."""

    def __init__(self, client: Any, orders: Sequence[bc.Order]) -> None:
        self._client = client
        self._orders = orders

    async def iter_orders(self, *, modified_since: datetime | None = None) -> AsyncIterator[bc.Order]:
        for order in self._orders:
            if modified_since is None or order.date_modified >= modified_since:
                yield order

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _never_seen(orders: Sequence[bc.Order], profile: MappingProfile) -> list[bc.Order]:
    """Invoiceable orders no sync has handled yet: no link and no inbox row, past or present (an order a
    run has already looked at went through the matching then, or came after BigBooks was installed)."""
    candidates = [o for o in orders if is_invoiceable(o, profile)]
    linked = get_order_links(o.id for o in candidates)
    ids = [o.id for o in candidates if o.id not in linked]
    seen: set[int | None] = set()
    for start in range(0, len(ids), 500):
        rows = ErrorRow.select(ErrorRow.order_id).where(ErrorRow.order_id.in_(ids[start:start + 500]))
        seen.update(r.order_id for r in rows)
    fresh = set(ids) - seen
    return [o for o in candidates if o.id in fresh]


async def match_hand_entered_invoices(ctx: SyncContext, polled: Sequence[bc.Order]) -> FirstRunReport | None:
    """Link the invoices the merchant entered by hand to the polled orders (sync.first_run) before the run
    creates anything. FreshBooks invoices are listed once, and only when some polled order was never seen
    by a sync (None otherwise: nothing to match); the orders are the ones already listed.

    An invoice matched by number for an order with a pending invoice intent is this app's own (a run was
    stopped after FreshBooks created it): its link is dropped so the exactly-once protocol recovers it."""
    fresh = _never_seen(polled, ctx.profile)
    if not fresh:
        return None
    pending = {i.order_id for i in pending_intents(kind=IntentKind.INVOICE) if i.order_id is not None}
    listed: Any = _PolledOrders(ctx.bigcommerce, fresh)    # duck-typed like the engine's clients
    report = await match_existing_invoices(
        bigcommerce=listed, freshbooks=ctx.freshbooks, profile=ctx.profile,
        store_timezone=ctx.store_timezone, run_id=ctx.run_id)
    ours = [m.order_id for m in report.matched if m.order_id in pending and m.method == "invoice_number"]
    current = get_order_links(ours)
    for order_id in ours:
        if is_hand_entered(current.get(order_id)):
            forget_order(order_id)
    hand = [m for m in report.matched if m.order_id not in ours]
    if hand:
        ctx.count("first_run_matched", len(hand))
        log_activity(f"First sync: {len(hand)} invoice(s) entered by hand in FreshBooks linked to their orders "
                     "instead of being created again.", run_id=ctx.run_id)
    if report.ambiguous:
        ctx.count("first_run_ambiguous", len(report.ambiguous))
        log_activity(f"First sync: {len(report.ambiguous)} order(s) may match invoices entered by hand; they "
                     "wait in the inbox.", run_id=ctx.run_id)
    for problem in report.problems:
        log_activity(f"First sync: {problem}", run_id=ctx.run_id)
    return report


async def settle_ambiguous_match(ctx: SyncContext, order: bc.Order, edits: dict[str, Any]) -> \
        OrderLink | str | None:
    """An order with a first-run ambiguity row, synced again because the user retried it: the invoice the
    user picked (edit {"invoice_id": N}), or the one candidate still active and unlinked, is linked as
    hand-entered (returns the link); with several still there the row waits again (returns why); with
    none left (the user deleted them) returns None and the order is invoiced as usual."""
    entry = error_queue.active_error(order.id, error_queue.ErrorStage.VALIDATE)
    if entry is None or AMBIGUITY_PAYLOAD_KEY not in entry.payload:
        return None
    picked = edits.get("invoice_id")
    ids = [int(picked)] if picked is not None else [int(i) for i in entry.payload[AMBIGUITY_PAYLOAD_KEY]]
    alive: list[fb.Invoice] = []
    for invoice_id in ids:
        try:
            invoice = await ctx.freshbooks.get_invoice(invoice_id)
        except NotFoundError:
            continue
        other = find_order_link_by_invoice(invoice.id)
        if invoice.vis_state == 0 and (other is None or other.order_id == order.id):
            alive.append(invoice)
    if len(alive) == 1:
        problems: list[str] = []
        await link_hand_entered(order, alive[0], "picked" if picked is not None else "last_candidate",
                                ctx.profile, bigcommerce=ctx.bigcommerce, freshbooks=ctx.freshbooks,
                                timezone=ctx.store_timezone, run_id=ctx.run_id, problems=problems)
        for problem in problems:
            log_activity(f"Order {order.id}: {problem}", run_id=ctx.run_id, order_id=order.id)
        log_activity(f"Order {order.id} linked to invoice {alive[0].invoice_number} entered by hand.",
                     run_id=ctx.run_id, order_id=order.id)
        return get_order_link(order.id)
    if picked is not None:
        why = (f"Invoice {picked}, picked for order {order.id}, is not an active FreshBooks invoice free to "
               "link. Pick another (edit {\"invoice_id\": N}), or remove the edit to let BigBooks create one.")
    elif alive:
        numbers = ", ".join(f"{i.invoice_number} (id {i.id})" for i in alive)
        why = (f"Order {order.id} may already be in FreshBooks, entered by hand: {numbers}. Pick the right one "
               "(edit {\"invoice_id\": N}) or delete the extra ones in FreshBooks, then retry; BigBooks did not "
               "create an invoice so as not to duplicate one.")
    else:
        return None
    error_queue.record_error(order.id, error_queue.ErrorStage.VALIDATE, error_queue.ErrorDetails(
        kind=ErrorKind.VALIDATION, title="Possible hand-entered invoice", message=why,
        cause={"code": "ambiguous_invoice", "invoice_ids": [i.id for i in alive] or ids}),
        run_id=ctx.run_id, transient=False)
    return why
