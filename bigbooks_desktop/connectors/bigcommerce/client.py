"""The BigCommerce REST client the sync reads the store through: orders, sub-resources, refunds, customers.

Every request goes through the store's `RateGovernor`, is logged redacted, counted in `stats`, and turned into
a core error when it fails. Reads are retried on transient failures and 429s.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from bigbooks_desktop import __version__
from bigbooks_desktop.connectors.bigcommerce import consignments, wire
from bigbooks_desktop.connectors.bigcommerce.account import parse_api_path
from bigbooks_desktop.connectors.bigcommerce.failures import SERVICE, error_from_response
from bigbooks_desktop.connectors.bigcommerce.governor import RateGovernor
from bigbooks_desktop.connectors.bigcommerce.store_reads import StoreReads, _chunks, _iso
from bigbooks_desktop.connectors.http import (
    RequestLog,
    RequestStats,
    RetryPolicy,
    is_read,
    send_request,
    with_retries,
)
from bigbooks_desktop.core import bc_listing
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import BugError, NotFoundError
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.core.redact import register_secret

__all__ = ["BigCommerceClient"]

T = TypeVar("T")
Params = dict[str, str | int]

MAX_PAGE = 250          # BigCommerce's page size cap; larger limits get HTTP 413
_IN_CHUNK = 50          # values per `email:in` / `sku:in` filter, keeps URLs short
_ID_CHUNK = MAX_PAGE    # ids per `id:in` / `order_id:in` filter: a whole page of answers per request




class BigCommerceClient(StoreReads):
    """Async client for one store: `async with BigCommerceClient(...) as client:` (or call `aclose()`)."""

    def __init__(self, *, api_path: str, access_token: str, transport: httpx.AsyncBaseTransport | None = None,
                 governor: RateGovernor | None = None, timeout: float = 30.0, max_retries: int = 4,
                 request_log: RequestLog | None = None, retry_policy: RetryPolicy | None = None) -> None:
        self.base_url, self.store_hash = parse_api_path(api_path)
        register_secret(access_token)
        self.governor = governor or RateGovernor()
        self.stats = RequestStats()
        self.request_log = request_log
        self.retry_policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/", transport=transport, timeout=timeout,
            headers={"Accept": "application/json", "Content-Type": "application/json",
                     "X-Auth-Token": access_token, "User-Agent": f"BigBooks-Desktop/{__version__}"})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # -- plumbing --

    async def _send_once(self, method: str, path: str, params: Params | None, attempt: int) -> httpx.Response:
        request = self._http.build_request(method, path.lstrip("/"), params=params)
        sent_at = await self.governor.acquire()
        try:
            response = await send_request(self._http, request, service=SERVICE, request_log=self.request_log,
                                          stats=self.stats, attempt=attempt)
        except BaseException:
            self.governor.release(None)
            raise
        self.governor.release(response.headers, status=response.status_code, sent_at=sent_at)
        if response.status_code == 429:
            self.governor.rate_limited(response.headers)
        if response.is_success:
            return response
        raise error_from_response(response)

    async def _request(self, method: str, path: str, params: Params | None = None) -> httpx.Response:
        async def attempt(n: int) -> httpx.Response:
            return await self._send_once(method, path, params, n)

        return await with_retries(attempt, policy=self.retry_policy, idempotent=is_read(method),
                                  stats=self.stats, sleep=self.governor.sleep)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return json_loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BugError(f"BigCommerce sent a response that is not JSON for {response.request.url.path}: "
                           f"{exc}", service=SERVICE, status=response.status_code) from None

    async def _get_json(self, path: str, params: Params | None = None) -> Any:
        return self._json(await self._request("GET", path, params))

    async def _iter_v2(self, path: str, params: Params | None = None, *, limit: int = MAX_PAGE
                       ) -> AsyncIterator[Any]:
        """v2 pages: a bare array; 204 (no body) or a page shorter than `limit` ends the list."""
        limit = max(1, min(limit, MAX_PAGE))
        page = 1
        while True:
            body = await self._get_json(path, {**(params or {}), "page": page, "limit": limit})
            if body is None:
                return
            if not isinstance(body, list):
                raise BugError(f"BigCommerce sent a {type(body).__name__} where {path} returns a list.",
                               service=SERVICE)
            for item in body:
                yield item
            if len(body) < limit:
                return
            page += 1

    async def _iter_v3(self, path: str, params: Params | None = None, *, limit: int = MAX_PAGE
                       ) -> AsyncIterator[Any]:
        """v3 pages: `{data, meta.pagination}`; ends at `total_pages` (or a short page without meta)."""
        limit = max(1, min(limit, MAX_PAGE))
        page = 1
        while True:
            body = await self._get_json(path, {**(params or {}), "page": page, "limit": limit})
            if body is None:
                return
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise BugError(f"BigCommerce sent no data list for {path}.", service=SERVICE)
            for item in data:
                yield item
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            pagination = meta.get("pagination") if isinstance(meta, dict) else None
            if isinstance(pagination, dict) and pagination.get("total_pages") is not None:
                current = int(pagination.get("current_page") or page)
                if current >= int(pagination["total_pages"]) or not data:
                    return
            elif len(data) < limit:
                return
            page += 1

    async def _v2_list(self, path: str, parse: Callable[[Any], T]) -> list[T]:
        return [parse(item) async for item in self._iter_v2(path)]

    async def _v3_list(self, path: str, parse: Callable[[Any], T], params: Params | None = None) -> list[T]:
        return [parse(item) async for item in self._iter_v3(path, params)]

    # -- store --

    async def get_store(self) -> bc.StoreInfo:
        return wire.parse_store(await self._get_json("/v2/store"))

    async def get_time(self) -> datetime:
        """BigCommerce's clock (GET /v2/time), aware UTC: the safe high-water mark for polling."""
        # `{"time": 1529512970}`: unix seconds (store_information.v2.yml, `/time`, in
        # /work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference). Anything else, or a moment
        # out of range, is data BigBooks cannot read (UnreadableDataError), not a raw ValueError.
        body = await self._get_json("/v2/time")
        data = body if isinstance(body, dict) else None
        value = wire.parse_datetime(data.get("time") if data is not None else None, resource="/v2/time",
                                    field="time", data=data)
        if value is None:
            raise wire.unreadable("no time in the answer", resource="/v2/time", field="time", data=data)
        return value

    # -- orders --

    async def iter_orders(self, *, modified_since: datetime | None = None,
                          modified_until: datetime | None = None, min_id: int | None = None,
                          max_id: int | None = None, status_id: int | None = None,
                          customer_id: int | None = None, sort: str = "date_modified:asc",
                          limit: int = MAX_PAGE) -> AsyncIterator[bc.Order]:
        params: Params = {"sort": sort, "include": "fees",     # fees come with the headers, no extra call
                          **_order_filters(modified_since, modified_until, min_id, max_id, status_id, customer_id)}
        async for item in self._iter_v2("/v2/orders", params, limit=limit):
            yield wire.parse_order(item)

    async def iter_listed_orders(self, *, modified_since: datetime | None = None,
                                 modified_until: datetime | None = None, min_id: int | None = None,
                                 max_id: int | None = None, status_id: int | None = None,
                                 customer_id: int | None = None, sort: str = "date_modified:asc",
                                 limit: int = MAX_PAGE) -> AsyncIterator[bc_listing.ListedItem]:
        """Orders 250 a page with their lines, shipping addresses and fees (`include=consignments.line_items,
        fees&consignment_structure=object`, see `connectors.bigcommerce.consignments`). An order whose payload
        cannot be read comes as an `UnreadableOrder` with the payload; the rest of its page is still read."""
        params: Params = {"sort": sort, **consignments.LIST_PARAMS,
                          **_order_filters(modified_since, modified_until, min_id, max_id, status_id, customer_id)}
        async for item in self._iter_v2("/v2/orders", params, limit=limit):
            yield consignments.parse_listed_order(item)

    async def complete_order(self, listed: bc_listing.ListedOrder, *, refunds: Sequence[bc.Refund] | None = None,
                             transactions: bool | None = None, taxes: bool | None = None,
                             coupons: bool | None = None) -> bc.OrderDetail:
        """The `OrderDetail` of a listed order, reading only what the list could not carry.

        - products / shipping addresses: from the list, else read as `get_order_detail` reads them;
        - coupons when `coupon_discount` != 0, rebuilt from the lines' `applied_discounts` when they account for
          all of it (`consignments.coupons_from_lines`), else read; taxes when `total_tax` != 0 (True / False
          force either);
        - transactions unless the `payment_status` says no money was taken (`consignments.money_may_have_moved`;
          True / False force);
        - refunds: this order's rows of `refunds` when given (a store-wide read, e.g. `iter_store_refunds`, that
          must cover every refund of the order), else one read of the order's refunds.
        """
        order = listed.order
        order_id = order.id
        want_tx = consignments.money_may_have_moved(order) if transactions is None else transactions
        want_taxes = order.total_tax != 0 if taxes is None else taxes
        want_coupons = order.coupon_discount != 0 if coupons is None else coupons
        parts: list[Any] = [
            _known(listed.products) if listed.products is not None else self.get_order_products(order_id),
            _known(listed.shipping_addresses) if listed.shipping_addresses is not None
            else self.get_order_shipping_addresses(order_id) if order.shipping_address_count != 0 else _nothing(),
            self._coupons(listed) if want_coupons else _nothing(),
            self.get_order_taxes(order_id) if want_taxes else _nothing(),
            self.get_order_transactions(order_id) if want_tx else _nothing(),
            _known(consignments.refunds_by_order(refunds).get(order_id, ())) if refunds is not None
            else self.get_order_refunds(order_id),
            self._fees_unless_known(order),
        ]
        return await _gather_detail(order, parts)

    async def _coupons(self, listed: bc_listing.ListedOrder) -> list[bc.Coupon]:
        """The listed order's coupons: rebuilt from its lines when they account for all of them
        (`consignments.coupons_from_lines`), else read."""
        if listed.products is not None:
            rebuilt = consignments.coupons_from_lines(listed.order, listed.products)
            if rebuilt is not None:
                return list(rebuilt)
        return await self.get_order_coupons(listed.order.id)

    async def get_order(self, order_id: int) -> bc.Order:
        try:
            body = await self._get_json(f"/v2/orders/{int(order_id)}", {"include": "fees"})
        except NotFoundError as exc:
            raise NotFoundError(f"BigCommerce has no order {order_id} (it may have been deleted).",
                                title="Order not found", service=SERVICE, status=exc.status) from None
        if body is None:
            raise NotFoundError(f"BigCommerce has no order {order_id}.", title="Order not found",
                                service=SERVICE, status=204)
        return wire.parse_order(body)

    async def get_order_products(self, order_id: int) -> list[bc.OrderProduct]:
        return await self._v2_list(f"/v2/orders/{int(order_id)}/products", wire.parse_order_product)

    async def get_order_shipping_addresses(self, order_id: int) -> list[bc.ShippingAddress]:
        return await self._v2_list(f"/v2/orders/{int(order_id)}/shipping_addresses",
                                   wire.parse_shipping_address)

    async def get_order_coupons(self, order_id: int) -> list[bc.Coupon]:
        return await self._v2_list(f"/v2/orders/{int(order_id)}/coupons", wire.parse_coupon)

    async def get_order_taxes(self, order_id: int) -> list[bc.OrderTax]:
        return await self._v2_list(f"/v2/orders/{int(order_id)}/taxes", wire.parse_tax)

    async def get_order_fees(self, order_id: int) -> list[bc.OrderFee]:
        return wire.parse_fees(await self._get_json(f"/v2/orders/{int(order_id)}/fees"))

    async def _fees_unless_known(self, header: bc.Order) -> list[bc.OrderFee]:
        """The header's fees when it was read with include=fees (as iter_orders and get_order read it),
        otherwise one GET of /fees."""
        if header.fees is not None:
            return list(header.fees)
        return await self.get_order_fees(header.id)

    async def get_order_transactions(self, order_id: int) -> list[bc.Transaction]:
        return await self._v3_list(f"/v3/orders/{int(order_id)}/transactions", wire.parse_transaction)

    async def get_order_refunds(self, order_id: int) -> list[bc.Refund]:
        return await self._v3_list(f"/v3/orders/{int(order_id)}/payment_actions/refunds", wire.parse_refund)

    async def get_order_detail(self, order: bc.Order | int) -> bc.OrderDetail:
        """The order with products, shipping addresses, coupons, taxes, transactions, refunds and fees, fetched
        concurrently (each through the governor). When given an id, the header is fetched first.

        Sub-resources the header proves empty are not requested (each request spends the store's shared
        rate limit): coupons when `coupon_discount` is zero, taxes when `total_tax` is zero, shipping
        addresses when `shipping_address_count` is 0. Products, transactions and refunds are always read:
        no header field reliably says they are empty (`refunded_amount` is documented as always 0). Fees
        come with a header read with include=fees (iter_orders, get_order); only another header costs a
        GET of /fees.
        """
        header = await self.get_order(order) if isinstance(order, int) else order
        order_id = header.id
        parts: list[Any] = [
            self.get_order_products(order_id),
            self.get_order_shipping_addresses(order_id) if header.shipping_address_count != 0 else _nothing(),
            self.get_order_coupons(order_id) if header.coupon_discount != 0 else _nothing(),
            self.get_order_taxes(order_id) if header.total_tax != 0 else _nothing(),
            self.get_order_transactions(order_id),
            self.get_order_refunds(order_id),
            self._fees_unless_known(header),
        ]
        return await _gather_detail(header, parts)

    async def iter_refunds(self, *, created_since: datetime | None = None) -> AsyncIterator[bc.Refund]:
        """Store-wide refunds (GET /v3/orders/payment_actions/refunds), optionally from `created_since` on."""
        params: Params = {}
        if created_since is not None:
            params["created:min"] = _iso(created_since, "created_since")
        async for item in self._iter_v3("/v3/orders/payment_actions/refunds", params):
            yield wire.parse_refund(item)

    async def iter_store_refunds(self, *, order_ids: Sequence[int] | None = None,
                                 created_since: datetime | None = None, created_until: datetime | None = None
                                 ) -> AsyncIterator[bc.Refund]:
        """Store-wide refunds with the spec's filters (orders.v3.yml getOrdersRefunds: `order_id:in`,
        `created:min`, `created:max`), 250 a page; `order_ids` go 250 to a request."""
        params: Params = {}
        if created_since is not None:
            params["created:min"] = _iso(created_since, "created_since")
        if created_until is not None:
            params["created:max"] = _iso(created_until, "created_until")
        if order_ids is None:
            async for item in self._iter_v3("/v3/orders/payment_actions/refunds", params):
                yield wire.parse_refund(item)
            return
        for chunk in _chunks([str(int(i)) for i in order_ids], _ID_CHUNK):
            async for item in self._iter_v3("/v3/orders/payment_actions/refunds",
                                            {**params, "order_id:in": ",".join(chunk)}):
                yield wire.parse_refund(item)

    async def get_order_statuses(self) -> list[dict[str, Any]]:
        body = await self._get_json("/v2/order_statuses")
        return [dict(item) for item in body or [] if isinstance(item, dict)]

    async def count_orders(self) -> int:
        body = await self._get_json("/v2/orders/count")
        if not isinstance(body, dict) or "count" not in body:
            raise BugError("BigCommerce sent no count from /v2/orders/count.", service=SERVICE)
        return int(body["count"])


