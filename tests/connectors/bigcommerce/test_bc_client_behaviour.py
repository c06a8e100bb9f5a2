"""BigCommerceClient behaviour: pagination ends, error shapes, retries, no blind write retry, redaction."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from bc_virtual_time import VirtualTime

from bigbooks_desktop.connectors.bigcommerce.account import check_api_account, parse_api_path
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.bigcommerce.governor import RateGovernor
from bigbooks_desktop.connectors.http import RequestLog
from bigbooks_desktop.core.errors import (
    AuthRevokedError,
    BigBooksError,
    BugError,
    ConfigurationError,
    NotFoundError,
    PermanentError,
    PermissionDeniedError,
    RateLimitedError,
    TransientError,
    ValidationError,
)

API_PATH = "https://api.bigcommerce.com/stores/abc123/v3/"
TOKEN = "bcsecret-TOKEN-5a1f0c9e77d2"

Handler = Callable[[httpx.Request], httpx.Response]


def order(n: int) -> dict[str, Any]:
    return {"id": n, "date_created": "Tue, 05 Mar 2019 21:40:11 +0000",
            "date_modified": "Tue, 05 Mar 2019 21:40:11 +0000", "status_id": 11,
            "subtotal_ex_tax": "10.0000", "subtotal_inc_tax": "10.0000", "total_ex_tax": "10.0000",
            "total_inc_tax": "10.0000"}


def make(handler: Handler, vt: VirtualTime | None = None, **kwargs: Any) -> BigCommerceClient:
    governor = RateGovernor(clock=vt.clock, sleep=vt.sleep) if vt else RateGovernor()
    return BigCommerceClient(api_path=API_PATH, access_token=TOKEN, transport=httpx.MockTransport(handler),
                             governor=governor, **kwargs)


@pytest.mark.asyncio
async def test_v2_pages_end_on_204() -> None:
    pages: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        pages.append(page)
        if page <= 2:
            return httpx.Response(200, json=[order(page * 10 + i) for i in range(3)])
        return httpx.Response(204)

    async with make(handler) as client:
        ids = [o.id async for o in client.iter_orders(limit=3)]
    assert ids == [10, 11, 12, 20, 21, 22]
    assert pages == [1, 2, 3]


@pytest.mark.asyncio
async def test_v2_short_page_ends_without_asking_again() -> None:
    pages: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        pages.append(page)
        if request.url.path.endswith("/products"):
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=[order(i) for i in range(3 if page == 1 else 1)])

    async with make(handler) as client:
        assert len([o async for o in client.iter_orders(limit=3)]) == 4
        assert await client.get_order_products(5) == []   # products: first (short) page is empty
    assert pages == [1, 2, 1]


@pytest.mark.asyncio
async def test_v3_pages_follow_meta_pagination_and_204_means_none() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/transactions"):
            return httpx.Response(204)
        page = int(request.url.params["page"])
        data = [{"id": page * 100 + i, "product_id": 1, "sku": f"S{page}-{i}", "price": 1.5}
                for i in range(2)]
        return httpx.Response(200, json={"data": data, "meta": {"pagination": {
            "total": 6, "count": 2, "per_page": 2, "current_page": page, "total_pages": 3}}})

    async with make(handler) as client:
        variants = await client.find_variants(["A"])
        assert await client.get_order_transactions(1) == []
    assert [v.id for v in variants] == [100, 101, 200, 201, 300, 301]
    assert str(variants[0].price) == "1.5"


def error_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)
    return handler


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "body", "error_type", "words"), [
    (401, [{"status": 401, "message": "You are not authorized."}], AuthRevokedError,
     "API account was deleted"),
    (403, {"status": 403, "title": "You don't have a required scope to access the endpoint", "type": "x",
           "errors": {}}, PermissionDeniedError, "store_v2_orders_read_only"),
    (404, [{"status": 404, "message": "The requested resource was not found."}], NotFoundError, "order 9"),
    (422, {"status": 422, "title": "JSON data is missing or invalid", "type": "x",
           "errors": {"email": "must be an email"}}, ValidationError, "email: must be an email"),
    (409, [{"status": 409, "message": "Conflict", "details": {"sku": "duplicate"}}], ValidationError, "sku"),
    (413, [{"status": 413, "message": "limit too large"}], BugError, "too large"),
    (507, [{"status": 507, "message": "Insufficient storage"}], PermanentError, "plan"),
])
async def test_error_shapes_become_core_errors(status: int, body: Any, error_type: type[BigBooksError],
                                               words: str) -> None:
    async with make(error_response(status, body)) as client:
        with pytest.raises(error_type) as caught:
            await client.get_order(9)
    error = caught.value
    assert error.status == status and error.service == "BigCommerce"
    assert words in error.message
    assert TOKEN not in str(error)
    if isinstance(error, ValidationError):
        assert error.field in ("email", "sku")


@pytest.mark.asyncio
async def test_permission_error_names_the_transactions_scope() -> None:
    async with make(error_response(403, {"status": 403, "title": "Forbidden", "errors": {}})) as client:
        with pytest.raises(PermissionDeniedError, match="store_v2_transactions_read_only"):
            await client.get_order_transactions(3)


@pytest.mark.asyncio
async def test_reads_retry_503_with_backoff_then_succeed() -> None:
    vt, calls = VirtualTime(), []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(vt.now)
        if len(calls) <= 2:
            return httpx.Response(503, json=[{"status": 503, "message": "Service Unavailable"}])
        return httpx.Response(200, json=order(7))

    async with make(handler, vt) as client:
        result = await vt.run(client.get_order(7))
        assert result.id == 7
        assert client.stats.retries == 2
        assert client.stats.statuses == {503: 2, 200: 1}
    # Two waits within their full-jitter ceilings (0.5 s, then 1 s); no headers, so no governor waits.
    assert len(vt.slept) == 2
    assert 0 <= vt.slept[0] <= 0.5 and 0 <= vt.slept[1] <= 1.0
    assert calls[2] - calls[0] == pytest.approx(sum(vt.slept))


@pytest.mark.asyncio
async def test_reads_give_up_after_max_retries_with_a_transient_error() -> None:
    vt, calls = VirtualTime(), []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("connection refused", request=request)

    async with make(handler, vt, max_retries=3) as client:
        with pytest.raises(TransientError) as caught:
            await vt.run(client.get_store())
    assert len(calls) == 4
    assert "write_outcome" not in caught.value.details


@pytest.mark.asyncio
async def test_writes_are_never_retried_blindly() -> None:
    vt, calls = VirtualTime(), []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ReadTimeout("no answer", request=request)

    async with make(handler, vt) as client:
        # The client has no write verbs today; its one request path must still treat POST as unsafe to repeat.
        with pytest.raises(TransientError) as caught:
            await vt.run(client._request("POST", "/v3/hooks"))
    assert calls == ["POST"]
    assert caught.value.details["write_outcome"] == "unknown"


@pytest.mark.asyncio
async def test_429_waits_for_the_reset_then_succeeds_and_others_wait_too() -> None:
    vt, seen = VirtualTime(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(vt.now)
        if len(seen) == 1:
            return httpx.Response(429, headers={"X-Rate-Limit-Time-Reset-Ms": "4000",
                                                "X-Rate-Limit-Requests-Left": "0",
                                                "X-Rate-Limit-Requests-Quota": "150"})
        return httpx.Response(200, json=order(1), headers={"X-Rate-Limit-Requests-Left": "140",
                                                            "X-Rate-Limit-Requests-Quota": "150",
                                                            "X-Rate-Limit-Time-Reset-Ms": "26000"})

    start = vt.now
    async with make(handler, vt) as client:
        await vt.run(client.get_order(1))
        assert seen[1] >= start + 4.0
        assert client.stats.rate_limited == 1
        await vt.run(client.get_order(1))


@pytest.mark.asyncio
async def test_429_without_headers_backs_off_and_gives_up_as_rate_limited() -> None:
    vt = VirtualTime()
    too_many = error_response(429, [{"status": 429, "message": "Too many"}])
    async with make(too_many, vt, max_retries=2) as client:
        with pytest.raises(RateLimitedError):
            await vt.run(client.get_order(1))
        assert client.stats.rate_limited == 3


@pytest.mark.asyncio
async def test_429s_without_headers_are_survived_with_growing_pauses() -> None:
    vt, seen = VirtualTime(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(vt.now)
        if len(seen) <= 3:      # no X-Rate-Limit-* headers at all: the governor must guess, and back off
            return httpx.Response(429, json=[{"status": 429, "message": "Too many"}])
        return httpx.Response(200, json=order(1))

    async with make(handler, vt) as client:
        got = await vt.run(client.get_order(1))
    assert got.id == 1 and client.stats.rate_limited == 3 and len(seen) == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(seen)]
    assert all(gap > 0 for gap in gaps) and gaps == sorted(gaps)    # exponential steps, jitter within each


@pytest.mark.asyncio
async def test_sandbox_429_bursts_are_survived() -> None:
    from bigbooks_desktop.sandbox.app import Sandbox
    from bigbooks_desktop.sandbox.config import SandboxConfig

    sandbox = Sandbox(SandboxConfig(orders=6, bc_quota=10_000, time_scale=1000, seed=5,
                                    faults="GET /stores/*:429burst=0.15x2"))
    info = sandbox.info("http://sandbox.test")
    async with BigCommerceClient(api_path=info["bigcommerce_api_path"],
                                 access_token=info["bigcommerce_token"],
                                 transport=sandbox.transport(), governor=RateGovernor()) as client:
        orders = [o async for o in client.iter_orders()]
        details = [await client.get_order_detail(o) for o in orders]
    assert len(details) == 6 and sandbox.fault_counts["429"] > 0
    assert client.stats.rate_limited == sandbox.fault_counts["429"]


@pytest.mark.asyncio
async def test_token_never_in_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    lines: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["X-Auth-Token"] == TOKEN       # it is sent...
        if request.url.path.endswith("/v2/store"):
            return httpx.Response(401, json=[{"status": 401, "message": f"token {TOKEN} is not valid"}])
        raise httpx.ConnectError(f"failed with X-Auth-Token: {TOKEN}", request=request)

    log = RequestLog(sink=lines.append, bodies=True)
    errors: list[str] = []
    async with make(handler, VirtualTime(), request_log=log, max_retries=1) as client:
        with caplog.at_level(logging.DEBUG):
            for call in (client.get_store(), client.get_time()):
                try:
                    await _run(client, call)
                except BigBooksError as exc:
                    errors.append(str(exc))
                    errors.append(repr(exc.to_dict()))
    assert len(errors) == 4
    text = "\n".join(lines + errors) + caplog.text
    assert lines and TOKEN not in text                        # ...but never shown
    assert "X-Auth-Token" in "\n".join(lines) or "x-auth-token" in "\n".join(lines)


async def _run(client: BigCommerceClient, call: Any) -> Any:
    vt = VirtualTime()
    client.governor.clock, client.governor.sleep = vt.clock, vt.sleep
    return await vt.run(call)


def test_parse_api_path_variants() -> None:
    assert parse_api_path("https://api.bigcommerce.com/stores/abc123/v3/") == (
        "https://api.bigcommerce.com/stores/abc123", "abc123")
    assert parse_api_path(" https://api.bigcommerce.com/stores/abc123/v2 ")[1] == "abc123"
    assert parse_api_path("https://api.bigcommerce.com/stores/abc123")[1] == "abc123"
    assert parse_api_path("http://127.0.0.1:8123/bigcommerce/stores/s1x2/v3/") == (
        "http://127.0.0.1:8123/bigcommerce/stores/s1x2", "s1x2")
    for bad in ("", "abc123", "https://api.bigcommerce.com/v3/", "https://example.com/stores/"):
        with pytest.raises(ConfigurationError):
            parse_api_path(bad)


@pytest.mark.asyncio
async def test_check_api_account_messages() -> None:
    store = {"id": "abc123", "name": "Shop", "timezone": {"name": "UTC", "raw_offset": 0}}
    async with make(lambda r: httpx.Response(200, json=store)) as client:
        assert (await check_api_account(client)).name == "Shop"
    async with make(error_response(401, [{"status": 401, "message": "no"}])) as client:
        with pytest.raises(AuthRevokedError, match="did not accept this access token"):
            await check_api_account(client)
    async with make(error_response(404, [{"status": 404, "message": "missing"}])) as client:
        with pytest.raises(NotFoundError, match="no store with hash 'abc123'"):
            await check_api_account(client)
    async with make(lambda r: httpx.Response(200, json={**store, "id": "zzz999"})) as client:
        with pytest.raises(ConfigurationError, match="belongs to store 'zzz999'"):
            await check_api_account(client)
