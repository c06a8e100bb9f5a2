"""BigCommerce sandbox API behaviour: filters, sorting, paging caps, 204s, auth, store hash, rate limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

from .store_client import store_client


@pytest.fixture(scope="module")
def sandbox() -> BigCommerceSandbox:
    return BigCommerceSandbox(SandboxConfig(orders=120, seed=3, bc_quota=100_000))


def _client(sandbox: BigCommerceSandbox, token: str | None = None) -> httpx.AsyncClient:
    return store_client(sandbox, token=token, accept_json=False)


async def _json(client: httpx.AsyncClient, url: str, **params: Any) -> Any:
    response = await client.get(url, params=params)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return json_loads(response.text)


@pytest.mark.asyncio
async def test_orders_page_defaults_caps_and_204_past_the_end(sandbox: BigCommerceSandbox) -> None:
    async with _client(sandbox) as client:
        first = await _json(client, "/v2/orders")
        assert len(first) == 50 and [o["id"] for o in first] == list(range(100, 150))
        everything = await _json(client, "/v2/orders", limit=250)
        assert len(everything) == 120
        assert (await client.get("/v2/orders", params={"limit": 251})).status_code == 413
        body = (await client.get("/v2/orders", params={"limit": 251})).json()
        assert body[0]["status"] == 413
        past = await client.get("/v2/orders", params={"page": 4, "limit": 50})
        assert past.status_code == 204 and past.content == b""
        none = await client.get("/v2/orders", params={"min_id": 10_000})
        assert none.status_code == 204 and none.content == b""
        assert (await client.get("/v3/catalog/products", params={"limit": 300})).status_code == 413


@pytest.mark.asyncio
@pytest.mark.parametrize("field", ["id", "date_modified", "date_created", "status_id", "customer_id"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_orders_sort_by_field_and_direction(
    sandbox: BigCommerceSandbox, field: str, direction: str
) -> None:
    async with _client(sandbox) as client:
        rows = await _json(client, "/v2/orders", sort=f"{field}:{direction}", limit=250)
    convert: Callable[[Any], Any] = parsedate_to_datetime if field.startswith("date") else int
    values = [convert(o[field]) for o in rows]
    assert values == sorted(values, reverse=direction == "desc")


@pytest.mark.asyncio
async def test_orders_filters(sandbox: BigCommerceSandbox) -> None:
    records = sandbox.records()
    pivot = sorted(r["order"]["date_modified"] for r in records)[60]
    async with _client(sandbox) as client:
        for text in (
            pivot.isoformat(),
            pivot.strftime("%a, %d %b %Y %H:%M:%S +0000"),
            pivot.astimezone().isoformat(),
        ):
            rows = await _json(client, "/v2/orders", min_date_modified=text, limit=250)
            assert {o["id"] for o in rows} == {
                r["order"]["id"] for r in records if r["order"]["date_modified"] >= pivot
            }
        rows = await _json(client, "/v2/orders", max_date_created=pivot.isoformat(), limit=250)
        assert all(parsedate_to_datetime(o["date_created"]) <= pivot for o in rows) and rows
        rows = await _json(client, "/v2/orders", min_id=110, max_id=119)
        assert [o["id"] for o in rows] == list(range(110, 120))
        rows = await _json(client, "/v2/orders", status_id=10, limit=250)
        assert rows and all(o["status_id"] == 10 for o in rows)
        guest_count = sum(1 for r in records if r["order"]["customer_id"] == 0)
        assert len(await _json(client, "/v2/orders", customer_id=0, limit=250)) == guest_count
        email = next(r["order"]["billing_address"]["email"] for r in records if r["order"]["customer_id"])
        rows = await _json(client, "/v2/orders", email=email.upper(), limit=250)
        assert rows and all(o["billing_address"]["email"] == email for o in rows)
        assert (await client.get("/v2/orders", params={"min_date_modified": "yesterday"})).status_code == 400
        assert (await client.get("/v2/orders", params={"sort": "total:asc"})).status_code == 400


@pytest.mark.asyncio
async def test_count_sub_resources_and_missing_order(sandbox: BigCommerceSandbox) -> None:
    async with _client(sandbox) as client:
        count = await _json(client, "/v2/orders/count")
        assert count["count"] == 120 and sum(s["count"] for s in count["statuses"]) == 120
        assert {s["id"] for s in count["statuses"]} == set(range(15))
        missing = await client.get("/v2/orders/99999")
        assert missing.status_code == 404 and missing.json()[0]["status"] == 404
        assert (await client.get("/v2/orders/99999/products")).status_code == 404
        no_coupons = next(r["order"]["id"] for r in sandbox.records() if not r["coupons"])
        assert (await client.get(f"/v2/orders/{no_coupons}/coupons")).status_code == 204
        unpaid = next(r["order"]["id"] for r in sandbox.records() if not r["transactions"])
        empty = await client.get(f"/v3/orders/{unpaid}/transactions")
        assert empty.status_code == 204 and empty.content == b""
        missing3 = await client.get("/v3/orders/99999/transactions")
        assert missing3.status_code == 404 and set(missing3.json()) == {"status", "title", "type", "errors"}
        assert (await _json(client, "/v2/time"))["time"] == int(sandbox.config.clock())


@pytest.mark.asyncio
async def test_v3_filters_and_pagination(sandbox: BigCommerceSandbox) -> None:
    async with _client(sandbox) as client:
        page = await _json(client, "/v3/customers", limit=7, page=2)
        meta = page["meta"]["pagination"]
        assert meta["per_page"] == 7 and meta["current_page"] == 2 and meta["count"] == 7
        assert meta["total"] == len(sandbox.store.customers) and "addresses" not in page["data"][0]
        with_addresses = await _json(client, "/v3/customers", **{"id:in": "1,2", "include": "addresses"})
        assert [c["id"] for c in with_addresses["data"]] == [1, 2] and with_addresses["data"][0]["addresses"]
        by_email = await _json(client, "/v3/customers", **{"email:in": "customer3@example.com"})
        assert [c["id"] for c in by_email["data"]] == [3]
        pivot = sorted(c["date_modified"] for c in sandbox.store.customers)[10]
        recent = await _json(
            client, "/v3/customers", **{"date_modified:min": pivot.isoformat(), "limit": 250}
        )
        assert len(recent["data"]) == sum(1 for c in sandbox.store.customers if c["date_modified"] >= pivot)
        product = sandbox.store.products[5]
        found = await _json(client, "/v3/catalog/products", sku=product["sku"], include="variants")
        assert [p["id"] for p in found["data"]] == [product["id"]] and found["data"][0]["variants"]
        variant = product["variants"][-1]
        found = await _json(client, "/v3/catalog/variants", sku=variant["sku"])
        assert [v["id"] for v in found["data"]] == [variant["id"]]
        found = await _json(client, "/v3/catalog/variants", **{"product_id:in": str(product["id"])})
        assert len(found["data"]) == len(product["variants"])
        refunds = [r for rec in sandbox.records() for r in rec["refunds"]]
        order_ids = sorted({r["order_id"] for r in refunds})[:2]
        got = await _json(
            client, "/v3/orders/payment_actions/refunds", **{"order_id:in": ",".join(map(str, order_ids))}
        )
        assert {r["order_id"] for r in got["data"]} == set(order_ids)
        cut = sorted(r["created"] for r in refunds)[len(refunds) // 2]
        got = await _json(client, "/v3/orders/payment_actions/refunds", **{"created:min": cut.isoformat()})
        assert got["meta"]["pagination"]["total"] == sum(1 for r in refunds if r["created"] >= cut)


@pytest.mark.asyncio
async def test_auth_and_store_hash(sandbox: BigCommerceSandbox) -> None:
    async with _client(sandbox, token="wrong") as client:
        v2 = await client.get("/v2/orders")
        assert v2.status_code == 401 and v2.json()[0]["status"] == 401
        v3 = await client.get("/v3/customers")
        assert v3.status_code == 401 and v3.json()["status"] == 401 and "title" in v3.json()
    async with _client(sandbox, token="") as client:
        assert (await client.get("/v2/store")).status_code == 401
    async with _client(sandbox) as client:
        wrong = await client.get("http://sandbox/stores/nothash/v2/orders")
        assert wrong.status_code == 404


@pytest.mark.asyncio
async def test_rate_limit_headers_and_429_then_recovery() -> None:
    now = [1_700_000_000.0]
    config = SandboxConfig(orders=5, bc_quota=3, time_scale=10.0, clock=lambda: now[0])
    sandbox = BigCommerceSandbox(config)
    async with _client(sandbox) as client:
        lefts = []
        for _ in range(3):
            response = await client.get("/v2/time")
            assert response.status_code == 200
            assert response.headers["X-Rate-Limit-Requests-Quota"] == "3"
            assert response.headers["X-Rate-Limit-Time-Window-Ms"] == "3000"
            lefts.append(int(response.headers["X-Rate-Limit-Requests-Left"]))
        assert lefts == [2, 1, 0]
        now[0] += 1.0
        limited = await client.get("/v3/customers")
        assert limited.status_code == 429 and limited.json()["status"] == 429
        assert limited.headers["X-Rate-Limit-Time-Reset-Ms"] == "2000"
        assert limited.headers["X-Rate-Limit-Requests-Left"] == "0"
        now[0] += 2.0
        assert (await client.get("/v2/time")).status_code == 200
        sandbox.reset()
        assert (await client.get("/v2/time")).headers["X-Rate-Limit-Requests-Left"] == "2"


def test_dates_are_fixed_history_not_today() -> None:
    sandbox = BigCommerceSandbox(SandboxConfig(orders=30))
    newest = max(r["order"]["date_created"] for r in sandbox.records())
    assert newest <= datetime(2025, 6, 2, tzinfo=UTC)
