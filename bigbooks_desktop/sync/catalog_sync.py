"""Catalog sync: every BigCommerce product variant with a SKU is a FreshBooks item with that SKU, kept in step.

Each run (when the profile's `catalog_sync` is on) reads the products modified since its cursor
(`GET /v3/catalog/products?include=variants&date_modified:min=...`, 250 a call, oldest change first; a quiet
run is that one call) and, per SKU:

- **new**: an item FreshBooks already has with the SKU is linked, else one is created exactly once (the same
  intent key `item:SKU` order sync uses, so the two never both create it);
- **changed**: name (the product's, with the variant's options), description (plain text from the product's
  HTML), unit cost (the variant's price, else the product's, in the store's currency), the default taxes of the
  product's tax class (profile `tax_class_taxes`, through `tax_names`) and, with `catalog_inventory`, the stock
  count are merged field by field (`sync.field_merge`): BigCommerce wins,
  fields the profile lets FreshBooks keep are left alone, a field changed on both sides waits in the inbox with
  both values and a choice; every overwrite is in the activity log with the old and the new value. Invoices
  already written keep the price they sold at: FreshBooks copies a line's values into the invoice.
- **hidden** (`is_visible` false, or a variant whose purchasing is disabled) or **deleted**: the item is
  archived (`vis_state` 2), never deleted. Deletions leave no trace in the product list, so once a day the run
  reads the product ids (`include_fields=id`, 250 a call) and archives the items of products that are gone.
- **a SKU two products share** is a conflict: neither is written, the inbox names both products.

The baseline of each item is kept in `store.entity_state`; a run that fails on an item leaves the cursor before
that product so the next run reads it again. Crash safety is order sync's: the intent before each create, the
lookup by SKU after a kill.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import AuthError, BigBooksError, DataError, PermissionDeniedError
from bigbooks_desktop.store.entity_state import EntityKind, EntityState, EntityStatus, get_states, put_state
from bigbooks_desktop.store.error_queue import (
    ErrorEntry,
    ErrorStage,
    active_subject_error,
    record_error,
    resolve_subject,
)
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import find_item_link, link_item
from bigbooks_desktop.store.runs import log_activity
from bigbooks_desktop.sync import following
from bigbooks_desktop.sync.books_lookups import find_item
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once
from bigbooks_desktop.sync.field_merge import Merge, merge_fields
from bigbooks_desktop.sync.inbox_decisions import REASON, Decisions, apply_decisions, record_conflict
from bigbooks_desktop.sync.item_values import current_values, item_taxes, item_update, item_values

__all__ = ["CATALOG_IDS_STREAM", "CATALOG_STREAM", "sync_catalog"]

CATALOG_STREAM = "catalog"
CATALOG_IDS_STREAM = "catalog_ids"          # when the product ids were last read (deletions)
SUBJECT = "item:"
ARCHIVED = 2                                # an item's vis_state when archived (freshbooks SUMMARY.md §10)


@dataclass(frozen=True)
class _Wanted:
    sku: str
    product: bc.CatalogProduct
    variant: bc.CatalogVariant

    @property
    def hidden(self) -> bool:
        return not self.product.is_visible or self.variant.purchasing_disabled


async def sync_catalog(ctx: SyncContext, *, started: datetime, currency: str) -> None:
    """One run's catalog sync (see the module docstring); `started` is BigCommerce's clock at the run's start."""
    if not ctx.profile.catalog_sync:
        return
    await _apply_decisions(ctx, currency)
    stream = following.StreamPass(ctx, CATALOG_STREAM, started)
    products = [p async for p in ctx.bigcommerce.iter_products(stream.since)]
    ctx.count("catalog_products_read", len(products))
    by_sku: dict[str, list[_Wanted]] = defaultdict(list)
    for product in products:
        for variant in product.variants:
            if variant.sku.strip():
                by_sku[variant.sku.strip()].append(_Wanted(variant.sku.strip(), product, variant))
    states = get_states(EntityKind.ITEM, by_sku)
    # a variant whose values BigCommerce has not changed since they were last seen needs nothing (re-read
    # within the cursor's overlap, or a sibling of the variant that changed): FreshBooks is not even asked
    by_sku = {sku: wanted for sku, wanted in by_sku.items()
              if not _unchanged(ctx, wanted, states.get(sku), currency)}
    current = await _current_items(ctx, [s.object_id for k, s in states.items() if k in by_sku and s.object_id])
    await _snapshot_new(ctx, [sku for sku in by_sku if sku not in states and find_item_link(sku) is None])
    for sku, wanted in by_sku.items():
        state = states.get(sku)
        followed = state.source_id if state is not None and state.status is EntityStatus.ACTIVE else None
        if len({w.product.id for w in wanted}) > 1 or (followed is not None and followed != wanted[0].product.id):
            _shared_sku(ctx, sku, wanted, followed)
            continue
        await stream.attempt(_one(ctx, wanted[0], state, current, currency),
                             modified=wanted[0].product.date_modified, stage=ErrorStage.ITEM, subject=SUBJECT + sku,
                             payload=partial(_failed_payload, wanted[0]), counter="catalog_failed")
    # a product that failed for a passing reason (the network, a rate limit) is read again next run: the cursor
    # stays before it; one that failed for good waits in the inbox (ignoring it ends it) and is read again when
    # it changes
    stream.save()
    await _archive_deleted(ctx, started, {p.id for p in products} if stream.since is None else None)


