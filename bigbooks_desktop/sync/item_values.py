"""What a FreshBooks item should say for a BigCommerce product variant (catalog sync), as the text the field
merge compares: name with the variant's options, plain-text description, price in the store's currency, stock
(when asked), the default taxes of the product's tax class; and the item's current values and an update of the
fields to write, in the same form."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.store.runs import ActivityLevel, log_activity
from bigbooks_desktop.sync.context import SyncContext

__all__ = ["DESCRIPTION_LIMIT", "NAME_LIMIT", "current_values", "item_taxes", "item_update", "item_values",
           "plain_text"]

NAME_LIMIT = 200                            # as order sync names items (sync.references.ensure_items)
DESCRIPTION_LIMIT = 2_000                   # ours: FreshBooks documents no limit for an item's description


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")


def plain_text(markup: str) -> str:
    """A product description's HTML as plain text: tags dropped, entities decoded, blank runs folded."""
    parser = _Text()
    parser.feed(markup or "")
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def item_values(product: bc.CatalogProduct, variant: bc.CatalogVariant, *, currency: str,
                inventory: bool) -> dict[str, str]:
    """What the FreshBooks item of `variant` should say, as text (the baseline's form)."""
    options = ", ".join(f"{label}: {value}" for label, value in variant.option_values)
    name = f"{product.name} - {options}" if options else product.name
    price = variant.price if variant.price is not None else product.price
    values = {"name": name.strip()[:NAME_LIMIT] or variant.sku,
              "description": plain_text(product.description_html)[:DESCRIPTION_LIMIT],
              "unit_cost": str(quantize(price if price is not None else Decimal(0), currency))}
    if inventory and product.inventory_tracking in ("product", "variant"):
        level = variant.inventory_level if product.inventory_tracking == "variant" else product.inventory_level
        values["inventory"] = str(int(level or 0))
    return values


def item_taxes(ctx: SyncContext, product: bc.CatalogProduct) -> dict[str, str]:
    """The item's default taxes as FreshBooks tax ids ("tax1", "tax2"; "" for none), from the profile's
    `tax_class_taxes` for the product's tax class, each name mapped through `tax_names` and found among the
    account's taxes by name; {} when the class is not listed (the item's taxes are then left alone)."""
    names = ctx.profile.tax_class_taxes.get(str(product.tax_class_id or 0))
    if names is None:
        return {}
    ids: list[str] = []
    for name in names[:2]:
        wanted = ctx.profile.tax_names.get(name, name).strip().casefold()
        found = next((t for t in ctx.taxes if t.name.strip().casefold() == wanted), None)
        if found is None:
            log_activity(f"The tax {name!r} of BigCommerce tax class {product.tax_class_id or 0} has no FreshBooks "
                         "tax of that name, so product items of that class get no default tax; add the tax in "
                         "FreshBooks, or map its name in the mapping profile (tax_names).",
                         level=ActivityLevel.WARNING, run_id=ctx.run_id)
            continue
        ids.append(str(found.id))
    ids += [""] * (2 - len(ids))
    return {"tax1": ids[0], "tax2": ids[1]}


def current_values(item: fb.Item, currency: str) -> dict[str, str]:
    return {"name": item.name, "description": item.description,
            "unit_cost": str(quantize(item.unit_cost, item.currency_code or currency)),
            "inventory": str(int(item.inventory)) if item.inventory is not None else "",
            "tax1": str(item.tax1 or ""), "tax2": str(item.tax2 or "")}


def _tax(writes: Mapping[str, str], slot: str) -> int | None:
    if slot not in writes:
        return None
    return int(writes[slot]) if writes[slot] else 0          # 0 takes the tax off (fb.ItemUpdate)


def item_update(writes: Mapping[str, str], currency: str) -> fb.ItemUpdate:
    return fb.ItemUpdate(
        name=writes.get("name"), description=writes.get("description"),
        unit_cost=Decimal(writes["unit_cost"]) if "unit_cost" in writes else None,
        currency_code=currency if "unit_cost" in writes else "",
        inventory=Decimal(writes["inventory"]) if writes.get("inventory") else None,
        tax1=_tax(writes, "tax1"), tax2=_tax(writes, "tax2"))


