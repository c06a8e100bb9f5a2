"""Shared connector HTTP plumbing: redacted logs, stats, retry policy and httpx error conversion."""

from __future__ import annotations

import logging

import httpx
import pytest

from bigbooks_desktop.connectors.http import (
    RequestLog,
    RequestStats,
    RetryPolicy,
    error_from_transport,
    is_read,
    retry_after_seconds,
    route_of,
    send_request,
    with_retries,
)
from bigbooks_desktop.core.errors import (
    BugError,
    ConfigurationError,
    NotFoundError,
    RateLimitedError,
    TransientError,
)
from bigbooks_desktop.core.redact import forget_secret, register_secret

TOKEN = "tok_live_9f8e7d6c5b4a3210"


def test_route_of_groups_ids() -> None:
    assert route_of("/stores/abc123/v2/orders/101/products") == "/stores/{hash}/v2/orders/{id}/products"
    assert route_of("/accounting/account/xZ9k/invoices/invoices/7") == (
        "/accounting/account/{account_id}/invoices/invoices/{id}")
    assert route_of("/v3/orders/7") == "/v3/orders/{id}"
    assert route_of("/v2/orders") == "/v2/orders"
    assert is_read("get") and not is_read("POST")


@pytest.mark.asyncio
async def test_request_log_redacts_tokens_in_headers_urls_bodies(caplog: pytest.LogCaptureFixture) -> None:
    lines: list[str] = []
    log = RequestLog(sink=lines.append, bodies=True)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": TOKEN, "ok": True}, headers={"X-Auth-Token": TOKEN})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        request = http.build_request(
            "POST", f"https://example.test/x?access_token={TOKEN}",
            headers={"X-Auth-Token": TOKEN, "Authorization": f"Bearer {TOKEN}"},
            json={"refresh_token": TOKEN, "name": "Ada"})
        with caplog.at_level(logging.DEBUG, logger="bigbooks_desktop.http"):
            response = await send_request(http, request, service="Example", request_log=log)
    assert response.status_code == 200
    assert len(lines) == 2
    everything = "\n".join(lines) + caplog.text
    assert TOKEN not in everything
    assert "Ada" in everything  # bodies are logged, only the secrets are blanked
    assert "***" in everything


@pytest.mark.asyncio
async def test_registered_secret_is_scrubbed_wherever_it_appears() -> None:
    register_secret(TOKEN)
    try:
        lines: list[str] = []
        log = RequestLog(sink=lines.append, bodies=True)
        async with httpx.AsyncClient(transport=httpx.MockTransport(
                lambda r: httpx.Response(400, text=f"bad token {TOKEN} in field foo"))) as http:
            await send_request(http, http.build_request("GET", "https://example.test/"), service="Example",
                               request_log=log)
        assert lines and all(TOKEN not in line for line in lines)
    finally:
        forget_secret(TOKEN)


