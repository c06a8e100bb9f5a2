"""What the pacers of both services (`freshbooks.pacing.FreshBooksPacer`, `bigcommerce.governor.RateGovernor`) do
alike: one gate shared by every concurrent request of an account or store.

`acquire()` waits until the pacer says a request may go (`_wait_needed`), counts it as in flight and returns its
`sent_at`; `release(headers)` gives the slot back and hands the answer to the pacer (`_take_answer`);
`header_value` reads a rate-limit header whatever the case of its name. Clock and sleep are injectable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

__all__ = ["RequestSlots", "header_value"]

T = TypeVar("T")


def header_value(headers: Mapping[str, str], name: str, parse: Callable[[str], T]) -> T | None:
    """The header `name` (lower case) read by `parse`, or None where it is absent or `parse` raises ValueError."""
    value = headers.get(name)
    if value is None:   # httpx.Headers is case-insensitive; a plain dict (tests, other callers) may not be
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if value is None:
        return None
    try:
        return parse(value.strip())
    except ValueError:
        return None


class RequestSlots:
    """The shared gate; a pacer says how long to wait (`_wait_needed`) and learns from answers (`_take_answer`)."""

    def __init__(self, *, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]) -> None:
        self.clock = clock
        self.sleep = sleep
        self._in_flight = 0
        self._gate = asyncio.Lock()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _wait_needed(self, now: float) -> float:
        """Seconds to wait before one more request may go (0: it may go now)."""
        raise NotImplementedError

    def _sending(self, now: float) -> float:
        """A request goes (at clock time `now`): note it; returns its `sent_at`."""
        return now

    def _waiting(self, seconds: float) -> None:
        """A caller waits `seconds` before its request may go: count it."""

    def _take_answer(self, headers: Mapping[str, str], *, status: int | None, sent_at: float | None) -> None:
        """Learn from an answer's headers (its slot is already given back)."""
        raise NotImplementedError

    async def acquire(self) -> float:
        """Wait until a request may go, count it as in flight and return the clock time (its `sent_at`).

        Always pair with `release`."""
        async with self._gate:
            while True:
                now = self.clock()
                wait = self._wait_needed(now)
                if wait <= 0:
                    self._in_flight += 1      # counted against the budget until its answer comes
                    return self._sending(now)
                self._waiting(wait)
                await self.sleep(wait)

    def release(self, headers: Mapping[str, str] | None = None, *, status: int | None = None,
                sent_at: float | None = None) -> None:
        """Give the slot back and learn from the answer's headers (None when no answer arrived)."""
        self._in_flight = max(0, self._in_flight - 1)
        if headers is not None:
            self._take_answer(headers, status=status, sent_at=sent_at)
