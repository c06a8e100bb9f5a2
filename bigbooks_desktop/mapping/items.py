"""FreshBooks catalogue items an invoice's SKUs need, per the profile's unknown-SKU policy."""

from __future__ import annotations

from collections.abc import Collection

from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.invoice import InvoicePlan
from bigbooks_desktop.mapping.profile import MappingProfile

__all__ = ["items_needed"]


def items_needed(plan: InvoicePlan, profile: MappingProfile, *,
                 existing_skus: Collection[str]) -> list[fb.ItemDraft]:
    """Item drafts for the plan's SKUs FreshBooks lacks (exact SKU match, first line wins for a repeated
    SKU). With the "inbox" policy an unknown SKU is a DataError naming them all. Lines never reference
    items (FreshBooks copies name and price by value), so this only keeps the catalogue complete."""
    known = set(existing_skus)
    drafts: dict[str, fb.ItemDraft] = {}
    for sku, name, unit_price in plan.skus:
        if sku in known or sku in drafts:
            continue
        drafts[sku] = fb.ItemDraft(name=name[:200], sku=sku, unit_cost=unit_price,
                                   currency_code=plan.draft.currency_code)
    if drafts and profile.unknown_sku_policy == "inbox":
        listed = ", ".join(sorted(drafts))
        raise DataError(f"FreshBooks has no item for SKU {listed} (invoice {plan.draft.invoice_number}). "
                        "Create the items in FreshBooks, or let the mapping profile create them.",
                        field="sku")
    return list(drafts.values())
