"""The inbox's rows about FreshBooks items and clients rather than orders (catalog and customer sync): the
user's decision for a field changed on both sides (`{"choose": {field: "bigcommerce" | "freshbooks"}}`) or for a
SKU two products share (`{"follow": product_id}`), checked and saved where the engine reads it
(sync.catalog_sync / sync.customer_sync `_apply_decisions`: the next sync writes the choice and settles the row).
No Qt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bigbooks_desktop.core import inbox_views as iv
from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.service.inbox_causes import FIELD_LABELS, field_conflicts, shared_sku_products
from bigbooks_desktop.store.error_queue import ErrorEntry

__all__ = ["InboxSubjects", "choice_words"]

_WHOSE = {iv.ConflictChoice.BIGCOMMERCE: "BigCommerce's", iv.ConflictChoice.FRESHBOOKS: "FreshBooks'"}


def choice_words(choices: Mapping[str, iv.ConflictChoice]) -> str:
    """`keep BigCommerce's name, FreshBooks' price` (the row's history)."""
    return ", ".join(f"{_WHOSE[choice]} {FIELD_LABELS.get(name, name).lower()}" for name, choice in choices.items())


class InboxSubjects:
    """Mixin of `BigBooksService` (beside `InboxFixes`, whose row reading and saving it uses)."""

    if TYPE_CHECKING:  # provided by InboxFixes
        def _active(self, item_id: int) -> ErrorEntry:
            raise NotImplementedError

        def _save(self, entry: ErrorEntry, edits: Mapping[str, object], text: str) -> None:
            raise NotImplementedError

        async def inbox_fix(self, item_id: int) -> iv.InboxFixView:
            raise NotImplementedError

    async def choose_inbox_values(self, item_id: int, choices: Mapping[str, str]) -> iv.InboxFixView:
        """Settle a field conflict: for every conflicting field, "bigcommerce" (write BigCommerce's value to
        FreshBooks) or "freshbooks" (keep FreshBooks' value; BigCommerce is not changed). Every field must be
        chosen (ValidationError, field "choose", naming the ones left). The row is due now: the next sync
        writes the choice and settles it."""
        entry = self._active(item_id)
        conflicts = {c.field: c for c in field_conflicts(entry)}
        if not conflicts:
            raise ValidationError(f"{iv.row_label(entry.order_id, entry.subject, entry.id)} is not waiting on a "
                                  "choice between BigCommerce's and FreshBooks' values.", field="choose",
                                  title="Nothing to choose")
        picked: dict[str, iv.ConflictChoice] = {}
        for name, value in choices.items():
            if name not in conflicts:
                raise ValidationError(f"{name!r} is not one of the fields in conflict ({', '.join(conflicts)}).",
                                      field="choose", title="Not a field in conflict")
            try:
                picked[name] = iv.ConflictChoice(str(value).strip().lower())
            except ValueError:
                raise ValidationError(f"Choose \"bigcommerce\" or \"freshbooks\" for {name}, not {value!r}.",
                                      field="choose", title="Not a choice") from None
        missing = [conflicts[name].label.lower() for name in conflicts if name not in picked]
        if missing:
            raise ValidationError(f"Choose a value for every field in conflict; still to choose: "
                                  f"{', '.join(missing)}.", field="choose", title="Choice needed")
        ordered = {name: picked[name] for name in conflicts}
        self._save(entry, {"choose": {name: choice.value for name, choice in ordered.items()}},
                   f"Chose to keep {choice_words(ordered)}")
        return await self.inbox_fix(item_id)

    async def follow_inbox_product(self, item_id: int, product_id: int) -> iv.InboxFixView:
        """Settle a shared SKU: the FreshBooks item follows `product_id` (one of the products sharing it) from
        the next sync on. The row is due now: the next sync records the choice and settles it."""
        entry = self._active(item_id)
        sku, products = shared_sku_products(entry)
        if not products:
            raise ValidationError(f"{iv.row_label(entry.order_id, entry.subject, entry.id)} is not a SKU shared by "
                                  "two products.", field="follow", title="Nothing to choose")
        if product_id not in {p.id for p in products}:
            raise ValidationError(f"Product {product_id} is not one of the products sharing {sku} "
                                  f"({', '.join(str(p.id) for p in products)}).", field="follow",
                                  title="Not one of the products")
        self._save(entry, {"follow": product_id}, f"The item {sku} follows product {product_id}")
        return await self.inbox_fix(item_id)
