"""The FreshBooks client's items and taxes (a mixin of `FreshBooksClient`): items by SKU, the active items as
one list read (when cheaper than lookups), create, update and archive (never delete) for catalog sync, and the
account's taxes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bigbooks_desktop.connectors.freshbooks import bodies
from bigbooks_desktop.connectors.freshbooks.parsing import parse_item, parse_tax
from bigbooks_desktop.core import freshbooks as fb

__all__ = ["ItemsAndTaxes", "Params", "V"]

Params = list[tuple[str, str | int | float | bool | None]]


class _Visible(Protocol):
    @property
    def vis_state(self) -> int: ...


V = TypeVar("V", bound=_Visible)        # a FreshBooks record that can be active (`vis_state` 0) or not


def _search(filters: dict[str, Any]) -> Params:
    params: Params = []
    for key, value in filters.items():
        if isinstance(value, list | tuple | set):
            params.extend((f"search[{key}][]", str(v)) for v in value)
        else:
            params.append((f"search[{key}]", str(value)))
    return params


class ItemsAndTaxes:
    """Items and taxes; the request helpers come from `FreshBooksClient`."""

    if TYPE_CHECKING:
        def _iter_raw(self, path: str, key: str, params: Params) -> AsyncIterator[dict[str, Any]]: ...

        async def _first_active(self, path: str, key: str, search: dict[str, Any],
                                parse: Callable[[dict[str, Any]], V], match: Callable[[V], bool]) -> V | None: ...

        async def _active_within(self, path: str, key: str, parse: Callable[[dict[str, Any]], V], max_pages: int
                                 ) -> list[V] | None: ...

        async def _list(self, path: str, key: str, params: Params) -> list[dict[str, Any]]: ...

        async def _write(self, method: str, path: str, envelope: str, data: dict[str, Any],
                         params: Params | None = None) -> dict[str, Any]: ...

        async def _get_one(self, path: str, key: str, params: Params | None = None) -> dict[str, Any]: ...

        async def _delete_by_vis_state(self, path: str, envelope: str) -> None: ...

        def _one(self, body: dict[str, Any], *keys: str) -> dict[str, Any]: ...

    async def find_item_by_sku(self, sku: str) -> fb.Item | None:
        return await self._first_active("items/items", "items", {"sku": sku}, parse_item,
                                        lambda item: item.sku == sku)

    async def active_items_within(self, max_pages: int) -> list[fb.Item] | None:
        """Every active item when they fit in `max_pages` pages of 100 (else None, after one request): cheaper
        than one `find_item_by_sku` per new SKU when a run meets more new SKUs than that."""
        return await self._active_within("items/items", "items", parse_item, max_pages)

    async def list_items(self) -> list[fb.Item]:
        """Every active item of the catalogue (the inbox's SKU picker)."""
        params = _search({"vis_state": 0})
        items = [parse_item(r) async for r in self._iter_raw("items/items", "items", params)]
        return [item for item in items if item.vis_state == 0]

    async def create_item(self, draft: fb.ItemDraft) -> fb.Item:
        body = await self._write("POST", "items/items", "item", bodies.item_body(draft))
        return parse_item(self._one(body, "item"))

    async def delete_item(self, item_id: int) -> None:
        await self._delete_by_vis_state(f"items/items/{item_id}", "item")

    async def get_item(self, item_id: int) -> fb.Item:
        """One item whatever its `vis_state` (an archived item stays readable)."""
        return parse_item(await self._get_one(f"items/items/{item_id}", "item"))

    async def update_item(self, item_id: int, update: fb.ItemUpdate) -> fb.Item:
        """Change the fields `update` sets; the rest (e.g. `qty`, `inventory`) keep FreshBooks' values."""
        body = await self._write("PUT", f"items/items/{item_id}", "item", bodies.item_update_body(update))
        return parse_item(self._one(body, "item"))

    async def archive_item(self, item_id: int) -> fb.Item:
        """Archive (vis_state 2), never delete: invoices copied its values, and the bookkeeper can restore it.
        The PUT carries `vis_state` alone (a PUT with it applies nothing else, SUMMARY §6)."""
        body = await self._write("PUT", f"items/items/{item_id}", "item", dict(bodies.VIS_ARCHIVED))
        return parse_item(self._one(body, "item"))

    async def restore_item(self, item_id: int) -> fb.Item:
        """Bring an archived item back (vis_state 0), e.g. when its product is sold again."""
        body = await self._write("PUT", f"items/items/{item_id}", "item", {"vis_state": 0})
        return parse_item(self._one(body, "item"))

    async def list_taxes(self) -> list[fb.Tax]:
        return [parse_tax(r) for r in await self._list("taxes/taxes", "taxes", [])]

    async def create_tax(self, draft: fb.TaxDraft) -> fb.Tax:
        body = await self._write("POST", "taxes/taxes", "tax", bodies.tax_body(draft))
        return parse_tax(self._one(body, "tax"))