def _failed_payload(wanted: _Wanted) -> dict[str, object]:
    return {"sku": wanted.sku, "product": wanted.product.model_dump(mode="json")}


def _unchanged(ctx: SyncContext, wanted: list[_Wanted], state: EntityState | None, currency: str) -> bool:
    """Whether BigCommerce says for this SKU exactly what it said when the item was last synced."""
    if state is None or len(wanted) != 1 or wanted[0].product.id != state.source_id:
        return False
    want = wanted[0]
    if want.hidden != (state.status is EntityStatus.ARCHIVED):
        return False
    desired = {**item_values(want.product, want.variant, currency=currency,
                             inventory=ctx.profile.catalog_inventory), **item_taxes(ctx, want.product)}
    return following.unchanged(state, desired)


async def _snapshot_new(ctx: SyncContext, skus: list[str]) -> None:
    """For many SKUs no link knows (a first catalog sync), read FreshBooks' items as one list when that costs
    fewer calls than a lookup per SKU (`sync.books_lookups`)."""
    items = await following.listed_within(len(skus), ctx.freshbooks.active_items_within)
    if items is not None:
        following.renew_snapshot(ctx).items = following.first_by(items, lambda item: item.sku)


async def _current_items(ctx: SyncContext, ids: list[int]) -> dict[int, fb.Item]:
    """The FreshBooks items to compare with, in one list read when that costs fewer calls than one each."""
    listed = await following.listed_within(len(ids), ctx.freshbooks.active_items_within)
    return {item.id: item for item in listed or ()}


