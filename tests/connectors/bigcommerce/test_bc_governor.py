"""RateGovernor: pacing against a simulated BigCommerce quota in virtual time, and 429 handling."""

from __future__ import annotations

import asyncio
import math
import random
from typing import Any

import pytest
from bc_virtual_time import VirtualTime

from bigbooks_desktop.connectors.bigcommerce.governor import RateGovernor, RateLimitHeaders


class SimulatedQuota:
    """A fixed-window quota as BigCommerce keeps it: `quota` requests per `window` seconds per store."""

    def __init__(self, vt: VirtualTime, *, quota: int, window: float, aligned: bool = True) -> None:
        self.vt, self.quota, self.window, self.aligned = vt, quota, window, aligned
        self.window_start = vt.now
        self.used = 0
        self.served = 0
        self.rejected = 0

    def handle(self) -> tuple[int, dict[str, str]]:
        now = self.vt.now
        if not self.aligned and now >= self.window_start + self.window:
            self.window_start, self.used = now, 0   # a window starts with the first request after one ends
        while now >= self.window_start + self.window:
            self.window_start += self.window
            self.used = 0
        reset_ms = math.ceil((self.window_start + self.window - now) * 1000)
        headers = {"X-Rate-Limit-Requests-Quota": str(self.quota),
                   "X-Rate-Limit-Time-Window-Ms": str(int(self.window * 1000)),
                   "X-Rate-Limit-Time-Reset-Ms": str(reset_ms)}
        if self.used >= self.quota:
            self.rejected += 1
            return 429, {**headers, "X-Rate-Limit-Requests-Left": "0"}
        self.used += 1
        self.served += 1
        return 200, {**headers, "X-Rate-Limit-Requests-Left": str(self.quota - self.used)}


async def _worker(vt: VirtualTime, governor: RateGovernor, server: SimulatedQuota, jobs: list[int],
                  latency: float, rng: random.Random | None = None, tell_sent_at: bool = True) -> None:
    while jobs:
        jobs.pop()
        while True:
            sent_at = await governor.acquire()
            up, down = (latency / 2, latency / 2) if rng is None else (rng.uniform(0, latency),
                                                                         rng.uniform(0, latency))
            await vt.sleep(up)                   # on the way to the server
            status, headers = server.handle()
            await vt.sleep(down)                 # on the way back (answers can overtake each other)
            if status == 429:
                governor.release(headers, status=429)
                governor.rate_limited(headers)
                continue
            governor.release(headers, status=status, sent_at=sent_at if tell_sent_at else None)
            break


@pytest.mark.asyncio
@pytest.mark.parametrize(("quota", "workers", "latency"), [(150, 8, 0.12), (20, 12, 0.05), (5, 4, 0.4)])
async def test_long_burst_never_meets_a_429(quota: int, workers: int, latency: float) -> None:
    vt = VirtualTime()
    server = SimulatedQuota(vt, quota=quota, window=30.0)
    governor = RateGovernor(clock=vt.clock, sleep=vt.sleep)
    jobs = list(range(quota * 5 + 7))
    started = vt.now

    async def burst() -> None:
        await asyncio.gather(*(_worker(vt, governor, server, jobs, latency) for _ in range(workers)))

    await vt.run(burst())
    assert server.rejected == 0
    assert server.served == quota * 5 + 7
    # It paced, and did not crawl: one window per (quota - reserve) requests, give or take one window.
    elapsed = vt.now - started
    windows_needed = math.ceil((quota * 5 + 7) / (quota - governor.reserve))
    assert (windows_needed - 2) * 30.0 <= elapsed <= windows_needed * 30.0 + 5


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("tell_sent_at", [True, False])
async def test_out_of_order_answers_and_late_starting_windows_never_meet_a_429(seed: int,
                                                                               tell_sent_at: bool) -> None:
    vt = VirtualTime()
    server = SimulatedQuota(vt, quota=12, window=3.0, aligned=False)
    governor = RateGovernor(clock=vt.clock, sleep=vt.sleep)
    jobs = list(range(300))
    rng = random.Random(seed)

    def workers() -> list[Any]:
        return [_worker(vt, governor, server, jobs, 0.4, rng, tell_sent_at) for _ in range(10)]

    async def burst() -> None:
        await asyncio.gather(*workers())
        await vt.sleep(7.3)                 # idle across windows, then another burst
        jobs.extend(range(100))
        await asyncio.gather(*workers())

    await vt.run(burst())
    assert server.rejected == 0
    assert server.served == 400


