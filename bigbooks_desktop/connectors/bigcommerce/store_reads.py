"""The BigCommerce client's reads of customers and the catalog (a mixin of `BigCommerceClient`): customers by
id or e-mail (order sync), variants by SKU, and the incremental product and customer lists catalog and customer
sync read (with the id-only lists that find deletions)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bigbooks_desktop.connectors.bigcommerce import catalog_wire, wire
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import BugError

__all__ = ["StoreReads"]

T = TypeVar("T")
Params = dict[str, str | int]

_IN_CHUNK = 50          # values per `email:in` / `sku:in` filter, keeps URLs short
_ID_CHUNK = 250         # ids per `id:in` filter: a whole page of answers per request (MAX_PAGE)


def _iso(value: datetime, name: str) -> str:
    if value.tzinfo is None:
        raise BugError(f"{name} must be timezone-aware to filter BigCommerce by date (got {value!r}).")
    return value.isoformat()


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    unique = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    return [unique[i:i + size] for i in range(0, len(unique), size)]


class StoreReads:
    """Customers and catalog reads; the paging helpers come from `BigCommerceClient`."""

    if TYPE_CHECKING:
        def _iter_v3(self, path: str, params: Params | None = None, *, limit: int = 250
                     ) -> AsyncIterator[Any]: ...

        async def _v3_list(self, path: str, parse: Callable[[Any], T], params: Params | None = None
                           ) -> list[T]: ...

    async def get_customer(self, customer_id: int) -> bc.Customer | None:
        """The customer with addresses, or None when there is none with that id (e.g. 0 for guests)."""
        if int(customer_id) <= 0:
            return None
        found = await self._v3_list("/v3/customers", wire.parse_customer,
                                    {"id:in": int(customer_id), "include": "addresses"})
        return next((c for c in found if c.id == int(customer_id)), None)

    async def get_customers(self, customer_ids: Iterable[int]) -> dict[int, bc.Customer]:
        """Customers with addresses by id, 250 ids a request (`/v3/customers?id:in=...&include=addresses`,
        limit 250: the documented page cap, SUMMARY.md §2); guests (id 0) and unknown ids are left out."""
        found: dict[int, bc.Customer] = {}
        wanted = [str(i) for i in sorted({int(i) for i in customer_ids if int(i) > 0})]
        for chunk in _chunks(wanted, _ID_CHUNK):
            for customer in await self._v3_list("/v3/customers", wire.parse_customer,
                                                {"id:in": ",".join(chunk), "include": "addresses"}):
                found[customer.id] = customer
        return found

    async def find_customers_by_email(self, emails: list[str]) -> list[bc.Customer]:
        found: list[bc.Customer] = []
        for chunk in _chunks(emails, _IN_CHUNK):
            found += await self._v3_list("/v3/customers", wire.parse_customer,
                                         {"email:in": ",".join(chunk), "include": "addresses"})
        return found

    async def find_variants(self, skus: list[str]) -> list[bc.Variant]:
        found: list[bc.Variant] = []
        for chunk in _chunks(skus, _IN_CHUNK):
            found += await self._v3_list("/v3/catalog/variants", wire.parse_variant,
                                         {"sku:in": ",".join(chunk)})
        return found

    # -- catalog and customer sync --

    async def iter_products(self, modified_since: datetime | None = None, *, include_variants: bool = True
                            ) -> AsyncIterator[bc.CatalogProduct]:
        """Catalog products modified at or after `modified_since` (all when None), oldest change first, 250 a
        page, with their variants (`GET /v3/catalog/products?include=variants&date_modified:min=...&sort=
        date_modified&direction=asc`: products_catalog.v3.yml getProducts, SUMMARY.md §3). Deleted products are
        not in the list (no tombstones): compare `list_product_ids()` with what was synced."""
        params: Params = {"sort": "date_modified", "direction": "asc"}
        if include_variants:
            params["include"] = "variants"
        if modified_since is not None:
            params["date_modified:min"] = _iso(modified_since, "modified_since")
        async for item in self._iter_v3("/v3/catalog/products", params):
            yield catalog_wire.parse_catalog_product(item)

    async def iter_customers(self, modified_since: datetime | None = None) -> AsyncIterator[bc.Customer]:
        """Customers modified at or after `modified_since` (all when None), oldest change first, with addresses,
        250 a page (`GET /v3/customers?include=addresses&date_modified:min=...&sort=date_modified:asc`:
        customers.v3.yml, the direction inside the sort value; SUMMARY.md §3)."""
        params: Params = {"sort": "date_modified:asc", "include": "addresses"}
        if modified_since is not None:
            params["date_modified:min"] = _iso(modified_since, "modified_since")
        async for item in self._iter_v3("/v3/customers", params):
            yield wire.parse_customer(item)

    async def list_product_ids(self) -> list[int]:
        """Every product id in the store, 250 a page, reading ids only (`include_fields=id`: "The ID and the
        specified fields will be returned", products_catalog.v3.yml IncludeFieldsParam)."""
        return [catalog_wire.parse_record_id(item, resource="catalog product")
                async for item in self._iter_v3("/v3/catalog/products", {"include_fields": "id", "sort": "id"})]

    async def list_customer_ids(self) -> list[int]:
        """Every customer id, 250 a page. customers.v3.yml has no `include_fields` on the customer list, so the
        cheapest read is the customers without their sub-resources; only the ids are parsed."""
        return [catalog_wire.parse_record_id(item, resource="customer")
                async for item in self._iter_v3("/v3/customers", {"sort": "date_created:asc"})]
