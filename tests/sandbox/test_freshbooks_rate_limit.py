"""The FreshBooks sandbox's per-account quota: headers on every answer, 429 with Retry-After, windows, scaling."""

from __future__ import annotations

import pytest

from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks import SECOND_ACCOUNT_ID
from bigbooks_desktop.sandbox.freshbooks.rate_limit import CAPTURED_QUOTA, CAPTURED_WINDOW_SECONDS

from .freshbooks_harness import API, BASE, session

HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")


def test_the_quota_is_off_by_default_and_the_captured_values_are_600_per_60_s() -> None:
    assert SandboxConfig().freshbooks_quota == 0
    assert (CAPTURED_QUOTA, CAPTURED_WINDOW_SECONDS) == (600, 60.0)


@pytest.mark.asyncio
async def test_off_means_no_headers_and_no_429() -> None:
    async with session() as s:
        for _ in range(30):
            answer = await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)
            assert answer.status_code == 200
            assert not any(name in answer.headers for name in HEADERS)


@pytest.mark.asyncio
async def test_every_answer_carries_the_captured_headers() -> None:
    # Shape as in the 2020 capture: Limit 600, Remaining counting down, Reset an epoch time, Retry-After 60.
    async with session(freshbooks_quota=600) as s:
        start = s.clock.now
        first = await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)
        assert first.status_code == 200
        assert first.headers["X-RateLimit-Limit"] == "600"
        assert first.headers["X-RateLimit-Remaining"] == "599"
        assert first.headers["X-RateLimit-Reset"] == str(int(start + 60))
        assert first.headers["Retry-After"] == "60"
        s.clock.advance(20.5)
        second = await s.http.get(f"{BASE}/users/clients", headers=s.headers)
        assert second.headers["X-RateLimit-Remaining"] == "598"
        assert second.headers["X-RateLimit-Reset"] == str(int(start + 60))    # the same window
        assert second.headers["Retry-After"] == "40"                          # 39.5 s left, rounded up
        # errors count and carry the headers too
        missing = await s.http.get(f"{BASE}/invoices/invoices/999999", headers=s.headers)
        assert missing.status_code == 404
        assert missing.headers["X-RateLimit-Remaining"] == "597"


@pytest.mark.asyncio
async def test_over_the_quota_is_429_with_retry_after_until_the_window_ends() -> None:
    async with session(freshbooks_quota=3) as s:
        start = s.clock.now
        for left in ("2", "1", "0"):
            ok = await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)
            assert (ok.status_code, ok.headers["X-RateLimit-Remaining"]) == (200, left)
        s.clock.advance(15)
        refused = await s.http.post(f"{BASE}/users/clients", headers=s.headers,
                                    json={"client": {"email": "late@example.com"}})
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "45"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert refused.headers["X-RateLimit-Reset"] == str(int(start + 60))
        assert refused.json()["response"]["errors"][0]["errno"] == 429
        assert s.sandbox.rate_limit.limited == 1
        assert all(c.get("email") != "late@example.com" for c in s.sandbox.dump()["clients"])  # not done
        s.clock.advance(45)               # obeying Retry-After lets the next request in: a new window
        again = await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)
        assert (again.status_code, again.headers["X-RateLimit-Remaining"]) == (200, "2")
        assert again.headers["X-RateLimit-Reset"] == str(int(start + 120))


@pytest.mark.asyncio
async def test_each_account_has_its_own_quota_and_identity_is_not_counted() -> None:
    async with session(freshbooks_quota=2) as s:
        for _ in range(2):
            assert (await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)).status_code == 200
        assert (await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)).status_code == 429
        other = await s.http.get(f"{API}/accounting/account/{SECOND_ACCOUNT_ID}/taxes/taxes", headers=s.headers)
        assert (other.status_code, other.headers["X-RateLimit-Remaining"]) == (200, "1")
        me = await s.http.get(f"{API}/auth/api/v1/users/me", headers=s.headers)
        assert me.status_code == 200 and "X-RateLimit-Limit" not in me.headers


@pytest.mark.asyncio
async def test_time_scale_shrinks_the_window_and_headers_carry_milliseconds() -> None:
    async with session(freshbooks_quota=5, time_scale=100) as s:   # 5 per 0.6 s
        start = s.clock.now
        first = await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)
        assert first.headers["Retry-After"] == "0.600"
        assert float(first.headers["X-RateLimit-Reset"]) == pytest.approx(start + 0.6, abs=0.001)
        for _ in range(4):
            await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)
        s.clock.advance(0.25)
        refused = await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "0.350"
        s.clock.advance(0.35)
        assert (await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)).status_code == 200


@pytest.mark.asyncio
async def test_the_quota_can_be_switched_at_run_time_and_reset_starts_fresh() -> None:
    async with session() as s:
        assert "X-RateLimit-Limit" not in (await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)).headers
        s.config.freshbooks_quota = 1
        assert (await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)).status_code == 200
        assert (await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)).status_code == 429
        s.sandbox.reset()
        await s.sign_in()                 # reset forgets tokens
        assert (await s.http.get(f"{BASE}/taxes/taxes", headers=s.headers)).status_code == 200