@pytest.mark.asyncio
async def test_quota_already_used_by_other_apps_is_respected() -> None:
    vt = VirtualTime()
    server = SimulatedQuota(vt, quota=30, window=30.0)
    server.used = 25                       # another app on the store spent most of this window
    governor = RateGovernor(clock=vt.clock, sleep=vt.sleep)
    jobs = list(range(100))
    await vt.run(asyncio.gather(*(_worker(vt, governor, server, jobs, 0.1) for _ in range(6))))
    assert server.rejected == 0
    assert server.served == 100


@pytest.mark.asyncio
async def test_429_with_headers_pauses_every_waiter_until_reset() -> None:
    vt = VirtualTime()
    governor = RateGovernor(clock=vt.clock, sleep=vt.sleep)
    pause = governor.rate_limited({"x-rate-limit-time-reset-ms": "7500", "x-rate-limit-requests-left": "0",
                                   "x-rate-limit-requests-quota": "150"})
    assert pause == pytest.approx(7.5)
    start = vt.now
    sent_at: list[float] = []

    async def one() -> None:
        await governor.acquire()
        sent_at.append(vt.now)
        governor.release({"X-Rate-Limit-Requests-Left": "140", "X-Rate-Limit-Requests-Quota": "150",
                          "X-Rate-Limit-Time-Reset-Ms": "29000"}, status=200)

    await vt.run(asyncio.gather(*(one() for _ in range(5))))
    assert len(sent_at) == 5
    assert min(sent_at) >= start + 7.5


@pytest.mark.asyncio
async def test_429_without_headers_backs_off_exponentially_with_jitter() -> None:
    vt = VirtualTime()
    governor = RateGovernor(clock=vt.clock, sleep=vt.sleep, base_backoff=1.0, max_backoff=8.0,
                            rng=lambda: 1.0)
    pauses = []
    for _ in range(5):
        pauses.append(governor.rate_limited({}))
        vt.now = governor.paused_until
    assert pauses == [1.0, 2.0, 4.0, 8.0, 8.0]
    low = RateGovernor(clock=vt.clock, sleep=vt.sleep, base_backoff=1.0, rng=lambda: 0.0)
    assert low.rate_limited(None) == 0.5            # never shorter than half the step
    # A successful answer resets the backoff ladder.
    governor.release({"X-Rate-Limit-Requests-Left": "9", "X-Rate-Limit-Time-Reset-Ms": "1000"}, status=200)
    vt.now += 10
    assert governor.rate_limited({}) == 1.0


@pytest.mark.asyncio
async def test_one_at_a_time_until_headers_then_unlimited_when_none() -> None:
    vt = VirtualTime()
    governor = RateGovernor(clock=vt.clock, sleep=vt.sleep)
    await governor.acquire()
    second = asyncio.ensure_future(governor.acquire())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not second.done()                       # still learning the budget
    governor.release({}, status=200)               # an answer with no rate-limit headers: unlimited plan
    await vt.run(second)
    await vt.run(asyncio.gather(*(governor.acquire() for _ in range(50))))
    assert governor.in_flight == 51


def test_headers_are_read_case_insensitively() -> None:
    info = RateLimitHeaders.from_headers({"X-RATE-LIMIT-REQUESTS-LEFT": "12",
                                          "x-rate-limit-requests-quota": "150",
                                          "X-Rate-Limit-Time-Reset-Ms": "2999",
                                          "X-Rate-Limit-Time-Window-Ms": "x"})
    assert info == RateLimitHeaders(left=12, quota=150, reset_ms=2999, window_ms=None)
