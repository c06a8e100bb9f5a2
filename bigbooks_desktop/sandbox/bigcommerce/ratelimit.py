"""BigCommerce's per-store request quota: a fixed window of `quota` requests, reported in response headers."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["RateWindow"]


class RateWindow:
    """Counts requests in fixed windows of `window_seconds` on an injectable clock."""

    def __init__(self, *, quota: int, window_seconds: float, clock: Callable[[], float]) -> None:
        self.quota = quota
        self.window_seconds = window_seconds
        self._clock = clock
        self._started = clock()
        self._used = 0

    def _roll(self) -> float:
        now = self._clock()
        if now - self._started >= self.window_seconds or now < self._started:
            self._started = now
            self._used = 0
        return now

    def take(self) -> bool:
        """Spend one request; False when the window's quota is already used up."""
        self._roll()
        if self._used >= self.quota:
            return False
        self._used += 1
        return True

    def headers(self) -> dict[str, str]:
        """The headers of the window the last request was counted in (not rolled on here: a response that took
        longer than a time-scaled window still reports the window that counted it)."""
        now = self._clock()
        reset_ms = max(0, int((self._started + self.window_seconds - now) * 1000))
        return {
            "X-Rate-Limit-Requests-Left": str(max(0, self.quota - self._used)),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Time-Window-Ms": str(int(self.window_seconds * 1000)),
        }

    def reset(self) -> None:
        self._started = self._clock()
        self._used = 0