async def _one(ctx: SyncContext, wanted: _Wanted, state: EntityState | None, current: dict[int, fb.Item],
               currency: str) -> None:
    sku, product, variant = wanted.sku, wanted.product, wanted.variant
    desired = {**item_values(product, variant, currency=currency, inventory=ctx.profile.catalog_inventory),
               **item_taxes(ctx, product)}
    if wanted.hidden:
        if state is not None and state.object_id and state.status is EntityStatus.ACTIVE and not ctx.dry_run:
            await ctx.freshbooks.archive_item(state.object_id)
            put_state(EntityKind.ITEM, sku, object_id=state.object_id, source_id=product.id, values=state.values,
                      source_modified=product.date_modified, status=EntityStatus.ARCHIVED)
            log_activity(f"Archived FreshBooks item {state.object_id} ({sku}): the product is hidden in "
                         "BigCommerce.", run_id=ctx.run_id)
            ctx.count("catalog_items_archived")
        return
    link = find_item_link(sku)
    item_id = state.object_id if state is not None and state.object_id else \
        link.item_id if link is not None else None
    if item_id is None:
        found = await find_item(ctx, sku)
        if found is None:
            if not ctx.dry_run:
                await _create(ctx, sku, product, desired, currency)
            ctx.count("catalog_items_created")
            return
        link_item(sku, found.id)
        item_id = found.id
        current[found.id] = found
    item = current.get(item_id) or await ctx.freshbooks.get_item(item_id)
    if item.vis_state == ARCHIVED and not ctx.dry_run:          # the product is sold again: so is its item
        item = await ctx.freshbooks.restore_item(item_id)
        log_activity(f"Restored FreshBooks item {item_id} ({sku}): the product is visible in BigCommerce again.",
                     run_id=ctx.run_id)
        ctx.count("catalog_items_restored")
    baseline = state.values if state is not None and state.values else None
    merge = merge_fields(desired, baseline, current_values(item, currency),
                         keep_freshbooks=ctx.profile.items_keep_freshbooks)
    if ctx.dry_run:
        ctx.count("catalog_items_updated" if merge.changed else "catalog_items_unchanged")
        return
    await _write(ctx, sku, item_id, merge, currency, reason=f"product {product.id} changed in BigCommerce")
    if merge.conflicts:
        _conflict(ctx, sku, item_id, product, desired, merge, currency)
    else:
        resolve_subject(SUBJECT + sku)
    put_state(EntityKind.ITEM, sku, object_id=item_id, source_id=product.id, values=merge.baseline,
              source_modified=product.date_modified,
              status=EntityStatus.ACTIVE if item.vis_state == 0 else EntityStatus.ARCHIVED)


async def _create(ctx: SyncContext, sku: str, product: bc.CatalogProduct, desired: Mapping[str, str],
                  currency: str) -> None:
    draft = fb.ItemDraft(name=desired["name"], description=desired["description"], sku=sku,
                         unit_cost=Decimal(desired["unit_cost"]), currency_code=currency,
                         inventory=Decimal(desired["inventory"]) if desired.get("inventory") else None,
                         tax1=int(desired["tax1"]) if desired.get("tax1") else None,
                         tax2=int(desired["tax2"]) if desired.get("tax2") else None)

    def linked(made: fb.Item) -> None:
        link_item(sku, made.id)

    made, _ = await create_once(ctx, kind=IntentKind.ITEM, key=f"item:{sku}", order_id=None,
                                lookup=partial(ctx.freshbooks.find_item_by_sku, sku),
                                create=partial(ctx.freshbooks.create_item, draft), object_id=lambda i: i.id,
                                confirm=linked)
    put_state(EntityKind.ITEM, sku, object_id=made.id, source_id=product.id, values=dict(desired),
              source_modified=product.date_modified)
    log_activity(f"Created FreshBooks item {made.id} for {sku} from the catalog.", run_id=ctx.run_id)


async def _write(ctx: SyncContext, sku: str, item_id: int, merge: Merge, currency: str, *, reason: str) -> None:
    if not merge.writes:
        return
    await ctx.freshbooks.update_item(item_id, item_update(merge.writes, currency))
    following.log_update(ctx, f"item {item_id} ({sku})", merge, reason=reason, counter="catalog_items_updated")


def _conflict(ctx: SyncContext, sku: str, item_id: int, product: bc.CatalogProduct, desired: Mapping[str, str],
              merge: Merge, currency: str) -> None:
    record_conflict(ctx, merge, subject=SUBJECT + sku, stage=ErrorStage.ITEM, kind="item",
                    cause={"key": sku, "object_id": item_id, "currency": currency},
                    payload={"sku": sku, "product_id": product.id, "desired": dict(desired)},
                    named=f"item {sku}", source="its product", counter="catalog_conflicts")