@pytest.mark.asyncio
async def test_send_request_counts_routes_statuses_and_failures() -> None:
    stats = RequestStats()
    calls = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise httpx.ConnectTimeout("slow", request=request)
        return httpx.Response(429 if calls == 2 else 200, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        for n in (1, 2):
            await send_request(http, http.build_request("GET", f"https://x.test/v2/orders/{n}"),
                               service="X", stats=stats)
        with pytest.raises(TransientError):
            await send_request(http, http.build_request("GET", "https://x.test/v2/orders/3"), service="X",
                               stats=stats)
    assert stats.requests == {"GET /v2/orders/{id}": 3}
    assert stats.statuses == {200: 1, 429: 1}
    assert stats.rate_limited == 1
    assert stats.transport_failures == 1
    assert stats.snapshot()["total"] == 3


@pytest.mark.parametrize("exc_type", [httpx.ReadTimeout, httpx.ConnectError, httpx.ReadError,
                                      httpx.RemoteProtocolError, httpx.PoolTimeout])
def test_transport_failures_are_transient(exc_type: type[httpx.HTTPError]) -> None:
    request = httpx.Request("GET", "https://x.test/v2/orders")
    error = error_from_transport(exc_type("boom", request=request), request=request, service="X",
                                 idempotent=True)
    assert isinstance(error, TransientError)
    assert error.retryable
    assert "write_outcome" not in error.details


def test_failed_write_is_marked_outcome_unknown() -> None:
    request = httpx.Request("POST", f"https://x.test/invoices?token={TOKEN}")
    exc = httpx.RemoteProtocolError("peer closed connection", request=request)
    error = error_from_transport(exc, request=request, service="FreshBooks", idempotent=False)
    assert isinstance(error, TransientError)
    assert error.details["write_outcome"] == "unknown"
    assert "may or may not" in error.message
    assert TOKEN not in str(error)


def test_unusable_url_and_other_failures() -> None:
    request = httpx.Request("GET", "ftp://x.test/")
    assert isinstance(error_from_transport(httpx.UnsupportedProtocol("ftp", request=request), request=request,
                                           service="X", idempotent=True), ConfigurationError)
    assert isinstance(error_from_transport(httpx.TooManyRedirects("loop", request=request), request=request,
                                           service="X", idempotent=True), BugError)


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds(httpx.Headers({"Retry-After": "7"})) == 7.0
    assert retry_after_seconds(httpx.Headers({"x-retry-after": "2.5"})) == 2.5
    assert retry_after_seconds(httpx.Headers({})) is None
    from datetime import UTC, datetime
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    dated = httpx.Headers({"Retry-After": "Thu, 01 Jan 2026 12:00:30 GMT"})
    assert retry_after_seconds(dated, now=now) == 30.0


def test_backoff_is_exponential_with_full_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0)
    assert [policy.backoff(n, rng=lambda: 1.0) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert policy.backoff(3, rng=lambda: 0.0) == 0.0
    assert policy.backoff(2, rng=lambda: 0.5) == 2.0


class _Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.mark.asyncio
async def test_retries_transient_then_succeeds() -> None:
    sleeps, stats, attempts = _Sleeps(), RequestStats(), []

    async def call(attempt: int) -> str:
        attempts.append(attempt)
        if attempt < 3:
            raise TransientError("503")
        return "ok"

    result = await with_retries(call, policy=RetryPolicy(base_delay=1.0), stats=stats, sleep=sleeps,
                                rng=lambda: 1.0)
    assert result == "ok"
    assert attempts == [1, 2, 3]
    assert sleeps.waits == [1.0, 2.0]
    assert stats.retries == 2


@pytest.mark.asyncio
async def test_honours_retry_after_and_gives_up_after_max() -> None:
    sleeps = _Sleeps()

    async def call(attempt: int) -> str:
        raise RateLimitedError("slow down", retry_after=12.0)

    with pytest.raises(RateLimitedError):
        await with_retries(call, policy=RetryPolicy(max_retries=2), sleep=sleeps, rng=lambda: 1.0)
    assert sleeps.waits == [12.0, 12.0]

    sleeps = _Sleeps()

    async def busy(attempt: int) -> str:
        if attempt == 1:
            raise TransientError("maintenance", details={"retry_after": 5})
        return "ok"

    assert await with_retries(busy, policy=RetryPolicy(base_delay=0.1), sleep=sleeps, rng=lambda: 1.0) == "ok"
    assert sleeps.waits == [5.0]


@pytest.mark.asyncio
async def test_no_retry_when_not_idempotent_or_not_retryable() -> None:
    sleeps, attempts = _Sleeps(), []

    async def write(attempt: int) -> str:
        attempts.append(attempt)
        raise TransientError("lost", details={"write_outcome": "unknown"})

    with pytest.raises(TransientError):
        await with_retries(write, policy=RetryPolicy(), idempotent=False, sleep=sleeps)

    async def missing(attempt: int) -> str:
        attempts.append(attempt)
        raise NotFoundError("gone")

    with pytest.raises(NotFoundError):
        await with_retries(missing, policy=RetryPolicy(), sleep=sleeps)
    assert attempts == [1, 1]
    assert sleeps.waits == []
