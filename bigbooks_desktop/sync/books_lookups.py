"""Looking things up in FreshBooks once per run instead of once per order, where that costs fewer calls.

Before a client or an item is created, FreshBooks is asked whether it already has one (by email, by SKU), so
nothing is created twice: one `find_client_by_email` / `find_item_by_sku` call per new shopper or SKU
(`sync.references`). A run that meets many of them (a first sync, a backfill) reads the account's active clients
or items instead, 100 a call, when that takes fewer calls than the lookups would (`read_snapshot`: the first
page says how many pages there are; more pages than lookups and the per-entity lookups are kept).

The snapshot answers for `SNAPSHOT_FRESH` after it was read; later (a long backfill) each lookup asks FreshBooks
again, so a client or item added by hand meanwhile is found rather than duplicated. What the local links know
(`store.links`: clients and items BigBooks created or matched before) is never looked up at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.mapping.clients import client_key
from bigbooks_desktop.store.links import find_client_link, find_item_link
from bigbooks_desktop.sync.context import SyncContext

__all__ = ["SNAPSHOT_FRESH", "BooksSnapshot", "find_client", "find_item", "read_snapshot", "remember_client",
           "remember_item"]

SNAPSHOT_FRESH = 15 * 60.0          # seconds a snapshot answers for


@dataclass
class BooksSnapshot:
    """Active clients by email (case-folded) and items by SKU, as read at `read_at` (monotonic seconds); None
    where the run looks each up on its own."""

    clients: dict[str, fb.Client] | None = None
    items: dict[str, fb.Item] | None = None
    read_at: float = field(default_factory=time.monotonic)

    @property
    def fresh(self) -> bool:
        return time.monotonic() - self.read_at < SNAPSHOT_FRESH


async def read_snapshot(ctx: SyncContext, order_ids: Iterable[int]) -> None:
    """Read the account's clients and/or items when the listed orders among `order_ids` have more new shoppers
    or SKUs (no local link) than the pages the lists take."""
    listed = [ctx.listed[i] for i in order_ids if i in ctx.listed]
    keys = {client_key(bc.OrderDetail(order=o.order)) for o in listed}
    new_clients = sum(1 for key in keys if find_client_link(key) is None)
    skus = {p.sku.strip() for o in listed for p in o.products or () if p.sku.strip()}
    new_skus = sum(1 for sku in skus if find_item_link(sku) is None)
    snapshot = BooksSnapshot()
    if new_clients >= 2:
        clients = await ctx.freshbooks.active_clients_within(max_pages=new_clients - 1)
        if clients is not None:
            snapshot.clients = {}
            for client in clients:
                snapshot.clients.setdefault(client.email.strip().casefold(), client)
    if new_skus >= 2:
        items = await ctx.freshbooks.active_items_within(max_pages=new_skus - 1)
        if items is not None:
            snapshot.items = {}
            for item in items:
                snapshot.items.setdefault(item.sku, item)
    snapshot.read_at = time.monotonic()
    ctx.books = snapshot


async def find_client(ctx: SyncContext, email: str) -> fb.Client | None:
    """The active client with this email: from the run's snapshot while it is fresh, else asked."""
    snapshot = ctx.books
    if isinstance(snapshot, BooksSnapshot) and snapshot.clients is not None and snapshot.fresh:
        return snapshot.clients.get(email.strip().casefold())
    return await ctx.freshbooks.find_client_by_email(email)


async def find_item(ctx: SyncContext, sku: str) -> fb.Item | None:
    """The active item with this SKU: from the run's snapshot while it is fresh, else asked."""
    snapshot = ctx.books
    if isinstance(snapshot, BooksSnapshot) and snapshot.items is not None and snapshot.fresh:
        return snapshot.items.get(sku)
    return await ctx.freshbooks.find_item_by_sku(sku)


def remember_client(ctx: SyncContext, client: fb.Client) -> None:
    """A client this run created or linked: the run's snapshot (read before it existed) answers with it from now
    on, so a second key with the same email (a guest and a registered customer) finds it instead of creating
    another."""
    snapshot = ctx.books
    if isinstance(snapshot, BooksSnapshot) and snapshot.clients is not None and client.email.strip():
        snapshot.clients.setdefault(client.email.strip().casefold(), client)


def remember_item(ctx: SyncContext, item: fb.Item) -> None:
    """An item this run created or linked, likewise."""
    snapshot = ctx.books
    if isinstance(snapshot, BooksSnapshot) and snapshot.items is not None and item.sku:
        snapshot.items.setdefault(item.sku, item)
