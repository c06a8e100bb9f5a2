"""Pacing of BigCommerce requests so a steady sync stays inside the store's shared rate-limit window.

BigCommerce counts every request against one quota per store (e.g. 150 per 30 s window, shared by all apps)
and reports after each response: `X-Rate-Limit-Requests-Left`, `-Requests-Quota`, `-Time-Reset-Ms` (ms until
the window resets) and `-Time-Window-Ms`. One `RateGovernor` per store is shared by every concurrent request:

* `acquire()` reserves a slot before a request is sent and returns the clock time it did so. Slots in flight
  count against the budget, because the server has counted (or will count) them before their responses
  tell us so. When the budget is used up the caller waits until the window resets.
* `release(headers, sent_at=...)` gives the slot back and takes in what the server said. Answers arrive late
  and out of order; the reset time each one reports tells which window it speaks of, and `sent_at` tells
  whether it was sent after a window we only assumed had begun (then it certainly speaks of that window).
* `rate_limited(headers)` (a 429) pauses everyone: for `Time-Reset-Ms` when the headers are there, otherwise
  with exponential backoff and jitter (a 429 without headers means the platform itself is overloaded).

Clock and sleep are injectable so tests can drive long bursts in fake time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bigbooks_desktop.connectors.bigcommerce.budget import BudgetWindows
from bigbooks_desktop.connectors.request_slots import RequestSlots, header_value

__all__ = ["RateGovernor", "RateLimitHeaders"]

_LEFT = "x-rate-limit-requests-left"
_QUOTA = "x-rate-limit-requests-quota"
_RESET = "x-rate-limit-time-reset-ms"
_WINDOW = "x-rate-limit-time-window-ms"


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    return header_value(headers, name, lambda text: int(float(text)))


@dataclass(frozen=True)
class RateLimitHeaders:
    """The rate-limit headers of one response (None where absent or unreadable)."""

    left: int | None = None
    quota: int | None = None
    reset_ms: int | None = None
    window_ms: int | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        return cls(left=_int_header(headers, _LEFT), quota=_int_header(headers, _QUOTA),
                   reset_ms=_int_header(headers, _RESET), window_ms=_int_header(headers, _WINDOW))


class RateGovernor(RequestSlots):
    """Shared per-store pacing: reserve a slot with `acquire()`, hand it back with `release(headers)` (both from
    `RequestSlots`).

    `reserve` slots of every window are left unused as a margin for other apps on the store. Until the first
    response shows the headers, only one request is let through at a time; a response without any headers
    (unlimited plans) turns pacing off until headers appear again.
    """

    def __init__(self, *, reserve: int = 1, max_backoff: float = 60.0, base_backoff: float = 1.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rng: Callable[[], float] = random.random, poll_interval: float = 0.05,
                 reset_margin: float = 0.005) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self.reserve = reserve
        self.reset_margin = reset_margin      # wait this much past the reported reset (ms rounding, clocks)
        self.max_backoff = max_backoff
        self.base_backoff = base_backoff
        self.rng = rng
        self.poll_interval = poll_interval
        self.quota: int | None = None
        self.window_s: float | None = None
        self._left: int | None = None           # budget left in the current window, per the latest answer
        self._reset_at: float | None = None     # clock time the current window ends (an upper bound)
        self._guessed = False                   # the current window is only assumed (no answer from it yet)
        self._previous_end = 0.0                # end of the window before an assumed one
        self._rolled_at = 0.0                   # when we assumed the current window began
        self._unlimited = False
        self._paused_until = 0.0
        self._consecutive_429 = 0
        self.waits = 0                          # how often a caller had to wait (for stats and tests)
        self.waited_seconds = 0.0
        self.budget = BudgetWindows()           # what each window used, as the answers said (recorded per run)

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def _roll_window(self, now: float) -> None:
        """Once the known window has ended, assume a full budget until the server says otherwise."""
        if self._reset_at is None or now < self._reset_at:
            return
        if self.quota is None:
            self._left, self._reset_at = None, None   # back to one-at-a-time until an answer tells us
            return
        self._previous_end = self._reset_at
        self._rolled_at = now
        self._left = self.quota
        self._guessed = True
        window = self.window_s or 30.0
        while self._reset_at <= now:
            self._reset_at += window

    def _margin(self) -> int:
        return min(self.reserve, self.quota - 1) if self.quota else self.reserve

    def _wait_needed(self, now: float) -> float:
        """Seconds to wait before one more request may go out (0 when it may go now)."""
        if self._paused_until > now:
            return self._paused_until - now
        if self._unlimited:
            return 0.0
        self._roll_window(now)
        if self._left is None:
            # No headers seen yet: one request at a time until the first answer tells us the budget.
            return 0.0 if self._in_flight == 0 else self.poll_interval
        if self._left - self._in_flight > self._margin():
            return 0.0
        # Answers still in flight cannot free budget (each one uses a unit); only the window reset does.
        if self._reset_at is None:
            return self.poll_interval
        return max(self._reset_at - now, 0.0) + self.reset_margin

    def _sending(self, now: float) -> float:
        return self.clock()                     # its `sent_at`: the clock read again as it goes

    def _waiting(self, seconds: float) -> None:
        self.waits += 1
        self.waited_seconds += seconds

    def _take_answer(self, headers: Mapping[str, str], *, status: int | None, sent_at: float | None) -> None:
        info = RateLimitHeaders.from_headers(headers)
        self.budget.observe(left=info.left, quota=info.quota, reset_ms=info.reset_ms, window_ms=info.window_ms,
                            limited=status == 429)
        if status == 429:
            return  # `rate_limited` handles the numbers of a 429
        if status is not None and status < 500:
            self._consecutive_429 = 0
        self._learn(info, sent_at)

    def _learn(self, info: RateLimitHeaders, sent_at: float | None = None) -> None:
        now = self.clock()
        if info.left is None and info.quota is None and info.reset_ms is None:
            if self._left is None:
                self._unlimited = True
            return
        self._unlimited = False
        if info.quota is not None:
            self.quota = info.quota
        if info.window_ms is not None and info.window_ms > 0:
            self.window_s = info.window_ms / 1000.0
        if info.left is None:
            return
        if info.reset_ms is None:
            self._left = info.left if self._left is None else min(self._left, info.left)
            return
        # The reported reset time names the window an answer belongs to; answers arrive late and out of
        # order. `now + reset_ms` is an upper bound of the window's end (the header was written before now),
        # and windows lie at least a window apart, so half a window tells a late answer from a newer window.
        new_reset = now + info.reset_ms / 1000.0
        half = 0.5 * (self.window_s or 30.0)
        if self._reset_at is None or self._left is None:
            self._adopt(info.left, new_reset)
        elif self._guessed:
            if sent_at is not None and sent_at >= self._rolled_at:
                self._adopt(info.left, new_reset)   # sent after the window began: it speaks of this window
            elif new_reset >= self._previous_end + half:
                # Probably this window, but it may be a very late answer from the last one: only lower.
                if sent_at is None:
                    self._adopt(info.left, new_reset)
                else:
                    self._left = min(self._left, info.left)
            # else: a late answer from the window that already ended; nothing to learn
        elif new_reset > self._reset_at + half:
            self._adopt(info.left, new_reset)       # the server moved on to a newer window
        elif new_reset >= self._reset_at - half:
            # The same window: the smallest count and the earliest end bound are the truest readings.
            self._left = min(self._left, info.left)
            self._reset_at = min(self._reset_at, new_reset)

    def _adopt(self, left: int, reset_at: float) -> None:
        self._left, self._reset_at, self._guessed = left, reset_at, False

    def rate_limited(self, headers: Mapping[str, str] | None = None) -> float:
        """A 429 arrived: pause every caller and return how long (seconds) the pause lasts."""
        now = self.clock()
        info = RateLimitHeaders.from_headers(headers or {})
        self._consecutive_429 += 1
        if info.reset_ms is not None:
            wait = info.reset_ms / 1000.0
            if info.quota is not None:
                self.quota = info.quota
            if info.window_ms:
                self.window_s = info.window_ms / 1000.0
            self._left = 0
            self._reset_at = now + wait
            self._unlimited = False
        else:
            ceiling = min(self.max_backoff, self.base_backoff * 2 ** (self._consecutive_429 - 1))
            wait = ceiling / 2 + ceiling / 2 * self.rng()   # jitter, but never shorter than half the step
        self._paused_until = max(self._paused_until, now + wait)
        return self._paused_until - now

    def snapshot(self) -> dict[str, float | int | None]:
        """Current state, for diagnostics."""
        now = self.clock()
        return {"left": self._left, "quota": self.quota, "in_flight": self._in_flight,
                "resets_in": None if self._reset_at is None else max(0.0, self._reset_at - now),
                "paused_for": max(0.0, self._paused_until - now), "waits": self.waits}