def _order_filters(modified_since: datetime | None, modified_until: datetime | None, min_id: int | None,
                   max_id: int | None, status_id: int | None, customer_id: int | None) -> Params:
    """The `GET /v2/orders` filters given (orders.v2.oas2.yml getOrders)."""
    params: Params = {}
    if modified_since is not None:
        params["min_date_modified"] = _iso(modified_since, "modified_since")
    if modified_until is not None:
        params["max_date_modified"] = _iso(modified_until, "modified_until")
    for name, value in (("min_id", min_id), ("max_id", max_id), ("status_id", status_id),
                        ("customer_id", customer_id)):
        if value is not None:
            params[name] = value
    return params


async def _gather_detail(order: bc.Order, parts: Sequence[Awaitable[Any]]) -> bc.OrderDetail:
    """The order's detail from its parts, fetched concurrently: products, shipping addresses, coupons, taxes,
    transactions, refunds and fees, in that order. Every part is awaited before the first failure is raised, so
    no request is left running."""
    results: list[Any] = await asyncio.gather(*parts, return_exceptions=True)
    failure = next((r for r in results if isinstance(r, BaseException)), None)
    if failure is not None:
        raise failure
    return bc.OrderDetail(order=order, products=tuple(results[0]), shipping_addresses=tuple(results[1]),
                          coupons=tuple(results[2]), taxes=tuple(results[3]), transactions=tuple(results[4]),
                          refunds=tuple(results[5]), fees=tuple(results[6]))


async def _known(values: Sequence[Any]) -> list[Any]:
    """Stands in for a part the list (or a store-wide read) already carried."""
    return list(values)


async def _nothing() -> list[Any]:
    """Stands in for a sub-resource the order header proves empty."""
    return []
