"""BigCommerceClient against the sandbox store: in process (ASGI transport) and over real loopback sockets."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from bc_wire_checks import assert_fields_kept

from bigbooks_desktop.connectors.bigcommerce.account import check_api_account
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.bigcommerce.governor import RateGovernor
from bigbooks_desktop.connectors.http import RequestLog, RetryPolicy
from bigbooks_desktop.core.errors import AuthRevokedError, NotFoundError
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread

BASE = "http://sandbox.test"


def in_process(sandbox: Sandbox, **kwargs: Any) -> BigCommerceClient:
    info = sandbox.info(BASE)
    kwargs.setdefault("access_token", info["bigcommerce_token"])
    kwargs.setdefault("api_path", info["bigcommerce_api_path"])
    return BigCommerceClient(transport=sandbox.transport(), governor=RateGovernor(), **kwargs)


async def raw_json(sandbox: Sandbox, path: str) -> Any:
    """What the sandbox sends on the wire for `path` (one page of 250), read without the client."""
    info = sandbox.info(BASE)
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=BASE) as http:
        response = await http.get(f"/stores/{info['bigcommerce_store_hash']}{path}", params={"limit": 250},
                                  headers={"X-Auth-Token": info["bigcommerce_token"]})
    return json_loads(response.content) if response.status_code == 200 else None


@pytest.mark.asyncio
async def test_reads_the_whole_sandbox_store_without_losing_a_field() -> None:
    sandbox = Sandbox(SandboxConfig(orders=12, bc_quota=10_000))
    async with in_process(sandbox) as client:
        store = await check_api_account(client)
        assert store.id == client.store_hash
        orders = [o async for o in client.iter_orders()]
        paged = [o.id async for o in client.iter_orders(limit=5)]
        assert len(orders) == 12 == len(paged)
        assert [o.id for o in orders] == paged
        assert [o.date_modified for o in orders] == sorted(o.date_modified for o in orders)
        assert await client.count_orders() == 12
        statuses = await client.get_order_statuses()
        assert {s["id"] for s in statuses} >= {0, 1, 2, 10, 11, 14}

        for order in orders:
            detail = await client.get_order_detail(order)
            raw_order = await raw_json(sandbox, f"/v2/orders/{order.id}")
            assert_fields_kept(order, raw_order)
            assert isinstance(order.total_inc_tax, Decimal)
            for parsed, sub in ((detail.products, "products"),
                                (detail.shipping_addresses, "shipping_addresses"),
                                (detail.coupons, "coupons"), (detail.taxes, "taxes")):
                raw_list = await raw_json(sandbox, f"/v2/orders/{order.id}/{sub}") or []
                assert len(parsed) == len(raw_list), sub
                for model, raw_item in zip(parsed, raw_list, strict=True):
                    assert_fields_kept(model, raw_item)
            raw_tx = await raw_json(sandbox, f"/v3/orders/{order.id}/transactions")
            assert len(detail.transactions) == len(raw_tx["data"] if raw_tx else [])
            for model, raw_item in zip(detail.transactions, raw_tx["data"] if raw_tx else [], strict=True):
                assert_fields_kept(model, raw_item)
            raw_refunds = await raw_json(sandbox, f"/v3/orders/{order.id}/payment_actions/refunds")
            for model, raw_item in zip(detail.refunds, raw_refunds["data"], strict=True):
                assert_fields_kept(model, raw_item)

            if order.customer_id:
                customer = await client.get_customer(order.customer_id)
                assert customer is not None and customer.id == order.customer_id
            skus = [p.sku for p in detail.products if p.sku]
            if skus:
                variants = await client.find_variants(skus)
                assert {v.sku for v in variants} <= set(skus)

        emails = sorted({o.billing_address.email for o in orders if o.billing_address.email})
        found = await client.find_customers_by_email(emails)
        assert {c.email.lower() for c in found} <= {e.lower() for e in emails}
        assert client.stats.rate_limited == 0


@pytest.mark.asyncio
async def test_order_fees_come_with_the_header_without_a_request_of_their_own() -> None:
    sandbox = Sandbox(SandboxConfig(orders=400, seed=1, bc_quota=10_000))
    records = {r["order"]["id"]: r for r in sandbox.bigcommerce.records()}
    async with in_process(sandbox) as client:
        orders = [o async for o in client.iter_orders()]
        with_fees = [o for o in orders if records[o.id]["fees"]]
        assert with_fees and all(o.fees == () for o in orders if not records[o.id]["fees"])
        order = with_fees[0]
        before = dict(client.stats.requests)
        detail = await client.get_order_detail(order)
        by_id = await client.get_order_detail(order.id)
        made = {k: v - before.get(k, 0) for k, v in client.stats.requests.items() if v != before.get(k, 0)}
        assert not any(key.endswith("/fees") for key in made)
        assert detail.fees == by_id.fees == order.fees
        fee, wire_fee = detail.fees[0], records[order.id]["fees"][0]
        assert (fee.cost_ex_tax, fee.cost_inc_tax, fee.cost_tax) == (
            wire_fee["cost_ex_tax"], wire_fee["cost_inc_tax"], wire_fee["cost_tax"])
        fee_rows = [t for t in detail.taxes if t.line_item_type == "fee"]
        assert sum(t.line_amount for t in fee_rows) == sum(f.cost_tax for f in detail.fees)
        header_only = order.model_copy(update={"fees": None})
        before = dict(client.stats.requests)
        again = await client.get_order_detail(header_only)
        made = {k: v - before.get(k, 0) for k, v in client.stats.requests.items() if v != before.get(k, 0)}
        assert again.fees == detail.fees
        assert [v for k, v in made.items() if k.endswith("/fees")] == [1]


@pytest.mark.asyncio
async def test_incremental_filter_and_refund_feed() -> None:
    sandbox = Sandbox(SandboxConfig(orders=20, bc_quota=10_000))
    async with in_process(sandbox) as client:
        orders = [o async for o in client.iter_orders()]
        middle = orders[len(orders) // 2].date_modified
        newer = [o async for o in client.iter_orders(modified_since=middle)]
        assert newer and all(o.date_modified >= middle for o in newer)
        assert {o.id for o in newer} == {o.id for o in orders if o.date_modified >= middle}
        refunds = [r async for r in client.iter_refunds()]
        per_order = [r for o in orders for r in await client.get_order_refunds(o.id)]
        assert sorted(r.id for r in refunds) == sorted(r.id for r in per_order)
        now = await client.get_time()
        assert now.tzinfo is not None


@pytest.mark.asyncio
async def test_wrong_token_and_wrong_hash_say_so() -> None:
    sandbox = Sandbox(SandboxConfig(orders=1))
    lines: list[str] = []
    async with in_process(sandbox, access_token="not-the-right-token-123",
                          request_log=RequestLog(sink=lines.append, bodies=True)) as client:
        with pytest.raises(AuthRevokedError, match="did not accept this access token") as caught:
            await check_api_account(client)
    assert "not-the-right-token-123" not in str(caught.value) + "\n".join(lines)
    async with in_process(sandbox, api_path=f"{BASE}/stores/nosuchstore/v3/") as client:
        with pytest.raises(NotFoundError, match="no store with hash 'nosuchstore'"):
            await check_api_account(client)
    async with in_process(sandbox) as client:
        with pytest.raises(NotFoundError, match="no order 999999"):
            await client.get_order(999_999)


@pytest.mark.asyncio
async def test_injected_503s_are_retried_through() -> None:
    sandbox = Sandbox(SandboxConfig(orders=5, bc_quota=10_000, faults="GET /stores/*:503=0.3"))
    quick = RetryPolicy(max_retries=8, base_delay=0.001, max_delay=0.01)
    async with in_process(sandbox, retry_policy=quick) as client:
        orders = [o async for o in client.iter_orders()]
        details = [await client.get_order_detail(o) for o in orders]
    assert len(details) == 5
    assert client.stats.statuses[503] > 0
    assert client.stats.retries == client.stats.statuses[503]


async def _burst(client: BigCommerceClient, order_ids: list[int], total: int, concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with gate:
            await client.get_order(order_ids[n % len(order_ids)])

    await asyncio.gather(*(one(n) for n in range(total)))


@pytest.mark.asyncio
async def test_burst_in_process_meets_no_429() -> None:
    sandbox = Sandbox(SandboxConfig(orders=10, bc_quota=20, time_scale=300))   # 20 per 0.1 s window
    async with in_process(sandbox) as client:
        ids = [o.id async for o in client.iter_orders()]
        await _burst(client, ids, 400, concurrency=16)
        assert client.stats.rate_limited == 0
        assert client.stats.statuses[200] == client.stats.total
        assert client.governor.waits > 0            # it did have to pace


@pytest.mark.sockets
@pytest.mark.asyncio
async def test_burst_over_loopback_sockets_meets_no_429() -> None:
    # 40 requests per 0.3 s window: 400 requests need about ten windows of pacing.
    with SandboxThread(SandboxConfig(orders=10, bc_quota=40, time_scale=100)) as served:
        info = served.info
        async with BigCommerceClient(api_path=info["bigcommerce_api_path"],
                                     access_token=info["bigcommerce_token"]) as client:
            store = await check_api_account(client)
            assert store.id == info["bigcommerce_store_hash"]
            ids = [o.id async for o in client.iter_orders()]
            detail = await client.get_order_detail(ids[0])
            assert detail.order.id == ids[0]
            await _burst(client, ids, 400, concurrency=16)
            assert client.stats.rate_limited == 0
            assert all(200 <= status < 300 for status in client.stats.statuses)
            assert client.stats.statuses[200] >= 400


@pytest.mark.asyncio
async def test_order_detail_skips_only_what_the_header_proves_empty() -> None:
    """Each request spends the store's shared quota: no coupon, tax or address reads for orders whose header
    says there are none, and the detail is the same as when everything is read."""
    # Untaxed digital orders without a coupon are rare (digital lines only, shipped to an untaxed zone):
    # 400 orders of seed 1 have three.
    sandbox = Sandbox(SandboxConfig(orders=400, seed=1, bc_quota=10_000))
    async with in_process(sandbox) as client:
        orders = [o async for o in client.iter_orders()]
        bare = [o for o in orders if o.coupon_discount == 0 and o.total_tax == 0 and o.shipping_address_count == 0]
        full = [o for o in orders if o.coupon_discount and o.total_tax and o.shipping_address_count]
        assert bare and full, "the generated store should have both kinds of order"
        for order in (bare[0], full[0]):
            before = dict(client.stats.requests)
            detail = await client.get_order_detail(order)
            made = {k: v - before.get(k, 0) for k, v in client.stats.requests.items() if v != before.get(k, 0)}
            skipped = {"coupons", "taxes", "shipping_addresses"}
            read = {key.rsplit("/", 1)[-1] for key in made}
            if order is bare[0]:
                assert not (read & skipped) and {"products", "transactions", "refunds"} <= read
            else:
                assert skipped <= read
            assert detail.coupons == tuple(await client.get_order_coupons(order.id))
            assert detail.taxes == tuple(await client.get_order_taxes(order.id))
            assert detail.shipping_addresses == tuple(await client.get_order_shipping_addresses(order.id))
