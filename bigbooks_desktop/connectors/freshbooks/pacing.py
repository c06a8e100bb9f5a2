"""Pacing of FreshBooks requests from the rate-limit headers, so a long sync stays under the account's quota.

What FreshBooks sends is only partly known (see `sandbox/freshbooks/rate_limit.py` for the captures):
FreshBooks' published Postman collection has a live 2020 answer with `X-RateLimit-Limit: 600`,
`X-RateLimit-Remaining: 596`, `X-RateLimit-Reset: <epoch seconds>` and `Retry-After: 60` on a 200, while many
2019 answers carry none of them (and some `Limit: 20`, `Retry-After` ~59). No FreshBooks document states the
limit, the window or the unit it is counted per; FreshBooks' own SDKs read none of these headers and simply retry
429s with exponential backoff (node `packages/api/src/APIClient.ts`: axios-retry, 10 retries on 429). So this
pacer is written to hold whichever of these is true:

* **No headers at all**: no pacing; a 429 is waited out by the client (`Retry-After`, else exponential backoff,
  through `FreshBooksBackoff`) exactly as before this module existed.
* **`X-RateLimit-Limit` only** (or only on some answers, or only on the 429): the pacer keeps a log of its own
  send times and lets at most `limit - reserve` requests go in any window-long span. The window is taken from
  what the answers say is left of it (`Retry-After`, else `Reset` minus now, the largest seen) and is 60 s
  (`DEFAULT_WINDOW`, the captured `Retry-After` on a fresh window) until an answer says otherwise. When the
  limit is learnt only from a 429, that first 429 is met; none after it.
* **`X-RateLimit-Remaining` too**: the server's own count also gates: when what is left, minus the requests
  in flight, is down to the reserve, everyone waits until the window's end (`Retry-After` seconds after the
  answer, else the `Reset` epoch time). This also covers other apps spending the same quota.
* `Retry-After` on a 200 is read as "seconds until the window ends" (59-60 on fresh windows in the captures);
  if it is really a constant window length, that reading is still an upper bound, so pacing stays safe.

A limit shown on ordinary answers that then stops showing for a whole window is forgotten (a server, or
sandbox, that stopped limiting is not paced forever). A limit learnt from a 429 is kept: such a server shows
it only when it refuses, and pacing is what keeps it from refusing again.

One pacer per FreshBooks account and event loop (`shared_pacer`), shared by every concurrent request of every
client of that account: `acquire()` before sending (it counts the request as in flight), `release(headers)`
after the answer (or with None when none came), `rate_limited(headers)` on a 429. Counters for the benchmark:
`counters()` (requests made, 429s met, seconds spent waiting for the quota). Clock and sleep are injectable.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bigbooks_desktop.connectors.request_slots import RequestSlots, header_value

__all__ = ["DEFAULT_WINDOW", "FreshBooksPacer", "PacingCounters", "RateLimitInfo", "shared_pacer"]

DEFAULT_WINDOW = 60.0       # seconds; captured Retry-After on a fresh window (an inference, see above)
_MAX_WINDOW = 3600.0        # a larger "window" from a header is not believed

_LIMIT = "x-ratelimit-limit"
_REMAINING = "x-ratelimit-remaining"
_RESET = "x-ratelimit-reset"
_RETRY_AFTER = "retry-after"


def _header(headers: Mapping[str, str], name: str) -> float | None:
    # None for an unreadable one too, e.g. an HTTP-date Retry-After: not a rate-limit reading; the client handles it
    number = header_value(headers, name, float)
    return number if number is not None and math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True)
class RateLimitInfo:
    """The rate-limit headers of one answer (None where absent or unreadable)."""

    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None      # X-RateLimit-Reset: when the window ends (epoch seconds)
    retry_after: float | None = None      # Retry-After in seconds

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitInfo:
        limit, remaining = _header(headers, _LIMIT), _header(headers, _REMAINING)
        return cls(limit=int(limit) if limit is not None and limit >= 1 else None,
                   remaining=None if remaining is None else int(remaining),
                   reset_epoch=_header(headers, _RESET), retry_after=_header(headers, _RETRY_AFTER))

    @property
    def says_anything(self) -> bool:
        """True when one of the X-RateLimit-* headers is there (Retry-After alone is not a quota reading)."""
        return self.limit is not None or self.remaining is not None or self.reset_epoch is not None

    def reset_in(self, wall_now: float) -> float | None:
        """Seconds until the window ends, as this answer tells it (Retry-After first, else Reset - now)."""
        if self.retry_after is not None:
            return self.retry_after
        if self.reset_epoch is not None:
            return max(0.0, self.reset_epoch - wall_now)
        return None


@dataclass(frozen=True)
class PacingCounters:
    """What one account's pacer has seen: for the benchmark and diagnostics."""

    requests: int               # requests let through (every attempt, retries included)
    rate_limited: int           # 429s met
    paced_seconds: float        # waited before sending, to stay under the quota the headers told
    backoff_seconds: float      # waited after 429s (the client's Retry-After / backoff pause)
    limit: int | None           # the quota as last told (None: no limit known, no pacing)
    window_seconds: float | None

    @property
    def waited_seconds(self) -> float:
        """Every second spent waiting for the quota."""
        return self.paced_seconds + self.backoff_seconds


