"""FreshBooksPacer: pacing from FreshBooks' rate-limit headers, in virtual time and through the real client
against the sandbox's quota (time-scaled), plus Retry-After and concurrency."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
import time
from collections.abc import Awaitable
from typing import TypeVar

import httpx
import pytest
from fb_wire import SANDBOX_BASE, signed_in_client
from starlette.applications import Starlette

from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.connectors.freshbooks.pacing import FreshBooksPacer, RateLimitInfo, shared_pacer
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID, SECOND_ACCOUNT_ID, FreshBooksSandbox

T = TypeVar("T")


class VirtualTime:
    """A clock and a sleep for injection; `run` advances time only when every task waits on a virtual sleep."""

    def __init__(self, start: float = 1_600_000_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run(self, awaitable: Awaitable[T]) -> T:
        task = asyncio.ensure_future(awaitable)
        while not task.done():
            for _ in range(30):
                await asyncio.sleep(0)
                if task.done():
                    break
            if task.done() or not self._sleepers:
                continue
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            if not future.cancelled():
                future.set_result(None)
        return task.result()


class FixedWindowServer:
    """FreshBooks as the captures show it: `quota` per `window` s per account, the window begun by the first
    request after the last one ended; headers in whole seconds (Reset epoch rounded up, Retry-After the seconds
    left rounded up). `headers_on`: "all" answers, "429" only, or "none"."""

    def __init__(self, vt: VirtualTime, *, quota: int = 600, window: float = 60.0, headers_on: str = "all",
                 remaining: bool = True, reset: bool = True) -> None:
        self.vt, self.quota, self.window, self.headers_on, self.remaining = vt, quota, window, headers_on, remaining
        self.reset = reset
        self.started = -math.inf
        self.used = 0
        self.served = 0
        self.rejected = 0
        self.others = 0          # requests other apps make in each window (counted, not ours)
        self.starts: list[float] = []

    def handle(self) -> tuple[int, dict[str, str]]:
        now = self.vt.now
        if now - self.started >= self.window:
            self.started, self.used = now, self.others
            self.starts.append(now)
        ok = self.used < self.quota
        if ok:
            self.used += 1
            self.served += 1
        else:
            self.rejected += 1
        ends = self.started + self.window
        headers = {"X-RateLimit-Limit": str(self.quota), "X-RateLimit-Reset": str(math.ceil(ends)),
                   "Retry-After": str(math.ceil(ends - now))}
        if self.remaining:
            headers["X-RateLimit-Remaining"] = str(self.quota - self.used)
        if not self.reset and ok:
            del headers["X-RateLimit-Reset"], headers["Retry-After"]
        if self.headers_on == "none" or (self.headers_on == "429" and ok):
            headers = {} if ok else {"Retry-After": headers["Retry-After"]}
        if self.headers_on == "429" and not ok:
            headers.pop("X-RateLimit-Remaining", None)
        return (200 if ok else 429), headers


async def _drive(vt: VirtualTime, pacer: FreshBooksPacer, server: FixedWindowServer, jobs: int, *,
                 workers: int, latency: float, seed: int = 5) -> None:
    rng = random.Random(seed)
    remaining = [jobs]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            while True:
                sent_at = await pacer.acquire()
                await vt.sleep(rng.uniform(0, latency))     # on the way (answers overtake each other)
                status, headers = server.handle()
                await vt.sleep(rng.uniform(0, latency))
                pacer.release(headers, status=status, sent_at=sent_at)
                if status != 429:
                    break
                wait = pacer.rate_limited(headers)
                # the client's part (FreshBooksBackoff): wait out Retry-After
                await vt.sleep(wait if wait is not None else 1.0)
                pacer.note_backoff(wait or 1.0)

    await asyncio.gather(*(worker() for _ in range(workers)))


def _pacer(vt: VirtualTime) -> FreshBooksPacer:
    return FreshBooksPacer(clock=vt.clock, wall=vt.clock, sleep=vt.sleep)


@pytest.mark.asyncio
async def test_a_long_concurrent_burst_meets_no_429_and_runs_near_the_bound() -> None:
    vt = VirtualTime()
    server = FixedWindowServer(vt, quota=600, window=60.0)
    pacer = _pacer(vt)
    await vt.run(_drive(vt, pacer, server, 2900, workers=12, latency=0.25))
    counters = pacer.counters()
    assert server.rejected == 0 and server.served == 2900
    assert (counters.requests, counters.rate_limited, counters.limit) == (2900, 0, 600)
    assert counters.paced_seconds > 0
    # 599 of each 600 are used (one kept in reserve) and each window begins at most ~1.3 s after the last
    # ended (headers in whole seconds, rounded up, plus the way to the server): >= 95 % of the bound
    assert len(server.starts) == 5
    gaps = [b - a for a, b in itertools.pairwise(server.starts)]
    assert all(60 <= gap <= 61.5 for gap in gaps), gaps
    assert 599 / max(gaps) >= 0.95 * 600 / 60
    assert counters.window_seconds == 60


@pytest.mark.asyncio
async def test_only_limit_and_reset_without_remaining_is_paced_by_the_own_log() -> None:
    vt = VirtualTime()
    server = FixedWindowServer(vt, quota=100, window=60.0, remaining=False)
    pacer = _pacer(vt)
    await vt.run(_drive(vt, pacer, server, 450, workers=6, latency=0.2))
    assert server.rejected == 0 and server.served == 450


@pytest.mark.asyncio
async def test_limit_and_remaining_without_any_reset_time_still_flow() -> None:
    vt = VirtualTime()
    server = FixedWindowServer(vt, quota=100, window=60.0, reset=False)
    pacer = _pacer(vt)
    await vt.run(_drive(vt, pacer, server, 450, workers=6, latency=0.2))
    assert server.rejected == 0 and server.served == 450


@pytest.mark.asyncio
async def test_a_limit_shown_only_on_the_429_is_learnt_from_the_first_and_no_other_follows() -> None:
    vt = VirtualTime()
    server = FixedWindowServer(vt, quota=50, window=60.0, headers_on="429")
    pacer = _pacer(vt)
    await vt.run(_drive(vt, pacer, server, 260, workers=1, latency=0.05))
    assert server.served == 260
    assert server.rejected == 1 and pacer.counters().rate_limited == 1
    assert pacer.counters().backoff_seconds > 0


@pytest.mark.asyncio
async def test_no_headers_means_no_pacing_and_429s_are_left_to_retry_after() -> None:
    vt = VirtualTime()
    server = FixedWindowServer(vt, quota=40, window=60.0, headers_on="none")
    pacer = _pacer(vt)
    await vt.run(_drive(vt, pacer, server, 100, workers=4, latency=0.05))
    counters = pacer.counters()
    assert server.served == 100 and counters.limit is None
    assert counters.paced_seconds < 0.5           # only the one-at-a-time start, until the first answer
    assert server.rejected == counters.rate_limited > 0   # the fallback: 429 + Retry-After, as before pacing


@pytest.mark.asyncio
async def test_requests_of_other_apps_seen_in_remaining_are_respected() -> None:
    vt = VirtualTime()
    server = FixedWindowServer(vt, quota=100, window=60.0)
    server.others = 60            # another app spends 60 of each window
    pacer = _pacer(vt)
    await vt.run(_drive(vt, pacer, server, 200, workers=8, latency=0.1))
    assert server.rejected == 0 and server.served == 200


def test_headers_are_read_case_insensitively_and_bad_values_are_ignored() -> None:
    info = RateLimitInfo.from_headers({"x-ratelimit-limit": "600", "X-RATELIMIT-REMAINING": "596",
                                       "X-RateLimit-Reset": "1599835339", "Retry-After": "60"})
    assert (info.limit, info.remaining, info.reset_epoch, info.retry_after) == (600, 596, 1599835339, 60)
    assert info.reset_in(1599835278) == 60                      # Retry-After first
    assert RateLimitInfo(reset_epoch=1599835339).reset_in(1599835278) == 61
    odd = RateLimitInfo.from_headers({"X-RateLimit-Limit": "lots", "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert odd == RateLimitInfo() and not odd.says_anything


@pytest.mark.asyncio
async def test_pacing_is_forgotten_when_the_headers_stop_for_a_window() -> None:
    vt = VirtualTime()
    pacer = _pacer(vt)
    sent = await pacer.acquire()
    pacer.release({"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "19", "Retry-After": "10"}, status=200,
                  sent_at=sent)
    assert pacer.limit == 20
    vt.now += 5
    await pacer.acquire()
    pacer.release({}, status=200)
    assert pacer.limit == 20                                     # within a window: still paced
    vt.now += 11
    await pacer.acquire()
    pacer.release({}, status=200)
    assert pacer.limit is None                                   # a whole window without: forgotten


# ---- the real client against the sandbox (time-scaled) ---------------------------------------------------

def _sandbox(**config: object) -> tuple[SandboxConfig, FreshBooksSandbox, httpx.AsyncBaseTransport]:
    cfg = SandboxConfig(freshbooks_auto_consent=True, **config)   # type: ignore[arg-type]
    sandbox = FreshBooksSandbox(cfg)
    return cfg, sandbox, httpx.ASGITransport(app=Starlette(routes=sandbox.routes()))


@pytest.mark.asyncio
async def test_a_burst_over_the_quota_through_the_client_meets_no_429() -> None:
    # 60 per 1 s window (60 s / time_scale 60); 200 requests from 8 concurrent callers: > 3 windows.
    config, sandbox, transport = _sandbox(freshbooks_quota=60, time_scale=60)
    async with await signed_in_client(config, base=SANDBOX_BASE, transport=transport) as client:
        semaphore = asyncio.Semaphore(8)

        async def one() -> int:
            async with semaphore:
                return len(await client.list_taxes())

        started = time.monotonic()
        counts = await asyncio.gather(*(one() for _ in range(200)))
        elapsed = time.monotonic() - started
        counters = client.pacer.counters()
    assert counts == [counts[0]] * 200 and counts[0] > 0            # every request done, and right
    assert sandbox.rate_limit.limited == 0 and client.stats.rate_limited == 0
    assert (counters.requests, counters.rate_limited, counters.limit) == (200, 0, 60)
    assert counters.paced_seconds > 0
    assert 3.0 <= elapsed < 8.0                                     # 200 at 59 a window: the 4th window


@pytest.mark.asyncio
async def test_the_client_obeys_retry_after_when_another_app_used_the_quota() -> None:
    config, sandbox, transport = _sandbox(freshbooks_quota=3, time_scale=60)   # 3 per 1 s
    async with await signed_in_client(config, base=SANDBOX_BASE, transport=transport) as client:
        for _ in range(3):                  # another app spends the window first
            assert sandbox.rate_limit.take(PRIMARY_ACCOUNT_ID)
        started = time.monotonic()
        taxes = await client.list_taxes()
        elapsed = time.monotonic() - started
        counters = client.pacer.counters()
    assert taxes and sandbox.rate_limit.limited == 1
    assert (client.stats.rate_limited, counters.rate_limited, counters.requests) == (1, 1, 2)
    assert 0.5 <= counters.backoff_seconds <= 1.01                 # Retry-After: what was left of the 1 s window
    assert elapsed >= counters.backoff_seconds


@pytest.mark.asyncio
async def test_clients_of_one_account_share_a_pacer_and_other_accounts_do_not() -> None:
    config, sandbox, transport = _sandbox(freshbooks_quota=40, time_scale=60)  # 40 per 1 s per account
    first = await signed_in_client(config, base=SANDBOX_BASE, transport=transport)
    second = await signed_in_client(config, base=SANDBOX_BASE, transport=transport)
    async with first, second:
        assert first.pacer is second.pacer is shared_pacer(first.api_url, PRIMARY_ACCOUNT_ID)
        other = FreshBooksClient(api_url=first.api_url, account_id=SECOND_ACCOUNT_ID,
                                 auth=first._http.auth, transport=transport)
        async with other:
            assert other.pacer is not first.pacer
            # 2 x 60 concurrent calls on one account (3 windows' worth together), 30 on the other
            results = await asyncio.gather(*(c.list_taxes() for c in [first, second] * 60),
                                           *(other.list_taxes() for _ in range(30)))
    assert len(results) == 150 and sandbox.rate_limit.limited == 0
    assert first.pacer.counters().requests == 120 and other.pacer.counters().requests == 30
    assert first.pacer.in_flight == 0 and other.pacer.in_flight == 0
