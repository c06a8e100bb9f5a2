"""Clients, items and taxes: found by stored link or natural key, created once, updated when they change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.store.entity_state import EntityKind, get_state
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import find_client_link, find_item_link, link_client, link_item
from bigbooks_desktop.store.runs import ActivityLevel, log_activity
from bigbooks_desktop.sync.books_lookups import find_client, find_item, remember_client
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once

__all__ = ["apply_edits", "draft_fingerprint", "ensure_client", "ensure_items", "ensure_taxes",
           "registered_customer", "with_customer_address"]


def draft_fingerprint(draft: Any) -> str:
    """A stable hash of a pydantic draft (what was last written)."""
    text = json.dumps(fb.stable_dump(draft), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def ensure_taxes(ctx: SyncContext, needed: Sequence[fb.TaxDraft], *, order_id: int) -> None:
    """Create the FreshBooks taxes the invoice names but FreshBooks lacks (the profile allowed it)."""
    for draft in needed:
        async with ctx.lock(f"tax:{draft.name.lower()}"):
            if any(t.name.strip().lower() == draft.name.strip().lower() for t in ctx.taxes):
                continue

            async def lookup(name: str = draft.name) -> fb.Tax | None:
                taxes = await ctx.freshbooks.list_taxes()
                return next((t for t in taxes if t.name.strip().lower() == name.strip().lower()), None)

            tax, _ = await create_once(
                ctx, kind=IntentKind.TAX, key=f"tax:{draft.name.lower()}", order_id=order_id, lookup=lookup,
                create=partial(ctx.freshbooks.create_tax, draft), object_id=lambda t: t.id,
                confirm=lambda t: None)
            ctx.taxes.append(tax)
            ctx.count("taxes_created")
            log_activity(f"Created FreshBooks tax {tax.name} ({tax.amount}%).", run_id=ctx.run_id,
                         order_id=order_id)


async def registered_customer(ctx: SyncContext, detail: bc.OrderDetail, *, key: str) -> bc.Customer | None:
    """The BigCommerce customer record of a registered shopper's order, read once per customer per run, and
    only when it can matter: no client link yet, or the order changed after the link was last written (the
    only case `ensure_client` rewrites a linked client). Guests (customer_id 0) have none."""
    order = detail.order
    if not order.customer_id:
        return None
    link = find_client_link(key)
    if link is not None and order.date_modified <= link.updated_at:
        return None
    async with ctx.lock(f"customer:{order.customer_id}"):
        if order.customer_id not in ctx.customers:
            ctx.customers[order.customer_id] = await ctx.bigcommerce.get_customer(order.customer_id)
        return ctx.customers[order.customer_id]


def with_customer_address(detail: bc.OrderDetail, customer: bc.Customer | None) -> bc.OrderDetail:
    """The order with its billing address gaps (street, city, company, phone...) filled from the customer's
    first saved address, so the client gets an address even when checkout captured none."""
    if customer is None or not customer.addresses:
        return detail
    saved = customer.addresses[0]
    billing = detail.order.billing_address
    fill = {"first_name": saved.first_name, "last_name": saved.last_name, "company": saved.company,
            "street_1": saved.address1, "street_2": saved.address2, "city": saved.city,
            "state": saved.state_or_province, "zip": saved.postal_code, "country_iso2": saved.country_code,
            "phone": saved.phone}
    if billing.street_1.strip():     # an address of its own: only names, company and phone may be missing
        fill = {k: v for k, v in fill.items() if k in ("first_name", "last_name", "company", "phone")}
    update = {k: v for k, v in fill.items() if v and not str(getattr(billing, k, "")).strip()}
    if not update:
        return detail
    order = detail.order.model_copy(update={"billing_address": billing.model_copy(update=update)})
    return detail.model_copy(update={"order": order})


async def ensure_client(ctx: SyncContext, *, key: str, draft: fb.ClientDraft, order_id: int,
                        order_modified: datetime) -> int:
    """The FreshBooks client id for `key`: stored link (updated when the order's details changed), else
    the active client with the same email, else a new client created exactly once.

    A linked client is updated only from an order modified after the link was last written, so a backfill of
    old orders with older addresses never overwrites the customer's current details."""
    fingerprint = draft_fingerprint(draft)
    async with ctx.lock(f"client:{key}"):
        link = find_client_link(key)
        if link is not None:
            if ctx.profile.customer_sync != "off" and get_state(EntityKind.CLIENT, key) is not None:
                return link.client_id       # customer sync keeps this client in step with the account (its
                #                             merge rules, "FreshBooks keeps" fields): the order does not write it
            if link.fingerprint != fingerprint and order_modified > link.updated_at:
                await ctx.freshbooks.update_client(link.client_id, draft)
                link_client(key, link.client_id, fingerprint=fingerprint)
                ctx.count("clients_updated")
                log_activity(f"Updated FreshBooks client {link.client_id} from order {order_id}.",
                             run_id=ctx.run_id, order_id=order_id)
            return link.client_id
        existing = await find_client(ctx, draft.email)
        if existing is not None:
            link_client(key, existing.id, fingerprint=fingerprint)
            remember_client(ctx, existing)
            return int(existing.id)
        client, _ = await create_once(
            ctx, kind=IntentKind.CLIENT, key=f"client:{key}", order_id=order_id,
            lookup=lambda: ctx.freshbooks.find_client_by_email(draft.email),
            create=lambda: ctx.freshbooks.create_client(draft), object_id=lambda c: c.id,
            confirm=lambda c: link_client(key, c.id, fingerprint=fingerprint))
        remember_client(ctx, client)
        ctx.count("clients_created")
        return int(client.id)


async def ensure_items(ctx: SyncContext, skus: Sequence[tuple[str, str, Decimal]], *, currency: str,
                       order_id: int, sku_items: Mapping[str, Any],
                       new_items: Mapping[str, Any] | None = None) -> None:
    """Every SKU on the invoice has a FreshBooks item: by stored link, the user's mapping, search[sku], or
    created (profile `unknown_sku_policy` "create_item", or the user asked for it in the inbox: `new_items`
    {sku: item name}); otherwise the order waits in the inbox (cause "unknown_sku" naming the SKUs)."""
    asked = dict(new_items or {})
    missing: list[str] = []
    lines: dict[str, tuple[str, Decimal]] = {}
    seen: set[str] = set()
    for sku, name, price in skus:
        if sku in seen:
            continue
        seen.add(sku)
        if find_item_link(sku) is not None:
            continue
        if sku in sku_items:
            link_item(sku, int(sku_items[sku]))
            continue
        async with ctx.lock(f"item:{sku}"):
            if find_item_link(sku) is not None:
                continue
            found = await find_item(ctx, sku)
            if found is not None:
                link_item(sku, found.id)
                continue
            if ctx.profile.unknown_sku_policy == "inbox" and sku not in asked:
                missing.append(sku)
                lines[sku] = (name, price)
                continue
            wanted = str(asked.get(sku) or name).strip()
            draft = fb.ItemDraft(name=wanted[:200] or sku, sku=sku, unit_cost=price, currency_code=currency)
            await create_once(
                ctx, kind=IntentKind.ITEM, key=f"item:{sku}", order_id=order_id,
                lookup=partial(ctx.freshbooks.find_item_by_sku, sku),
                create=partial(ctx.freshbooks.create_item, draft), object_id=lambda i: i.id,
                confirm=partial(_link_created_item, sku))
            ctx.count("items_created")
    if missing:
        log_activity(f"Order {order_id} has SKUs FreshBooks does not know: {', '.join(missing)}.",
                     level=ActivityLevel.WARNING, run_id=ctx.run_id, order_id=order_id)
        raise DataError(f"Order {order_id} sells SKUs FreshBooks has no item for: {', '.join(missing)}. "
                        "Map each SKU to a FreshBooks item (edit: {\"sku_items\": {SKU: item id}}), create "
                        "the items in FreshBooks, or let the mapping profile create unknown items.",
                        field="sku", details={"cause": {
                            "code": "unknown_sku", "skus": missing, "currency": currency,
                            "lines": {s: {"name": n, "price": str(p)} for s, (n, p) in lines.items()}}})


def _link_created_item(sku: str, item: fb.Item) -> None:
    link_item(sku, item.id)


def apply_edits(detail: bc.OrderDetail, edits: Mapping[str, Any]) -> bc.OrderDetail:
    """The user's inbox fixes applied to a freshly read order (e.g. {"email": ...})."""
    email = edits.get("email")
    if isinstance(email, str) and email.strip():
        billing = detail.order.billing_address.model_copy(update={"email": email.strip()})
        order = detail.order.model_copy(update={"billing_address": billing})
        return detail.model_copy(update={"order": order})
    return detail