class FreshBooksPacer(RequestSlots):
    """Per-account pacing from FreshBooks' rate-limit headers (see the module docstring); `acquire` and `release`
    come from `RequestSlots`."""

    def __init__(self, *, reserve: int = 1, default_window: float = DEFAULT_WINDOW,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, poll_interval: float = 0.02,
                 reset_margin: float = 0.002) -> None:
        super().__init__(clock=clock, sleep=sleep)
        self.reserve = reserve
        self.default_window = default_window
        self.wall = wall                      # for X-RateLimit-Reset, an epoch time
        self.poll_interval = poll_interval
        self.reset_margin = reset_margin      # wait this much past a reported reset (rounding, clocks)
        self.limit: int | None = None
        self.window_s: float | None = None    # learnt: the most an answer said was left of a window
        self._left: int | None = None         # the server's count left in the current window
        self._reset_at: float | None = None   # clock time that window ends (an upper bound)
        self._sent: deque[float] = deque(maxlen=100_000)   # clock times of our sends in the last window
        self._answered = False                # any answer at all yet (one at a time until then)
        self._headers_at: float | None = None # clock time of the last answer with rate-limit headers
        self._from_429 = False                # the limit was learnt from a 429 (then it is never forgotten)
        self.requests = 0
        self.rate_limited_count = 0
        self.paced_seconds = 0.0
        self.backoff_seconds = 0.0

    # ---- the budget -------------------------------------------------------------------------------

    def window(self) -> float:
        return self.window_s or self.default_window

    def _forget(self) -> None:
        self.limit, self.window_s, self._left, self._reset_at = None, None, None, None
        self._sent.clear()
        self._headers_at = None
        self._from_429 = False

    def _wait_needed(self, now: float) -> float:
        """Seconds to wait before one more request may go (0: it may go now)."""
        window = self.window()
        while self._sent and self._sent[0] <= now - window:
            self._sent.popleft()
        if self.limit is None:
            if not self._answered and self._in_flight > 0:
                return self.poll_interval      # nothing known yet: one at a time until the first answer
            return 0.0
        margin = min(self.reserve, self.limit - 1)
        budget = self.limit - margin
        waits = [0.0]
        if len(self._sent) >= budget:
            # our own log: at most `budget` sends in any window-long span
            waits.append(self._sent[len(self._sent) - budget] + window - now + self.reset_margin)
        if self._reset_at is not None and now >= self._reset_at:
            self._left, self._reset_at = None, None   # that window is over; the next answer tells the new one
        if self._left is not None and self._left - self._in_flight <= margin:
            # the server's count: answers in flight cannot free budget, only the window's end does
            waits.append(self.poll_interval if self._reset_at is None
                         else self._reset_at - now + self.reset_margin)
        return max(waits)

    def _sending(self, now: float) -> float:
        self.requests += 1
        self._sent.append(now)   # kept even before a limit is known: a 429 may teach it
        return now

    def _waiting(self, seconds: float) -> None:
        self.paced_seconds += seconds

    def _take_answer(self, headers: Mapping[str, str], *, status: int | None, sent_at: float | None) -> None:
        self._answered = True
        info = RateLimitInfo.from_headers(headers)
        now = self.clock()
        if not info.says_anything:
            if not self._from_429 and self._headers_at is not None and now - self._headers_at > self.window():
                self._forget()            # the limit stopped showing for a whole window
            return
        self._headers_at = now
        if info.limit is not None:
            self.limit = info.limit
        reset_in = info.reset_in(self.wall())
        if status == 429:
            return                        # `rate_limited` takes in a 429's numbers
        if reset_in is not None and 0 < reset_in <= _MAX_WINDOW:
            self.window_s = max(self.window_s or 0.0, reset_in)
        if info.remaining is None:
            return
        # With no reset time told, the window ends at the latest one window from now (an upper bound).
        new_reset = now + (reset_in if reset_in is not None else self.window())
        half = self.window() / 2
        if self._left is None or self._reset_at is None:
            self._left, self._reset_at = info.remaining, new_reset
        elif new_reset > self._reset_at + half:
            self._left, self._reset_at = info.remaining, new_reset   # the server moved on to a newer window
        elif new_reset >= self._reset_at - half:
            # the same window: the smallest count and the earliest end are the truest readings
            self._left = min(self._left, info.remaining)
            if reset_in is not None:
                self._reset_at = min(self._reset_at, new_reset)
        # else: a late answer from a window already over

    def rate_limited(self, headers: Mapping[str, str] | None = None) -> float | None:
        """A 429 arrived: count it and learn from it; returns its wait in seconds (None when it gave none).

        The waiting itself is the client's (`FreshBooksBackoff`); when the 429 names the quota, the pacer
        also holds every later request until the window it reports has ended."""
        self.rate_limited_count += 1
        info = RateLimitInfo.from_headers(headers or {})
        now = self.clock()
        wait = info.reset_in(self.wall())
        if info.limit is not None:
            self.limit = info.limit
            self._headers_at = now
            self._from_429 = True
        if wait is not None and self.limit is not None:
            self._left, self._reset_at = 0, now + wait
        return wait

    def note_backoff(self, seconds: float) -> None:
        """The client waited `seconds` after a 429 (counted as time spent waiting for the quota)."""
        self.backoff_seconds += max(0.0, seconds)

    def counters(self) -> PacingCounters:
        return PacingCounters(requests=self.requests, rate_limited=self.rate_limited_count,
                              paced_seconds=round(self.paced_seconds, 6),
                              backoff_seconds=round(self.backoff_seconds, 6),
                              limit=self.limit, window_seconds=self.window_s)


# One pacer per (API URL, account) and event loop: every client of an account shares it, and an asyncio.Lock
# never crosses loops (each test has its own loop; the app has one).
_SHARED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], FreshBooksPacer]] = (
    weakref.WeakKeyDictionary())


def shared_pacer(api_url: str, account_id: str) -> FreshBooksPacer:
    """The pacer of this FreshBooks account on the running event loop (created on first use)."""
    per_loop = _SHARED.setdefault(asyncio.get_running_loop(), {})
    key = (api_url.rstrip("/"), account_id)
    pacer = per_loop.get(key)
    if pacer is None:
        pacer = per_loop[key] = FreshBooksPacer()
    return pacer
