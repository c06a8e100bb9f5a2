"""How much of the store's BigCommerce API budget each rate-limit window used, from the answers' own headers.

BigCommerce reports after every response how many requests are left in the current window and when it resets
(see `governor`). `BudgetWindows` groups those answers by window and keeps, per window, the most the server
said was used (`quota - left`: other apps on the store count too) and how many of the answers were ours. It
only records; the governor paces. Answers arrive late and out of order, so one is taken to speak of the window
whose end it reports (its time plus `reset_ms`), within half a window; a late answer of a finished window is
dropped. A 429 means the window's budget is used up.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["BudgetWindows", "WindowUse"]

_DEFAULT_WINDOW = 30.0


@dataclass(frozen=True, slots=True)
class WindowUse:
    """One rate-limit window: it ended (or ends) at `ends_at`; `used` of `quota` requests were counted by the
    server, `ours` of them answered to this client."""

    ends_at: datetime
    window_seconds: float
    quota: int
    used: int
    ours: int


class BudgetWindows:
    """The windows seen by one client, oldest first (at most `keep`)."""

    def __init__(self, *, now: Callable[[], datetime] = lambda: datetime.now(UTC), keep: int = 2000) -> None:
        self.now = now
        self._done: deque[WindowUse] = deque(maxlen=keep)
        self._current: WindowUse | None = None

    def observe(self, *, left: int | None, quota: int | None, reset_ms: int | None, window_ms: int | None,
                limited: bool = False) -> None:
        """Take in one answer's rate-limit headers (`limited`: it was a 429)."""
        if quota is None or reset_ms is None or (left is None and not limited):
            return
        seconds = window_ms / 1000.0 if window_ms else _DEFAULT_WINDOW
        used = quota if limited else max(0, quota - (left or 0))
        ends = self.now() + timedelta(milliseconds=reset_ms)
        half = timedelta(seconds=seconds / 2)
        current = self._current
        if current is None or ends > current.ends_at + half:
            if current is not None:
                self._done.append(current)
            self._current = WindowUse(ends_at=ends, window_seconds=seconds, quota=quota, used=used, ours=1)
        elif ends >= current.ends_at - half:
            self._current = WindowUse(ends_at=min(current.ends_at, ends), window_seconds=seconds,
                                      quota=max(current.quota, quota), used=max(current.used, used),
                                      ours=current.ours + 1)
        # else: a late answer from a window already closed

    def windows(self) -> list[WindowUse]:
        """Every window seen, oldest first, the current one last."""
        return [*self._done, *([self._current] if self._current is not None else [])]