def _shared_sku(ctx: SyncContext, sku: str, wanted: list[_Wanted], followed: int | None) -> None:
    """Two products with one SKU (read together, or a product taking the SKU of the one its item follows)."""
    products = sorted({(w.product.id, w.product.name) for w in wanted})
    names = "; ".join(f"{name} (product {pid})" for pid, name in products)
    ids = sorted({pid for pid, _ in products} | ({followed} if followed is not None else set()))
    also = f" and product {followed}, whose item it is" if followed is not None and followed not in \
        {pid for pid, _ in products} else ""
    error = DataError(f"The SKU {sku} belongs to more than one BigCommerce product: {names}{also}. A FreshBooks "
                      "item has one SKU, so the item is left as it is: give each product its own SKU in "
                      "BigCommerce (the next sync picks the change up), or, if the earlier product no longer "
                      "sells it, choose which product the item follows.", field="sku",
                      title="SKU shared by two products",
                      details={"cause": {"code": "shared_sku", "kind": "item", "key": sku, "products": ids}})
    waiting = active_subject_error(SUBJECT + sku)
    already = waiting is not None and waiting.cause.get("code") == "shared_sku" and \
        sorted(waiting.cause.get("products", ())) == ids
    if not ctx.dry_run and not already:
        record_error(None, ErrorStage.ITEM, error, {"sku": sku, "products": ids}, run_id=ctx.run_id,
                     policy=ctx.retry_policy, subject=SUBJECT + sku)
    ctx.count("catalog_conflicts")


async def _apply_decisions(ctx: SyncContext, currency: str) -> None:
    """Conflicts the user decided in the inbox (`sync.inbox_decisions`), and the product a shared SKU follows."""

    async def write(sku: str, item_id: int, _item: fb.Item, merge: Merge) -> None:
        await _write(ctx, sku, item_id, merge, currency, reason=REASON)

    def follow(entry: ErrorEntry) -> bool:
        chosen = entry.edits.get("follow")
        if entry.cause.get("code") != "shared_sku" or not isinstance(chosen, int) or ctx.dry_run:
            return False
        _follow(str(entry.cause["key"]), chosen)
        return True

    await apply_decisions(ctx, Decisions(
        subject=SUBJECT, kind=EntityKind.ITEM, stage=ErrorStage.ITEM, source_field="product_id",
        keep_freshbooks=ctx.profile.items_keep_freshbooks, read=ctx.freshbooks.get_item,
        values=partial(current_values, currency=currency), write=write, other=follow))


def _follow(sku: str, product_id: int) -> None:
    """The user's choice for a shared SKU: the item follows `product_id` from now on (its next change is
    written); the row is settled."""
    state = get_states(EntityKind.ITEM, [sku]).get(sku)
    if state is not None:
        put_state(EntityKind.ITEM, sku, object_id=state.object_id, source_id=product_id,
                  values={k: v for k, v in state.values.items() if not k.startswith("store.")},
                  source_modified=None, status=state.status)
    else:       # no item yet (the SKU was shared from the first read): the chosen product's next read makes it
        link = find_item_link(sku)
        put_state(EntityKind.ITEM, sku, object_id=link.item_id if link is not None else 0, source_id=product_id,
                  values={}, source_modified=None)
    resolve_subject(SUBJECT + sku)


async def _archive_deleted(ctx: SyncContext, started: datetime, listed: set[int] | None) -> None:
    """Once a day: archive the items of products deleted in BigCommerce (their ids are no longer listed).
    `listed`: every product id, when this run read the whole catalog anyway."""

    async def gone(state: EntityState) -> None:
        if not state.object_id:
            return
        try:
            await ctx.freshbooks.archive_item(state.object_id)
        except (AuthError, PermissionDeniedError):
            raise
        except BigBooksError as exc:
            record_error(None, ErrorStage.ITEM, exc, {"sku": state.key, "object_id": state.object_id},
                         run_id=ctx.run_id, policy=ctx.retry_policy, subject=SUBJECT + state.key)
            ctx.count("catalog_failed")
            return
        put_state(EntityKind.ITEM, state.key, object_id=state.object_id, source_id=state.source_id,
                  values=state.values, source_modified=state.source_modified, status=EntityStatus.ARCHIVED)
        log_activity(f"Archived FreshBooks item {state.object_id} ({state.key}): its product was deleted in "
                     "BigCommerce.", run_id=ctx.run_id)
        ctx.count("catalog_items_archived")

    await following.scan_deleted(ctx, stream=CATALOG_IDS_STREAM, kind=EntityKind.ITEM, started=started,
                                 listed=listed, list_ids=ctx.bigcommerce.list_product_ids, gone=gone)
